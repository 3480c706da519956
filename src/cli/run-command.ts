// `run`: resolves the target(s), runs the matrix, prints results, requirement table and summary; returns the exit code.
import type { Case } from "../cases/case-types.js";
import { loadCases } from "../cases/load-cases.js";
import {
  ConfigError,
  mergeSettings,
  parseProfile,
  readConfigFile,
  settingsFromEnvironment,
  type TargetSettings,
  toTargetConfig,
} from "../config/config.js";
import { loadContract, PROFILES } from "../contract/contract.js";
import { startEmbeddedTargets } from "../runner/embedded-targets.js";
import type { ProfileRun } from "../runner/results.js";
import { summarize } from "../runner/results.js";
import { probeTarget, runMatrix } from "../runner/run-matrix.js";
import type { TargetConfig } from "../runner/target.js";
import {
  type ConsoleStyle,
  formatCaseResult,
  formatRequirementTable,
  formatRunHeader,
  formatSummary,
} from "./console-report.js";

export interface RunFlags {
  target?: string;
  profile?: string;
  token?: string;
  username?: string;
  password?: string;
  stateUrl?: string;
  config?: string;
  case?: string[];
  timeout?: number;
  insecure?: boolean;
  concurrency?: number;
  strict?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  style: ConsoleStyle;
}

function flagSettings(flags: RunFlags): TargetSettings {
  const settings: TargetSettings = {};
  const pairs: [keyof TargetSettings, unknown][] = [
    ["target", flags.target],
    ["profile", flags.profile],
    ["token", flags.token],
    ["username", flags.username],
    ["password", flags.password],
    ["stateUrl", flags.stateUrl],
    ["timeoutMs", flags.timeout],
    ["insecure", flags.insecure],
    ["concurrency", flags.concurrency],
    ["strict", flags.strict],
    ["cases", flags.case && flags.case.length > 0 ? flags.case : undefined],
  ];
  for (const [key, value] of pairs) {
    if (value !== undefined) {
      (settings as Record<string, unknown>)[key] = value;
    }
  }
  return settings;
}

/** Flags over environment over config file. */
export async function resolveSettings(flags: RunFlags, env: NodeJS.ProcessEnv): Promise<TargetSettings> {
  const fromEnv = settingsFromEnvironment(env);
  const configPath = flags.config ?? fromEnv.config;
  const fromFile = configPath === undefined ? {} : await readConfigFile(configPath);
  const { config: _config, ...envSettings } = fromEnv;
  return mergeSettings(fromFile, envSettings, flagSettings(flags));
}

export function selectCases(cases: Case[], ids: string[] | undefined): Case[] {
  if (!ids || ids.length === 0) {
    return cases;
  }
  const known = new Set(cases.map((testCase) => testCase.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown case id${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (wa-account-conformance list shows them all)`,
    );
  }
  const wanted = new Set(ids);
  return cases.filter((testCase) => wanted.has(testCase.id));
}

export async function runCommand(flags: RunFlags, env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const settings = await resolveSettings(flags, env);
  const contract = await loadContract();
  const cases = selectCases(await loadCases(contract), settings.cases);
  const strict = settings.strict ?? false;
  let targets: TargetConfig[];
  let close = async () => {};
  if (settings.target === undefined) {
    if (settings.stateUrl !== undefined || settings.token !== undefined || settings.username !== undefined) {
      throw new ConfigError(
        "--state-url, --token and --username need a --target; without one the embedded reference runs",
      );
    }
    const profiles = settings.profile === undefined ? PROFILES : [parseProfile(settings.profile)];
    const embedded = await startEmbeddedTargets(profiles, {
      strict,
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
    });
    targets = embedded.targets;
    close = embedded.close;
    output.out(
      `No --target given: running the embedded reference implementation in ${profiles.join(" and ")}.`,
    );
  } else {
    targets = [toTargetConfig(settings)];
  }
  output.out(
    `Contract ${contract.sha256.slice(0, 12)}, ${contract.requirements.length} requirements, ${cases.length} cases.`,
  );
  try {
    const runs: ProfileRun[] = [];
    for (const target of targets) {
      await probeTarget(target);
      output.out(formatRunHeader(target));
      const run = await runMatrix(contract, cases, target, {
        onResult: (result) => {
          if (!flags.quiet || result.verdict !== "PASS") {
            output.out(formatCaseResult(result, output.style, flags.verbose ?? false));
          }
        },
      });
      runs.push(run);
    }
    for (const run of runs) {
      output.out(`\n${formatRequirementTable(run, output.style)}`);
    }
    const summary = summarize(runs, strict);
    output.out(formatSummary(runs, summary, strict, output.style));
    return summary.exitCode;
  } finally {
    await close();
  }
}
