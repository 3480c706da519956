// run --expected-failures end to end: excused failures pass the run and show apart; stale, expired, unknown ids fail it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReference, startReference } from "../../src/reference/index.js";
import type { ResultsDocument } from "../../src/report/model.js";
import {
  ADMIN_PASSWORD,
  type PlantedTarget,
  runAgainst,
  runCli,
  startPlantedTarget,
  tempDir,
} from "../report/planted-run.js";

function readResults(dir: string): ResultsDocument {
  return JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;
}

/** A baseline file of case entries, one per id, written to a fresh folder. */
function caseBaseline(ids: string[], extra: string[] = []): string {
  const lines = [
    "expectedFailures:",
    ...ids.map((id) => `  - { case: ${id}, reason: "planted bug: 200 instead of 202", expires: 2999-12-31 }`),
    ...extra,
  ];
  const path = join(tempDir("expected"), "expected-failures.yaml");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("run --expected-failures against a planted-bug target", () => {
  let target: PlantedTarget;
  /** The cases that fail the run without a baseline, learned from a first run. */
  let failing: string[];

  beforeAll(async () => {
    target = await startPlantedTarget();
    const dir = tempDir("first");
    const first = await runAgainst(target.reference, dir, ["--reporter", "json"]);
    expect(first.exitCode).toBe(1);
    failing = readResults(dir)
      .runs.flatMap((run) => run.cases)
      .filter((testCase) => testCase.verdict === "FAIL" || testCase.verdict === "ERROR")
      .map((testCase) => testCase.id);
    expect(failing.length).toBeGreaterThan(0);
  }, 60_000);

  afterAll(async () => {
    await target?.reference.close();
  });

  it("passes the run when every failure is excused, and shows the excused failures apart", async () => {
    const dir = tempDir("excused");
    const run = await runAgainst(target.reference, dir, ["--expected-failures", caseBaseline(failing)]);
    expect(run.exitCode).toBe(0);
    expect(run.out).toContain(`FAIL (excused) ${failing[0]}`);
    // The case's one line names the baseline entry that excused it.
    expect(run.out).toMatch(
      new RegExp(`FAIL \\(excused\\) ${failing[0]} .*; excused by case ${failing[0]}: `),
    );
    expect(run.out).toMatch(/Conformant with \d+ excused failure\(s\): exit 0/);
    const results = readResults(dir);
    expect(results.summary.outcome).toBe("conformant-with-excused-failures");
    expect(results.summary.excusedCounts.FAIL).toBe(results.summary.counts.FAIL);
    expect(results.baseline?.entries.every((entry) => entry.status === "in-use")).toBe(true);
    const excused = results.runs[0]?.cases.find((testCase) => testCase.id === failing[0]);
    expect(excused?.verdict).toBe("FAIL");
    expect(excused?.excused?.[0]).toMatchObject({ kind: "case", reason: "planted bug: 200 instead of 202" });
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain('id="excused"');
    expect(html).toContain("Conformant with excused failures");
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toContain("### Excused failures");
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toContain('<skipped message="FAIL (excused)');
  }, 60_000);

  it("fails the run for a stale entry: the case it names now passes", async () => {
    const dir = tempDir("stale");
    const path = caseBaseline([...failing, "request-without-token-answers-401"]);
    const run = await runAgainst(target.reference, dir, ["--expected-failures", path, "--reporter", "json"]);
    expect(run.exitCode).toBe(1);
    expect(run.out).toContain(
      "the expected failure for case request-without-token-answers-401 is stale: the case now passes",
    );
    expect(run.out).toContain("1 stale or expired expected failure(s)");
    const entry = readResults(dir).baseline?.entries.find(
      (item) => item.id === "request-without-token-answers-401",
    );
    expect(entry?.status).toBe("stale");
  }, 60_000);

  it("fails the run for an expired entry, whose failure is no longer excused", async () => {
    const [expired, ...rest] = failing;
    const path = caseBaseline(rest, [
      `  - { case: ${expired}, reason: "was to be fixed", expires: 2000-01-01 }`,
    ]);
    const run = await runAgainst(target.reference, tempDir("expired"), [
      "--expected-failures",
      path,
      "--reporter",
      "json",
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.out).toContain(`the expected failure for case ${expired} expired on 2000-01-01`);
    expect(run.out).toMatch(new RegExp(`FAIL  ${expired}`));
  }, 60_000);

  it("refuses an entry with an unknown id before running anything (exit 2)", async () => {
    const path = caseBaseline(["no-such-case"]);
    const run = await runAgainst(target.reference, tempDir("unknown"), ["--expected-failures", path]);
    expect(run.exitCode).toBe(2);
    expect(run.err).toContain("unknown case id no-such-case");
    expect(run.out).not.toContain("registration-open:");
  });
});

describe("run --expected-failures for MUST requirements left unexercised", () => {
  let reference: RunningReference;

  beforeAll(async () => {
    reference = await startReference({ admin: { username: "admin", password: ADMIN_PASSWORD } });
  });
  afterAll(async () => {
    await reference?.close();
  });

  it("excuses them by requirement entries when the target cannot reach the states", async () => {
    // Without the provider-state hook, the cases that need states skip and their MUST requirements go unexercised.
    const base = ["run", "--target", reference.url, "--username", "admin", "--password", ADMIN_PASSWORD];
    const dir = tempDir("unexercised");
    const without = await runCli([...base, "--report-dir", dir, "--reporter", "json"]);
    expect(without.exitCode).toBe(1);
    const unexercised = readResults(dir).summary.unexercisedMust.map((item) => item.id);
    expect(unexercised.length).toBeGreaterThan(0);
    const path = join(tempDir("expected"), "expected-failures.json");
    writeFileSync(
      path,
      JSON.stringify({
        expectedFailures: unexercised.map((id) => ({
          requirement: id,
          reason: "this target has no state hook",
        })),
      }),
    );
    const excused = await runCli([...base, "--expected-failures", path]);
    expect(excused.exitCode).toBe(0);
    expect(excused.out).toContain(`MUST requirement ${unexercised[0]} (registration-open) was not exercised`);
    expect(excused.out).toContain("(excused)");
  }, 60_000);
});
