// Turns a case's auth mode into an Authorization header: logs in for tokens, and makes bad tokens on purpose.
import { randomBytes } from "node:crypto";
import type { AuthMode } from "../cases/case-types.js";
import type { CaseVars } from "../cases/case-vars.js";
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

export class Session {
  #adminToken: Promise<string> | undefined;
  readonly #userTokens = new Map<string, Promise<string>>();

  constructor(private readonly target: TargetConfig) {}

  /** Logs in through /v1/users/login and returns users[0].token; throws LoginError or TransportError. */
  async login(username: string, password: string): Promise<string> {
    const { response } = await sendRequest(
      this.target.url,
      {
        method: "POST",
        path: "/v1/users/login",
        headers: {
          authorization: basicAuthorization(username, password),
          "content-type": "application/json",
        },
        body: "{}",
      },
      { timeoutMs: this.target.timeoutMs, insecure: this.target.insecure },
    );
    const users = (response.json as { users?: { token?: unknown }[] } | undefined)?.users;
    const token = users?.[0]?.token;
    if (response.status !== 200 || typeof token !== "string" || token === "") {
      throw new LoginError(
        `logging in as ${username} at ${this.target.url}/v1/users/login answered ${response.status}${
          response.bodyText ? `: ${loginAnswerExcerpt(response.bodyText, username, password)}` : ""
        }`,
      );
    }
    return token;
  }

  /** The admin's token: the one given, or one logged in for once per run. */
  adminToken(): Promise<string> | undefined {
    if (this.target.token) {
      return Promise.resolve(this.target.token);
    }
    const { username, password } = this.target;
    if (username === undefined || password === undefined) {
      return undefined;
    }
    this.#adminToken ??= this.login(username, password);
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
