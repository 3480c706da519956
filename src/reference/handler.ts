// The request pipeline: routing from the contract, auth, the body rules and schema validation, the operation, then the tweaks' rewrite.

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Contract, ContractError, type Operation, requireOperation } from "../contract/contract.js";
import { schemasFor } from "../contract/schema-validator.js";
import { isPlainObject } from "../json-text.js";
import { authenticateBasic, authenticateBearer, LoginThrottle } from "./auth.js";
import { clip, Envelope, ErrorCode } from "./envelope.js";
import {
  closeAfterDrain,
  decodeJson,
  hasBody,
  isJsonMediaType,
  isJsonRequestType,
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
import { compileRewrite } from "./tweaks.js";

interface Route {
  operation: Operation;
  handle: OperationHandler;
}

/** One request on its way through the pipeline, handed from step to step instead of a closure per step. */
interface Pending {
  req: IncomingMessage;
  res: ServerResponse;
  exchange: ReferenceRequest;
  /** False for the provider-state hook, which the tweaks' rewrite never touches. */
  rewritable: boolean;
}

/** An answer ready to be written. */
interface Outgoing {
  pending: Pending;
  status: number;
  headers: Record<string, string>;
  payload: string;
}

interface BodyRules {
  /** Refuse a body not labelled application/json; otherwise a body is judged by what it is, whatever its label. */
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
  // Validated against the contract here, at start: a tweak naming an unknown operation or pointer is refused.
  const rewrite = compileRewrite(contract, tweaks.rewrite, tweaks.switches, options?.rewriteAnswer);
  const store = new ReferenceStore({
    admin: settings.admin,
    tokenTtlMs: settings.tokenTtlMs,
    now: settings.now,
    blockedByDefault: settings.profile === "sunset",
    caps: settings.caps,
  });
  for (const user of settings.users) {
    store.addFixedUser(user.username, user.password);
  }
  const throttle = new LoginThrottle(settings.maxFailedLogins, settings.now);
  const hookToken = settings.stateHookToken === undefined ? undefined : digest(settings.stateHookToken);
  const envelope = new Envelope(contract, settings.profile, settings.version);
  const schemas = schemasFor(contract);
  const routes = buildRoutes(contract, createOperationHandlers(store, envelope, settings));
  const hook = settings.stateHook ? new ProviderStateHook(contract, store, envelope, settings) : undefined;
  const admin: Caller = { username: settings.admin.username, role: "admin" };
  const apiBodyRules: BodyRules = {
    contentType: settings.requireJsonContentType,
    limit: enforces("body-limit") ? settings.maxBodyBytes : undefined,
    jsonObject: enforces("json-body"),
  };
  // The hook is the kit's plumbing: skipped rules must not break it, and test tools may omit the content type.
  const hookBodyRules: BodyRules = { contentType: false, limit: settings.maxBodyBytes, jsonObject: true };

  /**
   * Reads and checks a JSON body, then calls `next` with it, or answers the refusal itself. `next` runs from a
   * stream event, outside the listener's try, so it is guarded here.
   */
  function readJsonBody(pending: Pending, rules: BodyRules, next: (value: unknown) => void): void {
    const { req, exchange } = pending;
    if (rules.contentType && !isJsonRequestType(req.headers["content-type"])) {
      reply(pending, envelope.error(400, ErrorCode.invalidRequest, "Content-Type must be application/json"));
      return;
    }
    readBody(req, rules.limit, (read) => {
      if (read.kind === "aborted") {
        return;
      }
      if (read.kind === "too-large") {
        // The rest of the body is never read into memory: the answer closes the connection, after a bounded
        // drain (see flushOutbox) that lets a client still writing read it.
        const details = `The body is larger than the ${settings.maxBodyBytes} bytes this server accepts`;
        reply(pending, envelope.error(413, ErrorCode.invalidRequest, details, CLOSE));
        return;
      }
      const json = decodeJson(read.bytes);
      exchange.body = json.kind === "json" ? json.value : json.text;
      if (rules.jsonObject && json.kind === "not-json") {
        reply(pending, envelope.error(400, ErrorCode.invalidRequest, "The body is not valid JSON"));
      } else if (rules.jsonObject && !isPlainObject(exchange.body)) {
        reply(pending, envelope.error(400, ErrorCode.invalidRequest, "The body must be a JSON object"));
      } else {
        try {
          next(exchange.body);
        } catch (error) {
          fail(pending, error);
        }
      }
    });
  }

  function serveApi(pending: Pending): void {
    const { req, exchange } = pending;
    const methods = routes.get(exchange.path);
    if (methods === undefined) {
      reply(pending, envelope.error(404, ErrorCode.notFound, `No resource at ${exchange.path}`));
      return;
    }
    const route = methods.get(exchange.method);
    if (route === undefined) {
      const details = `${exchange.method} is not allowed on ${exchange.path}`;
      const allow = [...methods.keys()].join(", ");
      reply(pending, envelope.error(405, ErrorCode.invalidRequest, details, { allow }));
      return;
    }
    const { operation } = route;
    let caller = admin;
    if (operation.security !== "none") {
      const header = req.headers.authorization;
      const auth =
        operation.security === "basic"
          ? authenticateBasic(header, store, throttle)
          : authenticateBearer(header, store);
      if (auth.ok) {
        caller = { username: auth.username, role: auth.role };
      } else if (auth.retryAfter !== undefined) {
        const retry = { "retry-after": String(auth.retryAfter) };
        reply(pending, envelope.error(429, ErrorCode.tooManyRequests, auth.details, retry));
        return;
      } else if (enforces("auth")) {
        const challenge = { "www-authenticate": auth.challenge };
        reply(pending, envelope.error(401, ErrorCode.accessDenied, auth.details, challenge));
        return;
      }
      if (operation.security === "bearer" && caller.role !== "admin" && enforces("admin-only")) {
        reply(
          pending,
          envelope.error(403, ErrorCode.accessDenied, "Only the admin user can use this endpoint"),
        );
        return;
      }
    }
    if (operation.requestSchema === undefined || !(operation.requestBodyRequired || hasBody(req))) {
      reply(pending, route.handle({ body: undefined, caller }));
      return;
    }
    readJsonBody(pending, apiBodyRules, (body) => {
      const issues = enforces("validation") ? schemas.checkRequest(operation, body) : [];
      reply(pending, issues.length > 0 ? envelope.invalid(issues) : route.handle({ body, caller }));
    });
  }

  function serveHook(pending: Pending, stateHook: ProviderStateHook): void {
    const { method, path } = pending.exchange;
    if (hookToken !== undefined && !bearerMatches(pending.req.headers.authorization, hookToken)) {
      const challenge = { "www-authenticate": HOOK_CHALLENGE };
      const details = "The provider-state hook needs Authorization: Bearer <the --state-hook-token of serve>";
      reply(pending, envelope.error(401, ErrorCode.accessDenied, details, challenge));
      return;
    }
    if (method === "GET") {
      reply(pending, stateHook.list());
    } else if (method !== "POST") {
      const details = `${method} is not allowed on ${path}`;
      reply(pending, envelope.error(405, ErrorCode.invalidRequest, details, { allow: "GET, POST" }));
    } else {
      readJsonBody(pending, hookBodyRules, (value) => reply(pending, stateHook.change(value)));
    }
  }

  function reply(pending: Pending, response: ReferenceResponse): void {
    const { req, exchange } = pending;
    const rewritten = pending.rewritable ? rewrite?.(exchange, response) : undefined;
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
    // Without a rewrite the headers are the envelope's, fresh for this answer and free of any framing header.
    const headers = withContentLength(outgoing, payload, rewrite === undefined);
    if (outbox.push({ pending, status: outgoing.status, headers, payload }) === 1) {
      setImmediate(flushOutbox);
    }
  }

  // Answers go out together once the socket reads of this turn of the event loop are handled (setImmediate runs
  // after the poll phase), as Redis flushes its replies before it sleeps: a write to a client that is waiting costs
  // the server that client's wake-up, and a batch pays it about once rather than once per answer. The delay is
  // the rest of the batch, microseconds; the order of answers is kept.
  let outbox: Outgoing[] = [];
  function flushOutbox(): void {
    const batch = outbox;
    outbox = [];
    for (const { pending, status, headers, payload } of batch) {
      try {
        if (!pending.req.complete) {
          // Answered before its body ended (a 413, or a refusal that never read the body): closing at once would
          // make the kernel reset the connection over the unread bytes, and the client, still writing, would get
          // EPIPE instead of this answer. Close after a bounded drain instead.
          closeAfterDrain(pending.req, pending.res);
        }
        pending.res.writeHead(status, headers);
        pending.res.end(payload);
      } catch (error) {
        // A rewrite's header that Node refuses lands here, before anything was written.
        fail(pending, error);
      }
    }
  }

  function fail(pending: Pending, error: unknown): void {
    const { req, res } = pending;
    if (res.headersSent || res.destroyed) {
      req.socket.destroy();
      return;
    }
    // Only a throwing tweak (or a bug) lands here; answer like a server that failed rather than leave the socket.
    for (const name of res.getHeaderNames()) {
      res.removeHeader(name);
    }
    // Bounded: a message may quote input, which must never come back unbounded.
    const message = clip(error instanceof Error ? error.message : String(error));
    const response = envelope.error(500, ErrorCode.internal, `Internal error: ${message}`);
    const payload = serialize(response);
    res.writeHead(response.status, withContentLength(response, payload, true));
    res.end(payload);
  }

  return (req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const exchange: ReferenceRequest = {
      method: req.method ?? "GET",
      path,
      body: undefined,
      headers: req.headers,
    };
    const isHook = hook !== undefined && path === PROVIDER_STATE_PATH;
    const pending: Pending = { req, res, exchange, rewritable: !isHook };
    // Callbacks rather than promises: this is the hot path, and a promise per step costs more than the step.
    try {
      if (isHook) {
        serveHook(pending, hook);
      } else {
        serveApi(pending);
      }
    } catch (error) {
      fail(pending, error);
    }
  };
}

const CLOSE: Record<string, string> = { connection: "close" };
const HOOK_CHALLENGE = 'Bearer realm="wa-account-conformance provider-state hook"';

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Whether the header is `Bearer <token>` for the token whose digest is given; constant time in the token. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
  // Equal-length digests, so timingSafeEqual runs and says nothing about the token's length or prefix.
  return match !== null && timingSafeEqual(digest(match[1] ?? ""), expected);
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
  const { body } = response;
  if (body === undefined) {
    return "";
  }
  if (typeof body === "string") {
    const type = headerValue(response.headers, "content-type");
    if (type !== undefined && !isJsonMediaType(type)) {
      return body;
    }
  }
  return JSON.stringify(body) ?? "";
}

/**
 * The headers with a Content-Length for the payload, unless they carry a framing of their own or the status has
 * no body. Without it Node sends the body chunked: more bytes and more parsing for a body whose size is known.
 * `own`: the headers are a fresh object without framing headers, which may be extended in place.
 */
function withContentLength(
  response: ReferenceResponse,
  payload: string,
  own: boolean,
): Record<string, string> {
  const { status, headers } = response;
  if (status === 204 || status === 304 || status < 200) {
    return headers;
  }
  if (
    !own &&
    (headerValue(headers, "content-length") !== undefined ||
      headerValue(headers, "transfer-encoding") !== undefined)
  ) {
    return headers;
  }
  const framed = own ? headers : { ...headers };
  framed["content-length"] = String(Buffer.byteLength(payload));
  return framed;
}

/** A header of a response under construction, whatever the case of its name. */
function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const key in headers) {
    if (key.toLowerCase() === name) {
      return headers[key];
    }
  }
  return undefined;
}
