// The conformance matrix as vitest tests: one test per case and target; the runner does the work, cases are data.
import { beforeAll, describe, inject, type TestContext, test } from "vitest";
import type { Case } from "../src/cases/case-types.js";
import { loadCases } from "../src/cases/load-cases.js";
import { formatCaseResult } from "../src/cli/console-report.js";
import { selectCases } from "../src/cli/run-command.js";
import { loadContract } from "../src/contract/contract.js";
import { redactorForTargets } from "../src/report/redact.js";
import type { CaseResult } from "../src/runner/results.js";
import type { RunContext } from "../src/runner/run-case.js";
import { runCase } from "../src/runner/run-case.js";
import { createRunContext, logInOnce } from "../src/runner/run-matrix.js";
import type { TargetConfig } from "../src/runner/target.js";

declare module "vitest" {
  interface TaskMeta {
    conformance?: { caseId: string; verdict: string; requirements: string[] };
  }
}

const targets = inject("conformanceTargets");
const contract = await loadContract();
const cases = selectCases(await loadCases(contract), inject("conformanceCases"));

// Test output ends up in CI logs: the same redaction as the CLI's console and reports.
const redactor = redactorForTargets(contract, targets);

function report(raw: CaseResult, strict: boolean, context: TestContext): void {
  redactor.learnFromResult(raw);
  const result = redactor.caseResult(raw);
  context.task.meta.conformance = {
    caseId: result.id,
    verdict: result.verdict,
    requirements: result.requirements.map((requirement) => requirement.id),
  };
  const details = formatCaseResult(result, { color: false }, false);
  if (result.verdict === "SKIP") {
    context.skip(result.reason);
  }
  if (result.verdict === "FAIL" || result.verdict === "ERROR" || (strict && result.verdict === "WARN")) {
    throw new Error(details);
  }
  if (result.verdict === "WARN" || result.verdict === "INFO") {
    void context.annotate(details, result.verdict.toLowerCase());
  }
}

function defineCaseTests(list: Case[], target: TargetConfig, run: RunContext): void {
  for (const testCase of list) {
    test(`${testCase.id}: ${testCase.description}`, async (context) =>
      report(await runCase(testCase, target.profile, run), target.strict, context));
  }
}

for (const target of targets) {
  describe(`${target.profile}: ${target.name}`, () => {
    const run = createRunContext(contract, target);
    const applicable = cases.filter((testCase) => testCase.profiles.includes(target.profile));
    beforeAll(() => logInOnce(run));
    describe.concurrent("cases", () => {
      defineCaseTests(
        applicable.filter((testCase) => !testCase.exclusive),
        target,
        run,
      );
    });
    const exclusive = applicable.filter((testCase) => testCase.exclusive);
    if (exclusive.length > 0) {
      // These change target-wide settings, so they run one at a time after the concurrent ones.
      describe.sequential("exclusive cases", () => defineCaseTests(exclusive, target, run));
    }
  });
}
