// What a baseline excused, as every output shows it: the one excused count, and the excuses of a requirement's row.
import type { Baseline, Excuse } from "../baseline/baseline.js";
import type { ProfileRun, RequirementOutcome, Verdict } from "../runner/results.js";
import { VERDICTS } from "../runner/results.js";

/** A run's summary (`excused`) or a results document's (`excusedCounts`): excused results by verdict. */
export type ExcusedTally = { unexercisedMust: readonly { excused?: boolean }[] } & (
  | { excused: Record<Verdict, number> }
  | { excusedCounts: Record<Verdict, number> }
);

/**
 * How many results a baseline excused: every excused case result (a WARN too, even without --strict: it is
 * shown as excused) and every excused unexercised MUST requirement. The one count the console, results.json's
 * readers and every report show, from a run's summary or from a results document's.
 */
export function excusedCount(summary: ExcusedTally): number {
  const byVerdict = "excusedCounts" in summary ? summary.excusedCounts : summary.excused;
  const cases = VERDICTS.reduce((sum, verdict) => sum + byVerdict[verdict], 0);
  return cases + summary.unexercisedMust.filter((item) => item.excused === true).length;
}

/**
 * The entries that excuse a requirement's verdict, or undefined: an unexercised MUST by its requirement entry;
 * a FAIL or WARN by its requirement entry, or when every case that failed on it is excused (by whatever entry).
 */
export function requirementExcuses(
  baseline: Baseline | undefined,
  run: ProfileRun,
  outcome: RequirementOutcome,
  strict: boolean,
): Excuse[] | undefined {
  if (baseline === undefined) {
    return undefined;
  }
  const { id, level } = outcome.requirement;
  if (outcome.verdict === "UNEXERCISED") {
    return level === "MUST" ? baseline.excuseForUnexercised(id) : undefined;
  }
  if (outcome.verdict !== "FAIL" && outcome.verdict !== "WARN") {
    return undefined;
  }
  const own = baseline.excuseForUnexercised(id);
  if (own !== undefined) {
    return own;
  }
  const failed = run.results.filter((result) =>
    result.failures.some((failure) => failure.requirement === id),
  );
  const excuses = new Map<string, Excuse>();
  for (const result of failed) {
    const excused = baseline.excuseFor(result, strict);
    if (excused === undefined) {
      return undefined;
    }
    for (const excuse of excused) {
      excuses.set(`${excuse.kind}:${excuse.id}`, excuse);
    }
  }
  return failed.length === 0 ? undefined : [...excuses.values()];
}
