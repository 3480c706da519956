// Turns a case's auth mode into an Authorization header: logs in for tokens, and makes bad tokens on purpose.
import { randomBytes } from "node:crypto";
import type { AuthMode } from "../cases/case-types.js";
import type { CaseVars } from "../cases/case-vars.js";
import { type Contract, loadContract, requireOperation } from "../contract/contract.js";
import type { OutgoingRequest } from "../exchange.js";
import { sendRequest } from "../http/send.js";
import { LoginError } from "./errors.js";
import { basicAuthorization, type TargetConfig } from "./target.js";

export type AuthOutcome =
  | { kind: "header"; value: string | undefined }
  | { kind: "unavailable"; reason: string };

export { LoginError } from "./errors.js";

/** How much of a refused login's answer its error quotes. */
const LOGIN_EXCERPT_CHARS = 200;

/**
 * The start of a refused login's answer for its error message, with the credentials taken out first (a target
 * may echo them, also as the Basic header it was sent) and only then cut, so no part of one survives the cut.
 * The CLI redacts the message again with everything its redactors know; this covers callers without one.
 */
function loginAnswerExcerpt(bodyText: string, username: string, password: string): string {
  const header = basicAuthorization(username, password);
  const forms = [header, header.slice("Basic ".length), password, JSON.stringify(password).slice(1, -1)]
    .concat(safeUriComponent(password) ?? [])
    .filter((form) => form.length > 0)
    .sort((a, b) => b.length - a.length);
  let text = bodyText;
  for (const form of forms) {
    text = text.split(form).join("[REDACTED]");
  }
  return text.length > LOGIN_EXCERPT_CHARS ? `${text.slice(0, LOGIN_EXCERPT_CHARS)}…` : text;
}

function safeUriComponent(text: string): string | undefined {
  try {
    return encodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The value at a JSON Pointer (RFC 6901) in a parsed body, or undefined. */
function valueAt(value: unknown, pointer: string): unknown {
  let current = value;
  for (const segment of pointer.split("/").slice(1)) {
    const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The login request the contract's x-session describes, for these credentials (HTTP Basic, as its scheme says). */
export function loginRequest(
  contract: Pick<Contract, "session" | "operations">,
  credentials?: { username: string; password: string },
): OutgoingRequest {
  const operation = requireOperation(contract, contract.session.operation);
  return {
    method: operation.method.toUpperCase(),
    path: operation.path,
    headers: {
      ...(credentials === undefined
        ? {}
        : { authorization: basicAuthorization(credentials.username, credentials.password) }),
      "content-type": "application/json",
    },
    body: JSON.stringify(contract.session.body ?? {}),
  };
}

/**
 * When a token expires, from the text at x-session's `expiry` pointer (`YYYY-MM-DD HH:MM:SS+00:00` or RFC 3339):
 * undefined when absent, unreadable or already past when issued (a skewed clock must not make every request log in).
 */
function expiryOf(value: unknown, issuedAt: number): number | undefined {
  if (typeof value !== "string") {
    return undefined;
  }
  const at = Date.parse(value.replace(" ", "T"));
  return Number.isNaN(at) || at <= issuedAt ? undefined : at;
}

export class Session {
  #adminToken: Promise<string> | undefined;
  /** When the admin's token expires, once its login answered with an expiry. */
  #adminExpiresAt: number | undefined;
  readonly #userTokens = new Map<string, Promise<string>>();

  /**
   * @param contract whose x-session says how to log in (default: the kit's own, loaded on the first login)
   * @param now the clock that decides whether the admin's token expired
   */
  constructor(
    private readonly target: TargetConfig,
    private readonly contract?: Pick<Contract, "session" | "operations">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs in with the contract's login operation and returns the token it answers; throws LoginError or TransportError. */
  async login(username: string, password: string): Promise<string> {
    return (await this.#issue(username, password)).token;
  }

  async #issue(
    username: string,
    password: string,
  ): Promise<{ token: string; expiresAt: number | undefined }> {
    const contract = this.contract ?? (await loadContract());
    const request = loginRequest(contract, { username, password });
    const { response } = await sendRequest(this.target.url, request, {
      timeoutMs: this.target.timeoutMs,
      insecure: this.target.insecure,
    });
    const { status, token: pointer, expiry } = contract.session;
    const token = valueAt(response.json, pointer);
    if (response.status !== status || typeof token !== "string" || token === "") {
      throw new LoginError(
        `logging in as ${username} at ${this.target.url}${request.path} answered ${response.status}${
          response.bodyText ? `: ${loginAnswerExcerpt(response.bodyText, username, password)}` : ""
        }`,
      );
    }
    return {
      token,
      expiresAt: expiry === undefined ? undefined : expiryOf(valueAt(response.json, expiry), this.now()),
    };
  }

  /** The admin's token: the one given, or one logged in for once per run, and again once it expired. */
  adminToken(): Promise<string> | undefined {
    if (this.target.token) {
      return Promise.resolve(this.target.token);
    }
    const { username, password } = this.target;
    if (username === undefined || password === undefined) {
      return undefined;
    }
    if (this.#adminExpiresAt !== undefined && this.now() >= this.#adminExpiresAt) {
      this.#adminToken = undefined;
      this.#adminExpiresAt = undefined;
    }
    this.#adminToken ??= this.#issue(username, password).then((issued) => {
      this.#adminExpiresAt = issued.expiresAt;
      return issued.token;
    });
    return this.#adminToken;
  }

  async authorization(mode: AuthMode, vars: CaseVars): Promise<AuthOutcome> {
    switch (mode) {
      case "none":
        return { kind: "header", value: undefined };
      case "malformed-token":
        return { kind: "header", value: "Bearer !! not a token !!" };
      case "unknown-token":
        return { kind: "header", value: `Bearer ${randomBytes(24).toString("base64url")}` };
      case "admin": {
        const token = this.adminToken();
        return token
          ? { kind: "header", value: `Bearer ${await token}` }
          : {
              kind: "unavailable",
              reason: "no admin credentials: give --token, or --username and --password",
            };
      }
      case "basic-admin": {
        const { username, password } = this.target;
        return username !== undefined && password !== undefined
          ? { kind: "header", value: basicAuthorization(username, password) }
          : { kind: "unavailable", reason: "logging in needs the admin's --username and --password" };
      }
      case "basic-wrong-password":
        return {
          kind: "header",
          value: basicAuthorization(
            this.target.username ?? "admin",
            `wrong-${randomBytes(6).toString("hex")}-Aa1!`,
          ),
        };
      case "non-admin":
        return this.#nonAdmin(vars);
    }
  }

  async #nonAdmin(vars: CaseVars): Promise<AuthOutcome> {
    if (vars.token) {
      return { kind: "header", value: `Bearer ${vars.token}` };
    }
    const { username, password } = vars;
    if (!username || !password) {
      return { kind: "unavailable", reason: "the non-admin-user state gave neither a token nor credentials" };
    }
    let token = this.#userTokens.get(username);
    if (!token) {
      token = this.login(username, password);
      this.#userTokens.set(username, token);
    }
    return { kind: "header", value: `Bearer ${await token}` };
  }
}
