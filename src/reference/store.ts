// The reference's in-memory state, bounded by caps: users and their tokens, numbers with their registration, PIN, SMS count and pending code.
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { DEFAULT_STORE_CAPS, type StoreCaps } from "./defaults.js";

export { DEFAULT_STORE_CAPS, type StoreCaps } from "./defaults.js";

export type Role = "admin" | "user";

export interface Session {
  username: string;
  role: Role;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface NumberRecord {
  registered: boolean;
  pin: string | undefined;
  smsCount: number;
  pendingCode: string | undefined;
}

export interface StoreSettings {
  admin: { username: string; password: string };
  tokenTtlMs: number;
  now: () => number;
  blockedByDefault: boolean;
  /** A six-digit code; injectable so tests can make codes collide. Default: crypto's randomInt. */
  randomCode?: () => string;
  /** Default DEFAULT_STORE_CAPS. */
  caps?: Partial<StoreCaps>;
}

const randomSixDigits = (): string => String(randomInt(0, 1_000_000)).padStart(6, "0");

interface UserRecord {
  /** SHA-256 of the password, so checking it compares two equal-length digests in constant time. */
  digest: Buffer;
  role: Role;
  /** "fixed": the admin or a `--user`, which the hook cannot replace or remove. */
  origin: "fixed" | "hook";
}

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
const NO_USER_DIGEST = digest("");

// Pending codes are bounded by numbers already; this cap stays as a second guard for codes alone.
const MAX_PENDING = 100_000;
/**
 * Codes spent by a verification that are not issued again until this many later ones have been spent. Verify
 * names no number, so a code re-issued at once to another number would let a stale code verify that number.
 */
const SPENT_CODES_HELD = 10_000;

export class ReferenceStore {
  readonly #users = new Map<string, UserRecord>();
  readonly #sessions = new Map<string, Session>();
  /** Each user's tokens, oldest first: eviction and teardown touch one user's sessions, never a scan of all. */
  readonly #tokensByUser = new Map<string, Set<string>>();
  readonly #caps: StoreCaps;
  #hookUsers = 0;
  readonly #numbers = new Map<string, NumberRecord>();
  /** Pending code -> number key; codes are unique among pending registrations so a code names one number. */
  readonly #pending = new Map<string, string>();
  /** The last SPENT_CODES_HELD spent codes and the number each verified, oldest first (a Map keeps insertion order). */
  readonly #spent = new Map<string, string>();
  /**
   * The client's account: the number the two-step settings act on. A real On-Premises client holds one account,
   * the number it registered; here it is the number registered last (through verify or the number-registered
   * and two-step-enabled states), and none once that number is forgotten, so the settings never fall back to a
   * number nobody pointed them at.
   */
  #account: string | undefined;
  /** Whether registration is refused with biz_link_on_prem_reg_blocked. */
  blocked: boolean;

  constructor(readonly settings: StoreSettings) {
    this.#caps = { ...DEFAULT_STORE_CAPS, ...settings.caps };
    this.#users.set(settings.admin.username, {
      digest: digest(settings.admin.password),
      role: "admin",
      origin: "fixed",
    });
    this.blocked = settings.blockedByDefault;
  }

  /**
   * The key of a number. `includeCc` false is the planted defect of rule number-key-includes-cc: numbers that
   * differ only in country code then share one record.
   */
  static numberKey(cc: string, phoneNumber: string, includeCc = true): string {
    // A separator, because "1"+"55501" and "15"+"5501" are different numbers.
    return includeCc ? `${cc}:${phoneNumber}` : `*:${phoneNumber}`;
  }

  // ---- users and sessions

  /**
   * The user's role when the credentials are right. Constant time in the password: the digests are compared
   * with timingSafeEqual, and an unknown user is compared against a dummy digest so it takes as long.
   */
  checkCredentials(username: string, password: string): Role | undefined {
    const user = this.#users.get(username);
    const given = digest(password);
    const matches = timingSafeEqual(given, user?.digest ?? NO_USER_DIGEST);
    return user !== undefined && matches ? user.role : undefined;
  }

  hasUser(username: string): boolean {
    return this.#users.has(username);
  }

  isAdmin(username: string): boolean {
    return this.#users.get(username)?.role === "admin";
  }

  /** A non-admin user that exists from the start (`--user`): the hook can neither replace nor remove it. */
  addFixedUser(username: string, password: string): void {
    this.#dropTokens(username);
    this.#users.set(username, { digest: digest(password), role: "user", origin: "fixed" });
  }

  /**
   * Creates or re-creates a user for the hook; a re-created user's old tokens die with the old password.
   * "taken": the admin or a fixed user has that name; "full": `maxUsers` hook-made users exist already.
   */
  putHookUser(username: string, password: string): "created" | "taken" | "full" {
    const existing = this.#users.get(username);
    if (existing !== undefined && existing.origin !== "hook") {
      return "taken";
    }
    if (existing === undefined && this.#hookUsers >= this.#caps.maxUsers) {
      return "full";
    }
    if (existing === undefined) {
      this.#hookUsers += 1;
    }
    this.#dropTokens(username);
    this.#users.set(username, { digest: digest(password), role: "user", origin: "hook" });
    return "created";
  }

  /** Deletes a hook-made user and its tokens; false (nothing done) for the admin or a fixed user. */
  removeUser(username: string): boolean {
    const user = this.#users.get(username);
    if (user !== undefined && user.origin !== "hook") {
      return false;
    }
    if (user !== undefined) {
      this.#users.delete(username);
      this.#hookUsers -= 1;
    }
    this.#dropTokens(username);
    return true;
  }

  /** Deletes every hook-made user: linear in those users and their own sessions, whatever else is held. */
  removeHookUsers(): void {
    for (const [username, user] of this.#users) {
      if (user.origin === "hook") {
        this.removeUser(username);
      }
    }
  }

  /**
   * A new session. Past `maxSessionsPerUser` the same user's oldest session goes first; another user's never
   * does, so one user logging in in a loop cannot log anyone else out.
   */
  issueToken(username: string, role: Role): { token: string; session: Session } {
    // Opaque and unguessable: a client must not learn anything from the token, only present it.
    const token = randomBytes(24).toString("base64url");
    const session = { username, role, expiresAt: this.settings.now() + this.settings.tokenTtlMs };
    let tokens = this.#tokensByUser.get(username);
    if (tokens === undefined) {
      tokens = new Set();
      this.#tokensByUser.set(username, tokens);
    }
    while (tokens.size >= this.#caps.maxSessionsPerUser) {
      const oldest = tokens.values().next();
      if (oldest.done) {
        break;
      }
      tokens.delete(oldest.value);
      this.#sessions.delete(oldest.value);
    }
    tokens.add(token);
    this.#sessions.set(token, session);
    return { token, session };
  }

  /** The live session of a token; an expired token is forgotten on sight. */
  session(token: string): Session | undefined {
    const session = this.#sessions.get(token);
    if (session === undefined) {
      return undefined;
    }
    if (session.expiresAt <= this.settings.now()) {
      this.#sessions.delete(token);
      this.#tokensByUser.get(session.username)?.delete(token);
      return undefined;
    }
    return session;
  }

  #dropTokens(username: string): void {
    const tokens = this.#tokensByUser.get(username);
    if (tokens !== undefined) {
      for (const token of tokens) {
        this.#sessions.delete(token);
      }
      this.#tokensByUser.delete(username);
    }
  }

  // ---- numbers

  number(key: string): NumberRecord | undefined {
    return this.#numbers.get(key);
  }

  numberCount(): number {
    return this.#numbers.size;
  }

  /** Forgets everything about a number: registration, PIN, SMS count and pending code. */
  forget(key: string): void {
    const record = this.#numbers.get(key);
    if (record?.pendingCode !== undefined) {
      this.#pending.delete(record.pendingCode);
    }
    this.#numbers.delete(key);
    if (this.#account === key) {
      this.#account = undefined;
    }
  }

  #record(key: string): NumberRecord {
    let record = this.#numbers.get(key);
    if (record === undefined) {
      if (this.#numbers.size >= this.#caps.maxNumbers) {
        const oldest = this.#numbers.keys().next();
        if (!oldest.done) {
          this.forget(oldest.value);
        }
      }
      record = { registered: false, pin: undefined, smsCount: 0, pendingCode: undefined };
      this.#numbers.set(key, record);
    }
    return record;
  }

  /**
   * Registers a number and makes it the client's account, unless `moveAccount` is false (the planted defect of
   * rule settings-follow-client-account: the settings keep acting on the number they acted on before).
   */
  register(key: string, pin?: string, moveAccount = true): void {
    const record = this.#record(key);
    if (record.pendingCode !== undefined) {
      this.#pending.delete(record.pendingCode);
      record.pendingCode = undefined;
    }
    record.registered = true;
    record.pin = pin;
    if (moveAccount) {
      this.#account = key;
    }
  }

  /** Counts one SMS request; false when the number has already used `limit`. */
  takeSms(key: string, limit: number, enforce: boolean): boolean {
    const record = this.#record(key);
    if (enforce && record.smsCount >= limit) {
      return false;
    }
    record.smsCount += 1;
    return true;
  }

  setSmsCount(key: string, count: number): void {
    this.#record(key).smsCount = count;
  }

  /**
   * The number's pending code, made on the first request. A second request re-sends the same code, so a
   * code handed out (or set up through the hook) stays valid until it is used.
   */
  pendingCode(key: string): string {
    const record = this.#record(key);
    if (record.pendingCode !== undefined) {
      return record.pendingCode;
    }
    if (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.entries().next();
      if (!oldest.done) {
        this.#pending.delete(oldest.value[0]);
        const evicted = this.#numbers.get(oldest.value[1]);
        if (evicted !== undefined) {
          evicted.pendingCode = undefined;
        }
      }
    }
    let code: string;
    do {
      code = (this.settings.randomCode ?? randomSixDigits)();
    } while (this.#pending.has(code) || this.#spent.has(code));
    this.#pending.set(code, key);
    record.pendingCode = code;
    return code;
  }

  /** Completes the registration a code belongs to; the number key, or undefined when nothing pending matches. */
  verify(code: string, moveAccount = true): string | undefined {
    const key = this.#pending.get(code);
    if (key !== undefined) {
      this.register(key, this.#numbers.get(key)?.pin, moveAccount);
      this.#holdSpent(code, key);
    }
    return key;
  }

  /** The number a pending code belongs to, without spending it. */
  pendingNumber(code: string): string | undefined {
    return this.#pending.get(code);
  }

  /** The number a spent code verified, while it is held (for the planted defect of rule code-single-use). */
  spentNumber(code: string): string | undefined {
    return this.#spent.get(code);
  }

  #holdSpent(code: string, key: string): void {
    this.#spent.delete(code);
    this.#spent.set(code, key);
    if (this.#spent.size > SPENT_CODES_HELD) {
      const oldest = this.#spent.keys().next();
      if (!oldest.done) {
        this.#spent.delete(oldest.value);
      }
    }
  }

  /** The number whose code was requested last, for a variant that accepts any code. */
  latestPending(): string | undefined {
    let latest: string | undefined;
    for (const key of this.#pending.values()) {
      latest = key;
    }
    return latest;
  }

  /** The client's account, the registered number two-step settings act on; undefined when there is none. */
  account(): NumberRecord | undefined {
    const record = this.#account === undefined ? undefined : this.#numbers.get(this.#account);
    return record?.registered === true ? record : undefined;
  }
}
