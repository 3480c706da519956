// `diff`'s settings: flags over environment variables over the diff config file, per side, resolved into the plan of a diff.
import { dirname, resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import {
  CONFIG_SCHEMA,
  ConfigError,
  explainConfigErrors,
  mergeSettings,
  parseProfile,
  settingsFromEnvironment,
  type TargetSettings,
  toTargetConfig,
  validateUrl,
} from "../config/config.js";
import type { ProfileName } from "../contract/contract.js";
import { readDataFile } from "../data-file.js";
import type { BaselineSource, DiffPlan } from "../diff/diff-types.js";
import { readBaselineResults } from "../diff/recorded.js";
import { loadRules } from "../diff/rules.js";
import type { TargetConfig } from "../runner/target.js";

export interface DiffFlags {
  baseline?: string;
  candidate?: string;
  baseline2?: string;
  baselineResults?: string;
  baselineUsername?: string;
  baselinePassword?: string;
  baselineToken?: string;
  baselineStateUrl?: string;
  candidateUsername?: string;
  candidatePassword?: string;
  candidateToken?: string;
  candidateStateUrl?: string;
  baseline2Username?: string;
  baseline2Password?: string;
  baseline2Token?: string;
  baseline2StateUrl?: string;
  profile?: string;
  config?: string;
  rules?: string;
  case?: string[];
  timeout?: number;
  concurrency?: number;
  insecure?: boolean;
  reportDir?: string;
  reporter?: string[];
  includeSecrets?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

type Role = "baseline" | "candidate" | "baseline2";

/** How a side is named in flags and environment variables. */
const ROLE_NAMES: Record<Role, { flag: string; env: string }> = {
  baseline: { flag: "baseline", env: "BASELINE" },
  candidate: { flag: "candidate", env: "CANDIDATE" },
  baseline2: { flag: "baseline-2", env: "BASELINE_2" },
};

/** What one side of a diff config file may say: the target keys of run's config file. */
const SIDE_KEYS = ["target", "name", "token", "username", "password", "stateUrl", "states"] as const;

type SideSettings = Pick<TargetSettings, (typeof SIDE_KEYS)[number]>;

interface DiffFile {
  profile?: string;
  timeoutMs?: number;
  insecure?: boolean;
  concurrency?: number;
  cases?: string[];
  rules?: string;
  baselineResults?: string;
  baseline?: SideSettings;
  candidate?: SideSettings;
  baseline2?: SideSettings;
}

/** One side's section: run's target keys; `description` says which side. */
const sideSchema = (description: string) => ({
  type: "object",
  additionalProperties: false,
  description,
  properties: Object.fromEntries(SIDE_KEYS.map((key) => [key, CONFIG_SCHEMA.properties[key]])),
});

/** The diff config file's format: run's target keys per side, and the settings the sides share. */
export const DIFF_CONFIG_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "wa-account-conformance diff config file (diff --config FILE)",
  description:
    "Settings of a `diff` (YAML or JSON): what both sides share, and per side the target keys of run's config file. Flags win over environment variables, which win over this file.",
  type: "object",
  additionalProperties: false,
  properties: {
    $schema: CONFIG_SCHEMA.properties.$schema,
    profile: CONFIG_SCHEMA.properties.profile,
    timeoutMs: CONFIG_SCHEMA.properties.timeoutMs,
    insecure: CONFIG_SCHEMA.properties.insecure,
    concurrency: CONFIG_SCHEMA.properties.concurrency,
    cases: CONFIG_SCHEMA.properties.cases,
    rules: {
      type: "string",
      minLength: 1,
      description: "A rule file (ignore, volatile, format), relative to this file's folder (--rules).",
    },
    baselineResults: {
      type: "string",
      minLength: 1,
      description:
        "The results.json of an earlier run, in place of a live baseline, relative to this file's folder (--baseline-results).",
    },
    baseline: sideSchema("The implementation being replaced (--baseline and its --baseline-* flags)."),
    candidate: sideSchema("The implementation replacing it (--candidate and its --candidate-* flags)."),
    baseline2: sideSchema(
      "A second instance of the baseline, whose differences from the first are noise (--baseline-2 and its flags).",
    ),
  },
} as const;

let validateDiffFile: ValidateFunction | undefined;

/** Reads the diff config file; file paths in it are relative to the file's own folder. */
export async function readDiffConfigFile(path: string): Promise<DiffFile> {
  const data = await readDataFile(path, "the config file");
  if (data === null || data === undefined) {
    return {};
  }
  // verbose: an error carries its schema, whose properties are what a mistyped key is matched to.
  validateDiffFile ??= new Ajv2020({ allErrors: true, strict: false, verbose: true }).compile(
    DIFF_CONFIG_SCHEMA,
  );
  if (!validateDiffFile(data)) {
    throw new ConfigError(
      `the config file ${path} is invalid:\n${explainConfigErrors(validateDiffFile.errors).join("\n")}`,
    );
  }
  const file = data as DiffFile;
  const base = dirname(path);
  return {
    ...file,
    ...(file.rules === undefined ? {} : { rules: resolve(base, file.rules) }),
    ...(file.baselineResults === undefined ? {} : { baselineResults: resolve(base, file.baselineResults) }),
  };
}

function defined<T extends object>(entries: [keyof T, unknown][]): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (value !== undefined && value !== "") {
      out[key as string] = value;
    }
  }
  return out as T;
}

function flagSide(flags: DiffFlags, role: Role): SideSettings {
  const pick = {
    baseline: [
      flags.baseline,
      flags.baselineUsername,
      flags.baselinePassword,
      flags.baselineToken,
      flags.baselineStateUrl,
    ],
    candidate: [
      flags.candidate,
      flags.candidateUsername,
      flags.candidatePassword,
      flags.candidateToken,
      flags.candidateStateUrl,
    ],
    baseline2: [
      flags.baseline2,
      flags.baseline2Username,
      flags.baseline2Password,
      flags.baseline2Token,
      flags.baseline2StateUrl,
    ],
  }[role];
  const [target, username, password, token, stateUrl] = pick;
  return defined<SideSettings>([
    ["target", target],
    ["username", username],
    ["password", password],
    ["token", token],
    ["stateUrl", stateUrl],
  ]);
}

function envSide(env: NodeJS.ProcessEnv, role: Role): SideSettings {
  const prefix = `WA_CONFORMANCE_${ROLE_NAMES[role].env}`;
  return defined<SideSettings>([
    ["password", env[`${prefix}_PASSWORD`]],
    ["token", env[`${prefix}_TOKEN`]],
  ]);
}

interface Shared {
  profile: ProfileName | undefined;
  timeoutMs: number | undefined;
  insecure: boolean | undefined;
  concurrency: number;
}

/**
 * A second instance of the baseline shares its credentials and static state data unless told otherwise; its hook
 * is the baseline's hook path on its own host, when the baseline's hook lives on the baseline's host.
 */
function inheritFromBaseline(own: SideSettings, baseline: SideSettings): SideSettings {
  const inherited: SideSettings = { ...own };
  if (own.token === undefined && own.username === undefined) {
    if (baseline.token !== undefined) {
      inherited.token = baseline.token;
    }
    if (baseline.username !== undefined) {
      inherited.username = baseline.username;
      if (own.password === undefined && baseline.password !== undefined) {
        inherited.password = baseline.password;
      }
    }
  }
  if (own.states === undefined && baseline.states !== undefined) {
    inherited.states = baseline.states;
  }
  if (
    own.stateUrl === undefined &&
    baseline.stateUrl !== undefined &&
    own.target !== undefined &&
    baseline.target !== undefined
  ) {
    try {
      const hook = new URL(baseline.stateUrl);
      const baselineHost = new URL(baseline.target);
      if (hook.origin === baselineHost.origin) {
        inherited.stateUrl = new URL(`${hook.pathname}${hook.search}`, new URL(own.target).origin).toString();
      }
    } catch {
      // A malformed URL is reported with its side's name when the target is built.
    }
  }
  return inherited;
}

function toTarget(role: Role, side: SideSettings, shared: Shared, profile: ProfileName): TargetConfig {
  const names = ROLE_NAMES[role];
  if (side.target === undefined) {
    throw new ConfigError(
      `no ${names.flag} URL: give --${names.flag} URL or ${role}.target in the config file`,
    );
  }
  if (side.username !== undefined && side.password === undefined) {
    throw new ConfigError(
      `--${names.flag}-username needs --${names.flag}-password (or WA_CONFORMANCE_${names.env}_PASSWORD)`,
    );
  }
  try {
    validateUrl(`the ${names.flag} URL`, side.target);
    if (side.stateUrl !== undefined) {
      validateUrl(`the ${names.flag} state URL`, side.stateUrl);
    }
    return toTargetConfig({
      ...side,
      profile,
      concurrency: shared.concurrency,
      ...(shared.timeoutMs === undefined ? {} : { timeoutMs: shared.timeoutMs }),
      ...(shared.insecure === undefined ? {} : { insecure: shared.insecure }),
    });
  } catch (error) {
    if (error instanceof ConfigError && !error.message.includes(names.flag)) {
      throw new ConfigError(`${names.flag}: ${error.message}`);
    }
    throw error;
  }
}

/** Everything the diff needs, resolved: flags over environment variables over the config file, per side. */
export async function resolveDiffPlan(flags: DiffFlags, env: NodeJS.ProcessEnv): Promise<DiffPlan> {
  const file = flags.config === undefined ? {} : await readDiffConfigFile(flags.config);
  const fromEnv = settingsFromEnvironment(env);
  const side = (role: Role): SideSettings =>
    mergeSettings(file[role] ?? {}, envSide(env, role), flagSide(flags, role)) as SideSettings;
  const baselineSettings = side("baseline");
  const candidateSettings = side("candidate");
  const baseline2Own = side("baseline2");
  const baselineResults = flags.baselineResults ?? file.baselineResults;
  const shared: Shared = {
    profile: undefined,
    timeoutMs: flags.timeout ?? fromEnv.timeoutMs ?? file.timeoutMs,
    insecure: flags.insecure ?? fromEnv.insecure ?? file.insecure,
    // One case at a time by default: cases share a target's users and settings, and a diff must not mistake
    // two cases disturbing each other for a change of behaviour.
    concurrency: flags.concurrency ?? file.concurrency ?? 1,
  };
  const profileText = flags.profile ?? fromEnv.profile ?? file.profile;
  shared.profile = profileText === undefined ? undefined : parseProfile(profileText);

  if (baselineResults !== undefined && baselineSettings.target !== undefined) {
    throw new ConfigError("give either --baseline URL or --baseline-results FILE, not both");
  }
  if (baselineResults === undefined && baselineSettings.target === undefined) {
    throw new ConfigError(
      "diff needs a baseline: --baseline URL (a live implementation) or --baseline-results FILE (an earlier run)",
    );
  }
  if (candidateSettings.target === undefined) {
    throw new ConfigError("diff needs --candidate URL (or candidate.target in the config file)");
  }
  // Only flags and the file count here: a WA_CONFORMANCE_BASELINE_2_PASSWORD left in a CI environment is no request.
  const baseline2Asked = { ...file.baseline2, ...flagSide(flags, "baseline2") };
  if (baseline2Own.target === undefined && Object.keys(baseline2Asked).length > 0) {
    throw new ConfigError(
      "--baseline-2-* settings need --baseline-2 URL (or baseline2.target in the config file)",
    );
  }
  if (baselineResults !== undefined && baseline2Own.target !== undefined) {
    throw new ConfigError(
      "--baseline-2 needs a live --baseline: noise is what two running instances of the baseline disagree on",
    );
  }

  let baseline: BaselineSource;
  let profile: ProfileName;
  if (baselineResults !== undefined) {
    const recorded = await readBaselineResults(resolve(baselineResults), shared.profile);
    profile = shared.profile ?? recorded.profile ?? "registration-open";
    baseline = { kind: "recorded", recorded };
  } else {
    profile = shared.profile ?? "registration-open";
    baseline = { kind: "live", target: toTarget("baseline", baselineSettings, shared, profile) };
  }
  const candidate = toTarget("candidate", candidateSettings, shared, profile);
  const baseline2 =
    baseline2Own.target === undefined
      ? undefined
      : toTarget("baseline2", inheritFromBaseline(baseline2Own, baselineSettings), shared, profile);
  if (baseline2 && !baseline2.stateUrl && baseline.kind === "live" && baseline.target.stateUrl) {
    throw new ConfigError(
      "the baseline has a provider-state hook on another host, so baseline-2's cannot be guessed: give --baseline-2-state-url",
    );
  }

  const ids = flags.case && flags.case.length > 0 ? flags.case : file.cases;
  const rules = await loadRules(flags.rules ?? file.rules);
  return {
    profile,
    ...(ids === undefined ? {} : { caseIds: ids }),
    baseline,
    candidate,
    ...(baseline2 ? { baseline2 } : {}),
    rules,
    concurrency: shared.concurrency,
  };
}
