// Drives one target for explore: the contract's operations by operationId, provider states through the runner's providers, the admin's session.
import type { CaseVars } from "../cases/case-vars.js";
import type { Contract, JsonSchema, Operation } from "../contract/contract.js";
import { requireOperation } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import { sendRequest } from "../http/send.js";
import { stateProviderFor } from "../runner/run-matrix.js";
import { Session } from "../runner/session.js";
import type { StateActions, StateOutcome, StateProvider } from "../runner/states.js";
import type { TargetConfig } from "../runner/target.js";

/** A provider state explore could not reach: the exploration stops (the target or its hook is misconfigured). */
export class StateSetupError extends Error {
  override name = "StateSetupError";
}

/**
 * A request body built to the operation's request schema: its properties in the schema's order, every required
 * one present (a missing one is a bug of explore, thrown at once rather than sent).
 */
export function bodyFor(
  operation: Operation,
  values: Record<string, string | undefined>,
): Record<string, string> {
  const schema: JsonSchema | undefined = operation.requestSchema;
  const body: Record<string, string> = {};
  for (const name of Object.keys(schema?.properties ?? {})) {
    const value = values[name];
    if (value !== undefined) {
      body[name] = value;
    }
  }
  for (const name of schema?.required ?? []) {
    if (body[name] === undefined) {
      throw new Error(`explore built a ${operation.id} body without its required ${name}`);
    }
  }
  return body;
}

export class TargetDriver {
  readonly session: Session;
  readonly states: StateProvider;
  #token: string | undefined;

  constructor(
    readonly contract: Contract,
    readonly target: TargetConfig,
  ) {
    this.session = new Session(target);
    this.states = stateProviderFor(target);
  }

  /** Logs in once (or takes the given token); a LoginError or TransportError ends the exploration. */
  async start(): Promise<void> {
    this.#token ??= await this.session.adminToken();
    if (this.#token === undefined) {
      throw new StateSetupError(
        "explore needs the admin's credentials: give --token, or --username and --password",
      );
    }
  }

  canLogIn(): boolean {
    return this.target.username !== undefined && this.target.password !== undefined;
  }

  /** A fresh login through the session; later steps use its token, as a client that logged in again would. */
  async login(): Promise<{ token: string | undefined; error: string | undefined }> {
    const { username, password } = this.target;
    try {
      const token = await this.session.login(username ?? "", password ?? "");
      this.#token = token;
      return { token, error: undefined };
    } catch (error) {
      if (error instanceof Error && error.name === "LoginError") {
        return { token: undefined, error: error.message };
      }
      throw error;
    }
  }

  /** Sends one operation of the contract as the admin; a TransportError propagates (no answer to judge). */
  send(operationId: string, body: unknown): Promise<Exchange> {
    const operation = requireOperation(this.contract, operationId);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#token !== undefined) {
      headers.authorization = `Bearer ${this.#token}`;
    }
    return sendRequest(
      this.target.url,
      {
        method: operation.method.toUpperCase(),
        path: operation.path,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      { timeoutMs: this.target.timeoutMs, insecure: this.target.insecure },
    );
  }

  /** Puts a number into a provider state; the values the state answered (code, pin, the number itself). */
  async setup(name: string, vars: CaseVars, paramNames: string[]): Promise<Record<string, string>> {
    const params: Record<string, string> = {};
    for (const param of paramNames) {
      const value = vars[param];
      if (value !== undefined) {
        params[param] = value;
      }
    }
    const outcome: StateOutcome = await this.states.setup(name, params, vars, this.#actions());
    if (outcome.kind !== "ready") {
      throw new StateSetupError(`state ${name} could not be reached: ${outcome.reason}`);
    }
    return outcome.values;
  }

  /** How a static state sends its requests: as the admin, by operationId, with the body the contract's forms give. */
  #actions(): StateActions {
    return {
      contract: this.contract,
      send: async (operationId, body) => {
        const { response } = await this.send(operationId, body);
        return { status: response.status, headers: response.headers };
      },
    };
  }
}
