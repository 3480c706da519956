// The JSON Schemas the kit ships under schemas/ (results, comparison, expected failures), compiled once with ajv.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Ajv2020 } from "ajv/dist/2020.js";
import type addFormatsModule from "ajv-formats";

/** schemas/ at the package root: one level up from both src/ and dist/. */
export const SCHEMAS_DIR = fileURLToPath(new URL("../schemas/", import.meta.url));

export const SCHEMA_FILES = {
  results: "results.schema.json",
  compare: "compare.schema.json",
  expectedFailures: "expected-failures.schema.json",
  contractExtensions: "contract-extensions.schema.json",
} as const;

export type SchemaName = keyof typeof SCHEMA_FILES;

// ajv and ajv-formats are loaded on first use (a run without a baseline or compare never needs them).
const require = createRequire(import.meta.url);

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

export function schemaPath(name: SchemaName): string {
  return `${SCHEMAS_DIR}${SCHEMA_FILES[name]}`;
}

export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaPath(name), "utf8")) as Record<string, unknown>;
}

/** The compiled validator of one shipped schema. */
export function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    if (ajv === undefined) {
      const { Ajv2020: AjvClass } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
      const addFormats = require("ajv-formats") as typeof addFormatsModule.default;
      ajv = addFormats(new AjvClass({ allErrors: true, strict: true, strictRequired: false }));
    }
    validate = ajv.compile(readSchema(name));
    compiled.set(name, validate);
  }
  return validate;
}

/** ajv's errors as indented lines, `oneOf` noise left out when more precise errors exist. */
export function describeErrors(errors: ErrorObject[] | null | undefined, limit = 8): string {
  const all = errors ?? [];
  const precise = all.filter((error) => error.keyword !== "oneOf" && error.keyword !== "not");
  const shown = (precise.length > 0 ? precise : all).slice(0, limit).map((error) => {
    const where = error.instancePath || "/";
    if (error.keyword === "additionalProperties") {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      return `  ${where}: "${key}" is not a known key`;
    }
    return `  ${where}: ${error.message ?? "is invalid"}`;
  });
  return [...new Set(shown)].join("\n");
}
