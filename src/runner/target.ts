// One target as the runner knows it: where it is, its profile, how to log in and reach states, and its secrets.
import type { ProfileName } from "../contract/contract.js";

/** State data for a target with no provider-state hook (see the README's config section). */
export interface StaticStates {
  /** A number the target has registered. */
  "number-registered"?: { cc: string; phone_number: string };
  /** A registered number with two-step verification on, and its PIN. */
  "two-step-enabled"?: { cc: string; phone_number: string; pin: string };
  /** How the kit learns a verification code: a fixed code, or a response header of the 202. */
  "code-sent"?: { code: string } | { codeHeader: string };
  /** Credentials or a token of a user who is not the admin. */
  "non-admin-user"?: { username: string; password: string } | { token: string };
  /** The target's SMS limit: the kit sends this many sms requests to exhaust a number. */
  "sms-attempts-exhausted"?: { smsLimit: number };
  /** Fresh numbers the kit makes up are unregistered (true unless the target says otherwise). */
  "number-unregistered"?: boolean;
  /** The target refuses every registration (a sunset target). */
  "registration-blocked"?: boolean;
}

export interface TargetConfig {
  /** Base URL, e.g. http://127.0.0.1:9090. */
  url: string;
  profile: ProfileName;
  /** A display name for reports ("embedded reference (sunset)", a vendor name). */
  name: string;
  token?: string;
  username?: string;
  password?: string;
  stateUrl?: string;
  /** Sent as a Bearer token to the state hook (a hook exposed beyond loopback requires one). */
  stateHookToken?: string;
  states: StaticStates;
  timeoutMs: number;
  insecure: boolean;
  concurrency: number;
  /** SHOULD failures fail the run too. */
  strict: boolean;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_CONCURRENCY = 8;

/** The Authorization header of a Basic login (RFC 7617): the login sends it, and the redactor hides it. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Every secret the user gave about some targets, known before anything is sent: credentials and state data. */
export function targetSecrets(targets: TargetConfig[]): { values: string[]; headers: string[] } {
  const values = targets.flatMap((target) => {
    const nonAdmin = target.states["non-admin-user"];
    const codeSent = target.states["code-sent"];
    // The Basic form too: a target that echoes the login's Authorization header echoes base64(user:password).
    const basicCredentials = (user: string | undefined, password: string | undefined) =>
      user === undefined || password === undefined
        ? undefined
        : basicAuthorization(user, password).slice("Basic ".length);
    return [
      target.password,
      basicCredentials(target.username, target.password),
      nonAdmin && "password" in nonAdmin ? basicCredentials(nonAdmin.username, nonAdmin.password) : undefined,
      target.token,
      target.stateHookToken,
      target.states["two-step-enabled"]?.pin,
      nonAdmin && "password" in nonAdmin ? nonAdmin.password : undefined,
      nonAdmin && "token" in nonAdmin ? nonAdmin.token : undefined,
      codeSent && "code" in codeSent ? codeSent.code : undefined,
    ].filter((value): value is string => value !== undefined);
  });
  // The header the config names for the verification code carries a secret too.
  const headers = targets.flatMap((target) => {
    const codeSent = target.states["code-sent"];
    return codeSent && "codeHeader" in codeSent ? [codeSent.codeHeader] : [];
  });
  return { values, headers };
}
