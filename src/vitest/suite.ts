// The conformance run as vitest tests: one test per case result, and one per profile for what fails the run besides.
import { describe, inject, type TestContext, test } from "vitest";
import { formatCaseResult } from "../cli/console-report.js";
import { resolveRunSettings } from "../config/config.js";
import { runConformance } from "../pipeline/run-conformance.js";
import { type CaseResult, failsRun } from "../runner/results.js";
import { type ConformanceSuiteOptions, OPTIONS_KEY } from "./options.js";

declare module "vitest" {
  export interface ProvidedContext {
    [OPTIONS_KEY]: ConformanceSuiteOptions;
  }
  interface TaskMeta {
    conformance?: { caseId: string; verdict: string; requirements: string[] };
  }
}

/**
 * Runs the same pipeline as `run` (selection, embedded reference, baseline, hook probe, repetitions, verdict
 * policy, MUST coverage, reports) while the test file is collected, then declares its outcome as tests, so vitest
 * and the CLI always agree: a run `run` calls not conformant fails here too.
 */
export async function defineConformanceSuite(options: ConformanceSuiteOptions = {}): Promise<void> {
  const { config, repeat, ...given } = { ...inject(OPTIONS_KEY), ...options };
  const settings = await resolveRunSettings(given, config, process.env);
  const strict = settings.strict ?? false;
  const outcome = await runConformance({ settings, ...(repeat === undefined ? {} : { repeat }) });
  const { redactor, summary } = outcome;
  const excuseFor = (result: CaseResult) => outcome.baseline?.baseline.excuseFor(result, strict);

  const report = (raw: CaseResult, context: TestContext): void => {
    // Test output ends up in CI logs: the same redaction as the CLI's console and reports.
    const result = redactor.caseResult(raw);
    context.task.meta.conformance = {
      caseId: result.id,
      verdict: result.verdict,
      requirements: result.requirements.map((requirement) => requirement.id),
    };
    const excuses = excuseFor(raw);
    const details = formatCaseResult(result, { color: false }, false, excuses);
    if (excuses !== undefined) {
      context.skip(`excused (${result.verdict}): ${excuses.map((excuse) => excuse.reason).join("; ")}`);
    }
    if (result.verdict === "SKIP") {
      context.skip(result.reason);
    }
    if (failsRun(result.verdict, strict)) {
      throw new Error(details);
    }
    if (result.verdict === "WARN" || result.verdict === "INFO") {
      void context.annotate(details, result.verdict.toLowerCase());
    }
  };

  for (const run of outcome.runs) {
    describe(`${run.profile}: ${redactor.text(run.targetName)}`, () => {
      for (const result of run.results) {
        test(`${result.id}: ${result.description}`, (context) => report(result, context));
      }
      test(`${run.profile}: the run's verdict`, () => {
        const problems = [
          ...summary.unexercisedMust
            .filter((item) => item.profile === run.profile && !item.excused)
            .map(
              (item) =>
                `MUST requirement ${item.id} was not exercised: every case naming it was skipped or errored`,
            ),
          ...summary.flaky
            .filter((item) => item.profile === run.profile)
            .map(
              (item) =>
                `FLAKY ${item.id}: ${item.verdicts.join(", ")} over ${item.verdicts.length} repetitions`,
            ),
        ];
        if (problems.length > 0) {
          throw new Error(`not conformant in ${run.profile}:\n${problems.join("\n")}`);
        }
      });
    });
  }
  if (summary.baselineProblems.length > 0 || outcome.baseline !== undefined) {
    test("expected failures: no stale or expired entry", () => {
      if (summary.baselineProblems.length > 0) {
        throw new Error(summary.baselineProblems.join("\n"));
      }
    });
  }
}
