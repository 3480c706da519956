// Compiles the contract's request and response schemas with ajv, so the reference and the checks share one copy.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import type { Contract, JsonSchema, Operation } from "./contract.js";
import { requireOperation } from "./contract.js";

export interface SchemaIssue {
  /** JSON Pointer of the offending value in the instance ("" for the root). */
  pointer: string;
  keyword: string;
  message: string;
  /** For `required`: the name of the missing property. */
  missingProperty?: string;
}

export type SchemaCheck = (value: unknown) => SchemaIssue[];

/** One ajv instance per contract; compiled validators are cached by schema object. */
export class ContractSchemas {
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<object, ValidateFunction>();

  constructor(readonly contract: Contract) {
    // No meta-schema check at run time (compiling the meta-schema costs a tenth of a cold run); strict mode
    // still refuses unknown keywords, and test/contract/schemas-valid.test.ts checks every schema against it.
    this.#ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false, validateSchema: false });
    this.#ajv.addVocabulary(["x-invalid-examples", "x-sensitive"]);
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
      validate = this.#ajv.compile(schema as object);
      this.#compiled.set(schema, validate);
    }
    if (validate(value)) {
      return [];
    }
    return (validate.errors ?? []).map(toIssue);
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
