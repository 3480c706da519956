// One case's comparison (baseline against candidate, less what two baselines show too) and the diff's summary.
import type { Case } from "../cases/case-types.js";
import type { Contract, ProfileName } from "../contract/contract.js";
import type { Redactor } from "../report/redact.js";
import type { CaseResult } from "../runner/results.js";
import type { Difference, RequirementRef } from "./attribute.js";
import { comparability, compareResults, differenceKey } from "./compare.js";
import type { CaseComparison, CaseStatus, DiffSummary } from "./diff-types.js";
import type { DiffRules } from "./rules.js";

const LEVEL_ORDER = { MUST: 0, SHOULD: 1, MAY: 2 } as const;

function caseRequirements(testCase: Case, contract: Contract): RequirementRef[] {
  return testCase.requirements
    .map((id) => ({ id, level: contract.requirementById.get(id)?.level ?? "MUST" }))
    .sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
}

/** Compares one case: the differences of baseline and candidate, less those the two baselines show too. */
export function compareCase(
  testCase: Case,
  profile: ProfileName,
  contract: Contract,
  rules: DiffRules,
  results: { baseline: CaseResult | undefined; candidate: CaseResult; baseline2?: CaseResult },
): CaseComparison {
  const { baseline, candidate, baseline2 } = results;
  const comparison: CaseComparison = {
    id: testCase.id,
    description: testCase.description,
    requirements: caseRequirements(testCase, contract),
    status: "same",
    verdicts: {
      ...(baseline ? { baseline: baseline.verdict } : {}),
      candidate: candidate.verdict,
      ...(baseline2 ? { baseline2: baseline2.verdict } : {}),
    },
    differences: [],
    noise: [],
  };
  if (!baseline) {
    return {
      ...comparison,
      status: "not-compared",
      reason: "the baseline results hold no result of this case",
    };
  }
  const comparable = comparability(baseline, candidate);
  if (!comparable.comparable) {
    return { ...comparison, status: "not-compared", reason: comparable.reason };
  }
  const all = compareResults(testCase, profile, contract, baseline, candidate, rules);
  const noisy = new Set(
    baseline2
      ? compareResults(testCase, profile, contract, baseline, baseline2, rules).map(differenceKey)
      : [],
  );
  comparison.differences = all.filter((difference) => !noisy.has(differenceKey(difference)));
  comparison.noise = all.filter((difference) => noisy.has(differenceKey(difference)));
  comparison.status =
    comparison.differences.length > 0 ? "different" : comparison.noise.length > 0 ? "noise-only" : "same";
  return comparison;
}

export function summarizeDiff(cases: CaseComparison[]): DiffSummary {
  const count = (status: CaseStatus) => cases.filter((comparison) => comparison.status === status).length;
  const differences = cases.flatMap((comparison) => comparison.differences);
  const byLevel = { MUST: 0, SHOULD: 0, MAY: 0, unchecked: 0 };
  for (const difference of differences) {
    if (!difference.checked || difference.level === undefined) {
      byLevel.unchecked++;
    } else {
      byLevel[difference.level]++;
    }
  }
  return {
    cases: cases.length,
    same: count("same"),
    different: count("different"),
    noiseOnly: count("noise-only"),
    notCompared: count("not-compared"),
    differences: differences.length,
    noise: cases.reduce((sum, comparison) => sum + comparison.noise.length, 0),
    byLevel,
    exitCode: differences.length > 0 ? 1 : 0,
  };
}

/** A case whose recorded body was cut: only what was recorded whole (status, codes, headers) is compared. */
export function withoutBodies(comparison: CaseComparison): CaseComparison {
  if (comparison.status === "not-compared") {
    return comparison;
  }
  const differences = comparison.differences.filter((difference) => difference.kind !== "body");
  const noise = comparison.noise.filter((difference) => difference.kind !== "body");
  return {
    ...comparison,
    differences,
    noise,
    status: differences.length > 0 ? "different" : noise.length > 0 ? "noise-only" : "same",
    reason: "the recorded response body was cut (results.json keeps 64 KiB), so bodies were not compared",
  };
}

/** The comparison with every value shown passed through the redactor. */
export function redactComparison(comparison: CaseComparison, redactor: Redactor): CaseComparison {
  if (!redactor.enabled) {
    return comparison;
  }
  const redact = (difference: Difference): Difference => ({
    ...difference,
    baseline: redactor.text(difference.baseline),
    candidate: redactor.text(difference.candidate),
  });
  return {
    ...comparison,
    ...(comparison.reason === undefined ? {} : { reason: redactor.text(comparison.reason) }),
    differences: comparison.differences.map(redact),
    noise: comparison.noise.map(redact),
  };
}
