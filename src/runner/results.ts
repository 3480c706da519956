// The outcome of a run: one result per case and profile, and the verdict per requirement derived from them.
import type { Level, ProfileName, Requirement } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";

export type Verdict = "PASS" | "FAIL" | "WARN" | "INFO" | "SKIP" | "ERROR";

export interface Failure {
  requirement: string;
  level: Level;
  check: string;
  expected: string;
  received: string;
  /** 1-based step of the case. */
  step: number;
}

export interface Observation {
  requirement: string;
  step: number;
  /** What the target did, e.g. "status 400, errors[0].code 1010". */
  summary: string;
}

export interface CaseResult {
  id: string;
  description: string;
  profile: ProfileName;
  requirements: { id: string; level: Level }[];
  verdict: Verdict;
  /** Why a case was skipped or errored, or the first failure in one line. */
  reason?: string;
  failures: Failure[];
  observations: Observation[];
  exchanges: Exchange[];
  durationMs: number;
}

export interface RequirementOutcome {
  requirement: Requirement;
  profile: ProfileName;
  /** Cases that exercised it (ran to a verdict other than SKIP or ERROR). */
  exercisedBy: string[];
  /** Cases that name it but were skipped or errored. */
  notExercisedBy: string[];
  verdict: Verdict | "UNEXERCISED";
}

/** A case whose verdict changed between repetitions of the matrix (`run --repeat`). */
export interface FlakyCase {
  profile: ProfileName;
  id: string;
  /** The verdict of each repetition, in order. */
  verdicts: Verdict[];
}

/** For a run of chosen cases (--case): how many of the profile's cases ran. */
export interface PartialRun {
  profile: ProfileName;
  ran: number;
  of: number;
}

export interface ProfileRun {
  profile: ProfileName;
  targetName: string;
  targetUrl: string;
  /** meta.version as the target reported it, if it did. */
  targetVersion: string | undefined;
  stateAccess: string;
  results: CaseResult[];
  requirements: RequirementOutcome[];
  startedAt: string;
  finishedAt: string;
  /** How many times the matrix ran (`run --repeat`); each result is the case's worst over them. */
  repetitions?: number;
  /** Cases whose verdict changed between repetitions. */
  flaky?: FlakyCase[];
}

export interface RunSummary {
  /** Every case result by verdict, excused ones included. */
  counts: Record<Verdict, number>;
  /** Of `counts`, the results a baseline of expected failures excused. */
  excused: Record<Verdict, number>;
  /** MUST requirements of a profile that no case exercised; `excused` when a baseline entry names them. */
  unexercisedMust: { profile: ProfileName; id: string; excused?: boolean }[];
  /** Failures that would have failed the run had a baseline not excused them. */
  excusedFailures: number;
  /** Stale or expired baseline entries; each fails the run. */
  baselineProblems: string[];
  /** Cases whose verdict changed between repetitions; each fails the run. */
  flaky: FlakyCase[];
  /**
   * Set when only chosen cases ran: conformance was not assessed, and exit 0 means only that the chosen cases
   * passed.
   */
  partial?: PartialRun[];
  exitCode: 0 | 1 | 3;
  /**
   * True when the exit code is 0 (possibly with excused failures: see `excusedFailures`) and the whole matrix
   * ran; a partial run is never called conformant.
   */
  conformant: boolean;
}

/** What a baseline of known failures excuses; summarize knows nothing of its file or format. */
export interface Excusals {
  isExcused(result: CaseResult): boolean;
  isUnexercisedExcused(profile: ProfileName, requirementId: string): boolean;
  /** Stale or expired entries: each fails the run. */
  problems: string[];
}

export const VERDICTS: Verdict[] = ["PASS", "FAIL", "WARN", "INFO", "SKIP", "ERROR"];

/**
 * The verdict policy, in one place: a case fails the run with FAIL or ERROR, and with WARN under strict, unless
 * a baseline excuses it.
 */
export function failsRun(verdict: Verdict, strict: boolean): boolean {
  return verdict === "FAIL" || verdict === "ERROR" || (strict && verdict === "WARN");
}

/** The worst verdict first, for combining outcomes. */
const SEVERITY: Record<Verdict, number> = { ERROR: 5, FAIL: 4, WARN: 3, INFO: 2, PASS: 1, SKIP: 0 };

export function worstVerdict(verdicts: Verdict[]): Verdict | undefined {
  let worst: Verdict | undefined;
  for (const verdict of verdicts) {
    if (worst === undefined || SEVERITY[verdict] > SEVERITY[worst]) {
      worst = verdict;
    }
  }
  return worst;
}

/**
 * Exit 0 conformant; 1 a FAIL, an ERROR, a MUST left unexercised, or (strict) a WARN, unless a baseline
 * excuses it, or a stale or expired baseline entry; 3 (target unreachable) is decided before a summary exists.
 */
export function summarize(
  runs: ProfileRun[],
  strict: boolean,
  excusals?: Excusals,
  partial?: PartialRun[],
): RunSummary {
  const zero = () => Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  const counts = zero();
  const excused = zero();
  for (const run of runs) {
    for (const result of run.results) {
      counts[result.verdict]++;
      if (excusals?.isExcused(result)) {
        excused[result.verdict]++;
      }
    }
  }
  const unexercisedMust = runs.flatMap((run) =>
    run.requirements
      .filter((outcome) => outcome.requirement.level === "MUST" && outcome.verdict === "UNEXERCISED")
      .map((outcome) => {
        const isExcused = excusals?.isUnexercisedExcused(run.profile, outcome.requirement.id) ?? false;
        return { profile: run.profile, id: outcome.requirement.id, ...(isExcused ? { excused: true } : {}) };
      }),
  );
  const left = (verdict: Verdict) => counts[verdict] - excused[verdict];
  const unexcusedUnexercised = unexercisedMust.filter((item) => !item.excused).length;
  const baselineProblems = excusals?.problems ?? [];
  const excusedFailures =
    excused.FAIL +
    excused.ERROR +
    (strict ? excused.WARN : 0) +
    (unexercisedMust.length - unexcusedUnexercised);
  const flaky = runs.flatMap((run) => run.flaky ?? []);
  const passed =
    left("FAIL") === 0 &&
    left("ERROR") === 0 &&
    unexcusedUnexercised === 0 &&
    (!strict || left("WARN") === 0) &&
    baselineProblems.length === 0 &&
    flaky.length === 0;
  return {
    counts,
    excused,
    unexercisedMust,
    excusedFailures,
    baselineProblems,
    flaky,
    ...(partial === undefined ? {} : { partial }),
    exitCode: passed ? 0 : 1,
    conformant: passed && partial === undefined,
  };
}
