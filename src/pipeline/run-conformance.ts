// One conformance run from settings to verdict: targets, cases, baseline, state-hook probe, matrix (repeated), summary, reports.
import type { Baseline, BaselineOutcome } from "../baseline/baseline.js";
import type { Case } from "../cases/case-types.js";
import { NumberAllocator } from "../cases/case-vars.js";
import { ConfigError, parseProfile, type TargetSettings, toTargetConfig } from "../config/config.js";
import { type Contract, PROFILES, type ProfileName } from "../contract/contract.js";
import type { Redactor } from "../report/redact.js";
import { startEmbeddedTargets } from "../runner/embedded-targets.js";
import { TargetUnreachableError } from "../runner/errors.js";
import {
  type CaseResult,
  type FlakyCase,
  type PartialRun,
  type ProfileRun,
  type RunSummary,
  summarize,
  type Verdict,
  worstVerdict,
} from "../runner/results.js";
import { BODY_RETENTION_CHARS } from "../runner/run-case.js";
import { rollUpRequirements, runMatrix, stateProviderFor } from "../runner/run-matrix.js";
import { LoginError } from "../runner/session.js";
import type { TargetConfig } from "../runner/target.js";
import { MAX_REPEAT } from "./limits.js";
import { prepareReportDir, type ReporterName, writeReports } from "./reporters.js";
import { loadSelectedCases, prepareTarget, redactorFor } from "./run-steps.js";

export interface RunEvents {
  /** No target was set: the embedded reference runs in these profiles. */
  embedded?(profiles: readonly ProfileName[]): void;
  /** Contract, cases and targets are known; nothing has been sent yet. */
  loaded?(contract: Contract, cases: Case[], known: { redactor: Redactor; baseline?: Baseline }): void;
  /** One target (one profile) starts its matrix of `caseCount` cases, for the repetition'th time (1-based). */
  target?(target: TargetConfig, repetition: number, caseCount: number): void;
  /** One case ended. */
  result?(result: CaseResult, repetition: number): void;
}

export interface RunRequest {
  settings: TargetSettings;
  /** Leave credentials in the reports and on the console (local debugging only). */
  includeSecrets?: boolean;
  /** Which reports to write into settings.reportDir (all when omitted). */
  reporters?: ReporterName[];
  /** Run the matrix this many times; a case whose verdict changes between repetitions is FLAKY. Default 1. */
  repeat?: number;
  events?: RunEvents;
}

export interface RunOutcome {
  contract: Contract;
  /** The cases selected for this run. */
  cases: Case[];
  /** Per target and profile, each case's worst result over the repetitions. */
  runs: ProfileRun[];
  summary: RunSummary;
  redactor: Redactor;
  baseline?: { baseline: Baseline; outcome: BaselineOutcome };
  /** The files written into the report directory. */
  reports: string[];
}

export { MAX_REPEAT } from "./limits.js";

/**
 * Runs the matrix as `run` and the vitest suites both do, so that both give the same verdict: case selection,
 * the embedded reference when no target is set, the baseline, one probe of the target and of its state hook, the
 * matrix, the summary's verdict policy and the reports. Usage errors throw ConfigError, an unreachable target or
 * hook TargetUnreachableError, before any case runs.
 */
export async function runConformance(request: RunRequest): Promise<RunOutcome> {
  const { settings, events = {} } = request;
  const repeat = request.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > MAX_REPEAT) {
    throw new ConfigError(`--repeat must be a whole number from 1 to ${MAX_REPEAT}, not ${repeat}`);
  }
  const { contract, allCases, cases } = await loadSelectedCases(settings.cases, settings);
  const strict = settings.strict ?? false;
  // Checked before any case runs: a bad baseline or an unwritable report directory is exit 2, not a wasted run.
  const baseline =
    settings.expectedFailures === undefined
      ? undefined
      : await (await import("../baseline/baseline.js")).loadBaseline(settings.expectedFailures, {
          cases: allCases.map((testCase) => testCase.id),
          requirements: contract.requirements.map((requirement) => requirement.id),
        });
  if (settings.reportDir !== undefined) {
    await prepareReportDir(settings.reportDir);
  }
  const { targets, close } = await resolveTargets(settings, strict, events, contract);
  try {
    const redactor = redactorFor(contract, targets, request.includeSecrets === true);
    events.loaded?.(contract, cases, { redactor, ...(baseline === undefined ? {} : { baseline }) });
    const startedAt = new Date().toISOString();
    const caseEndTimes = new Map<CaseResult, number>();
    const subset = settings.cases !== undefined;
    const runs: ProfileRun[] = [];
    /** The results of the matrix under way, for the partial reports written when the kit itself fails. */
    let underWay: { target: TargetConfig; results: CaseResult[] } | undefined;
    // One budget of large bodies kept whole for the whole run, whatever the number of targets and repetitions.
    const retention = { left: BODY_RETENTION_CHARS };
    const report = async (
      summary: RunSummary,
      finished: ProfileRun[],
      baselineOutcome: BaselineOutcome | undefined,
    ): Promise<string[]> => {
      if (settings.reportDir === undefined) {
        return [];
      }
      // Loaded only to write: a run without --report-dir never loads the results model and its renderers' helpers.
      const { buildResultsDocument } = await import("../report/model.js");
      const document = buildResultsDocument({
        contract,
        cases,
        runs: finished,
        summary,
        strict,
        redactor,
        startedAt,
        finishedAt: new Date().toISOString(),
        caseEndTimes,
        ...(baseline && baselineOutcome ? { baseline: { baseline, outcome: baselineOutcome } } : {}),
      });
      return writeReports(settings.reportDir, "run", document, request.reporters);
    };
    try {
      for (const target of targets) {
        await prepareTarget(contract, target, redactor);
        // One allocator for every repetition: a number registered in one is never reused as fresh in the next.
        const allocator = new NumberAllocator();
        let merged: Repetitions | undefined;
        // The cases runMatrix runs and reports on this target: all the chosen ones, else those of its profile.
        const caseCount = subset
          ? cases.length
          : cases.filter((testCase) => testCase.profiles.includes(target.profile)).length;
        for (let repetition = 1; repetition <= repeat; repetition++) {
          events.target?.(target, repetition, caseCount);
          const current = { target, results: [] as CaseResult[] };
          underWay = current;
          const run = await runMatrix(contract, cases, target, {
            allocator,
            retention,
            reportOtherProfiles: subset,
            subset,
            onResult: (result) => {
              current.results.push(result);
              caseEndTimes.set(result, Date.now());
              redactor.learnFromResult(result);
              events.result?.(result, repetition);
            },
          });
          underWay = undefined;
          // Folded in as each repetition ends, so a run holds one repetition's results, not all of them.
          const before = merged === undefined ? [] : [...merged.worst.values()];
          merged = foldRepetition(merged, run);
          const kept = new Set(merged.worst.values());
          for (const result of [...before, ...run.results]) {
            if (!kept.has(result)) {
              caseEndTimes.delete(result);
            }
          }
        }
        runs.push(mergedRun(contract, merged as Repetitions, subset));
      }
    } catch (error) {
      if (!isUsageOrReach(error)) {
        // A bug of the kit (whatever tripped it): the evidence gathered so far is written, never called conformant.
        const finished = underWay === undefined ? runs : [...runs, partialRun(contract, underWay, subset)];
        const failed: RunSummary = { ...summarize(finished, strict), exitCode: 1, conformant: false };
        await report(failed, finished, baseline?.evaluate(finished, strict)).catch(() => []);
      }
      throw error;
    }
    const baselineOutcome = baseline?.evaluate(runs, strict);
    const excusals =
      baseline && baselineOutcome
        ? (await import("../baseline/baseline.js")).toExcusals(baseline, strict, baselineOutcome)
        : undefined;
    const summary = summarize(runs, strict, excusals, subset ? partialOf(runs, cases, allCases) : undefined);
    const withBaseline =
      baseline && baselineOutcome ? { baseline: { baseline, outcome: baselineOutcome } } : {};
    const reports = await report(summary, runs, baselineOutcome);
    return { contract, cases, runs, summary, redactor, ...withBaseline, reports };
  } finally {
    await close();
  }
}

/** Errors the user acts on (a setting, an unreachable target or hook, a refused login), not bugs of the kit. */
function isUsageOrReach(error: unknown): boolean {
  return (
    error instanceof ConfigError || error instanceof TargetUnreachableError || error instanceof LoginError
  );
}

/** The matrix that was under way when the kit failed, as a run of the cases that had ended. */
function partialRun(
  contract: Contract,
  underWay: { target: TargetConfig; results: CaseResult[] },
  subset: boolean,
): ProfileRun {
  const { target, results } = underWay;
  const now = new Date().toISOString();
  return {
    profile: target.profile,
    targetName: target.name,
    targetUrl: target.url,
    targetVersion: undefined,
    stateAccess: stateProviderFor(target).description,
    results,
    requirements: rollUpRequirements(contract, target.profile, results, subset),
    startedAt: now,
    finishedAt: now,
  };
}

async function resolveTargets(
  settings: TargetSettings,
  strict: boolean,
  events: RunEvents,
  contract: Contract,
): Promise<{ targets: TargetConfig[]; close: () => Promise<void> }> {
  if (settings.target !== undefined) {
    const profiles = contract.profiles.map((profile) => profile.name);
    return { targets: [toTargetConfig(settings, profiles)], close: async () => {} };
  }
  if (settings.stateUrl !== undefined || settings.token !== undefined || settings.username !== undefined) {
    throw new ConfigError(
      "--state-url, --token and --username need a --target; without one the embedded reference runs",
    );
  }
  const profiles = settings.profile === undefined ? PROFILES : [parseProfile(settings.profile)];
  events.embedded?.(profiles);
  return startEmbeddedTargets(profiles, {
    strict,
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
  });
}

/**
 * The repetitions of one profile run so far: the latest run, each case's worst result and every verdict it got,
 * in order. Earlier runs are not kept: only their worst results, through `worst`.
 */
interface Repetitions {
  startedAt: string;
  last: ProfileRun;
  count: number;
  worst: Map<string, CaseResult>;
  verdicts: Map<string, Verdict[]>;
}

function foldRepetition(so: Repetitions | undefined, run: ProfileRun): Repetitions {
  const folded = so ?? {
    startedAt: run.startedAt,
    last: run,
    count: 0,
    worst: new Map(),
    verdicts: new Map(),
  };
  folded.last = run;
  folded.count++;
  for (const result of run.results) {
    const before = folded.worst.get(result.id);
    if (before === undefined || worstVerdict([before.verdict, result.verdict]) !== before.verdict) {
      folded.worst.set(result.id, result);
    }
    folded.verdicts.set(result.id, [...(folded.verdicts.get(result.id) ?? []), result.verdict]);
  }
  return folded;
}

/**
 * One profile run out of its repetitions: each case keeps its worst result, so a failure seen once is never
 * hidden, and a case whose verdict changed is FLAKY with every verdict it got, in order.
 */
function mergedRun(contract: Contract, repetitions: Repetitions, subset: boolean): ProfileRun {
  const { last, count } = repetitions;
  if (count === 1) {
    return last;
  }
  // Every repetition runs the same cases in the same order: the last one's order is the run's.
  const results = last.results.map((result) => repetitions.worst.get(result.id) ?? result);
  const flaky: FlakyCase[] = results
    .map((result) => ({
      profile: last.profile,
      id: result.id,
      verdicts: repetitions.verdicts.get(result.id) ?? [],
    }))
    .filter((item) => new Set(item.verdicts).size > 1);
  return {
    ...last,
    results,
    requirements: rollUpRequirements(contract, last.profile, results, subset),
    startedAt: repetitions.startedAt,
    repetitions: count,
    flaky,
  };
}

/** For a run of chosen cases: how many of each profile's cases were chosen. */
function partialOf(runs: ProfileRun[], chosen: Case[], allCases: Case[]): PartialRun[] {
  const ofProfile = (list: Case[], profile: ProfileName) =>
    list.filter((testCase) => testCase.profiles.includes(profile)).length;
  return runs.map((run) => ({
    profile: run.profile,
    ran: ofProfile(chosen, run.profile),
    of: ofProfile(allCases, run.profile),
  }));
}
