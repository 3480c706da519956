// JUnit XML for CI systems: a testsuite per profile, a testcase per case, the run-level problems as testcases too.
import { createRequire } from "node:module";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import { excuseText, failureText } from "./case-text.js";
import type { CaseDoc, ResultsDocument, RunDoc } from "./model.js";

const require = createRequire(import.meta.url);

/** xmlbuilder2, loaded when a JUnit report is first written: a run without --report-dir never pays for it. */
function xml(): typeof import("xmlbuilder2") {
  return require("xmlbuilder2") as typeof import("xmlbuilder2");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * How a verdict maps to JUnit: FAIL is a failure, and so is WARN under --strict; ERROR is an error; SKIP is
 * skipped; an excused result is skipped with the excuse as message, since it does not fail the run.
 */
function addCase(suite: XMLBuilder, run: RunDoc, testCase: CaseDoc, strict: boolean, tally: Tally): void {
  tally.tests++;
  const element = suite.ele("testcase", {
    classname: `wa-account-conformance.${run.profile}`,
    name: testCase.id,
    time: seconds(testCase.durationMs),
  });
  const reason = testCase.reason ?? "";
  if (testCase.excused) {
    tally.skipped++;
    element
      .ele("skipped", { message: `${testCase.verdict} (excused): ${excuseText(testCase.excused)}` })
      .txt(testCase.verdict === "ERROR" ? reason : failureText(testCase))
      .up();
  } else if (testCase.verdict === "FAIL" || (testCase.verdict === "WARN" && strict)) {
    tally.failures++;
    element.ele("failure", { message: reason, type: testCase.verdict }).txt(failureText(testCase)).up();
  } else if (testCase.verdict === "ERROR") {
    tally.errors++;
    element.ele("error", { message: reason, type: "ERROR" }).txt(reason).up();
  } else if (testCase.verdict === "SKIP") {
    tally.skipped++;
    element.ele("skipped", { message: reason }).up();
  }
  const out = [`${testCase.verdict}: ${testCase.description}`];
  if (testCase.verdict === "WARN" && !strict) {
    out.push(failureText(testCase));
  } else if (testCase.verdict === "INFO") {
    out.push(`Observed: ${reason}`);
  }
  element.ele("system-out").txt(out.join("\n")).up();
}

/** A run-level problem (an unexercised MUST, a stale baseline entry) as a failing or skipped testcase. */
function addProblem(
  suite: XMLBuilder,
  classname: string,
  name: string,
  message: string,
  excused: boolean,
  tally: Tally,
) {
  tally.tests++;
  const element = suite.ele("testcase", { classname, name, time: "0.000" });
  if (excused) {
    tally.skipped++;
    element.ele("skipped", { message: `excused: ${message}` }).up();
  } else {
    tally.failures++;
    element.ele("failure", { message, type: "FAIL" }).txt(message).up();
  }
}

export function renderJUnit(document: ResultsDocument): string {
  const { manifest, summary } = document;
  const root = xml().create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" });
  const suites = root.ele("testsuites", { name: "wa-account-conformance" });
  const total: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  let time = 0;
  for (const run of document.runs) {
    const tally: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    const runTime = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
    time += runTime;
    const suite = suites.ele("testsuite", {
      name: `${run.profile}: ${run.target.name}`,
      timestamp: run.startedAt,
      time: seconds(runTime),
    });
    const properties = suite.ele("properties");
    const property = (name: string, value: string) => properties.ele("property", { name, value }).up();
    property("kit.version", manifest.kit.version);
    property("contract.sha256", manifest.contractSha256);
    property("caseset.sha256", manifest.caseSetSha256);
    property("node.version", manifest.nodeVersion);
    property("target.url", run.target.url);
    property("target.version", run.target.version ?? "");
    property("profile", run.profile);
    property("outcome", summary.outcome);
    properties.up();
    for (const testCase of run.cases) {
      addCase(suite, run, testCase, manifest.strict, tally);
    }
    for (const item of summary.unexercisedMust.filter((entry) => entry.profile === run.profile)) {
      addProblem(
        suite,
        `wa-account-conformance.${run.profile}.requirements`,
        item.id,
        `MUST requirement ${item.id} was not exercised: every case naming it was skipped or errored`,
        item.excused,
        tally,
      );
    }
    for (const item of summary.flaky.filter((entry) => entry.profile === run.profile)) {
      addProblem(
        suite,
        `wa-account-conformance.${run.profile}.flaky`,
        item.id,
        `FLAKY: ${item.id} got ${item.verdicts.join(", ")} over ${item.verdicts.length} repetitions`,
        false,
        tally,
      );
    }
    suite.att({
      tests: String(tally.tests),
      failures: String(tally.failures),
      errors: String(tally.errors),
      skipped: String(tally.skipped),
    });
    total.tests += tally.tests;
    total.failures += tally.failures;
    total.errors += tally.errors;
    total.skipped += tally.skipped;
  }
  if (document.baseline && summary.baselineProblems.length > 0) {
    const tally: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    const suite = suites.ele("testsuite", {
      name: `expected failures: ${document.baseline.file}`,
      time: "0.000",
    });
    for (const entry of document.baseline.entries) {
      if (entry.message) {
        addProblem(
          suite,
          "wa-account-conformance.baseline",
          `${entry.kind} ${entry.id}`,
          entry.message,
          false,
          tally,
        );
      }
    }
    suite.att({
      tests: String(tally.tests),
      failures: String(tally.failures),
      errors: "0",
      skipped: "0",
    });
    total.tests += tally.tests;
    total.failures += tally.failures;
  }
  suites.att({
    tests: String(total.tests),
    failures: String(total.failures),
    errors: String(total.errors),
    skipped: String(total.skipped),
    time: seconds(time),
    timestamp: manifest.startedAt,
  });
  return root.end({ prettyPrint: true });
}
