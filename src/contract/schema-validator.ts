// Validates values against the contract's schemas with ajv code generated at build (contract-validators.generated.ts); a schema without it is compiled at run time.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Ajv2020, ErrorObject, Options } from "ajv/dist/2020.js";
import type { Contract, JsonSchema, Operation } from "./contract.js";
import { requireOperation } from "./contract.js";
import { PRECOMPILED_VALIDATORS } from "./contract-validators.generated.js";

export interface SchemaIssue {
  /** JSON Pointer of the offending value in the instance ("" for the root). */
  pointer: string;
  keyword: string;
  message: string;
  /** For `required`: the name of the missing property. */
  missingProperty?: string;
}

export type SchemaCheck = (value: unknown) => SchemaIssue[];

/** A validator as ajv compiles it and as its standalone code exports it. */
type Validate = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * The options every contract schema is compiled with, at build and at run time alike. No meta-schema check
 * (compiling the meta-schema costs a tenth of a cold run); strict mode still refuses unknown keywords, and
 * test/contract/schemas-valid.test.ts checks every schema against it.
 */
export const CONTRACT_AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  validateFormats: false,
  validateSchema: false,
};

/** The contract's own annotation keywords, which strict mode would otherwise refuse. */
export const CONTRACT_VOCABULARY = ["x-invalid-examples", "x-sensitive"];

/**
 * The key of a schema's generated validator: the SHA-256 of its JSON. A schema whose text changed has another
 * key, so a stale generated module can only make a schema compile at run time, never validate it wrongly.
 */
export function schemaKey(schema: JsonSchema): string {
  return createHash("sha256").update(JSON.stringify(schema)).digest("hex");
}

/**
 * Every schema the kit validates against: each operation's request and response schemas, the components, and
 * the provider-state hook's params (the contract's own cc, phone_number and pin, as the reference builds them).
 * The build generates code for exactly these (scripts/generate-validators.ts).
 */
export function contractSchemas(contract: Contract): JsonSchema[] {
  const schemas: JsonSchema[] = [];
  for (const operation of contract.operations.values()) {
    if (operation.requestSchema) {
      schemas.push(operation.requestSchema);
    }
    for (const schema of operation.responses.values()) {
      if (schema) {
        schemas.push(schema);
      }
    }
  }
  schemas.push(...Object.values(contract.document.components?.schemas ?? {}));
  const request = contract.operations.get("requestCode")?.requestSchema?.properties;
  const pin = contract.operations.get("enableTwoStep")?.requestSchema?.properties?.pin;
  if (request?.cc !== undefined && request.phone_number !== undefined) {
    const number = { cc: request.cc, phone_number: request.phone_number };
    schemas.push({ type: "object", required: ["cc", "phone_number"], properties: number });
    if (pin !== undefined) {
      schemas.push({
        type: "object",
        required: ["cc", "phone_number", "pin"],
        properties: { ...number, pin },
      });
    }
  }
  return schemas;
}

/** A circular schema has no JSON and so no generated code. */
function keyOrNone(schema: JsonSchema): string {
  try {
    return schemaKey(schema);
  } catch {
    return "";
  }
}

const require = createRequire(import.meta.url);

/** A fresh ajv with the contract's options; loaded on first use, so a run whose schemas all have code never loads ajv. */
export function contractAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020: AjvClass } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const ajv = new AjvClass({ ...CONTRACT_AJV_OPTIONS, ...extra });
  ajv.addVocabulary(CONTRACT_VOCABULARY);
  return ajv;
}

export interface ContractSchemasOptions {
  /** Use the validators generated at build (default true); false compiles every schema at run time. */
  precompiled?: boolean;
}

/** One validator per schema object: the one generated at build when its key matches, else compiled once by ajv. */
export class ContractSchemas {
  #ajv: Ajv2020 | undefined;
  readonly #compiled = new Map<object, Validate>();
  readonly #precompiled: boolean;
  /** How many schemas had no generated code and were compiled at run time. */
  compiledAtRunTime = 0;

  constructor(
    readonly contract: Contract,
    options: ContractSchemasOptions = {},
  ) {
    this.#precompiled = options.precompiled ?? true;
  }

  /** Validates a request body against the operation's request schema. */
  checkRequest(operation: Operation | string, body: unknown): SchemaIssue[] {
    const op = typeof operation === "string" ? requireOperation(this.contract, operation) : operation;
    if (!op.requestSchema) {
      return [];
    }
    return this.check(op.requestSchema, body);
  }

  /**
   * The schema the contract declares for a response status, falling back to `default`;
   * `undefined` when the status is not documented or documented without a JSON body.
   */
  responseSchema(operation: Operation, status: number): JsonSchema | undefined {
    return operation.responses.get(String(status)) ?? operation.responses.get("default");
  }

  check(schema: JsonSchema, value: unknown): SchemaIssue[] {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#validatorOf(schema);
      this.#compiled.set(schema, validate);
    }
    if (validate(value)) {
      return [];
    }
    return (validate.errors ?? []).map(toIssue);
  }

  #validatorOf(schema: JsonSchema): Validate {
    const generated = this.#precompiled ? PRECOMPILED_VALIDATORS[keyOrNone(schema)] : undefined;
    if (generated) {
      return generated as Validate;
    }
    this.compiledAtRunTime += 1;
    this.#ajv ??= contractAjv();
    return this.#ajv.compile(schema as object) as Validate;
  }
}

function toIssue(error: ErrorObject): SchemaIssue {
  const missingProperty =
    error.keyword === "required" ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  return {
    pointer: error.instancePath,
    keyword: error.keyword,
    message: `${error.instancePath || "body"} ${error.message ?? "is invalid"}`,
    ...(missingProperty === undefined ? {} : { missingProperty }),
  };
}

const schemasByContract = new WeakMap<Contract, ContractSchemas>();

export function schemasFor(contract: Contract): ContractSchemas {
  let schemas = schemasByContract.get(contract);
  if (!schemas) {
    schemas = new ContractSchemas(contract);
    schemasByContract.set(contract, schemas);
  }
  return schemas;
}
