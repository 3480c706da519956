// Every key of run's config file: its JSON Schema, its meaning and its flag; the published schema and the README table come from here.

/** One config key: the schema its value meets, what it means, and the `run` flag that sets it too (if any). */
export interface ConfigKey {
  schema: Record<string, unknown>;
  description: string;
  flag?: string;
}

/** The keys in the order the README table lists them. `profile` and `states` are narrowed per contract (config.ts). */
export const CONFIG_KEYS = {
  $schema: {
    schema: { type: "string" },
    description:
      "The URL or path of this schema, for editors that complete and check the file; the kit ignores it.",
  },
  target: {
    schema: { type: "string", minLength: 1 },
    description:
      "Base URL of the implementation under test (http or https). Required in a config file, unless a flag or the environment gives it.",
    flag: "--target",
  },
  name: {
    schema: { type: "string", minLength: 1 },
    description: "The target's name in the reports (default: its URL).",
  },
  profile: {
    schema: { type: "string", minLength: 1 },
    description: "The profile the target claims, one of the contract's x-profiles (default: the first).",
    flag: "--profile",
  },
  token: {
    schema: { type: "string", minLength: 1 },
    description:
      "An admin Bearer token, instead of logging in (the login cases then skip). A secret: redacted.",
    flag: "--token",
  },
  username: {
    schema: { type: "string", minLength: 1 },
    description: "The admin user, logged in through POST /v1/users/login; needs password.",
    flag: "--username",
  },
  password: {
    schema: { type: "string" },
    description: "The admin's password. A secret: redacted.",
    flag: "--password",
  },
  stateUrl: {
    schema: { type: "string", minLength: 1 },
    description: "The target's provider-state hook, checked once before any case.",
    flag: "--state-url",
  },
  stateHookToken: {
    schema: { type: "string", minLength: 1 },
    description:
      "Sent to the state hook as Authorization: Bearer, for a hook that asks for one. A secret: redacted.",
    flag: "--state-hook-token",
  },
  timeoutMs: {
    schema: { type: "integer", minimum: 1, maximum: 600000 },
    description: "Per-request timeout in milliseconds (default 5000).",
    flag: "--timeout",
  },
  insecure: {
    schema: { type: "boolean" },
    description: "Accept a TLS certificate that does not verify (self-signed); off unless asked.",
    flag: "--insecure",
  },
  concurrency: {
    schema: { type: "integer", minimum: 1, maximum: 256 },
    description: "Cases run at once (default 8); 1 for a target that holds one number at a time.",
    flag: "--concurrency",
  },
  strict: {
    schema: { type: "boolean" },
    description: "SHOULD failures (WARN) fail the run too.",
    flag: "--strict",
  },
  cases: {
    schema: { type: "array", items: { type: "string" } },
    description: "Run only these case ids; the run is then partial and does not assess conformance.",
    flag: "--case",
  },
  reportDir: {
    schema: { type: "string", minLength: 1 },
    description: "The folder run writes its reports to.",
    flag: "--report-dir",
  },
  expectedFailures: {
    schema: { type: "string", minLength: 1 },
    description: "The file of this target's known failures (schemas/expected-failures.schema.json).",
    flag: "--expected-failures",
  },
  contract: {
    schema: { type: "string", minLength: 1 },
    description:
      "Another OpenAPI contract with the kit's extensions to run (default the kit's openapi/openapi.yaml).",
    flag: "--contract",
  },
  caseDir: {
    schema: { type: "string", minLength: 1 },
    description: "Another folder of case files (default the kit's fixtures/cases).",
    flag: "--cases",
  },
  states: {
    schema: { type: "object" },
    description:
      "Static state data for a target without a state hook: per provider state of the contract's x-provider-states, what one of its static forms takes.",
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;

/** A key's schema with its description, as the published schema holds it. */
export function describedSchema(name: ConfigKeyName): Record<string, unknown> {
  const key: ConfigKey = CONFIG_KEYS[name];
  return { ...key.schema, description: key.description };
}
