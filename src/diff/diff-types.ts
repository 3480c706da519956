// The diff's vocabulary: the plan of a comparison, each case's comparison, the sides, the report and the exchanges kept.
import type { Level, ProfileName } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import type { Verdict } from "../runner/results.js";
import type { TargetConfig } from "../runner/target.js";
import type { Difference, DifferenceKind, RequirementRef } from "./attribute.js";
import type { RecordedBaseline } from "./recorded.js";
import type { DiffRules, describeRules } from "./rules.js";

export type BaselineSource =
  | { kind: "live"; target: TargetConfig }
  | { kind: "recorded"; recorded: RecordedBaseline };

/** What to compare, resolved from flags, environment and config file; the pipeline picks the cases. */
export interface DiffPlan {
  profile: ProfileName;
  /** The case ids to compare (all of the profile when none). */
  caseIds?: string[];
  baseline: BaselineSource;
  candidate: TargetConfig;
  /** A second instance of the baseline: differences it shows against the baseline are noise. */
  baseline2?: TargetConfig;
  rules: DiffRules;
  /** Cases compared at once (each on every target). */
  concurrency: number;
}

/** same: no difference after the rules; different: differences remain; noise-only: every difference is noise. */
export type CaseStatus = "same" | "different" | "noise-only" | "not-compared";

export interface CaseComparison {
  id: string;
  description: string;
  /** Every requirement the case names, highest level first. */
  requirements: RequirementRef[];
  status: CaseStatus;
  /** Why a case was not compared. */
  reason?: string;
  verdicts: { baseline?: Verdict; candidate?: Verdict; baseline2?: Verdict };
  /** Differences between baseline and candidate that the second baseline does not show too. */
  differences: Difference[];
  /** Differences between baseline and candidate that also appear between the two baseline instances. */
  noise: Difference[];
}

export interface SideInfo {
  role: "baseline" | "candidate" | "baseline-2";
  name: string;
  url?: string;
  /** The results file of a recorded baseline. */
  resultsFile?: string;
  /** meta.version as the side reported it, when it did. */
  version?: string;
}

export interface DiffSummary {
  cases: number;
  same: number;
  different: number;
  noiseOnly: number;
  notCompared: number;
  /** Differences that remain after the rules and the noise. */
  differences: number;
  noise: number;
  /** Remaining differences by the level of the requirement each touches most; unchecked: no expectation looks at it. */
  byLevel: { MUST: number; SHOULD: number; MAY: number; unchecked: number };
  /** 0 when no difference remains, 1 otherwise. */
  exitCode: 0 | 1;
}

/** One difference as it appears in every case that shows it: same kind, place and both values. */
export interface DifferenceGroup {
  kind: DifferenceKind;
  where?: string;
  /** Both values as display text; for noise, "(varies)" when the cases saw different values. */
  baseline: string;
  candidate: string;
  /** The cases that show it, in report order, each once. */
  cases: string[];
  /** How many times it appears (a case may show it at several steps). */
  occurrences: number;
  /** The highest level that looks at it in any of those cases; absent when no requirement does. */
  level?: Level;
  /** Whether an expectation looks at it in at least one of those cases. */
  checked: boolean;
  /** The occurrences no expectation looks at (the contract leaves it open there). */
  uncheckedOccurrences: number;
  /** Every requirement that looks at it in one of those cases, highest level first. */
  requirements: RequirementRef[];
}

/** The groups of a report's differences and of its noise (diff.json's "groups"; src/diff/group.ts builds them). */
export interface DiffGroups {
  differences: DifferenceGroup[];
  noise: DifferenceGroup[];
}

/** The whole comparison; written as diff.json (its shape is documented in src/diff/report.ts). */
export interface DiffReport {
  format: "wa-account-conformance-diff/1";
  profile: ProfileName;
  contractSha256: string;
  baseline: SideInfo;
  candidate: SideInfo;
  baseline2?: SideInfo;
  rules: ReturnType<typeof describeRules>;
  startedAt: string;
  finishedAt: string;
  summary: DiffSummary;
  /** The cases' differences and noise grouped across cases ): what the reports show once. */
  groups: DiffGroups;
  cases: CaseComparison[];
}

/** One case on one side as sent and received, redacted: the diff's HAR files are written from it. */
export interface CaseExchanges {
  id: string;
  verdict: Verdict;
  status: CaseStatus;
  /** When the case started on this side, in ms since the epoch (its end less its duration, as a run reports it). */
  startedAt: number;
  exchanges: Exchange[];
}

/** Every exchange of one side, case by case in report order. */
export interface SideExchanges {
  side: SideInfo;
  /** True for a recorded baseline: its exchanges were read from its results file, not sent by this diff. */
  recorded: boolean;
  startedAt: string;
  /** False under --include-secrets. */
  secretsRedacted: boolean;
  cases: CaseExchanges[];
}

/**
 * The comparison and the exchanges behind it. They are kept apart because diff.json holds only differences: every
 * exchange of every side would make it as large as a run's results.json per side.
 */
export interface DiffRun {
  report: DiffReport;
  exchanges: SideExchanges[];
}
