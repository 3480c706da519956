// The Pact-compatible provider-state hook: puts the reference into the contract's named states (setup) and back (teardown).
import { randomBytes } from "node:crypto";
import { type Contract, ContractError, type JsonSchema, requireOperation } from "../contract/contract.js";
import type { RequestBody } from "../contract/contract-types.js";
import { schemasFor } from "../contract/schema-validator.js";
import { isPlainObject } from "../json-text.js";
import { describeValue, type Envelope, ErrorCode, plainJson } from "./envelope.js";
import type { ReferenceResponse, ResolvedOptions } from "./options.js";
import { ReferenceStore } from "./store.js";

export const PROVIDER_STATES = [
  "number-unregistered",
  "number-registered",
  "two-step-enabled",
  "code-sent",
  "sms-attempts-exhausted",
  "non-admin-user",
  "registration-blocked",
] as const;
export type ProviderStateName = (typeof PROVIDER_STATES)[number];

const STATE_NAMES: ReadonlySet<string> = new Set(PROVIDER_STATES);
/** Longest username or password the hook makes: each comes back in its answer. */
const MAX_CREDENTIAL_LENGTH = 256;

/** The params of a number state once checked with #numberParams: the contract's own cc and phone_number. */
type NumberParams = Pick<RequestBody<"requestCode">, "cc" | "phone_number">;
/** The params of two-step-enabled once checked with #pinnedNumberParams: a number and the contract's pin. */
type PinnedNumberParams = NumberParams & Pick<RequestBody<"enableTwoStep">, "pin">;

export class ProviderStateHook {
  readonly #numberParams: JsonSchema;
  readonly #pinnedNumberParams: JsonSchema;

  constructor(
    readonly contract: Contract,
    readonly store: ReferenceStore,
    readonly envelope: Envelope,
    readonly options: ResolvedOptions,
  ) {
    // The params are checked with the contract's own property schemas, so the hook accepts exactly the numbers
    // and PINs the API would.
    const request = requireOperation(contract, "requestCode").requestSchema?.properties;
    const twoStep = requireOperation(contract, "enableTwoStep").requestSchema?.properties;
    const cc = request?.cc;
    const phoneNumber = request?.phone_number;
    const pin = twoStep?.pin;
    if (cc === undefined || phoneNumber === undefined || pin === undefined) {
      throw new ContractError("the contract's request schemas lack cc, phone_number or pin");
    }
    this.#numberParams = {
      type: "object",
      required: ["cc", "phone_number"],
      properties: { cc, phone_number: phoneNumber },
    };
    this.#pinnedNumberParams = {
      type: "object",
      required: ["cc", "phone_number", "pin"],
      properties: { cc, phone_number: phoneNumber, pin },
    };
  }

  list(): ReferenceResponse {
    return plainJson(200, { states: [...PROVIDER_STATES], profile: this.options.profile });
  }

  /** Handles `{state, params?, action?}`; action defaults to setup, as Pact's verifier omits it for setup. */
  change(body: unknown): ReferenceResponse {
    if (!isPlainObject(body)) {
      return this.envelope.error(400, ErrorCode.invalidRequest, "The body must be a JSON object");
    }
    const { state } = body;
    if (state === undefined) {
      return this.envelope.error(400, ErrorCode.missingParameter, "Missing required parameter: state");
    }
    if (typeof state !== "string" || !STATE_NAMES.has(state)) {
      return this.envelope.error(
        400,
        ErrorCode.invalidParameter,
        // Quoted by kind or clipped, never serialized whole: a value 4,500 arrays deep overflows the stack.
        `Unknown provider state ${describeValue(state)}; known states: ${PROVIDER_STATES.join(", ")}`,
      );
    }
    const action = body.action ?? "setup";
    if (action !== "setup" && action !== "teardown") {
      return this.envelope.error(
        400,
        ErrorCode.invalidParameter,
        `action must be "setup" or "teardown", got ${describeValue(action)}`,
      );
    }
    const params = body.params ?? {};
    if (!isPlainObject(params)) {
      return this.envelope.error(400, ErrorCode.invalidParameter, "params must be a JSON object");
    }
    return action === "setup"
      ? this.#setup(state as ProviderStateName, params)
      : this.#teardown(state as ProviderStateName, params);
  }

  #setup(state: ProviderStateName, params: Record<string, unknown>): ReferenceResponse {
    const { store } = this;
    switch (state) {
      case "non-admin-user":
        return this.#createUser(params);
      case "registration-blocked":
        store.blocked = true;
        return plainJson(200, {});
      default:
        break;
    }
    const schema = state === "two-step-enabled" ? this.#pinnedNumberParams : this.#numberParams;
    const issues = schemasFor(this.contract).check(schema, params);
    if (issues.length > 0) {
      return this.envelope.invalid(issues);
    }
    const { cc, phone_number: phoneNumber } = params as NumberParams;
    const key = ReferenceStore.numberKey(cc, phoneNumber, this.options.enforces("number-key-includes-cc"));
    // Every number state starts from a clean slate, so no leftover PIN, code or count changes its meaning.
    store.forget(key);
    switch (state) {
      case "number-unregistered":
        return plainJson(200, {});
      case "number-registered":
        // Registering makes the number the client's account, which the two-step settings then act on.
        store.register(key);
        return plainJson(200, { cc, phone_number: phoneNumber });
      case "two-step-enabled": {
        const { pin } = params as PinnedNumberParams;
        // The client's account too, as the contract's x-provider-states says: DELETE two-step then clears this PIN.
        store.register(key, pin);
        return plainJson(200, { cc, phone_number: phoneNumber, pin });
      }
      case "code-sent":
        return plainJson(200, { code: store.pendingCode(key) });
      case "sms-attempts-exhausted":
        store.setSmsCount(key, this.options.smsLimit);
        return plainJson(200, {});
    }
  }

  #teardown(state: ProviderStateName, params: Record<string, unknown>): ReferenceResponse {
    const { store } = this;
    switch (state) {
      case "non-admin-user": {
        const { username } = params;
        if (username === undefined) {
          store.removeHookUsers();
        } else if (typeof username === "string") {
          if (!store.removeUser(username)) {
            return this.envelope.error(
              400,
              ErrorCode.invalidParameter,
              "params.username names the admin or a user given to serve (--user); the hook removes only its own",
            );
          }
        } else {
          return this.envelope.error(400, ErrorCode.invalidParameter, "params.username must be a string");
        }
        return plainJson(200, {});
      }
      case "registration-blocked":
        store.blocked = this.options.profile === "sunset";
        return plainJson(200, {});
      default: {
        const issues = schemasFor(this.contract).check(this.#numberParams, params);
        if (issues.length > 0) {
          return this.envelope.invalid(issues);
        }
        const { cc, phone_number: phoneNumber } = params as NumberParams;
        store.forget(
          ReferenceStore.numberKey(cc, phoneNumber, this.options.enforces("number-key-includes-cc")),
        );
        return plainJson(200, {});
      }
    }
  }

  #createUser(params: Record<string, unknown>): ReferenceResponse {
    const {
      username = `user-${randomBytes(4).toString("hex")}`,
      password = randomBytes(12).toString("base64url"),
    } = params;
    if (
      typeof username !== "string" ||
      username.length === 0 ||
      username.length > MAX_CREDENTIAL_LENGTH ||
      username.includes(":")
    ) {
      // Basic auth splits at the first colon, so such a user could never log in.
      return this.envelope.error(
        400,
        ErrorCode.invalidParameter,
        `params.username must be a string of 1 to ${MAX_CREDENTIAL_LENGTH} characters without a colon`,
      );
    }
    if (typeof password !== "string" || password.length === 0 || password.length > MAX_CREDENTIAL_LENGTH) {
      return this.envelope.error(
        400,
        ErrorCode.invalidParameter,
        `params.password must be a string of 1 to ${MAX_CREDENTIAL_LENGTH} characters`,
      );
    }
    const outcome = this.store.putHookUser(username, password);
    if (outcome === "taken") {
      // The admin and the users given to serve are the operator's: re-creating one would hand it to the caller.
      return this.envelope.error(
        400,
        ErrorCode.invalidParameter,
        "params.username names the admin or a user given to serve (--user); choose another name",
      );
    }
    if (outcome === "full") {
      const { maxUsers } = this.options.caps;
      return this.envelope.error(
        503,
        ErrorCode.overloaded,
        `The reference holds ${maxUsers} users made through this hook, its cap (maxUsers, serve --max-users); tear down non-admin-user to free them`,
      );
    }
    return plainJson(200, { username, password });
  }
}
