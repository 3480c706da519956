// The validators of case files and of the negative-matrix rules: generated at build (case-validators.generated.ts), compiled at run time only when the schema files changed since.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Ajv2020, Options, ValidateFunction } from "ajv/dist/2020.js";
import { FIXTURES_DIR } from "../paths.js";
import { CaseError } from "./case-error.js";
import { CASE_SCHEMAS_SHA256, validateCaseFile, validateMatrixFile } from "./case-validators.generated.js";

export const CASE_SCHEMA_FILE = join(FIXTURES_DIR, "case.schema.json");
export const MATRIX_SCHEMA_FILE = join(FIXTURES_DIR, "negative-matrix.schema.json");

/** Our own schemas, checked against the meta-schema by test/contract/schemas-valid.test.ts, not on every run. */
const CASE_AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  strictRequired: false,
  strictTypes: false,
  validateSchema: false,
};

export interface CaseValidators {
  cases: ValidateFunction;
  matrix: ValidateFunction;
}

/** The SHA-256 of both schema files' texts: the generated code is used only for the texts it was made from. */
export function caseSchemasSha256(caseSchemaText: string, matrixSchemaText: string): string {
  return createHash("sha256").update(caseSchemaText).update("\0").update(matrixSchemaText).digest("hex");
}

export async function readCaseSchemaTexts(): Promise<{ caseSchema: string; matrixSchema: string }> {
  return {
    caseSchema: await readFile(CASE_SCHEMA_FILE, "utf8"),
    matrixSchema: await readFile(MATRIX_SCHEMA_FILE, "utf8"),
  };
}

const require = createRequire(import.meta.url);

/** An ajv holding both schemas, under the keys "case.schema.json" and "negative-matrix.schema.json"; loaded on first use. */
export function caseAjv(texts: { caseSchema: string; matrixSchema: string }, extra: Options = {}): Ajv2020 {
  const { Ajv2020: AjvClass } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const ajv = new AjvClass({ ...CASE_AJV_OPTIONS, ...extra });
  const parse = (file: string, text: string): object => {
    try {
      return JSON.parse(text) as object;
    } catch (error) {
      throw new CaseError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  };
  ajv.addSchema(parse(CASE_SCHEMA_FILE, texts.caseSchema), "case.schema.json");
  ajv.addSchema(parse(MATRIX_SCHEMA_FILE, texts.matrixSchema), "negative-matrix.schema.json");
  return ajv;
}

/** Compiles both schemas at run time, as the build does. */
export function compileCaseValidators(texts: { caseSchema: string; matrixSchema: string }): CaseValidators {
  const ajv = caseAjv(texts);
  return {
    cases: ajv.getSchema("case.schema.json") as ValidateFunction,
    matrix: ajv.getSchema("negative-matrix.schema.json") as ValidateFunction,
  };
}

let validators: Promise<CaseValidators> | undefined;

/** The generated validators when the schema files are the ones they were generated from, else compiled ones. */
export function loadCaseValidators(): Promise<CaseValidators> {
  validators ??= (async () => {
    const texts = await readCaseSchemaTexts();
    if (caseSchemasSha256(texts.caseSchema, texts.matrixSchema) === CASE_SCHEMAS_SHA256) {
      return { cases: validateCaseFile as ValidateFunction, matrix: validateMatrixFile as ValidateFunction };
    }
    return compileCaseValidators(texts);
  })();
  validators.catch(() => {
    validators = undefined;
  });
  return validators;
}
