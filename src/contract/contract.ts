// Loads the OpenAPI contract and exposes its operations, requirement ledger, error catalogue and provider states.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { OpenAPIV3_1 } from "openapi-types";
import { CONTRACT_PATH } from "../paths.js";
import { describeErrors, validatorFor } from "../schemas.js";
import { parseYaml } from "../yaml.js";
import { ContractError } from "./contract-error.js";
import { dereferenceLocal } from "./dereference.js";
import type { ProfileName } from "./profiles.js";

export { ContractError } from "./contract-error.js";
export { type KitProfileName, PROFILES, type ProfileName } from "./profiles.js";

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
  /** The every-exchange check of the kit that judges this requirement on every exchange, by name. */
  check?: string;
  statement: string;
  source: RequirementSource;
}

/** One request of the sequence that reaches a state on a target without a hook (as the admin). */
export interface StaticRequest {
  operation: string;
  /** A JSON body whose strings are templates of the case's variables and the state's config fields. */
  body?: unknown;
  status: number;
  /** The config field that says how many times to send it. */
  times?: string;
  /** Variables read from the answer: each from the header whose name a config field holds. */
  read?: Record<string, { header: string }>;
}

/** One way to reach a state without a hook: a state's forms are tried in order (see x-provider-states). */
export interface StaticForm {
  /** The config's `states.<name>` is a boolean; this is its value when the config is silent. */
  flag?: boolean;
  /** The config's `states.<name>` holds one of these sets of fields. */
  given?: string[][];
  /** Reach these states first (`{state}`), then send these requests. */
  requests?: ({ state: string } | StaticRequest)[];
  /** The form applies only to runs of at most this many cases at once. */
  concurrency?: number;
  /** Why the form sends requests, for the message when it cannot. */
  purpose?: string;
}

export interface ProviderStateSpec {
  name: string;
  scope: "number" | "user" | "target";
  description: string;
  params: string[];
  answer: string;
  /** The harmless state a hook is probed with before a run. */
  probe?: boolean;
  /** Config fields that no request schema declares, as JSON Schemas. */
  fields?: Record<string, JsonSchema>;
  static?: StaticForm[];
}

export interface Profile {
  name: ProfileName;
  description: string;
  /** States a target of this profile is in without a hook, unless its config says otherwise. */
  states?: string[];
}

/** How the kit logs in for a Bearer token (x-session). */
export interface SessionSpec {
  /** The login's operationId; its security scheme says how the credentials are sent. */
  operation: string;
  body?: unknown;
  status: number;
  /** JSON Pointer to the token in the answer. */
  token: string;
  /** JSON Pointer to when the token expires, if the answer says. */
  expiry?: string;
}

/** A JSON Schema object as found in the dereferenced contract. */
export type JsonSchema = OpenAPIV3_1.SchemaObject;

export interface Operation {
  id: string;
  method: HttpMethod;
  path: string;
  /** How the caller authenticates, from the type of its security scheme (HTTP basic or bearer). */
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
  /** The profiles a target can claim (x-profiles), in the document's order. */
  profiles: Profile[];
  session: SessionSpec;
  /** The state a hook is probed with (marked `probe`), if any. */
  probeState: string | undefined;
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
  if (path !== CONTRACT_PATH) {
    // The kit's own contract is checked by test/contract; another one is checked here, once, when loaded.
    checkExtensions(path, extensions);
  }
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
  const operations = readOperations(document);
  const session = extensions["x-session"] as SessionSpec | undefined;
  if (session === undefined || !operations.has(session.operation)) {
    throw new ContractError(
      `the contract ${path} has no x-session naming one of its operations to log in with`,
    );
  }
  return {
    path,
    sha256: createHash("sha256").update(text).digest("hex"),
    document,
    operations,
    requirements,
    requirementById,
    errorTitles,
    providerStates,
    profiles: readList<Profile>(extensions, "x-profiles"),
    session,
    probeState: [...providerStates.values()].find((state) => state.probe === true)?.name,
  };
}

function readList<T>(extensions: Record<string, unknown>, key: string): T[] {
  const value = extensions[key];
  if (!Array.isArray(value)) {
    throw new ContractError(`the contract has no ${key} list`);
  }
  return value as T[];
}

/** Validates the extensions the runner reads (schemas/contract-extensions.schema.json). */
function checkExtensions(path: string, extensions: Record<string, unknown>): void {
  const validate = validatorFor("contractExtensions");
  if (!validate(extensions)) {
    throw new ContractError(
      `the contract ${path} has invalid extensions:\n${describeErrors(validate.errors)}`,
    );
  }
}

/** What a security scheme asks of a caller, from its type: HTTP basic or bearer (any name the document gives it). */
function authOf(scheme: OpenAPIV3_1.SecuritySchemeObject | undefined): Operation["security"] | undefined {
  if (scheme?.type !== "http") {
    return undefined;
  }
  const kind = scheme.scheme.toLowerCase();
  return kind === "basic" || kind === "bearer" ? kind : undefined;
}

function readOperations(document: OpenAPIV3_1.Document): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  const globalSecurity = document.security ?? [];
  const schemes = (document.components?.securitySchemes ?? {}) as Record<
    string,
    OpenAPIV3_1.SecuritySchemeObject
  >;
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
      const kinds = security.flatMap((entry) => Object.keys(entry)).map((name) => authOf(schemes[name]));
      operations.set(operation.operationId, {
        id: operation.operationId,
        method,
        path,
        security: kinds.includes("basic") ? "basic" : kinds.includes("bearer") ? "bearer" : "none",
        requestSchema: requestBody?.content?.["application/json"]?.schema as JsonSchema | undefined,
        requestBodyRequired: requestBody?.required === true,
        responses,
      });
    }
  }
  return operations;
}

export function requireOperation(contract: Pick<Contract, "operations">, id: string): Operation {
  const operation = contract.operations.get(id);
  if (!operation) {
    throw new ContractError(`the contract has no operation ${id}`);
  }
  return operation;
}
