// Reads the Basic credentials of login and the Bearer token of every other operation from the Authorization header.
import type { ReferenceStore, Role, Session } from "./store.js";

export type Authentication =
  | { ok: true; username: string; role: Role }
  | { ok: false; details: string; challenge: string };

const BASIC_CHALLENGE = 'Basic realm="WhatsApp Business API"';
const BEARER_CHALLENGE = 'Bearer realm="WhatsApp Business API"';

/** RFC 7617: `Basic base64(user:password)`; the scheme name is case-insensitive. */
export function authenticateBasic(header: string | undefined, store: ReferenceStore): Authentication {
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
  const role = store.checkCredentials(username, decoded.slice(colon + 1));
  if (role === undefined) {
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
