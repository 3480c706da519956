// What the proxy has seen of the target's state (numbers registered, codes spent, the sunset block) and the consistency every later answer owes it.
import type { Contract, Operation } from "../contract/contract.js";
import type { RequestBody, Unvalidated } from "../contract/contract-types.js";
import type { IncomingResponse } from "../exchange.js";
import { isPlainObject } from "../json-text.js";
import type { Findings } from "./judgement.js";

/** Numbers remembered; past it the oldest is forgotten (a long session must not grow without bound). */
export const MAX_REMEMBERED_NUMBERS = 100_000;
export const MAX_REMEMBERED_CODES = 10_000;

/** How the proxy learned that a number is registered: the requirement a later 202 for it breaks. */
type Registered = "register-registered-number-answers-201" | "verified-number-answers-201";

const isSuccess = (status: number) => status >= 200 && status <= 299;

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    map.delete(map.keys().next().value as K);
  }
}

/** The error the contract shows for the sunset block (an example named `sunset` of an operation's answers). */
function sunsetBlockOf(
  contract: Contract,
  operation: Operation | undefined,
): { code: number; marker: string } | undefined {
  if (operation === undefined) {
    return undefined;
  }
  const item = contract.document.paths?.[operation.path]?.[operation.method] as
    | {
        responses?: Record<
          string,
          { content?: Record<string, { examples?: Record<string, { value?: unknown }> }> }
        >;
      }
    | undefined;
  for (const response of Object.values(item?.responses ?? {})) {
    const example = response.content?.["application/json"]?.examples?.sunset?.value;
    const first = isPlainObject(example) && Array.isArray(example.errors) ? example.errors[0] : undefined;
    if (isPlainObject(first) && typeof first.code === "number" && typeof first.details === "string") {
      // The block is known by its name after the last ": " (the requirement asks for details containing it).
      return { code: first.code, marker: first.details.split(": ").pop() ?? first.details };
    }
  }
  return undefined;
}

export class TrafficState {
  readonly #registered = new Map<string, Registered>();
  /** Numbers answered 202 since, in order. */
  readonly #pending = new Map<string, true>();
  /** Codes a verify accepted, while no new code was requested (a new one may reuse a spent code). */
  readonly #spent = new Map<string, true>();
  /** The sunset block was answered and no request outside the contract (a state hook) came since. */
  #sunsetSeen = false;
  #sunsetEverSeen = false;
  readonly #registration: Operation | undefined;
  readonly #verification: Operation | undefined;
  readonly #sunset: { code: number; marker: string } | undefined;

  constructor(readonly contract: Contract) {
    // The operations are the ledger's: those its state requirements are about.
    const operationOf = (id: string) => {
      const name = contract.requirementById.get(id)?.operation;
      return name === undefined ? undefined : contract.operations.get(name);
    };
    this.#registration = operationOf("register-registered-number-answers-201");
    this.#verification = operationOf("verify-wrong-code-rejected");
    this.#sunset = sunsetBlockOf(contract, this.#registration);
  }

  /** True once a registration was answered with the sunset block: the target shows the sunset profile. */
  get sunsetSeen(): boolean {
    return this.#sunsetEverSeen;
  }

  /**
   * Forgets everything: a request outside the contract (a provider-state hook, an admin endpoint) may have
   * changed the target's state in ways the proxy cannot follow.
   */
  forget(): void {
    this.#registered.clear();
    this.#pending.clear();
    this.#spent.clear();
    this.#sunsetSeen = false;
  }

  /** Judges the answer against what was seen before, then learns from it. Only valid requests are followed. */
  judge(
    findings: Findings,
    operation: Operation,
    body: Record<string, unknown>,
    response: IncomingResponse,
  ): void {
    if (operation === this.#registration) {
      this.#judgeRegistration(findings, body, response);
    } else if (operation === this.#verification) {
      this.#judgeVerification(findings, body, response);
    }
  }

  #judgeRegistration(findings: Findings, body: Record<string, unknown>, response: IncomingResponse): void {
    const sent: Unvalidated<RequestBody<"requestCode">> = body;
    const key = `${String(sent.cc)} ${String(sent.phone_number)}`;
    if (this.#sunsetSeen) {
      findings.judge(
        "sunset-blocks-registration-with-1005",
        "server",
        isSuccess(response.status)
          ? {
              check: "state.sunset",
              expected: "the sunset block again, as on an earlier registration",
              received: `status ${response.status}`,
            }
          : undefined,
      );
    } else {
      const registered = this.#registered.get(key);
      if (registered !== undefined) {
        findings.judge(
          registered,
          "server",
          isSuccess(response.status) && response.status !== 201
            ? {
                check: "state.registered",
                expected:
                  registered === "verified-number-answers-201"
                    ? "201: this number's code was verified earlier"
                    : "201: this number was answered 201 earlier",
                received: `status ${response.status}`,
              }
            : undefined,
        );
      }
    }
    if (this.#isSunsetBlock(response)) {
      this.#sunsetSeen = true;
      this.#sunsetEverSeen = true;
    } else if (response.status === 201) {
      this.#pending.delete(key);
      remember(
        this.#registered,
        key,
        this.#registered.get(key) ?? "register-registered-number-answers-201",
        MAX_REMEMBERED_NUMBERS,
      );
    } else if (response.status === 202 && !this.#registered.has(key)) {
      remember(this.#pending, key, true, MAX_REMEMBERED_NUMBERS);
      this.#spent.clear();
    }
  }

  #judgeVerification(findings: Findings, body: Record<string, unknown>, response: IncomingResponse): void {
    const sent: Unvalidated<RequestBody<"verifyAccount">> = body;
    const code = typeof sent.code === "string" ? sent.code : undefined;
    if (code === undefined) {
      return;
    }
    if (this.#sunsetSeen) {
      findings.judge(
        "sunset-verify-refused",
        "server",
        isSuccess(response.status)
          ? {
              check: "state.sunset",
              expected: "a refusal: registration is blocked",
              received: `status ${response.status}`,
            }
          : undefined,
      );
      return;
    }
    if (this.#spent.has(code)) {
      findings.judge(
        "verify-wrong-code-rejected",
        "server",
        isSuccess(response.status)
          ? {
              check: "state.codeSpent",
              expected: "a refusal: this code was verified earlier and no code was requested since",
              received: `status ${response.status}`,
            }
          : undefined,
      );
    }
    if (isSuccess(response.status)) {
      remember(this.#spent, code, true, MAX_REMEMBERED_CODES);
      // Verify names no number: the one it completed is known only when a single number was pending.
      if (this.#pending.size === 1) {
        const [key] = this.#pending.keys();
        this.#pending.clear();
        remember(this.#registered, key as string, "verified-number-answers-201", MAX_REMEMBERED_NUMBERS);
      }
    }
  }

  #isSunsetBlock(response: IncomingResponse): boolean {
    const errors = isPlainObject(response.json) ? response.json.errors : undefined;
    const first = Array.isArray(errors) ? errors[0] : undefined;
    return (
      this.#sunset !== undefined &&
      isPlainObject(first) &&
      first.code === this.#sunset.code &&
      typeof first.details === "string" &&
      first.details.includes(this.#sunset.marker)
    );
  }
}
