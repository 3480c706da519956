// Runs each case on the live sides (baseline, candidate, a second baseline) in the same states and with the same variables, and compares them.
import type { Case } from "../cases/case-types.js";
import { type CaseVars, initialVars, NumberAllocator } from "../cases/case-vars.js";
import type { Contract } from "../contract/contract.js";
import { Redactor } from "../report/redact.js";
import type { CaseResult } from "../runner/results.js";
import { type RunContext, runCase } from "../runner/run-case.js";
import {
  createRunContext,
  logInOnce,
  reportedVersion,
  runExclusiveLast,
  tearDownTargetStates,
} from "../runner/run-matrix.js";
import { LoginError } from "../runner/session.js";
import type { TargetConfig } from "../runner/target.js";
import { compareCase, redactComparison, summarizeDiff, withoutBodies } from "./compare-case.js";
import type {
  CaseComparison,
  CaseExchanges,
  CaseStatus,
  DiffPlan,
  DiffReport,
  DiffRun,
  SideExchanges,
  SideInfo,
} from "./diff-types.js";
import { groupDiff } from "./group.js";
import type { RecordedBaseline } from "./recorded.js";
import { describeRules } from "./rules.js";

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

export interface DiffOptions {
  /** The one redactor of the diff: every difference and exchange kept passes through it. */
  redactor: Redactor;
  /** The targets' secrets known before anything is sent: a recorded baseline's live side is compared redacted by them. */
  secrets: { values: string[]; headers: string[] };
  /** One case compared (redacted), in the order they end. */
  onCase?: (comparison: CaseComparison) => void;
}

interface LiveSide {
  role: SideInfo["role"];
  target: TargetConfig;
  context: RunContext;
}

/** Each live side, logged in once (a refused login names its side), the baseline first. */
async function logInSides(contract: Contract, plan: DiffPlan): Promise<LiveSide[]> {
  const targets: [SideInfo["role"], TargetConfig][] = [
    ...(plan.baseline.kind === "live"
      ? [["baseline", plan.baseline.target] as [SideInfo["role"], TargetConfig]]
      : []),
    ["candidate", plan.candidate],
    ...(plan.baseline2 ? [["baseline-2", plan.baseline2] as [SideInfo["role"], TargetConfig]] : []),
  ];
  const sides: LiveSide[] = [];
  for (const [role, target] of targets) {
    const context = createRunContext(contract, target);
    try {
      await logInOnce(context);
    } catch (error) {
      throw error instanceof LoginError ? new LoginError(`${role}: ${error.message}`) : error;
    }
    sides.push({ role, target, context });
  }
  return sides;
}

/** Whether two targets are one server: then a case must not run on both at once (same number, same state). */
function sameOrigin(a: TargetConfig, b: TargetConfig): boolean {
  return new URL(a.url).origin === new URL(b.url).origin;
}

/** What each case got on each live side, with when it ended there. */
type Ran = Map<Case, Map<SideInfo["role"], { result: CaseResult; endedAt: number }>>;

/**
 * Runs the cases and compares them. Per case, every live target first gets the same provider states (through its
 * own hook or static data) and the same variables, then the case's steps; the exchanges are then compared under
 * the rules. Returns the report and every exchange of every side, redacted by the diff's redactor. The targets
 * must have been probed already (src/pipeline probes them with their hooks).
 */
export async function runDiffWithExchanges(
  contract: Contract,
  plan: DiffPlan,
  cases: Case[],
  options: DiffOptions,
): Promise<DiffRun> {
  const startedAt = new Date().toISOString();
  const display = options.redactor;
  const live = await logInSides(contract, plan);
  const parallel = live.every((side, index) =>
    live.slice(index + 1).every((other) => !sameOrigin(side.target, other.target)),
  );
  // A recorded baseline had its secrets redacted when it was written; the live side is compared redacted the same
  // way, or every echoed PIN or token would show as a difference.
  const fairness =
    plan.baseline.kind === "recorded" && plan.baseline.recorded.secretsRedacted
      ? Redactor.forContract(contract, { secrets: options.secrets.values, headers: options.secrets.headers })
      : undefined;
  const allocator = new NumberAllocator();
  const varsByCase = new Map(cases.map((testCase) => [testCase, sharedCaseVars(testCase, allocator)]));
  const comparisons = new Map<Case, CaseComparison>();
  const ran: Ran = new Map();

  const runOne = async (testCase: Case) => {
    const shared: Case = {
      ...testCase,
      vars: varsByCase.get(testCase) ?? sharedCaseVars(testCase, allocator),
    };
    const byRole = new Map<SideInfo["role"], { result: CaseResult; endedAt: number }>();
    ran.set(testCase, byRole);
    const run = async (side: LiveSide) => {
      const result = await runCase(shared, plan.profile, side.context);
      byRole.set(side.role, { result, endedAt: Date.now() });
      display.learnFromResult(result);
      fairness?.learnFromResult(result);
    };
    if (parallel) {
      await Promise.all(live.map(run));
    } else {
      for (const side of live) {
        await run(side);
      }
    }
    const resultOf = (role: SideInfo["role"]) => byRole.get(role)?.result;
    const baseline =
      plan.baseline.kind === "live" ? resultOf("baseline") : plan.baseline.recorded.results.get(testCase.id);
    const baseline2 = resultOf("baseline-2");
    const candidate = resultOf("candidate") as CaseResult;
    const comparison = compareCase(testCase, plan.profile, contract, plan.rules, {
      baseline,
      candidate: fairness ? fairness.caseResult(candidate) : candidate,
      ...(baseline2 ? { baseline2 } : {}),
    });
    const truncated = plan.baseline.kind === "recorded" && plan.baseline.recorded.truncated.has(testCase.id);
    const shown = redactComparison(truncated ? withoutBodies(comparison) : comparison, display);
    comparisons.set(testCase, shown);
    options.onCase?.(shown);
  };

  try {
    await runExclusiveLast(cases, plan.concurrency, runOne);
  } finally {
    for (const side of live) {
      await tearDownTargetStates(side.context);
    }
  }
  const report = diffReport(contract, plan, cases, { startedAt, comparisons, ran, display });
  // Learned only now, so diff.json is redacted exactly as before: a results file written with --include-secrets
  // holds an earlier run's tokens, and a HAR must not carry them either.
  if (plan.baseline.kind === "recorded") {
    for (const testCase of cases) {
      const recorded = plan.baseline.recorded.results.get(testCase.id);
      if (recorded) {
        display.learnFromResult(recorded);
      }
    }
  }
  const kept: Kept = {
    startedAt,
    ran,
    display,
    statusOf: (testCase) => comparisons.get(testCase)?.status ?? "not-compared",
  };
  const exchanges: SideExchanges[] = [
    plan.baseline.kind === "live"
      ? liveExchanges("baseline", report.baseline, cases, kept)
      : recordedExchanges(plan.baseline.recorded, report.baseline, cases, kept),
    liveExchanges("candidate", report.candidate, cases, kept),
    ...(report.baseline2 ? [liveExchanges("baseline-2", report.baseline2, cases, kept)] : []),
  ];
  return { report, exchanges };
}

/** diff.json's content: the sides (named and located through the redactor), the rules, every case's comparison. */
function diffReport(
  contract: Contract,
  plan: DiffPlan,
  cases: Case[],
  so: { startedAt: string; comparisons: Map<Case, CaseComparison>; ran: Ran; display: Redactor },
): DiffReport {
  const { display } = so;
  // Redacted again with every secret learned by the end (a token from a later login, say).
  const compared = cases
    .map((testCase) => so.comparisons.get(testCase))
    .filter((comparison): comparison is CaseComparison => comparison !== undefined)
    .map((comparison) => redactComparison(comparison, display));
  const located = (info: SideInfo, version: string | undefined): SideInfo => ({
    ...redactSide(info, display),
    ...(version === undefined ? {} : { version }),
  });
  const side = (role: SideInfo["role"], target: TargetConfig): SideInfo => {
    const results = cases.flatMap((testCase) => so.ran.get(testCase)?.get(role)?.result ?? []);
    return located({ role, name: target.name, url: target.url }, reportedVersion(results));
  };
  const recordedSide = (recorded: RecordedBaseline): SideInfo =>
    located(
      {
        role: "baseline",
        name: recorded.targetName ?? recorded.targetUrl ?? recorded.file,
        ...(recorded.targetUrl === undefined ? {} : { url: recorded.targetUrl }),
        resultsFile: recorded.file,
      },
      reportedVersion([...recorded.results.values()]),
    );
  return {
    format: "wa-account-conformance-diff/1",
    profile: plan.profile,
    contractSha256: contract.sha256,
    baseline:
      plan.baseline.kind === "live"
        ? side("baseline", plan.baseline.target)
        : recordedSide(plan.baseline.recorded),
    candidate: side("candidate", plan.candidate),
    ...(plan.baseline2 ? { baseline2: side("baseline-2", plan.baseline2) } : {}),
    rules: describeRules(plan.rules),
    startedAt: so.startedAt,
    finishedAt: new Date().toISOString(),
    summary: summarizeDiff(compared),
    groups: groupDiff(compared),
    cases: compared,
  };
}

/** Target names and URLs may carry credentials (user-info in a URL): redacted like everything else. */
function redactSide(info: SideInfo, redactor: Redactor): SideInfo {
  return {
    ...info,
    name: redactor.text(info.name),
    ...(info.url === undefined ? {} : { url: redactor.text(info.url) }),
  };
}

interface Kept {
  startedAt: string;
  ran: Ran;
  display: Redactor;
  statusOf: (testCase: Case) => CaseStatus;
}

/** The exchanges one live side sent and received, case by case in report order, redacted. */
function liveExchanges(role: SideInfo["role"], info: SideInfo, cases: Case[], kept: Kept): SideExchanges {
  return {
    side: redactSide(info, kept.display),
    recorded: false,
    startedAt: kept.startedAt,
    secretsRedacted: kept.display.enabled,
    cases: cases.flatMap((testCase): CaseExchanges[] => {
      const ran = kept.ran.get(testCase)?.get(role);
      return ran
        ? [
            {
              id: testCase.id,
              verdict: ran.result.verdict,
              status: kept.statusOf(testCase),
              startedAt: ran.endedAt - ran.result.durationMs,
              exchanges: ran.result.exchanges.map((exchange) => kept.display.exchange(exchange)),
            },
          ]
        : [];
    }),
  };
}

/** The exchanges a recorded baseline's results file holds, case by case in report order, redacted. */
function recordedExchanges(
  recorded: RecordedBaseline,
  info: SideInfo,
  cases: Case[],
  kept: Kept,
): SideExchanges {
  const fallback = Date.parse(kept.startedAt);
  return {
    side: redactSide(info, kept.display),
    recorded: true,
    startedAt: kept.startedAt,
    secretsRedacted: kept.display.enabled,
    cases: cases.flatMap((testCase): CaseExchanges[] => {
      const result = recorded.results.get(testCase.id);
      return result
        ? [
            {
              id: testCase.id,
              verdict: result.verdict,
              status: kept.statusOf(testCase),
              startedAt: recorded.startedAt.get(testCase.id) ?? fallback,
              exchanges: result.exchanges.map((exchange) => kept.display.exchange(exchange)),
            },
          ]
        : [];
    }),
  };
}
