// One diff from its plan to outcome and reports, with a run's own steps: cases, the redactor, target probes, reporters.
import type { Case } from "../cases/case-types.js";
import { ConfigError } from "../config-error.js";
import type { Contract } from "../contract/contract.js";
import type { CaseComparison, DiffPlan, DiffRun } from "../diff/diff-types.js";
import { runDiffWithExchanges } from "../diff/run-diff.js";
import type { Redactor } from "../report/redact.js";
import { targetSecrets } from "../runner/target.js";
import { prepareReportDir, type ReporterName, writeReports } from "./reporters.js";
import { loadSelectedCases, prepareTarget, redactorFor } from "./run-steps.js";

export interface DiffEvents {
  /** Contract, cases and sides are known; nothing has been sent yet. */
  loaded?(contract: Contract, cases: Case[], known: { redactor: Redactor }): void;
  /** One case compared (redacted), in the order they end. */
  compared?(comparison: CaseComparison): void;
}

export interface DiffRequest {
  plan: DiffPlan;
  /** Leave credentials in the reports and on the console (local debugging only). */
  includeSecrets?: boolean;
  /** Write the diff's reports here. */
  reportDir?: string;
  /** Which reports to write into reportDir (all of the diff's when omitted). */
  reporters?: ReporterName[];
  events?: DiffEvents;
}

export interface DiffOutcome extends DiffRun {
  /** The files written into the report directory. */
  reports: string[];
}

/**
 * Runs a diff as `run` runs a matrix: the chosen cases (those of the plan's profile), the report directory made
 * before anything is sent, one redactor for the console and every file, each live side and its state hook
 * probed once (an unreachable one is TargetUnreachableError naming its side), then the comparison and the reports.
 */
export async function runDiff(request: DiffRequest): Promise<DiffOutcome> {
  const { plan, events = {} } = request;
  const { contract, cases: chosen } = await loadSelectedCases(plan.caseIds);
  const cases = chosen.filter((testCase) => testCase.profiles.includes(plan.profile));
  if (cases.length === 0) {
    throw new ConfigError(`none of the chosen cases applies to the ${plan.profile} profile`);
  }
  if (request.reportDir !== undefined) {
    await prepareReportDir(request.reportDir);
  }
  const sides = [
    ...(plan.baseline.kind === "live" ? [{ role: "baseline", target: plan.baseline.target }] : []),
    { role: "candidate", target: plan.candidate },
    ...(plan.baseline2 ? [{ role: "baseline-2", target: plan.baseline2 }] : []),
  ];
  const targets = sides.map((side) => side.target);
  const redactor = redactorFor(contract, targets, request.includeSecrets === true);
  events.loaded?.(contract, cases, { redactor });
  for (const side of sides) {
    await prepareTarget(contract, side.target, redactor, side.role);
  }
  const run = await runDiffWithExchanges(contract, plan, cases, {
    redactor,
    secrets: targetSecrets(targets, contract),
    ...(events.compared === undefined ? {} : { onCase: events.compared }),
  });
  const reports =
    request.reportDir === undefined
      ? []
      : await writeReports(request.reportDir, "diff", run, request.reporters);
  return { ...run, reports };
}
