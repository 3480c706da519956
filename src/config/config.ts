// Resolves a target's settings from flags, environment variables and a config file, in that order of precedence.
import { createRequire } from "node:module";
import type { Ajv2020, ErrorObject } from "ajv/dist/2020.js";
import { ConfigError } from "../config-error.js";
import { type Contract, loadContract, PROFILES, type ProfileName } from "../contract/contract.js";
import { stateConfigSchema } from "../contract/state-config.js";
import { explainByKey, readDataFile } from "../data-file.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_TIMEOUT_MS,
  type StaticStates,
  type TargetConfig,
} from "../runner/target.js";
import { didYouMean } from "../suggest.js";
import { CONFIG_KEYS, type ConfigKeyName, describedSchema } from "./config-keys.js";

// Re-exported for src/cli/main.ts and the tests, which import it from here.
export { ConfigError } from "../config-error.js";

/** Settings as they come from any one source, before precedence is applied. */
export interface TargetSettings {
  target?: string;
  name?: string;
  profile?: string;
  token?: string;
  username?: string;
  password?: string;
  stateUrl?: string;
  stateHookToken?: string;
  timeoutMs?: number;
  insecure?: boolean;
  concurrency?: number;
  strict?: boolean;
  cases?: string[];
  states?: StaticStates;
  /** Where run writes its reports (--report-dir). */
  reportDir?: string;
  /** The expected-failures file (--expected-failures). */
  expectedFailures?: string;
  /** Another OpenAPI contract to run (--contract; default the kit's openapi/openapi.yaml). */
  contract?: string;
  /** Another folder of case files (--cases; default the kit's fixtures/cases). */
  caseDir?: string;
}

/**
 * The config file's format (YAML or JSON), but for what its contract decides: `profile` is one of the contract's
 * x-profiles and `states` holds what its x-provider-states `static` forms take (see `configSchemaFor`).
 */
export const CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: Object.fromEntries(
    (Object.keys(CONFIG_KEYS) as ConfigKeyName[]).map((name) => [name, describedSchema(name)]),
  ) as Record<ConfigKeyName, Record<string, unknown>>,
};

/** Where the published schema of the kit's own contract lives; test/config/config-schema.test.ts keeps it current. */
export const CONFIG_SCHEMA_ID = "urn:wa-account-conformance:config:1";

/** The config file's format under one contract: its profiles and its states' static forms, every key described. */
export function configSchemaFor(contract: Contract): Record<string, unknown> {
  const profiles = contract.profiles.map((profile) => profile.name);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: CONFIG_SCHEMA_ID,
    title: "wa-account-conformance config file (run --config FILE)",
    description:
      "Settings of one target for `run --config FILE` (YAML or JSON). Flags win over WA_CONFORMANCE_* variables, which win over this file. Generated from the contract by `npm run build`.",
    ...CONFIG_SCHEMA,
    properties: {
      ...CONFIG_SCHEMA.properties,
      profile: {
        enum: profiles,
        description: `${CONFIG_KEYS.profile.description} One of: ${profiles.join(", ")}.`,
      },
      states: {
        ...describedStates(contract),
        description: CONFIG_KEYS.states.description,
      },
    },
  };
}

/** The contract's `states` schema with each state's description, and each field's (its own, or its name). */
function describedStates(contract: Contract): Record<string, unknown> {
  const schema = stateConfigSchema(contract) as { properties: Record<string, Record<string, unknown>> };
  const describeFields = (form: Record<string, unknown>, state: string): Record<string, unknown> => {
    const fields = form.properties as Record<string, Record<string, unknown>> | undefined;
    if (fields === undefined) {
      return form;
    }
    return {
      ...form,
      properties: Object.fromEntries(
        Object.entries(fields).map(([name, field]) => [
          name,
          { ...field, description: field.description ?? `The ${name} of the ${state} state.` },
        ]),
      ),
    };
  };
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([state, form]) => {
      const forms = form.oneOf as Record<string, unknown>[] | undefined;
      const described =
        forms === undefined
          ? describeFields(form, state)
          : { oneOf: forms.map((alternative) => describeFields(alternative, state)) };
      return [state, { ...described, description: contract.providerStates.get(state)?.description ?? state }];
    }),
  );
  return { ...schema, properties };
}

/** The compiled config schema per contract (by its path); ajv is loaded only when a config file is read. */
const validators = new Map<string, ReturnType<Ajv2020["compile"]>>();
let ajv: Ajv2020 | undefined;

function validatorFor(contract: Contract): ReturnType<Ajv2020["compile"]> {
  let validate = validators.get(contract.path);
  if (validate === undefined) {
    if (ajv === undefined) {
      const { Ajv2020: AjvClass } = createRequire(import.meta.url)(
        "ajv/dist/2020.js",
      ) as typeof import("ajv/dist/2020.js");
      // verbose: an error carries its schema, whose properties are the names a mistyped key is matched to.
      ajv = new AjvClass({ allErrors: true, strict: false, verbose: true });
    }
    // Without its $id: the schemas of several contracts share it, and ajv keeps one schema per id.
    const { $id: _id, ...schema } = configSchemaFor(contract);
    validate = ajv.compile(schema);
    validators.set(contract.path, validate);
  }
  return validate;
}

/**
 * Reads and validates a config file; every problem names the key and why. Its profile and states are checked
 * against the contract at `contractPath` (a --contract flag), else the file's own `contract`, else the kit's.
 */
export async function readConfigFile(path: string, contractPath?: string): Promise<TargetSettings> {
  const data = await readDataFile(path, "the config file");
  if (data === null || data === undefined) {
    return {};
  }
  const named = (data as { contract?: unknown }).contract;
  const contract = await loadContract(contractPath ?? (typeof named === "string" ? named : undefined));
  const validate = validatorFor(contract);
  if (!validate(data)) {
    throw new ConfigError(
      `the config file ${path} is invalid:\n${explainConfigErrors(validate.errors).join("\n")}`,
    );
  }
  // `$schema` is for editors only; it is no setting.
  const { $schema: _schema, ...settings } = data as TargetSettings & { $schema?: string };
  return settings;
}

/**
 * Each problem by key, as explainByKey words it, but an unknown key near a known one at its level (top level, in
 * `states` or in a state) also says which was meant: `timeout` (did you mean timeoutMs?).
 */
export function explainConfigErrors(errors: ErrorObject[] | null | undefined, limit = 8): string[] {
  const lines = (errors ?? []).flatMap((error) => {
    const unknown = (error.params as { additionalProperty?: unknown }).additionalProperty;
    if (error.keyword !== "additionalProperties" || typeof unknown !== "string") {
      return explainByKey([error]);
    }
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return explainByKey([error]).map((line) => `${line}${didYouMean(unknown, known)}`);
  });
  // A key unknown to every alternative of a oneOf gives a line per alternative: keep the one that says which was meant.
  const kept = lines.filter((line) => !lines.some((other) => other.startsWith(`${line} (did you mean`)));
  return [...new Set(kept)].slice(0, limit);
}

function parseBoolean(name: string, value: string): boolean {
  if (/^(1|true|yes)$/i.test(value)) {
    return true;
  }
  if (/^(0|false|no|)$/i.test(value)) {
    return false;
  }
  throw new ConfigError(`${name} must be true or false, not "${value}"`);
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  // Digits only, like the twin flags: Number() would also take "0x10" or "1e3".
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  }
  return number;
}

/** The environment variables the kit reads, each the twin of a flag. */
export const ENVIRONMENT_VARIABLES = {
  WA_CONFORMANCE_TARGET: "--target",
  WA_CONFORMANCE_PROFILE: "--profile",
  WA_CONFORMANCE_TOKEN: "--token",
  WA_CONFORMANCE_USERNAME: "--username",
  WA_CONFORMANCE_PASSWORD: "--password",
  WA_CONFORMANCE_STATE_URL: "--state-url",
  WA_CONFORMANCE_STATE_HOOK_TOKEN: "--state-hook-token",
  WA_CONFORMANCE_CONFIG: "--config",
  WA_CONFORMANCE_TIMEOUT_MS: "--timeout",
  WA_CONFORMANCE_INSECURE: "--insecure",
  WA_CONFORMANCE_CONCURRENCY: "--concurrency",
  WA_CONFORMANCE_STRICT: "--strict",
  WA_CONFORMANCE_REPORT_DIR: "--report-dir",
  WA_CONFORMANCE_EXPECTED_FAILURES: "--expected-failures",
} as const;

/**
 * The settings the WA_CONFORMANCE_* variables give. A variable set to the empty string is an error, not "unset":
 * in CI it is nearly always a missing secret or variable, and reading it as unset would quietly run the embedded
 * reference (or log in without a password) and go green.
 */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): TargetSettings & { config?: string } {
  const empty = (Object.keys(ENVIRONMENT_VARIABLES) as (keyof typeof ENVIRONMENT_VARIABLES)[]).filter(
    (name) => env[name] !== undefined && env[name]?.trim() === "",
  );
  if (empty.length > 0) {
    throw new ConfigError(
      `${empty.join(", ")} ${empty.length > 1 ? "are" : "is"} set but empty: give ${
        empty.length > 1 ? "them values" : "it a value"
      } or unset ${empty.length > 1 ? "them" : "it"} (with nothing set, run uses the embedded reference)`,
    );
  }
  const settings: TargetSettings & { config?: string } = {};
  const text = (name: keyof typeof ENVIRONMENT_VARIABLES) => env[name];
  const assign = <K extends keyof (TargetSettings & { config?: string })>(
    key: K,
    value: (TargetSettings & { config?: string })[K] | undefined,
  ) => {
    if (value !== undefined) {
      settings[key] = value;
    }
  };
  assign("target", text("WA_CONFORMANCE_TARGET"));
  assign("profile", text("WA_CONFORMANCE_PROFILE"));
  assign("token", text("WA_CONFORMANCE_TOKEN"));
  assign("username", text("WA_CONFORMANCE_USERNAME"));
  assign("password", text("WA_CONFORMANCE_PASSWORD"));
  assign("stateUrl", text("WA_CONFORMANCE_STATE_URL"));
  assign("stateHookToken", text("WA_CONFORMANCE_STATE_HOOK_TOKEN"));
  assign("config", text("WA_CONFORMANCE_CONFIG"));
  assign("reportDir", text("WA_CONFORMANCE_REPORT_DIR"));
  assign("expectedFailures", text("WA_CONFORMANCE_EXPECTED_FAILURES"));
  const integer = (name: keyof typeof ENVIRONMENT_VARIABLES, min: number, max: number) => {
    const value = text(name);
    return value === undefined ? undefined : parseInteger(name, value, min, max);
  };
  const boolean = (name: keyof typeof ENVIRONMENT_VARIABLES) => {
    const value = text(name);
    return value === undefined ? undefined : parseBoolean(name, value);
  };
  assign("timeoutMs", integer("WA_CONFORMANCE_TIMEOUT_MS", 1, 600000));
  assign("insecure", boolean("WA_CONFORMANCE_INSECURE"));
  assign("concurrency", integer("WA_CONFORMANCE_CONCURRENCY", 1, 256));
  assign("strict", boolean("WA_CONFORMANCE_STRICT"));
  return settings;
}

/**
 * A run's settings: flags over WA_CONFORMANCE_* variables over the config file (named by a flag or the
 * environment). A config file must name the target, unless a flag or the environment does: a file without one
 * would otherwise run the embedded reference and report it conformant in place of the user's server.
 */
export async function resolveRunSettings(
  flags: TargetSettings,
  configFlag: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<TargetSettings> {
  const { config: configEnv, ...fromEnv } = settingsFromEnvironment(env);
  const configPath = configFlag ?? configEnv;
  const fromFile =
    configPath === undefined ? {} : await readConfigFile(configPath, flags.contract ?? fromEnv.contract);
  const settings = mergeSettings(fromFile, fromEnv, flags);
  if (configPath !== undefined && settings.target === undefined) {
    throw new ConfigError(
      `the config file ${configPath} names no target: add "target: URL" to it (or pass --target); to run the embedded reference, give no config file`,
    );
  }
  return settings;
}

/** Later sources win, key by key; `states` merge per state. */
export function mergeSettings(...sources: TargetSettings[]): TargetSettings {
  const merged: TargetSettings = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source) as [keyof TargetSettings, unknown][]) {
      if (value === undefined) {
        continue;
      }
      if (key === "states") {
        merged.states = { ...merged.states, ...(value as StaticStates) };
      } else {
        (merged as Record<string, unknown>)[key] = value;
      }
    }
  }
  return merged;
}

export function validateUrl(what: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${what} "${value}" is not a URL (for example http://127.0.0.1:9090)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`${what} "${value}" must be an http or https URL`);
  }
  return value.replace(/\/+$/, "");
}

/** A profile of the contract's x-profiles (`profiles`, default the kit's); none given is the first. */
export function parseProfile(
  value: string | undefined,
  profiles: readonly ProfileName[] = PROFILES,
): ProfileName {
  if (value === undefined) {
    const first = profiles[0];
    if (first === undefined) {
      throw new ConfigError("the contract declares no profile in x-profiles");
    }
    return first;
  }
  if (!profiles.includes(value)) {
    throw new ConfigError(`profile must be one of ${profiles.join(", ")}, not "${value}"`);
  }
  return value;
}

/** The settings of a user's target, with defaults filled in; `profiles` are its contract's (default the kit's). */
export function toTargetConfig(
  settings: TargetSettings,
  profiles: readonly ProfileName[] = PROFILES,
): TargetConfig {
  if (settings.target === undefined) {
    throw new ConfigError("no target URL");
  }
  const url = validateUrl("the target", settings.target);
  const profile = parseProfile(settings.profile, profiles);
  if (settings.username !== undefined && settings.password === undefined) {
    throw new ConfigError("--username needs --password (or WA_CONFORMANCE_PASSWORD)");
  }
  return {
    url,
    profile,
    name: settings.name ?? url,
    ...(settings.token === undefined ? {} : { token: settings.token }),
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.stateUrl === undefined ? {} : { stateUrl: validateUrl("the state URL", settings.stateUrl) }),
    ...(settings.stateHookToken === undefined ? {} : { stateHookToken: settings.stateHookToken }),
    // What a profile implies (a sunset target is registration-blocked) is the contract's x-profiles `states`.
    states: { ...settings.states },
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    insecure: settings.insecure ?? false,
    concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY,
    strict: settings.strict ?? false,
  };
}
