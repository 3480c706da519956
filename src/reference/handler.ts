// The request pipeline: routing from the contract, auth, the body rules and schema validation, the operation, then the tweaks' rewrite.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Contract, ContractError, type Operation, requireOperation } from "../contract/contract.js";
import { schemasFor } from "../contract/schema-validator.js";
import { authenticateBasic, authenticateBearer } from "./auth.js";
import { Envelope, ErrorCode } from "./envelope.js";
import {
  decodeJson,
  hasBody,
  isJsonMediaType,
  isJsonRequestType,
  isPlainObject,
  readBody,
} from "./http-body.js";
import {
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type ReferenceRequest,
  type ReferenceResponse,
  resolveOptions,
} from "./options.js";
import { ProviderStateHook } from "./provider-state-hook.js";
import { type Caller, createOperationHandlers, OPERATION_IDS, type OperationHandler } from "./routes.js";
import { ReferenceStore } from "./store.js";

interface Route {
  operation: Operation;
  handle: OperationHandler;
}

type BodyOutcome =
  | { kind: "value"; value: unknown }
  | { kind: "response"; response: ReferenceResponse }
  | { kind: "aborted" };

interface BodyRules {
  contentType: boolean;
  limit: number | undefined;
  jsonObject: boolean;
}

/**
 * Builds the reference as a bare node:http request listener with its own fresh state, so it can be mounted on
 * any server (startReference uses it on a plain one).
 */
export function createReferenceHandler(
  contract: Contract,
  options?: ReferenceOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const settings = resolveOptions(options);
  const { enforces, tweaks } = settings;
  const store = new ReferenceStore({
    admin: settings.admin,
    tokenTtlMs: settings.tokenTtlMs,
    now: settings.now,
    blockedByDefault: settings.profile === "sunset",
  });
  for (const user of settings.users) {
    store.putUser(user.username, user.password);
  }
  const envelope = new Envelope(contract, settings.profile, settings.version);
  const schemas = schemasFor(contract);
  const routes = buildRoutes(contract, createOperationHandlers(store, envelope, settings));
  const hook = settings.stateHook ? new ProviderStateHook(contract, store, envelope, settings) : undefined;
  const admin: Caller = { username: settings.admin.username, role: "admin" };
  const apiBodyRules: BodyRules = {
    contentType: enforces("content-type"),
    limit: enforces("body-limit") ? settings.maxBodyBytes : undefined,
    jsonObject: enforces("json-body"),
  };
  // The hook is the kit's plumbing: skipped rules must not break it, and test tools may omit the content type.
  const hookBodyRules: BodyRules = { contentType: false, limit: settings.maxBodyBytes, jsonObject: true };

  async function readJsonBody(
    req: IncomingMessage,
    exchange: ReferenceRequest,
    rules: BodyRules,
  ): Promise<BodyOutcome> {
    if (rules.contentType && !isJsonRequestType(req.headers["content-type"])) {
      return refuse(envelope.error(400, ErrorCode.invalidRequest, "Content-Type must be application/json"));
    }
    const read = await readBody(req, rules.limit);
    if (read.kind === "aborted") {
      return { kind: "aborted" };
    }
    if (read.kind === "too-large") {
      // A body drained after the answer keeps the connection; one too large even to drain closes it.
      return refuse(
        envelope.error(
          413,
          ErrorCode.invalidRequest,
          `The body is larger than the ${settings.maxBodyBytes} bytes this server accepts`,
          read.close ? { connection: "close" } : {},
        ),
      );
    }
    const json = decodeJson(read.bytes);
    exchange.body = json.kind === "json" ? json.value : json.text;
    if (rules.jsonObject) {
      if (json.kind === "not-json") {
        return refuse(envelope.error(400, ErrorCode.invalidRequest, "The body is not valid JSON"));
      }
      if (!isPlainObject(json.value)) {
        return refuse(envelope.error(400, ErrorCode.invalidRequest, "The body must be a JSON object"));
      }
    }
    return { kind: "value", value: exchange.body };
  }

  async function serveApi(
    req: IncomingMessage,
    exchange: ReferenceRequest,
  ): Promise<ReferenceResponse | undefined> {
    const methods = routes.get(exchange.path);
    if (methods === undefined) {
      return envelope.error(404, ErrorCode.notFound, `No resource at ${exchange.path}`);
    }
    const route = methods.get(exchange.method);
    if (route === undefined) {
      return envelope.error(
        405,
        ErrorCode.invalidRequest,
        `${exchange.method} is not allowed on ${exchange.path}`,
        {
          allow: [...methods.keys()].join(", "),
        },
      );
    }
    const { operation } = route;
    let caller = admin;
    if (operation.security !== "none") {
      const header = req.headers.authorization;
      const auth =
        operation.security === "basic" ? authenticateBasic(header, store) : authenticateBearer(header, store);
      if (auth.ok) {
        caller = { username: auth.username, role: auth.role };
      } else if (enforces("auth")) {
        return envelope.error(401, ErrorCode.accessDenied, auth.details, {
          "www-authenticate": auth.challenge,
        });
      }
      if (operation.security === "bearer" && caller.role !== "admin" && enforces("admin-only")) {
        return envelope.error(403, ErrorCode.accessDenied, "Only the admin user can use this endpoint");
      }
    }
    let body: unknown;
    if (operation.requestSchema !== undefined && (operation.requestBodyRequired || hasBody(req))) {
      const outcome = await readJsonBody(req, exchange, apiBodyRules);
      if (outcome.kind !== "value") {
        return outcome.kind === "response" ? outcome.response : undefined;
      }
      body = outcome.value;
      if (enforces("validation")) {
        const issues = schemas.checkRequest(operation, body);
        if (issues.length > 0) {
          return envelope.invalid(issues);
        }
      }
    }
    return route.handle({ body, caller });
  }

  async function serveHook(
    req: IncomingMessage,
    exchange: ReferenceRequest,
    stateHook: ProviderStateHook,
  ): Promise<ReferenceResponse | undefined> {
    if (exchange.method === "GET") {
      return stateHook.list();
    }
    if (exchange.method !== "POST") {
      return envelope.error(
        405,
        ErrorCode.invalidRequest,
        `${exchange.method} is not allowed on ${exchange.path}`,
        {
          allow: "GET, POST",
        },
      );
    }
    const outcome = await readJsonBody(req, exchange, hookBodyRules);
    if (outcome.kind !== "value") {
      return outcome.kind === "response" ? outcome.response : undefined;
    }
    return stateHook.change(outcome.value);
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: ReferenceRequest,
    response: ReferenceResponse,
    rewritable: boolean,
  ): void {
    const rewritten = rewritable ? tweaks.rewrite?.(exchange, response) : undefined;
    const outgoing = rewritten ?? response;
    if (outgoing === "drop") {
      req.socket.destroy();
      return;
    }
    if (outgoing === "hang") {
      // Never answered; the socket stays open until the client gives up or the server closes every connection.
      return;
    }
    const payload = serialize(outgoing);
    res.writeHead(outgoing.status, outgoing.headers);
    res.end(payload);
  }

  function fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed) {
      req.socket.destroy();
      return;
    }
    // Only a throwing tweak (or a bug) lands here; answer like a server that failed rather than leave the socket.
    for (const name of res.getHeaderNames()) {
      res.removeHeader(name);
    }
    const message = error instanceof Error ? error.message : String(error);
    const response = envelope.error(500, ErrorCode.internal, `Internal error: ${message}`);
    res.writeHead(response.status, response.headers);
    res.end(JSON.stringify(response.body));
  }

  return (req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const exchange: ReferenceRequest = {
      method: req.method ?? "GET",
      path: query === -1 ? url : url.slice(0, query),
      body: undefined,
      headers: req.headers,
    };
    const isHook = hook !== undefined && exchange.path === PROVIDER_STATE_PATH;
    const pending = isHook ? serveHook(req, exchange, hook) : serveApi(req, exchange);
    pending
      .then((response) => {
        if (response !== undefined) {
          send(req, res, exchange, response, !isHook);
        }
      })
      .catch((error: unknown) => fail(req, res, error));
  };
}

function refuse(response: ReferenceResponse): BodyOutcome {
  return { kind: "response", response };
}

/** Every operation of the contract must have a handler: a simulator that silently lacks one would mislead the kit. */
function buildRoutes(
  contract: Contract,
  handlers: Record<(typeof OPERATION_IDS)[number], OperationHandler>,
): Map<string, Map<string, Route>> {
  const implemented = new Set<string>(OPERATION_IDS);
  const missing = [...contract.operations.keys()].filter((id) => !implemented.has(id));
  if (missing.length > 0) {
    throw new ContractError(`the reference implements no handler for ${missing.join(", ")}`);
  }
  const routes = new Map<string, Map<string, Route>>();
  for (const id of OPERATION_IDS) {
    const operation = requireOperation(contract, id);
    let methods = routes.get(operation.path);
    if (methods === undefined) {
      methods = new Map();
      routes.set(operation.path, methods);
    }
    methods.set(operation.method.toUpperCase(), { operation, handle: handlers[id] });
  }
  return routes;
}

/** JSON text, except a string body under a non-JSON content type, which a rewrite wants sent verbatim. */
function serialize(response: ReferenceResponse): string {
  if (response.body === undefined) {
    return "";
  }
  const type = headerValue(response.headers, "content-type");
  if (typeof response.body === "string" && type !== undefined && !isJsonMediaType(type)) {
    return response.body;
  }
  return JSON.stringify(response.body) ?? "";
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      return value;
    }
  }
  return undefined;
}
