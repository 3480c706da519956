// The CTRF report: valid against CTRF's published JSON Schema (the `ctrf` package), and the verdict policy in CTRF's words.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validate } from "ctrf";
import { beforeAll, describe, expect, it } from "vitest";
import { renderCtrf } from "../../src/report/ctrf.js";
import type { ResultsDocument } from "../../src/report/model.js";
import { runCli, tempDir } from "./planted-run.js";

let document: ResultsDocument;

beforeAll(async () => {
  const dir = tempDir("ctrf");
  const run = await runCli(["run", "--report-dir", dir, "--reporter", "json"]);
  expect(run.exitCode).toBe(0);
  document = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;
}, 60_000);

interface Ctrf {
  results: {
    summary: Record<string, number>;
    tests: {
      name: string;
      testId: string;
      status: string;
      rawStatus: string;
      suite: string[];
      message?: string;
      trace?: string;
    }[];
  };
}

const parse = (text: string): Ctrf => JSON.parse(text) as Ctrf;

/** A copy of the run with one case of each verdict that matters, and one unexercised MUST. */
function mixed(): ResultsDocument {
  const copy = structuredClone(document);
  const run = copy.runs[0];
  if (!run) {
    throw new Error("the run has no profile");
  }
  const cases = run.cases;
  const [failed, warned, skipped, errored, excused] = cases;
  if (!failed || !warned || !skipped || !errored || !excused) {
    throw new Error("the run has too few cases");
  }
  failed.verdict = "FAIL";
  failed.reason = "status 200, expected 202";
  failed.failures = [
    { requirement: "r", level: "MUST", check: "status", step: 1, expected: "202", received: "200" },
  ];
  warned.verdict = "WARN";
  skipped.verdict = "SKIP";
  errored.verdict = "ERROR";
  excused.verdict = "FAIL";
  excused.excused = [{ kind: "case", id: excused.id, reason: "known until 2.47" }];
  copy.summary.unexercisedMust = [{ profile: run.profile, id: "some-must", excused: false }];
  return copy;
}

describe("the CTRF report", () => {
  it("validates against the published CTRF schema, for a real run", () => {
    const result = validate(JSON.parse(renderCtrf(document)));
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("has one test per case of each profile, all passed or other for a conformant run", () => {
    const report = parse(renderCtrf(document));
    const caseCount = document.runs.reduce((sum, run) => sum + run.cases.length, 0);
    expect(report.results.summary.tests).toBe(caseCount);
    expect(report.results.summary.failed).toBe(0);
    expect(new Set(report.results.tests.map((test) => test.testId)).size).toBe(caseCount);
  });

  it("maps the verdicts as the run's policy does, and stays valid", () => {
    const text = renderCtrf(mixed());
    const result = validate(JSON.parse(text));
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    const tests = parse(text).results.tests;
    const byRaw = (raw: string) => tests.filter((test) => test.rawStatus === raw).map((test) => test.status);
    expect(byRaw("FAIL")).toContain("failed");
    expect(byRaw("ERROR")).toEqual(["failed"]);
    expect(byRaw("WARN")).toEqual(["other"]);
    expect(byRaw("SKIP")).toEqual(["skipped"]);
    expect(byRaw("FAIL (excused)")).toEqual(["skipped"]);
    const failed = tests.find((test) => test.message === "status 200, expected 202");
    expect(failed?.trace).toContain("Expected: 202\nReceived: 200");
    const unexercised = tests.find((test) => test.name === "some-must");
    expect(unexercised?.status).toBe("failed");
    expect(unexercised?.suite.at(-1)).toBe("requirements");
  });

  it("fails a WARN under --strict, as the exit code does", () => {
    const copy = mixed();
    copy.manifest.strict = true;
    const tests = parse(renderCtrf(copy)).results.tests;
    expect(tests.filter((test) => test.rawStatus === "WARN").map((test) => test.status)).toEqual(["failed"]);
  });
});
