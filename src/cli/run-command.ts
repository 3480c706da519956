// `run`: the pipeline of src/pipeline with console output: each case, the requirement tables, the summary; returns the exit code.
import type { Baseline } from "../baseline/baseline.js";
import { ConfigError, resolveRunSettings, type TargetSettings } from "../config/config.js";
import { parseReporters } from "../pipeline/reporters.js";
import { runConformance } from "../pipeline/run-conformance.js";
import { requirementExcuses } from "../report/excuses.js";
import type { Redactor } from "../report/redact.js";
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
  stateHookToken?: string;
  config?: string;
  /** Another contract (--contract) and case folder (--cases) to run. */
  contract?: string;
  cases?: string;
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
  /** Run the matrix this many times and report cases whose verdict changes as FLAKY. */
  repeat?: number;
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
    ["stateHookToken", flags.stateHookToken],
    ["timeoutMs", flags.timeout],
    ["insecure", flags.insecure],
    ["concurrency", flags.concurrency],
    ["strict", flags.strict],
    ["cases", flags.case && flags.case.length > 0 ? flags.case : undefined],
    ["reportDir", flags.reportDir],
    ["expectedFailures", flags.expectedFailures],
    ["contract", flags.contract],
    ["caseDir", flags.cases],
  ];
  for (const [key, value] of pairs) {
    if (value !== undefined) {
      (settings as Record<string, unknown>)[key] = value;
    }
  }
  return settings;
}

/** Flags over environment over config file. */
export function resolveSettings(flags: RunFlags, env: NodeJS.ProcessEnv): Promise<TargetSettings> {
  return resolveRunSettings(flagSettings(flags), flags.config, env);
}

export async function runCommand(flags: RunFlags, env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  const settings = await resolveSettings(flags, env);
  if (flags.reporter !== undefined && settings.reportDir === undefined) {
    throw new ConfigError("--reporter needs --report-dir: the directory the reports are written to");
  }
  const reporters = parseReporters(flags.reporter);
  const repeat = flags.repeat ?? 1;
  if (flags.includeSecrets === true) {
    output.err(
      "warning: --include-secrets: the console and the reports show passwords, tokens, PINs and certificates; do not share them",
    );
  }
  // The outcome's redactor exists only once targets are known; the callbacks below run after that.
  let redactor: Redactor | undefined;
  let baseline: Baseline | undefined;
  const strict = settings.strict ?? false;
  const outcome = await runConformance({
    settings,
    reporters,
    repeat,
    ...(flags.includeSecrets === undefined ? {} : { includeSecrets: flags.includeSecrets }),
    events: {
      embedded: (profiles) =>
        output.out(
          `No --target given: running the embedded reference implementation in ${profiles.join(" and ")}.`,
        ),
      loaded: (contract, cases, known) => {
        redactor = known.redactor;
        baseline = known.baseline;
        output.out(
          `Contract ${contract.sha256.slice(0, 12)}, ${contract.requirements.length} requirements, ${cases.length} cases.`,
        );
      },
      target: (target, repetition) =>
        output.out(
          (redactor as Redactor).text(
            `${formatRunHeader(target)}${repeat > 1 ? ` (repetition ${repetition} of ${repeat})` : ""}`,
          ),
        ),
      result: (result) => {
        if (!flags.quiet || result.verdict !== "PASS") {
          const excuses = baseline?.excuseFor(result, strict);
          output.out(
            formatCaseResult(
              (redactor as Redactor).caseResult(result),
              output.style,
              flags.verbose ?? false,
              excuses,
            ),
          );
        }
      },
    },
  });
  for (const run of outcome.runs) {
    const isExcused = (id: string) => {
      const requirement = run.requirements.find((item) => item.requirement.id === id);
      return (
        requirement !== undefined &&
        requirementExcuses(outcome.baseline?.baseline, run, requirement, strict) !== undefined
      );
    };
    output.out(`\n${formatRequirementTable(run, output.style, isExcused)}`);
  }
  output.out(formatSummary(outcome.runs, outcome.summary, strict, output.style));
  if (outcome.reports.length > 0) {
    output.out(`Reports: ${outcome.reports.join(", ")}`);
  }
  return outcome.summary.exitCode;
}
