// `run`: resolves the target(s), runs the matrix, prints results, requirement table and summary; returns the exit code.
import { type Baseline, loadBaseline, toExcusals } from "../baseline/baseline.js";
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
import { buildResultsDocument } from "../report/model.js";
import { redactorForTargets } from "../report/redact.js";
import { parseReporters, prepareReportDir, writeReports } from "../report/write-reports.js";
import { startEmbeddedTargets } from "../runner/embedded-targets.js";
import type { CaseResult, ProfileRun } from "../runner/results.js";
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
  /** Write the report artifacts here. */
  reportDir?: string;
  /** Which artifacts (junit, json, html, har, markdown); all when omitted. */
  reporter?: string[];
  /** A baseline of known failures of the target (YAML or JSON). */
  expectedFailures?: string;
  /** Leave credentials and sensitive fields in the reports and on the console (local debugging only). */
  includeSecrets?: boolean;
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
    ["reportDir", flags.reportDir],
    ["expectedFailures", flags.expectedFailures],
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
  // The report directory and the baseline may come from a flag, WA_CONFORMANCE_* or the config file.
  const { reportDir, expectedFailures } = settings;
  if (flags.reporter !== undefined && reportDir === undefined) {
    throw new ConfigError("--reporter needs --report-dir: the directory the reports are written to");
  }
  const reporters = parseReporters(flags.reporter);
  const contract = await loadContract();
  const allCases = await loadCases(contract);
  const cases = selectCases(allCases, settings.cases);
  const strict = settings.strict ?? false;
  // Checked before any case runs: a bad baseline or an unwritable report directory is exit 2, not a wasted run.
  let baseline: Baseline | undefined;
  if (expectedFailures !== undefined) {
    baseline = await loadBaseline(expectedFailures, {
      cases: allCases.map((testCase) => testCase.id),
      requirements: contract.requirements.map((requirement) => requirement.id),
    });
  }
  if (reportDir !== undefined) {
    await prepareReportDir(reportDir);
  }
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
  // One redactor for the console and every artifact; it learns tokens and codes from the exchanges as they come.
  const redactor = redactorForTargets(contract, targets, flags.includeSecrets !== true);
  if (!redactor.enabled) {
    output.err(
      "warning: --include-secrets: the console and the reports show passwords, tokens, PINs and certificates; do not share them",
    );
  }
  output.out(
    `Contract ${contract.sha256.slice(0, 12)}, ${contract.requirements.length} requirements, ${cases.length} cases.`,
  );
  const startedAt = new Date().toISOString();
  const caseEndTimes = new Map<CaseResult, number>();
  try {
    const runs: ProfileRun[] = [];
    for (const target of targets) {
      await probeTarget(target);
      output.out(redactor.text(formatRunHeader(target)));
      const run = await runMatrix(contract, cases, target, {
        reportOtherProfiles: settings.cases !== undefined,
        subset: settings.cases !== undefined,
        onResult: (result) => {
          caseEndTimes.set(result, Date.now());
          redactor.learnFromResult(result);
          if (!flags.quiet || result.verdict !== "PASS") {
            const excuses = baseline?.excuseFor(result, strict);
            output.out(
              formatCaseResult(redactor.caseResult(result), output.style, flags.verbose ?? false, excuses),
            );
          }
        },
      });
      runs.push(run);
    }
    const isExcused = (id: string) => baseline?.excuseForUnexercised(id) !== undefined;
    for (const run of runs) {
      output.out(`\n${formatRequirementTable(run, output.style, isExcused)}`);
    }
    const baselineOutcome = baseline?.evaluate(runs, strict);
    const summary = summarize(
      runs,
      strict,
      baseline && baselineOutcome ? toExcusals(baseline, strict, baselineOutcome) : undefined,
    );
    output.out(formatSummary(runs, summary, strict, output.style));
    if (reportDir !== undefined) {
      const document = buildResultsDocument({
        contract,
        cases,
        runs,
        summary,
        strict,
        redactor,
        startedAt,
        finishedAt: new Date().toISOString(),
        caseEndTimes,
        ...(baseline && baselineOutcome ? { baseline: { baseline, outcome: baselineOutcome } } : {}),
      });
      const written = await writeReports(reportDir, document, reporters);
      output.out(`Reports: ${written.join(", ")}`);
    }
    return summary.exitCode;
  } finally {
    await close();
  }
}
