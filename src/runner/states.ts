// Puts a target into a named provider state: through a Pact-compatible hook, or from static data in the config.
import type { CaseVars } from "../cases/case-vars.js";
import { NumberAllocator } from "../cases/case-vars.js";
import { ConfigError } from "../config-error.js";
import { sendRequest, TransportError } from "../http/send.js";
import { TargetUnreachableError } from "./errors.js";
import type { StaticStates, TargetConfig } from "./target.js";

export type StateOutcome =
  | { kind: "ready"; values: Record<string, string> }
  | { kind: "unreachable"; reason: string }
  | { kind: "error"; reason: string };

/** What a static state may need to do on the target itself (send requests as the admin). */
export interface StateActions {
  requestCodeFor(
    vars: CaseVars,
    method: "sms" | "voice",
  ): Promise<{ status: number; headers: Record<string, string> }>;
  verifyCode(code: string): Promise<{ status: number }>;
  enableTwoStep(pin: string): Promise<{ status: number }>;
}

export interface StateProvider {
  /** One line for reports: how states are reached. */
  readonly description: string;
  setup(
    name: string,
    params: Record<string, string>,
    vars: CaseVars,
    actions: StateActions,
  ): Promise<StateOutcome>;
  teardown(name: string, params: Record<string, string>): Promise<void>;
}

function stringValues(value: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === "string" || typeof item === "number") {
        values[key] = String(item);
      }
    }
  }
  return values;
}

/** The Pact provider-state wire contract: POST {state, params, action} to the hook. */
export class HookStateProvider implements StateProvider {
  readonly description: string;

  constructor(
    private readonly stateUrl: string,
    private readonly target: Pick<TargetConfig, "timeoutMs" | "insecure" | "stateHookToken">,
  ) {
    this.description = `provider-state hook ${stateUrl}`;
  }

  async setup(name: string, params: Record<string, string>): Promise<StateOutcome> {
    try {
      const { response } = await this.#post({ state: name, params, action: "setup" });
      if (response.status >= 200 && response.status < 300) {
        return { kind: "ready", values: stringValues(response.json) };
      }
      const detail = response.bodyText.slice(0, 200);
      return {
        kind: "unreachable",
        reason: `the state hook answered ${response.status} for state ${name}${detail ? `: ${detail}` : ""}`,
      };
    } catch (error) {
      return {
        kind: "error",
        reason: `the state hook failed for state ${name}: ${(error as Error).message}`,
      };
    }
  }

  async teardown(name: string, params: Record<string, string>): Promise<void> {
    try {
      await this.#post({ state: name, params, action: "teardown" });
    } catch {
      // A teardown that fails leaves state behind, which fresh numbers per case make harmless.
    }
  }

  #post(body: unknown) {
    return postToHook(this.stateUrl, this.target, body);
  }
}

function postToHook(
  stateUrl: string,
  target: Pick<TargetConfig, "timeoutMs" | "insecure" | "stateHookToken">,
  body: unknown,
) {
  const url = new URL(stateUrl);
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (target.stateHookToken !== undefined) {
    headers.authorization = `Bearer ${target.stateHookToken}`;
  }
  return sendRequest(
    url.origin,
    { method: "POST", path: `${url.pathname}${url.search}`, headers, body: JSON.stringify(body) },
    { timeoutMs: target.timeoutMs, insecure: target.insecure },
  );
}

/** The state the probe sets up and tears down: every hook has it, and a fresh number changes nothing. */
const PROBE_STATE = "number-unregistered";

/**
 * Sets up and tears down one harmless state before any case runs, so a broken hook is one clear error rather
 * than a SKIP or ERROR per case: unreachable is TargetUnreachableError (exit 3), any answer but a 2xx ConfigError
 * (exit 2). The hook's words pass through `redact` first: a hook may echo what it was sent.
 */
export async function probeStateHook(
  target: TargetConfig,
  redact: { text(value: string): string },
  allocator: NumberAllocator = new NumberAllocator(),
): Promise<void> {
  if (target.stateUrl === undefined) {
    return;
  }
  const params = { cc: "1", phone_number: allocator.allocate().phone_number };
  const send = async (action: "setup" | "teardown") => {
    try {
      return (await postToHook(target.stateUrl as string, target, { state: PROBE_STATE, params, action }))
        .response;
    } catch (error) {
      if (error instanceof TransportError) {
        throw new TargetUnreachableError(
          `the state hook ${target.stateUrl} is unreachable: ${redact.text(error.message)}`,
        );
      }
      throw error;
    }
  };
  for (const action of ["setup", "teardown"] as const) {
    const response = await send(action);
    if (response.status < 200 || response.status >= 300) {
      const body = response.bodyText.trim().slice(0, 200);
      throw new ConfigError(
        `the state hook ${target.stateUrl} answered ${response.status} to the ${action} of state ${PROBE_STATE}${
          body === "" ? "" : `: ${redact.text(body)}`
        }; check --state-url${target.stateHookToken === undefined ? " (and whether the hook needs --state-hook-token)" : " and --state-hook-token"}`,
      );
    }
  }
}

/** States reached from data the user gave about a target that has no hook. */
export class StaticStateProvider implements StateProvider {
  readonly description = "static state data from the config";

  constructor(
    private readonly states: StaticStates,
    private readonly concurrency: number = 1,
  ) {}

  async setup(
    name: string,
    _params: Record<string, string>,
    vars: CaseVars,
    actions: StateActions,
  ): Promise<StateOutcome> {
    const states = this.states;
    const missing = (what: string): StateOutcome => ({
      kind: "unreachable",
      reason: `state ${name} needs ${what} in the config's states (or a --state-url hook)`,
    });
    switch (name) {
      case "number-unregistered":
        return states["number-unregistered"] === false
          ? missing("fresh numbers to be unregistered")
          : { kind: "ready", values: {} };
      case "number-registered": {
        const data = states["number-registered"];
        if (data) {
          return { kind: "ready", values: { ...data } };
        }
        // With a way to learn codes, the kit registers the case's own number as a user would.
        return states["code-sent"]
          ? this.#register(vars, actions)
          : missing("number-registered.cc and .phone_number, or code-sent to register a number itself");
      }
      case "two-step-enabled": {
        const data = states["two-step-enabled"];
        if (data) {
          return { kind: "ready", values: { ...data } };
        }
        // The PIN lands on the target's most recently registered number, so only one case may do this at a time.
        return states["code-sent"] && this.concurrency === 1
          ? this.#enableTwoStep(vars, actions)
          : missing("two-step-enabled.cc, .phone_number and .pin, or code-sent with concurrency 1");
      }
      case "non-admin-user": {
        const data = states["non-admin-user"];
        return data ? { kind: "ready", values: { ...data } } : missing("non-admin-user credentials or token");
      }
      case "registration-blocked":
        return states["registration-blocked"]
          ? { kind: "ready", values: {} }
          : missing("registration-blocked: true");
      case "code-sent":
        return this.#codeSent(vars, actions);
      case "sms-attempts-exhausted":
        return this.#exhaustSms(vars, actions);
      default:
        return { kind: "unreachable", reason: `state ${name} has no static form` };
    }
  }

  async teardown(): Promise<void> {}

  async #codeSent(vars: CaseVars, actions: StateActions): Promise<StateOutcome> {
    const data = this.states["code-sent"];
    if (!data) {
      return {
        kind: "unreachable",
        reason: "state code-sent needs code-sent.code or code-sent.codeHeader in the config's states",
      };
    }
    try {
      const answer = await actions.requestCodeFor(vars, "voice");
      if (answer.status !== 202) {
        return {
          kind: "error",
          reason: `requesting a code to reach state code-sent answered ${answer.status}`,
        };
      }
      if ("code" in data) {
        return { kind: "ready", values: { code: data.code } };
      }
      const code = answer.headers[data.codeHeader.toLowerCase()];
      return code
        ? { kind: "ready", values: { code } }
        : { kind: "error", reason: `the 202 carried no ${data.codeHeader} header to read the code from` };
    } catch (error) {
      return { kind: "error", reason: stateTransportReason("code-sent", error) };
    }
  }

  /** Registers the case's own number the way a user would: request a code, then verify it. */
  async #register(vars: CaseVars, actions: StateActions): Promise<StateOutcome> {
    const sent = await this.#codeSent(vars, actions);
    if (sent.kind !== "ready") {
      return sent;
    }
    try {
      const verified = await actions.verifyCode(sent.values.code ?? "");
      return verified.status === 201
        ? { kind: "ready", values: {} }
        : {
            kind: "error",
            reason: `verifying the code to reach state number-registered answered ${verified.status}`,
          };
    } catch (error) {
      return { kind: "error", reason: stateTransportReason("number-registered", error) };
    }
  }

  /** Registers the case's number, then sets its PIN through the two-step settings, as an admin would. */
  async #enableTwoStep(vars: CaseVars, actions: StateActions): Promise<StateOutcome> {
    const registered = await this.#register(vars, actions);
    if (registered.kind !== "ready") {
      return registered;
    }
    try {
      const enabled = await actions.enableTwoStep(vars.pin ?? "");
      return enabled.status === 200
        ? { kind: "ready", values: {} }
        : {
            kind: "error",
            reason: `setting the PIN to reach state two-step-enabled answered ${enabled.status}`,
          };
    } catch (error) {
      return { kind: "error", reason: stateTransportReason("two-step-enabled", error) };
    }
  }

  async #exhaustSms(vars: CaseVars, actions: StateActions): Promise<StateOutcome> {
    const limit = this.states["sms-attempts-exhausted"]?.smsLimit;
    if (limit === undefined) {
      return {
        kind: "unreachable",
        reason: "state sms-attempts-exhausted needs sms-attempts-exhausted.smsLimit in the config's states",
      };
    }
    try {
      for (let attempt = 1; attempt <= limit; attempt++) {
        const answer = await actions.requestCodeFor(vars, "sms");
        if (answer.status !== 202) {
          return {
            kind: "error",
            reason: `sms request ${attempt} of ${limit} (to exhaust the SMS limit) answered ${answer.status}`,
          };
        }
      }
      return { kind: "ready", values: {} };
    } catch (error) {
      return { kind: "error", reason: stateTransportReason("sms-attempts-exhausted", error) };
    }
  }
}

function stateTransportReason(state: string, error: unknown): string {
  const message = error instanceof TransportError ? error.message : (error as Error).message;
  return `reaching state ${state} failed: ${message}`;
}

/** The default parameters of a state: the case's variables named in the contract's x-provider-states. */
export function defaultStateParams(paramNames: string[], vars: CaseVars): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of paramNames) {
    const value = vars[name];
    if (value !== undefined && value !== "") {
      params[name] = value;
    }
  }
  return params;
}
