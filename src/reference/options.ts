// The reference's public option and tweak types, and their defaults resolved once so the request path never re-checks them.
import { PROFILES, type ProfileName } from "../contract/contract.js";
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FAILED_LOGINS,
  DEFAULT_STORE_CAPS,
  type StoreCaps,
} from "./defaults.js";
import { vnameSwitch } from "./tweak-switches.js";
import type { ReferenceRewrite, TweakRules } from "./tweak-types.js";

export { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FAILED_LOGINS } from "./defaults.js";
export type * from "./tweak-types.js";

/** Where the Pact-compatible provider-state hook is served. */
export const PROVIDER_STATE_PATH = "/_conformance/provider-states";

/** The built-in rules a planted-bug variant can switch off. */
export type ReferenceRule =
  | "auth"
  | "admin-only"
  | "json-body"
  | "validation"
  | "cert"
  | "two-step"
  | "sms-limit"
  | "verify-code"
  | "sunset-block"
  | "registered-check"
  | "body-limit"
  | "code-single-use"
  | "number-key-includes-cc"
  | "sms-count-survives-voice"
  | "vname-verbatim"
  | "vname-full-length"
  | "settings-follow-client-account";

export const REFERENCE_RULES: readonly ReferenceRule[] = [
  "auth",
  "admin-only",
  "json-body",
  "validation",
  "cert",
  "two-step",
  "sms-limit",
  "verify-code",
  "sunset-block",
  "registered-check",
  "body-limit",
  "code-single-use",
  "number-key-includes-cc",
  "sms-count-survives-voice",
  "vname-verbatim",
  "vname-full-length",
  "settings-follow-client-account",
];

/** The seam for planted-bug variants, all JSON data, validated when the reference starts. */
export interface ReferenceTweaks extends TweakRules {
  /** Built-in rules switched off (the request goes on as if the rule passed). */
  skip?: ReferenceRule[];
}

export interface ReferenceOptions {
  /** "registration-open" (default) or "sunset". */
  profile?: ProfileName;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** SMS code requests per number before 1005; default 3. */
  smsLimit?: number;
  /** Default 7 days (604800). */
  tokenTtlSeconds?: number;
  /** Default admin / secret, Meta's default admin. */
  admin?: { username: string; password: string };
  /** Default 65536. */
  maxBodyBytes?: number;
  /**
   * Refuse a JSON body labelled with another media type, or with none, with 400 (the contract makes this a
   * MAY). Off by default: real clients send such bodies (a PHP SDK's JSON goes out labelled form-urlencoded),
   * and the reference serves them by what the body is.
   */
  requireJsonContentType?: boolean;
  /** Serve the provider-state hook; default true. */
  stateHook?: boolean;
  /**
   * When set, the hook answers only requests with `Authorization: Bearer <this token>` (401 otherwise).
   * startReference refuses a hook without one on an address other than loopback.
   */
  stateHookToken?: string;
  /** Users the hook may create (the admin and `users` are not counted); past it the hook answers 503. Default 1000. */
  maxUsers?: number;
  /** Live sessions per user; past it the same user's oldest session is dropped. Default 100. */
  maxSessionsPerUser?: number;
  /** Numbers held; past it the oldest is forgotten. Default 100000. */
  maxNumbers?: number;
  /**
   * Open connections (startReference only). Past it the oldest connection with no request under way is closed
   * to make room; when every one is busy the new one gets a 503 in the envelope. Default 800, below the usual
   * `ulimit -n` of 1024.
   */
  maxConnections?: number;
  /** Failed logins of one username within a minute before logins of that username answer 429. Default 100. */
  maxFailedLogins?: number;
  /** meta.version; default "v2.45.1". */
  version?: string;
  /** The seam for planted-bug variants: JSON data (skipped rules, switches, rewrite rules). */
  tweaks?: ReferenceTweaks;
  /** Runs after the tweaks' rewrite rules; the provider-state hook is never rewritten. */
  rewriteAnswer?: ReferenceRewrite;
  /** Default: the contract shipped with the kit. */
  contractPath?: string;
  /**
   * Also send the pending code in this response header of every 202 (as some emulators do), so a target with no
   * state hook can still be driven through verify. Off by default: a real server never reveals the code.
   */
  codeHeader?: string;
  /**
   * Non-admin users that exist from the start, for runs that reach `non-admin-user` from static config. The
   * hook can neither re-create nor remove them.
   */
  users?: { username: string; password: string }[];
  /** Milliseconds since the epoch; injectable so token expiry can be tested without waiting. Default Date.now. */
  now?: () => number;
}

export interface RunningReference {
  url: string;
  /** Undefined when the hook is switched off. */
  stateUrl: string | undefined;
  profile: ProfileName;
  close(): Promise<void>;
}

export interface ResolvedOptions {
  profile: ProfileName;
  smsLimit: number;
  tokenTtlMs: number;
  admin: { username: string; password: string };
  maxBodyBytes: number;
  requireJsonContentType: boolean;
  stateHook: boolean;
  stateHookToken: string | undefined;
  caps: StoreCaps;
  maxConnections: number;
  maxFailedLogins: number;
  version: string;
  tweaks: ReferenceTweaks;
  /** The vname answered in a 202 instead of the decoded one (the tweaks' vname switch); undefined: the decoded one. */
  vname: ((decoded: string, fields: Record<string, unknown>) => string) | undefined;
  codeHeader: string | undefined;
  users: { username: string; password: string }[];
  now: () => number;
  /** True when the rule is on (not skipped by the tweaks). */
  enforces: (rule: ReferenceRule) => boolean;
}

export const DEFAULT_ADMIN = { username: "admin", password: "secret" } as const;

/** Fills the defaults and refuses options that would make the simulator lie (negative limits, unknown profile). */
export function resolveOptions(options: ReferenceOptions = {}): ResolvedOptions {
  const profile = options.profile ?? "registration-open";
  if (!PROFILES.includes(profile)) {
    throw new RangeError(`unknown profile ${String(profile)}; expected one of ${PROFILES.join(", ")}`);
  }
  const smsLimit = options.smsLimit ?? 3;
  requireInteger("smsLimit", smsLimit, 0);
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 604_800;
  if (!Number.isFinite(tokenTtlSeconds) || tokenTtlSeconds <= 0) {
    throw new RangeError(`tokenTtlSeconds must be a positive number, got ${tokenTtlSeconds}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  requireInteger("maxBodyBytes", maxBodyBytes, 1);
  const admin = options.admin ?? DEFAULT_ADMIN;
  if (admin.username.length === 0 || admin.username.includes(":")) {
    // Basic auth splits user and password at the first colon, so such a name could never log in.
    throw new RangeError("admin.username must be non-empty and contain no colon");
  }
  const tweaks = options.tweaks ?? {};
  for (const rule of tweaks.skip ?? []) {
    if (!REFERENCE_RULES.includes(rule)) {
      throw new RangeError(
        `tweaks.skip: unknown rule ${String(rule)} (known: ${REFERENCE_RULES.join(", ")})`,
      );
    }
  }
  const vname = vnameSwitch(tweaks.switches);
  const skipped = new Set<ReferenceRule>(tweaks.skip ?? []);
  return {
    profile,
    smsLimit,
    tokenTtlMs: tokenTtlSeconds * 1000,
    admin: { username: admin.username, password: admin.password },
    maxBodyBytes,
    requireJsonContentType: options.requireJsonContentType ?? false,
    stateHook: options.stateHook ?? true,
    stateHookToken: resolveHookToken(options.stateHookToken),
    caps: {
      maxUsers: positive("maxUsers", options.maxUsers, DEFAULT_STORE_CAPS.maxUsers),
      maxSessionsPerUser: positive(
        "maxSessionsPerUser",
        options.maxSessionsPerUser,
        DEFAULT_STORE_CAPS.maxSessionsPerUser,
      ),
      maxNumbers: positive("maxNumbers", options.maxNumbers, DEFAULT_STORE_CAPS.maxNumbers),
    },
    maxConnections: positive("maxConnections", options.maxConnections, DEFAULT_MAX_CONNECTIONS),
    maxFailedLogins: positive("maxFailedLogins", options.maxFailedLogins, DEFAULT_MAX_FAILED_LOGINS),
    version: options.version ?? "v2.45.1",
    tweaks,
    vname,
    codeHeader: options.codeHeader?.toLowerCase(),
    users: (options.users ?? []).map((user) => {
      if (user.username.length === 0 || user.username.includes(":") || user.username === admin.username) {
        throw new RangeError(
          `user ${JSON.stringify(user.username)} must be non-empty, without a colon, and not the admin`,
        );
      }
      return { username: user.username, password: user.password };
    }),
    now: options.now ?? Date.now,
    enforces: (rule) => !skipped.has(rule),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  requireInteger(name, resolved, 1);
  return resolved;
}

function resolveHookToken(token: string | undefined): string | undefined {
  if (token === undefined) {
    return undefined;
  }
  // A Bearer token is one token68 word (RFC 6750 2.1); an empty or spaced one could never be sent back.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
    throw new RangeError(
      "stateHookToken must be a non-empty Bearer token (letters, digits and -._~+/, optionally = at the end)",
    );
  }
  return token;
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${name} must be an integer >= ${minimum}, got ${value}`);
  }
}
