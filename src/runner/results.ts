// The outcome of a run: one result per case and profile, and the verdict per requirement derived from them.
import type { Level, ProfileName, Requirement } from "../contract/contract.js";
import type { Exchange } from "../http/send.js";

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
}

export interface RunSummary {
  counts: Record<Verdict, number>;
  /** MUST requirements of a profile that no case exercised. */
  unexercisedMust: { profile: ProfileName; id: string }[];
  exitCode: 0 | 1 | 3;
  conformant: boolean;
}

export const VERDICTS: Verdict[] = ["PASS", "FAIL", "WARN", "INFO", "SKIP", "ERROR"];

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

/** Exit 0 conformant; 1 a FAIL, an ERROR, a MUST left unexercised, or (strict) a WARN; 3 target unreachable. */
export function summarize(runs: ProfileRun[], strict: boolean): RunSummary {
  const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Record<Verdict, number>;
  for (const run of runs) {
    for (const result of run.results) {
      counts[result.verdict]++;
    }
  }
  const unexercisedMust = runs.flatMap((run) =>
    run.requirements
      .filter((outcome) => outcome.requirement.level === "MUST" && outcome.verdict === "UNEXERCISED")
      .map((outcome) => ({ profile: run.profile, id: outcome.requirement.id })),
  );
  const conformant =
    counts.FAIL === 0 && counts.ERROR === 0 && unexercisedMust.length === 0 && (!strict || counts.WARN === 0);
  return { counts, unexercisedMust, exitCode: conformant ? 0 : 1, conformant };
}
