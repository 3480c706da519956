// CTRF (Common Test Report Format) JSON for CI test-report actions: a test per case, the run-level problems as tests too.
import { randomUUID } from "node:crypto";
import { failsRun } from "../runner/results.js";
import { excuseText, failureText } from "./case-text.js";
import type { CaseDoc, ResultsDocument, RunDoc } from "./model.js";

/** The CTRF specification version this writer follows (the one the published `ctrf` schema accepts). */
export const CTRF_SPEC_VERSION = "0.0.0";

type CtrfStatus = "passed" | "failed" | "skipped" | "pending" | "other";

interface CtrfTest {
  name: string;
  testId: string;
  status: CtrfStatus;
  rawStatus: string;
  duration: number;
  start?: number;
  stop?: number;
  suite: string[];
  message?: string;
  trace?: string;
  tags?: string[];
  labels?: Record<string, string | string[]>;
  flaky?: boolean;
}

/**
 * The verdict policy of the run, in CTRF's words: what fails the run is failed; a WARN that does not (without
 * --strict) is other, since it is neither a pass nor a failure; INFO (an observed MAY) passed; an excused result is
 * skipped with its excuse, as in JUnit.
 */
function statusOf(testCase: CaseDoc, strict: boolean): CtrfStatus {
  if (testCase.excused) {
    return "skipped";
  }
  if (failsRun(testCase.verdict, strict)) {
    return "failed";
  }
  switch (testCase.verdict) {
    case "SKIP":
      return "skipped";
    case "WARN":
      return "other";
    default:
      return "passed";
  }
}

function caseTest(run: RunDoc, testCase: CaseDoc, strict: boolean, flaky: Set<string>): CtrfTest {
  const start = Date.parse(testCase.startedAt);
  const trace = failureText(testCase);
  const message = testCase.excused ? excuseText(testCase.excused) : testCase.reason;
  return {
    name: testCase.id,
    testId: `${run.profile}/${testCase.id}`,
    status: flaky.has(testCase.id) ? "failed" : statusOf(testCase, strict),
    rawStatus: testCase.excused ? `${testCase.verdict} (excused)` : testCase.verdict,
    duration: Math.round(testCase.durationMs),
    ...(Number.isNaN(start) ? {} : { start, stop: start + Math.round(testCase.durationMs) }),
    suite: [run.profile, run.target.name],
    ...(message ? { message } : {}),
    ...(trace === "" ? {} : { trace }),
    tags: testCase.requirements.map((requirement) => requirement.id),
    labels: { level: testCase.level, description: testCase.description, profile: run.profile },
    ...(flaky.has(testCase.id) ? { flaky: true } : {}),
  };
}

/** A run-level problem (an unexercised MUST, a FLAKY case, a stale baseline entry) as a test of its own. */
function problemTest(suite: string[], name: string, message: string, excused: boolean): CtrfTest {
  return {
    name,
    testId: [...suite, name].join("/"),
    status: excused ? "skipped" : "failed",
    rawStatus: excused ? "UNEXERCISED (excused)" : "FAIL",
    duration: 0,
    suite,
    message: excused ? `excused: ${message}` : message,
  };
}

export function renderCtrf(document: ResultsDocument, reportId: string = randomUUID()): string {
  const { manifest, summary } = document;
  const tests: CtrfTest[] = [];
  for (const run of document.runs) {
    const flaky = new Set(
      summary.flaky.filter((entry) => entry.profile === run.profile).map((entry) => entry.id),
    );
    for (const testCase of run.cases) {
      tests.push(caseTest(run, testCase, manifest.strict, flaky));
    }
    for (const item of summary.unexercisedMust.filter((entry) => entry.profile === run.profile)) {
      tests.push(
        problemTest(
          [run.profile, "requirements"],
          item.id,
          `MUST requirement ${item.id} was not exercised: every case naming it was skipped or errored`,
          item.excused,
        ),
      );
    }
  }
  for (const entry of document.baseline?.entries ?? []) {
    if (entry.message) {
      tests.push(
        problemTest(
          ["expected failures", document.baseline?.file ?? ""],
          `${entry.kind} ${entry.id}`,
          entry.message,
          false,
        ),
      );
    }
  }
  const count = (status: CtrfStatus) => tests.filter((test) => test.status === status).length;
  const start = Date.parse(manifest.startedAt);
  const stop = Date.parse(manifest.finishedAt);
  const report = {
    reportFormat: "CTRF",
    specVersion: CTRF_SPEC_VERSION,
    reportId,
    timestamp: manifest.finishedAt,
    generatedBy: `${manifest.kit.name} ${manifest.kit.version}`,
    results: {
      tool: { name: manifest.kit.name, version: manifest.kit.version },
      summary: {
        tests: tests.length,
        passed: count("passed"),
        failed: count("failed"),
        skipped: count("skipped"),
        pending: count("pending"),
        other: count("other"),
        flaky: summary.flaky.length,
        suites: document.runs.length,
        start,
        stop,
        duration: stop - start,
        extra: { outcome: summary.outcome, exitCode: summary.exitCode, strict: manifest.strict },
      },
      tests,
      environment: {
        reportName: "wa-account-conformance",
        extra: {
          contractSha256: manifest.contractSha256,
          caseSetSha256: manifest.caseSetSha256,
          nodeVersion: manifest.nodeVersion,
          secretsRedacted: manifest.secretsRedacted,
          targets: document.runs.map((run) => ({
            profile: run.profile,
            name: run.target.name,
            url: run.target.url,
            version: run.target.version,
          })),
        },
      },
    },
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
