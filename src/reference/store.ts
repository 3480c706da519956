// The reference's in-memory state: users and their tokens, numbers with their registration, PIN, SMS count and pending code.
import { randomBytes, randomInt } from "node:crypto";

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
}

const randomSixDigits = (): string => String(randomInt(0, 1_000_000)).padStart(6, "0");

// Caps keep a benchmark that logs in or requests codes in a loop from growing the heap without bound; the
// oldest entry goes first, which is what a real server's expiry would drop anyway.
const MAX_SESSIONS = 50_000;
const MAX_PENDING = 100_000;
/**
 * Codes spent by a verification that are not issued again until this many later ones have been spent. Verify
 * names no number, so a code re-issued at once to another number would let a stale code verify that number.
 */
const SPENT_CODES_HELD = 10_000;

export class ReferenceStore {
  readonly #users = new Map<string, { password: string; role: Role }>();
  readonly #sessions = new Map<string, Session>();
  readonly #numbers = new Map<string, NumberRecord>();
  /** Pending code -> number key; codes are unique among pending registrations so a code names one number. */
  readonly #pending = new Map<string, string>();
  /** The last SPENT_CODES_HELD spent codes, oldest first (a Set keeps insertion order). */
  readonly #spent = new Set<string>();
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
    this.#users.set(settings.admin.username, { password: settings.admin.password, role: "admin" });
    this.blocked = settings.blockedByDefault;
  }

  static numberKey(cc: string, phoneNumber: string): string {
    // A separator, because "1"+"55501" and "15"+"5501" are different numbers.
    return `${cc}:${phoneNumber}`;
  }

  // ---- users and sessions

  /** The user's role when the credentials are right. */
  checkCredentials(username: string, password: string): Role | undefined {
    const user = this.#users.get(username);
    return user !== undefined && user.password === password ? user.role : undefined;
  }

  hasUser(username: string): boolean {
    return this.#users.has(username);
  }

  isAdmin(username: string): boolean {
    return this.#users.get(username)?.role === "admin";
  }

  /** Creates or re-creates a non-admin user; its old tokens die with the old password. */
  putUser(username: string, password: string): void {
    this.removeUser(username);
    this.#users.set(username, { password, role: "user" });
  }

  /** Deletes a non-admin user and its tokens; the admin cannot be deleted. */
  removeUser(username: string): void {
    if (this.isAdmin(username)) {
      return;
    }
    this.#users.delete(username);
    for (const [token, session] of this.#sessions) {
      if (session.username === username) {
        this.#sessions.delete(token);
      }
    }
  }

  removeNonAdminUsers(): void {
    for (const [username, user] of this.#users) {
      if (user.role !== "admin") {
        this.removeUser(username);
      }
    }
  }

  issueToken(username: string, role: Role): { token: string; session: Session } {
    // Opaque and unguessable: a client must not learn anything from the token, only present it.
    const token = randomBytes(24).toString("base64url");
    const session = { username, role, expiresAt: this.settings.now() + this.settings.tokenTtlMs };
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next();
      if (!oldest.done) {
        this.#sessions.delete(oldest.value);
      }
    }
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
      return undefined;
    }
    return session;
  }

  // ---- numbers

  number(key: string): NumberRecord | undefined {
    return this.#numbers.get(key);
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
      record = { registered: false, pin: undefined, smsCount: 0, pendingCode: undefined };
      this.#numbers.set(key, record);
    }
    return record;
  }

  register(key: string, pin?: string): void {
    const record = this.#record(key);
    if (record.pendingCode !== undefined) {
      this.#pending.delete(record.pendingCode);
      record.pendingCode = undefined;
    }
    record.registered = true;
    record.pin = pin;
    this.#account = key;
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
  verify(code: string): string | undefined {
    const key = this.#pending.get(code);
    if (key !== undefined) {
      this.register(key, this.#numbers.get(key)?.pin);
      this.#holdSpent(code);
    }
    return key;
  }

  #holdSpent(code: string): void {
    this.#spent.add(code);
    if (this.#spent.size > SPENT_CODES_HELD) {
      const oldest = this.#spent.values().next();
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
