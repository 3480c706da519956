// Loads the OpenAPI contract and exposes its operations, requirement ledger, error catalogue and provider states.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { OpenAPIV3_1 } from "openapi-types";
import { CONTRACT_PATH } from "../paths.js";
import { parseYaml } from "../yaml.js";
import { ContractError } from "./contract-error.js";
import { dereferenceLocal } from "./dereference.js";
import type { ProfileName } from "./profiles.js";

export { ContractError } from "./contract-error.js";
export { PROFILES, type ProfileName } from "./profiles.js";

export type Level = "MUST" | "SHOULD" | "MAY";
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface RequirementSource {
  kind: "meta" | "http" | "decision";
  url?: string;
  reason?: string;
}

export interface Requirement {
  id: string;
  level: Level;
  profiles: ProfileName[];
  operation?: string;
  statement: string;
  source: RequirementSource;
}

export interface ProviderStateSpec {
  name: string;
  scope: "number" | "user" | "target";
  description: string;
  params: string[];
  answer: string;
}

/** A JSON Schema object as found in the dereferenced contract. */
export type JsonSchema = OpenAPIV3_1.SchemaObject;

export interface Operation {
  id: string;
  method: HttpMethod;
  path: string;
  /** How the caller authenticates: `basic` for login, `bearer` for the rest. */
  security: "basic" | "bearer" | "none";
  requestSchema: JsonSchema | undefined;
  requestBodyRequired: boolean;
  /** Response schemas by status ("201", "default", ...); undefined where a status has no JSON body. */
  responses: Map<string, JsonSchema | undefined>;
}

export interface Contract {
  path: string;
  sha256: string;
  document: OpenAPIV3_1.Document;
  operations: Map<string, Operation>;
  requirements: Requirement[];
  requirementById: Map<string, Requirement>;
  errorTitles: Map<number, string>;
  providerStates: Map<string, ProviderStateSpec>;
}

const METHODS: HttpMethod[] = ["get", "post", "put", "patch", "delete"];
export const REQUIREMENT_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const cache = new Map<string, Promise<Contract>>();

/** Loads (once per path) and dereferences the contract. */
export function loadContract(path: string = CONTRACT_PATH): Promise<Contract> {
  let loaded = cache.get(path);
  if (!loaded) {
    loaded = readContract(path);
    cache.set(path, loaded);
    loaded.catch(() => cache.delete(path));
  }
  return loaded;
}

async function readContract(path: string): Promise<Contract> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ContractError(`cannot read the contract ${path}: ${(error as Error).message}`);
  }
  let document: OpenAPIV3_1.Document;
  try {
    // Parse ourselves, so the text hashed is the text used. A document whose $refs all point into itself (the
    // kit's) is dereferenced here; any other is handed to swagger-parser, loaded only then.
    const raw = parseYaml(text) as OpenAPIV3_1.Document;
    document = (dereferenceLocal(structuredClone(raw)) ??
      (await (
        await import("@apidevtools/swagger-parser")
      ).default.dereference(structuredClone(raw)))) as OpenAPIV3_1.Document;
  } catch (error) {
    throw new ContractError(
      `the contract ${path} is not a readable OpenAPI document: ${(error as Error).message}`,
    );
  }
  const extensions = document as unknown as Record<string, unknown>;
  const requirements = readList<Requirement>(extensions, "x-requirements");
  const requirementById = new Map<string, Requirement>();
  for (const requirement of requirements) {
    if (requirementById.has(requirement.id)) {
      throw new ContractError(`requirement id ${requirement.id} appears twice in x-requirements`);
    }
    requirementById.set(requirement.id, requirement);
  }
  const errorTitles = new Map(
    readList<{ code: number; title: string }>(extensions, "x-error-catalogue").map((e) => [e.code, e.title]),
  );
  const providerStates = new Map(
    readList<ProviderStateSpec>(extensions, "x-provider-states").map((s) => [s.name, s]),
  );
  return {
    path,
    sha256: createHash("sha256").update(text).digest("hex"),
    document,
    operations: readOperations(document),
    requirements,
    requirementById,
    errorTitles,
    providerStates,
  };
}

function readList<T>(extensions: Record<string, unknown>, key: string): T[] {
  const value = extensions[key];
  if (!Array.isArray(value)) {
    throw new ContractError(`the contract has no ${key} list`);
  }
  return value as T[];
}

function readOperations(document: OpenAPIV3_1.Document): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  const globalSecurity = document.security ?? [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method] as OpenAPIV3_1.OperationObject | undefined;
      if (!operation) {
        continue;
      }
      if (!operation.operationId) {
        throw new ContractError(`${method.toUpperCase()} ${path} has no operationId`);
      }
      const requestBody = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined;
      const responses = new Map<string, JsonSchema | undefined>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = (response as OpenAPIV3_1.ResponseObject).content;
        responses.set(status, content?.["application/json"]?.schema as JsonSchema | undefined);
      }
      const security = operation.security ?? globalSecurity;
      const schemes = security.flatMap((entry) => Object.keys(entry));
      operations.set(operation.operationId, {
        id: operation.operationId,
        method,
        path,
        security: schemes.includes("basicAuth")
          ? "basic"
          : schemes.includes("bearerAuth")
            ? "bearer"
            : "none",
        requestSchema: requestBody?.content?.["application/json"]?.schema as JsonSchema | undefined,
        requestBodyRequired: requestBody?.required === true,
        responses,
      });
    }
  }
  return operations;
}

export function requireOperation(contract: Contract, id: string): Operation {
  const operation = contract.operations.get(id);
  if (!operation) {
    throw new ContractError(`the contract has no operation ${id}`);
  }
  return operation;
}
