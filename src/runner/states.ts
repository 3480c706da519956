// Puts a target into a named provider state through a Pact-compatible hook; what a state provider is (static-states.ts has the other).
import type { CaseVars } from "../cases/case-vars.js";
import { initialVars, NumberAllocator } from "../cases/case-vars.js";
import { ConfigError } from "../config-error.js";
import { type Contract, loadContract } from "../contract/contract.js";
import { sendRequest, TransportError } from "../http/send.js";
import { TargetUnreachableError } from "./errors.js";
import type { TargetConfig } from "./target.js";

export type StateOutcome =
  | { kind: "ready"; values: Record<string, string> }
  | { kind: "unreachable"; reason: string }
  | { kind: "error"; reason: string };

/** What a static state may need: the contract that says how states are reached, and requests sent as the admin. */
export interface StateActions {
  contract: Contract;
  /** Sends one operation of the contract as the admin, with this JSON body. */
  send(operationId: string, body: unknown): Promise<{ status: number; headers: Record<string, string> }>;
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

/**
 * Sets up and tears down the contract's harmless probe state (x-provider-states `probe`, with a fresh case's
 * parameters) before any case runs, so a broken hook is one clear error rather than a SKIP or ERROR per case:
 * unreachable is TargetUnreachableError (exit 3), any answer but a 2xx ConfigError (exit 2). The hook's words pass
 * through `redact` first: a hook may echo what it was sent. A contract that marks no probe state is not probed
 * (`contract` defaults to the kit's own).
 */
export async function probeStateHook(
  target: TargetConfig,
  redact: { text(value: string): string },
  contract?: Pick<Contract, "probeState" | "providerStates">,
  allocator: NumberAllocator = new NumberAllocator(),
): Promise<void> {
  if (target.stateUrl === undefined) {
    return;
  }
  const { probeState, providerStates } = contract ?? (await loadContract());
  const probe = probeState === undefined ? undefined : providerStates.get(probeState);
  if (probe === undefined) {
    return;
  }
  const params = defaultStateParams(probe.params, initialVars(allocator, {}));
  const send = async (action: "setup" | "teardown") => {
    try {
      return (await postToHook(target.stateUrl as string, target, { state: probe.name, params, action }))
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
        `the state hook ${target.stateUrl} answered ${response.status} to the ${action} of state ${probe.name}${
          body === "" ? "" : `: ${redact.text(body)}`
        }; check --state-url${target.stateHookToken === undefined ? " (and whether the hook needs --state-hook-token)" : " and --state-hook-token"}`,
      );
    }
  }
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
