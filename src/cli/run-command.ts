// `run`: the pipeline of src/pipeline with console output (progress, what did not pass, the summary, or all with --verbose); returns the exit code.
import type { Baseline } from "../baseline/baseline.js";
import { ConfigError, resolveRunSettings, type TargetSettings } from "../config/config.js";
import { parseReporters } from "../pipeline/reporters.js";
import { runConformance } from "../pipeline/run-conformance.js";
import { requirementExcuses } from "../report/excuses.js";
import type { Redactor } from "../report/redact.js";
import {
  type ConsoleStyle,
  formatCaseLine,
  formatCaseResult,
  formatProgress,
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
  /** One line (or several) of stdout; the newline is added. */
  out: (text: string) => void;
  err: (text: string) => void;
  style: ConsoleStyle;
  /**
   * Set only when stdout is a terminal: rewrites the one live line in place (no newline); "" clears it. A run
   * shows its progress there and clears it before anything else it prints.
   */
  live?: (line: string) => void;
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
  const verbose = flags.verbose ?? false;
  const quiet = flags.quiet ?? false;
  // Cases the user named are all shown: a PASS among them is news; in a full run only what did not pass is.
  const chosen = settings.cases !== undefined;
  const live = quiet || verbose ? undefined : output.live;
  let liveShown = false;
  const say = (text: string) => {
    if (liveShown) {
      live?.("");
      liveShown = false;
    }
    output.out(text);
  };
  const progress = { done: 0, total: 0, profile: "" };
  const outcome = await runConformance({
    settings,
    reporters,
    repeat,
    ...(flags.includeSecrets === undefined ? {} : { includeSecrets: flags.includeSecrets }),
    events: {
      embedded: (profiles) => {
        if (!quiet) {
          say(
            `No --target given: running the embedded reference implementation in ${profiles.join(" and ")}.`,
          );
        }
      },
      loaded: (contract, cases, known) => {
        redactor = known.redactor;
        baseline = known.baseline;
        if (!quiet) {
          say(
            `Contract ${contract.sha256.slice(0, 12)}, ${contract.requirements.length} requirements, ${cases.length} cases.`,
          );
        }
      },
      target: (target, repetition, caseCount) => {
        Object.assign(progress, { done: 0, total: caseCount, profile: target.profile });
        if (!quiet) {
          say(
            (redactor as Redactor).text(
              `${formatRunHeader(target, flags.config ?? env.WA_CONFORMANCE_CONFIG)}${
                repeat > 1 ? ` (repetition ${repetition} of ${repeat})` : ""
              }`,
            ),
          );
        }
      },
      result: (result) => {
        progress.done++;
        const excuses = baseline?.excuseFor(result, strict);
        const shown = verbose || chosen || (result.verdict !== "PASS" && result.verdict !== "INFO");
        if (!quiet && shown) {
          const redacted = (redactor as Redactor).caseResult(result);
          // A terminal's reader gets each broken check; a CI log one line per case (the reports hold the rest).
          say(
            verbose || output.live !== undefined
              ? formatCaseResult(redacted, output.style, verbose, excuses)
              : formatCaseLine(redacted, output.style, excuses),
          );
        }
        if (live !== undefined) {
          live(
            (redactor as Redactor).text(
              formatProgress(progress.done, progress.total, progress.profile, result.id),
            ),
          );
          liveShown = true;
        }
      },
    },
  }).finally(() => {
    // An error ending the run is printed on a clean line.
    if (liveShown) {
      live?.("");
      liveShown = false;
    }
  });
  if (!quiet) {
    for (const run of outcome.runs) {
      const isExcused = (id: string) => {
        const requirement = run.requirements.find((item) => item.requirement.id === id);
        return (
          requirement !== undefined &&
          requirementExcuses(outcome.baseline?.baseline, run, requirement, strict) !== undefined
        );
      };
      say(`\n${formatRequirementTable(run, output.style, isExcused, verbose)}`);
    }
  }
  say(formatSummary(outcome.runs, outcome.summary, strict, output.style));
  if (outcome.reports.length > 0) {
    say(`Reports: ${outcome.reports.join(", ")}`);
  }
  return outcome.summary.exitCode;
}
