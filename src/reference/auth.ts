// Reads the Basic credentials of login and the Bearer token of every other operation from the Authorization header, and throttles failed logins per username.
import type { ReferenceStore, Role, Session } from "./store.js";

export type Authentication =
  | { ok: true; username: string; role: Role }
  /** `retryAfter`: seconds; set when the username is throttled (429 rather than 401). */
  | { ok: false; details: string; challenge: string; retryAfter?: number };

const BASIC_CHALLENGE = 'Basic realm="WhatsApp Business API"';
const BEARER_CHALLENGE = 'Bearer realm="WhatsApp Business API"';

/** RFC 7617: `Basic base64(user:password)`; the scheme name is case-insensitive. */
export function authenticateBasic(
  header: string | undefined,
  store: ReferenceStore,
  throttle?: LoginThrottle,
): Authentication {
  const match = header === undefined ? null : /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (match === null) {
    return { ok: false, details: "Login needs Basic credentials", challenge: BASIC_CHALLENGE };
  }
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) {
    return { ok: false, details: "Login needs Basic credentials", challenge: BASIC_CHALLENGE };
  }
  const username = decoded.slice(0, colon);
  const retryAfter = throttle?.retryAfter(username);
  if (retryAfter !== undefined) {
    return {
      ok: false,
      details: `Too many failed logins for this user; try again in ${retryAfter} s`,
      challenge: BASIC_CHALLENGE,
      retryAfter,
    };
  }
  const role = store.checkCredentials(username, decoded.slice(colon + 1));
  if (role === undefined) {
    throttle?.failed(username);
    return { ok: false, details: "Incorrect username or password", challenge: BASIC_CHALLENGE };
  }
  return { ok: true, username, role };
}

/** RFC 6750 2.1: `Bearer <token>`; anything else, or an unknown or expired token, is unauthenticated. */
export function authenticateBearer(header: string | undefined, store: ReferenceStore): Authentication {
  if (header === undefined || header.length === 0) {
    return {
      ok: false,
      details: "No Authorization header; send Bearer <token>",
      challenge: BEARER_CHALLENGE,
    };
  }
  const match = /^bearer +([^\s]+) *$/i.exec(header);
  if (match === null) {
    return {
      ok: false,
      details: "The Authorization header must be Bearer <token>",
      challenge: BEARER_CHALLENGE,
    };
  }
  const session: Session | undefined = store.session(match[1] ?? "");
  if (session === undefined) {
    return {
      ok: false,
      details: "The token is unknown or has expired; log in again",
      challenge: `${BEARER_CHALLENGE}, error="invalid_token"`,
    };
  }
  return { ok: true, username: session.username, role: session.role };
}

/** How long failed logins of one username are counted, and how long its logins then answer 429. */
export const LOGIN_THROTTLE_WINDOW_MS = 60_000;
/** Usernames whose failures are tracked at once; the oldest is dropped first, so spraying names stays bounded. */
const TRACKED_USERNAMES = 10_000;

/**
 * Counts failed logins per username in a fixed window. Past `maxFailures` in one window, every login of that
 * username (right password or not, so a guess learns nothing) answers 429 until the window ends. A conformance
 * run sends one wrong password; `run --repeat 20` twenty: far below the default of 100.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(
    readonly maxFailures: number,
    readonly now: () => number,
  ) {}

  /** Seconds until the username may log in again, or undefined when it may now. */
  retryAfter(username: string): number | undefined {
    const entry = this.#failures.get(username);
    if (entry === undefined) {
      return undefined;
    }
    const left = entry.windowEnds - this.now();
    if (left <= 0) {
      this.#failures.delete(username);
      return undefined;
    }
    return entry.count >= this.maxFailures ? Math.ceil(left / 1000) : undefined;
  }

  failed(username: string): void {
    const now = this.now();
    let entry = this.#failures.get(username);
    if (entry === undefined || entry.windowEnds <= now) {
      this.#failures.delete(username);
      if (this.#failures.size >= TRACKED_USERNAMES) {
        const oldest = this.#failures.keys().next();
        if (!oldest.done) {
          this.#failures.delete(oldest.value);
        }
      }
      entry = { count: 0, windowEnds: now + LOGIN_THROTTLE_WINDOW_MS };
      this.#failures.set(username, entry);
    }
    entry.count += 1;
  }
}
