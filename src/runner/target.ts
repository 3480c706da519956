// One target as the runner knows it: where it is, its profile, how to log in and reach states, and its secrets.
import type { Contract, ProfileName } from "../contract/contract.js";
import { stateField } from "../contract/state-config.js";

/** What the config gives for one state: a flag, or one of the sets of fields its contract's `static` forms take. */
export type StaticStateData = boolean | Record<string, string | number>;

/**
 * State data for a target with no provider-state hook, by state name: its shape is the contract's
 * (x-provider-states `static`, see `stateConfigSchema`), validated when the config is read.
 */
export type StaticStates = Record<string, StaticStateData>;

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

/**
 * Every secret the user gave about some targets, known before anything is sent: credentials, and the state data
 * whose field the contract marks sensitive (or naming a header that carries a secret).
 */
export function targetSecrets(
  targets: TargetConfig[],
  contract: Pick<Contract, "providerStates" | "operations">,
): { values: string[]; headers: string[] } {
  // The Basic form too: a target that echoes the login's Authorization header echoes base64(user:password).
  const basicCredentials = (user: unknown, password: unknown) =>
    typeof user !== "string" || typeof password !== "string"
      ? undefined
      : basicAuthorization(user, password).slice("Basic ".length);
  const values: (string | undefined)[] = [];
  const headers: string[] = [];
  for (const target of targets) {
    values.push(target.password, basicCredentials(target.username, target.password), target.token);
    values.push(target.stateHookToken);
    for (const [name, data] of Object.entries(target.states)) {
      const spec = contract.providerStates.get(name);
      if (spec === undefined || typeof data === "boolean") {
        continue;
      }
      // A state's user credentials are logged in with, so their Basic form may be echoed as well.
      values.push(basicCredentials(data.username, data.password));
      for (const [field, value] of Object.entries(data)) {
        const { sensitive, namesSensitiveHeader } = stateField(contract, spec, field);
        if (sensitive) {
          values.push(String(value));
        }
        if (namesSensitiveHeader) {
          headers.push(String(value));
        }
      }
    }
  }
  return { values: values.filter((value): value is string => value !== undefined), headers };
}
