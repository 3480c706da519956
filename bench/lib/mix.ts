// The load mix for autocannon: registrations of fresh numbers, verifications with codes from the state hook, PINs and errors, each answer checked.
import type autocannon from "autocannon";
import { PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { call } from "./http.js";

type NumberState = "fresh" | "pending" | "registered" | "pinned";

/** What the mix last saw confirmed for a number; `inflight` counts requests sent but not yet answered. */
export interface TrackedNumber {
  phone: string;
  state: NumberState;
  pin: string;
  inflight: number;
}

interface Step {
  name: string;
  expect: number;
  /** Builds the request from the cycle's context; the first step also leases the number. */
  build(context: object): { path: string; body: unknown; auth: boolean };
  /** Records what a right answer confirms about the number. */
  confirmed?: NumberState;
  read?(context: object, body: string): void;
}

function text(context: object, name: string): string {
  const value: unknown = Reflect.get(context, name);
  return typeof value === "string" ? value : "";
}

export interface MixOptions {
  bearer: string;
  cert: string;
  /** Numbers cycled through (each made fresh again through the hook), so the state held stays bounded. */
  poolSize: number;
  /** Leading digits of the numbers, distinct per run, so runs on one server never share a number. */
  prefix: string;
}

/**
 * One cycle per number: made fresh, requested (202), code from the hook, verified (201), requested again (201),
 * the spent code (400), an invalid body (400), no token (401), two-step on through the hook, no PIN (400),
 * a wrong PIN (403), the right PIN (201). Numbers are leased from a pool so no two connections share one.
 */
export class LoadMix {
  readonly numbers = new Map<string, TrackedNumber>();
  readonly answered = new Map<string, number>();
  readonly unexpected = new Map<string, Map<number, number>>();
  serverErrors = 0;
  readonly #free: string[] = [];
  #head = 0;
  readonly #steps: Step[];

  constructor(readonly options: MixOptions) {
    for (let index = 0; index < options.poolSize; index++) {
      const phone = `${options.prefix}${String(index).padStart(6, "0")}`;
      this.numbers.set(phone, { phone, state: "fresh", pin: "", inflight: 0 });
      this.#free.push(phone);
    }
    const number = (context: object) => ({ cc: "1", phone_number: text(context, "phone") });
    const account = (context: object, extra: Record<string, unknown> = {}) => ({
      ...number(context),
      method: "sms",
      cert: options.cert,
      ...extra,
    });
    this.#steps = [
      {
        name: "hook: number-unregistered",
        expect: 200,
        confirmed: "fresh",
        build: (context) => {
          const phone = this.#lease();
          const pin = String(100_000 + Math.floor(Math.random() * 900_000));
          Object.assign(context, { phone, pin });
          return {
            path: PROVIDER_STATE_PATH,
            body: { state: "number-unregistered", params: number(context) },
            auth: false,
          };
        },
      },
      {
        name: "register a fresh number",
        expect: 202,
        confirmed: "pending",
        build: (c) => ({ path: "/v1/account", body: account(c), auth: true }),
      },
      {
        name: "hook: code-sent",
        expect: 200,
        confirmed: "pending",
        build: (c) => ({
          path: PROVIDER_STATE_PATH,
          body: { state: "code-sent", params: number(c) },
          auth: false,
        }),
        read: (context, body) => {
          const parsed: unknown = JSON.parse(body);
          const code =
            typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "code") : undefined;
          Object.assign(context, { code: typeof code === "string" ? code : "" });
        },
      },
      {
        name: "verify with the code",
        expect: 201,
        confirmed: "registered",
        build: (c) => ({ path: "/v1/account/verify", body: { code: text(c, "code") }, auth: true }),
      },
      {
        name: "register it again",
        expect: 201,
        build: (c) => ({ path: "/v1/account", body: account(c), auth: true }),
      },
      {
        name: "verify with the spent code",
        expect: 400,
        build: (c) => ({ path: "/v1/account/verify", body: { code: text(c, "code") }, auth: true }),
      },
      {
        name: "invalid cc",
        expect: 400,
        build: (c) => ({ path: "/v1/account", body: account(c, { cc: "+1" }), auth: true }),
      },
      {
        name: "no token",
        expect: 401,
        build: (c) => ({ path: "/v1/account", body: account(c), auth: false }),
      },
      {
        name: "hook: two-step-enabled",
        expect: 200,
        confirmed: "pinned",
        build: (c) => ({
          path: PROVIDER_STATE_PATH,
          body: { state: "two-step-enabled", params: { ...number(c), pin: text(c, "pin") } },
          auth: false,
        }),
      },
      {
        name: "register without the PIN",
        expect: 400,
        build: (c) => ({ path: "/v1/account", body: account(c), auth: true }),
      },
      {
        name: "register with a wrong PIN",
        expect: 403,
        build: (c) => ({
          path: "/v1/account",
          body: account(c, { pin: wrongPin(text(c, "pin")) }),
          auth: true,
        }),
      },
      {
        name: "register with the right PIN",
        expect: 201,
        build: (c) => ({ path: "/v1/account", body: account(c, { pin: text(c, "pin") }), auth: true }),
      },
    ];
  }

  #lease(): string {
    // The pool is far larger than the connections, so a number is free again long before it comes round.
    const phone = this.#free[this.#head % this.#free.length] ?? "";
    this.#head += 1;
    return phone;
  }

  /** The autocannon request list: one entry per step, each connection going round it in order. */
  requests(): autocannon.Request[] {
    return this.#steps.map((step) => ({
      method: "POST",
      setupRequest: (request: autocannon.Request, context: object): autocannon.Request => {
        const built = step.build(context);
        const tracked = this.numbers.get(text(context, "phone"));
        if (tracked) {
          tracked.inflight += 1;
        }
        return {
          ...request,
          method: "POST",
          path: built.path,
          headers: {
            "content-type": "application/json",
            ...(built.auth ? { authorization: this.options.bearer } : {}),
          },
          body: JSON.stringify(built.body),
        };
      },
      onResponse: (status: number, body: string, context: object) => {
        const tracked = this.numbers.get(text(context, "phone"));
        if (tracked) {
          tracked.inflight -= 1;
        }
        this.answered.set(step.name, (this.answered.get(step.name) ?? 0) + 1);
        if (status >= 500) {
          this.serverErrors += 1;
        }
        if (status !== step.expect) {
          const counts = this.unexpected.get(step.name) ?? new Map<number, number>();
          counts.set(status, (counts.get(status) ?? 0) + 1);
          this.unexpected.set(step.name, counts);
          return;
        }
        if (tracked && step.confirmed) {
          tracked.state = step.confirmed;
          tracked.pin = step.confirmed === "pinned" ? text(context, "pin") : "";
        }
        step.read?.(context, body);
      },
    }));
  }

  unexpectedTotal(): number {
    let total = 0;
    for (const counts of this.unexpected.values()) {
      for (const count of counts.values()) {
        total += count;
      }
    }
    return total;
  }

  /**
   * Asks the server about every number whose last request was answered: a registered number answers 201, a
   * pinned one 400/1008 without its PIN, 403/1005 with a wrong one and 201 with its own, a fresh or pending one
   * 202 (by voice, so no SMS limit interferes). Numbers with a request still in flight when the load stopped
   * are left out: the server may or may not have applied it.
   */
  async checkState(baseUrl: string): Promise<{ checked: number; skipped: number; failures: string[] }> {
    const failures: string[] = [];
    let checked = 0;
    let skipped = 0;
    const post = (body: Record<string, unknown>) =>
      call(baseUrl, "POST", "/v1/account", { authorization: this.options.bearer }, body);
    const codeOf = (json: unknown): unknown => {
      const errors = typeof json === "object" && json !== null ? Reflect.get(json, "errors") : undefined;
      return Array.isArray(errors) ? Reflect.get(Object(errors[0]), "code") : undefined;
    };
    const verify = async (tracked: TrackedNumber): Promise<void> => {
      const base = { cc: "1", phone_number: tracked.phone, method: "voice", cert: this.options.cert };
      const expect = (what: string, got: number, want: number, code?: unknown, wantCode?: number) => {
        if (got !== want || (wantCode !== undefined && code !== wantCode)) {
          failures.push(
            `${tracked.phone} (${tracked.state}) ${what}: ${got} ${String(code ?? "")}, want ${want}`,
          );
        }
      };
      if (tracked.state === "registered") {
        expect("request", (await post(base)).status, 201);
      } else if (tracked.state === "pinned") {
        const missing = await post(base);
        expect("without PIN", missing.status, 400, codeOf(missing.json), 1008);
        const wrong = await post({ ...base, pin: wrongPin(tracked.pin) });
        expect("wrong PIN", wrong.status, 403, codeOf(wrong.json), 1005);
        expect("right PIN", (await post({ ...base, pin: tracked.pin })).status, 201);
      } else {
        expect("request", (await post(base)).status, 202);
      }
    };
    const queue = [...this.numbers.values()].filter((tracked) => {
      if (tracked.inflight !== 0) {
        skipped += 1;
        return false;
      }
      return true;
    });
    // A few at a time: the checks are bounded by the pool size, and must not become a second load test.
    const workers = Array.from({ length: 8 }, async () => {
      for (let tracked = queue.pop(); tracked !== undefined; tracked = queue.pop()) {
        await verify(tracked);
        checked += 1;
      }
    });
    await Promise.all(workers);
    return { checked, skipped, failures };
  }

  /** Unexpected answers by step, e.g. `verify with the code: 400 x3`. */
  describeUnexpected(): string[] {
    return [...this.unexpected].flatMap(([step, counts]) =>
      [...counts].map(([status, count]) => `${step}: ${status} x${count}`),
    );
  }
}

function wrongPin(pin: string): string {
  return pin === "000000" ? "111111" : "000000";
}
