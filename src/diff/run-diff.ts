// Runs every case on the baseline, the candidate (and a second baseline), in the same states, and compares them.
import type { Case } from "../cases/case-types.js";
import { type CaseVars, initialVars, NumberAllocator } from "../cases/case-vars.js";
import type { Contract, ProfileName } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import { Redactor } from "../report/redact.js";
import type { CaseResult, Verdict } from "../runner/results.js";
import { type RunContext, runCase } from "../runner/run-case.js";
import {
  createRunContext,
  logInOnce,
  probeTarget,
  runPool,
  TargetUnreachableError,
  tearDownTargetStates,
} from "../runner/run-matrix.js";
import { LoginError } from "../runner/session.js";
import type { TargetConfig } from "../runner/target.js";
import {
  comparability,
  compareResults,
  type Difference,
  differenceKey,
  type RequirementRef,
} from "./compare.js";
import type { RecordedBaseline } from "./recorded.js";
import { type DiffRules, describeRules } from "./rules.js";

export type BaselineSource =
  | { kind: "live"; target: TargetConfig }
  | { kind: "recorded"; recorded: RecordedBaseline };

export interface DiffPlan {
  profile: ProfileName;
  /** The cases to compare, in report order (already selected by id). */
  cases: Case[];
  baseline: BaselineSource;
  candidate: TargetConfig;
  /** A second instance of the baseline: differences it shows against the baseline are noise. */
  baseline2?: TargetConfig;
  rules: DiffRules;
  /** Cases compared at once (each on every target). */
  concurrency: number;
  /**
   * Secrets known before anything is sent (passwords, tokens, state data) and headers that carry them; with
   * those learned from every exchange, they are redacted in every difference shown, as in a run's reports.
   */
  secrets?: { values: string[]; headers: string[] };
  /** Show secrets as they are (--include-secrets): local debugging only. */
  includeSecrets?: boolean;
  onCase?: (comparison: CaseComparison) => void;
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

/** Hands out numbers fixed in advance, so a case gets the same phone number on every target. */
class FixedNumbers extends NumberAllocator {
  constructor(private readonly numbers: { phone_number: string; toll_free_number: string }) {
    super("00000");
  }

  override allocate(): { phone_number: string; toll_free_number: string } {
    return this.numbers;
  }
}

/**
 * The variables of a case, made once and given to every target as the case's own vars, so each target sees the
 * same phone number, PIN and certificate (initialVars would otherwise draw a fresh random PIN per run).
 */
export function sharedCaseVars(testCase: Case, allocator: NumberAllocator): CaseVars {
  return initialVars(new FixedNumbers(allocator.allocate()), testCase.vars);
}

interface LiveSide {
  role: SideInfo["role"];
  target: TargetConfig;
  context: RunContext;
}

async function prepare(contract: Contract, role: SideInfo["role"], target: TargetConfig): Promise<LiveSide> {
  try {
    await probeTarget(target);
    const context = createRunContext(contract, target);
    await logInOnce(context);
    return { role, target, context };
  } catch (error) {
    if (error instanceof TargetUnreachableError) {
      throw new TargetUnreachableError(`${role}: ${error.message}`);
    }
    if (error instanceof LoginError) {
      throw new LoginError(`${role}: ${error.message}`);
    }
    throw error;
  }
}

function reportedVersion(results: CaseResult[]): string | undefined {
  for (const result of results) {
    for (const exchange of result.exchanges) {
      const meta = (exchange.response.json as { meta?: { version?: unknown } } | undefined)?.meta;
      if (typeof meta?.version === "string") {
        return meta.version;
      }
    }
  }
  return undefined;
}

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
function withoutBodies(comparison: CaseComparison): CaseComparison {
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
function redactComparison(comparison: CaseComparison, redactor: Redactor): CaseComparison {
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

/** Whether two targets are one server: then a case must not run on both at once (same number, same state). */
function sameOrigin(a: TargetConfig, b: TargetConfig): boolean {
  return new URL(a.url).origin === new URL(b.url).origin;
}

/**
 * Runs the plan. Per case, every live target first gets the same provider states (through its own hook or static
 * data) and the same variables, then the case's steps; the exchanges are then compared under the rules. Returns
 * the report and every exchange of every side, redacted by the redactor of the comparison.
 */
export async function runDiffWithExchanges(contract: Contract, plan: DiffPlan): Promise<DiffRun> {
  const startedAt = new Date().toISOString();
  const live: LiveSide[] = [];
  if (plan.baseline.kind === "live") {
    live.push(await prepare(contract, "baseline", plan.baseline.target));
  }
  const candidate = await prepare(contract, "candidate", plan.candidate);
  live.push(candidate);
  if (plan.baseline2) {
    live.push(await prepare(contract, "baseline-2", plan.baseline2));
  }
  const parallel = live.every((side, index) =>
    live.slice(index + 1).every((other) => !sameOrigin(side.target, other.target)),
  );
  const secrets = { secrets: plan.secrets?.values ?? [], headers: plan.secrets?.headers ?? [] };
  const display = Redactor.forContract(contract, { ...secrets, enabled: plan.includeSecrets !== true });
  const fairness =
    plan.baseline.kind === "recorded" && plan.baseline.recorded.secretsRedacted
      ? Redactor.forContract(contract, secrets)
      : undefined;
  const allocator = new NumberAllocator();
  const varsByCase = new Map(plan.cases.map((testCase) => [testCase, sharedCaseVars(testCase, allocator)]));
  const resultsByRole = new Map<SideInfo["role"], CaseResult[]>();
  const comparisons = new Map<Case, CaseComparison>();
  const ranByCase = new Map<Case, Map<SideInfo["role"], { result: CaseResult; endedAt: number }>>();

  const runOne = async (testCase: Case) => {
    const vars = varsByCase.get(testCase) ?? sharedCaseVars(testCase, allocator);
    const shared: Case = { ...testCase, vars };
    const ran = new Map<SideInfo["role"], { result: CaseResult; endedAt: number }>();
    ranByCase.set(testCase, ran);
    const run = async (side: LiveSide) => {
      const result = await runCase(shared, plan.profile, side.context);
      ran.set(side.role, { result, endedAt: Date.now() });
      return result;
    };
    const results: CaseResult[] = [];
    if (parallel) {
      results.push(...(await Promise.all(live.map(run))));
    } else {
      for (const side of live) {
        results.push(await run(side));
      }
    }
    const byRole = new Map(live.map((side, index) => [side.role, results[index] as CaseResult]));
    for (const [role, result] of byRole) {
      resultsByRole.set(role, [...(resultsByRole.get(role) ?? []), result]);
    }
    const baseline =
      plan.baseline.kind === "live"
        ? byRole.get("baseline")
        : plan.baseline.recorded.results.get(testCase.id);
    const baseline2 = byRole.get("baseline-2");
    for (const result of results) {
      display.learnFromResult(result);
      fairness?.learnFromResult(result);
    }
    const candidateResult = byRole.get("candidate") as CaseResult;
    const comparison = compareCase(testCase, plan.profile, contract, plan.rules, {
      baseline,
      // A recorded baseline had its secrets redacted when it was written; the live side is compared redacted
      // the same way, or every echoed PIN or token would show as a difference.
      candidate: fairness ? fairness.caseResult(candidateResult) : candidateResult,
      ...(baseline2 ? { baseline2 } : {}),
    });
    const truncated = plan.baseline.kind === "recorded" && plan.baseline.recorded.truncated.has(testCase.id);
    const shown = redactComparison(truncated ? withoutBodies(comparison) : comparison, display);
    comparisons.set(testCase, shown);
    plan.onCase?.(shown);
  };

  try {
    // As in a run: cases that touch target-wide settings run alone, after the others.
    await runPool(
      plan.cases.filter((testCase) => !testCase.exclusive),
      plan.concurrency,
      runOne,
    );
    await runPool(
      plan.cases.filter((testCase) => testCase.exclusive),
      1,
      runOne,
    );
  } finally {
    for (const side of live) {
      await tearDownTargetStates(side.context);
    }
  }

  // Redacted again with every secret learned by the end (a token from a later login, say).
  const cases = plan.cases
    .map((testCase) => comparisons.get(testCase))
    .filter((comparison): comparison is CaseComparison => comparison !== undefined)
    .map((comparison) => redactComparison(comparison, display));
  const side = (role: SideInfo["role"], target: TargetConfig): SideInfo => {
    const version = reportedVersion(resultsByRole.get(role) ?? []);
    return { role, name: target.name, url: target.url, ...(version === undefined ? {} : { version }) };
  };
  const baselineInfo: SideInfo =
    plan.baseline.kind === "live"
      ? side("baseline", plan.baseline.target)
      : (() => {
          const recorded = plan.baseline.recorded;
          const version = reportedVersion([...recorded.results.values()]);
          return {
            role: "baseline",
            name: recorded.targetName ?? recorded.targetUrl ?? recorded.file,
            ...(recorded.targetUrl === undefined ? {} : { url: recorded.targetUrl }),
            resultsFile: recorded.file,
            ...(version === undefined ? {} : { version }),
          };
        })();
  const report: DiffReport = {
    format: "wa-account-conformance-diff/1",
    profile: plan.profile,
    contractSha256: contract.sha256,
    baseline: baselineInfo,
    candidate: side("candidate", plan.candidate),
    ...(plan.baseline2 ? { baseline2: side("baseline-2", plan.baseline2) } : {}),
    rules: describeRules(plan.rules),
    startedAt,
    finishedAt: new Date().toISOString(),
    summary: summarizeDiff(cases),
    cases,
  };

  // Learned only now, so diff.json is redacted exactly as before: a results file written with --include-secrets
  // holds an earlier run's tokens, and a HAR must not carry them either.
  if (plan.baseline.kind === "recorded") {
    for (const testCase of plan.cases) {
      const recorded = plan.baseline.recorded.results.get(testCase.id);
      if (recorded) {
        display.learnFromResult(recorded);
      }
    }
  }
  const statusOf = (testCase: Case): CaseStatus => comparisons.get(testCase)?.status ?? "not-compared";
  const sideInfo = (info: SideInfo): SideInfo => ({
    ...info,
    name: display.text(info.name),
    ...(info.url === undefined ? {} : { url: display.text(info.url) }),
  });
  const liveExchanges = (role: SideInfo["role"], info: SideInfo): SideExchanges => ({
    side: sideInfo(info),
    recorded: false,
    startedAt,
    secretsRedacted: display.enabled,
    cases: plan.cases.flatMap((testCase): CaseExchanges[] => {
      const ran = ranByCase.get(testCase)?.get(role);
      return ran
        ? [
            {
              id: testCase.id,
              verdict: ran.result.verdict,
              status: statusOf(testCase),
              startedAt: ran.endedAt - ran.result.durationMs,
              exchanges: ran.result.exchanges.map((exchange) => display.exchange(exchange)),
            },
          ]
        : [];
    }),
  });
  const recordedExchanges = (recorded: RecordedBaseline): SideExchanges => {
    const fallback = Date.parse(startedAt);
    return {
      side: sideInfo(baselineInfo),
      recorded: true,
      startedAt,
      secretsRedacted: display.enabled,
      cases: plan.cases.flatMap((testCase): CaseExchanges[] => {
        const result = recorded.results.get(testCase.id);
        return result
          ? [
              {
                id: testCase.id,
                verdict: result.verdict,
                status: statusOf(testCase),
                startedAt: recorded.startedAt.get(testCase.id) ?? fallback,
                exchanges: result.exchanges.map((exchange) => display.exchange(exchange)),
              },
            ]
          : [];
      }),
    };
  };
  const exchanges: SideExchanges[] = [
    plan.baseline.kind === "live"
      ? liveExchanges("baseline", report.baseline)
      : recordedExchanges(plan.baseline.recorded),
    liveExchanges("candidate", report.candidate),
    ...(report.baseline2 ? [liveExchanges("baseline-2", report.baseline2)] : []),
  ];
  return { report, exchanges };
}
