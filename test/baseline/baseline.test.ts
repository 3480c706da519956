// The expected-failures file: its format and errors, which results it excuses, and which entries are stale or expired.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Baseline, type Excuse, loadBaseline, toExcusals } from "../../src/baseline/baseline.js";
import { ConfigError } from "../../src/config/config.js";
import type { Level, Requirement } from "../../src/contract/contract.js";
import type {
  CaseResult,
  Failure,
  ProfileRun,
  RequirementOutcome,
  Verdict,
} from "../../src/runner/results.js";
import { summarize } from "../../src/runner/results.js";
import { tempDir } from "../report/planted-run.js";

const KNOWN = {
  cases: ["case-a", "case-b", "case-c"],
  requirements: ["req-must", "req-should", "req-other"],
};

function write(name: string, text: string): string {
  const path = join(tempDir("baseline"), name);
  writeFileSync(path, text);
  return path;
}

async function loadError(text: string, name = "expected.yaml"): Promise<string> {
  try {
    await loadBaseline(write(name, text), KNOWN, "2026-06-01");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadBaseline", () => {
  it("reads YAML entries by case or requirement, with issue and expiry", async () => {
    const baseline = await loadBaseline(
      write(
        "expected.yaml",
        `expectedFailures:
  - case: case-a
    reason: answers 200 instead of 202
    issue: https://example.invalid/issues/1
    expires: 2026-12-31
  - requirement: req-should
    reason: no 413 yet
`,
      ),
      KNOWN,
      "2026-06-01",
    );
    expect(baseline.entries).toEqual([
      {
        kind: "case",
        id: "case-a",
        reason: "answers 200 instead of 202",
        issue: "https://example.invalid/issues/1",
        expires: "2026-12-31",
      },
      { kind: "requirement", id: "req-should", reason: "no 413 yet" },
    ]);
  });

  it("reads JSON by its extension", async () => {
    const path = write(
      "expected.json",
      JSON.stringify({ expectedFailures: [{ case: "case-b", reason: "r" }] }),
    );
    expect((await loadBaseline(path, KNOWN)).entries).toHaveLength(1);
  });

  it("refuses unknown case and requirement ids, naming the entry", async () => {
    const message = await loadError(`expectedFailures:
  - { case: case-a, reason: fine }
  - { case: no-such-case, reason: typo }
  - { requirement: no-such-requirement, reason: typo }
`);
    expect(message).toContain("/expectedFailures/1: unknown case id no-such-case");
    expect(message).toContain("/expectedFailures/2: unknown requirement id no-such-requirement");
    expect(message).not.toContain("case-a");
  });

  it("asks for exactly one of case or requirement", async () => {
    expect(
      await loadError("expectedFailures:\n  - { case: case-a, requirement: req-must, reason: both }\n"),
    ).toContain('give exactly one of "case" or "requirement"');
    expect(await loadError("expectedFailures:\n  - { reason: neither }\n")).toContain(
      'give exactly one of "case" or "requirement"',
    );
  });

  it("refuses a missing reason, an unknown key, a date that does not exist, a link that is not a URI", async () => {
    expect(await loadError("expectedFailures:\n  - { case: case-a }\n")).toContain(
      "must have required property 'reason'",
    );
    expect(await loadError("expectedFailures:\n  - { case: case-a, reason: r, owner: me }\n")).toContain(
      '"owner" is not a known key',
    );
    expect(
      await loadError("expectedFailures:\n  - { case: case-a, reason: r, expires: 2026-02-30 }\n"),
    ).toContain("/expectedFailures/0/expires");
    expect(
      await loadError("expectedFailures:\n  - { case: case-a, reason: r, issue: not a link }\n"),
    ).toContain("/expectedFailures/0/issue");
  });

  it("refuses an entry listed twice, a file that is not YAML, and a missing file", async () => {
    expect(
      await loadError(
        "expectedFailures:\n  - { case: case-a, reason: r }\n  - { case: case-a, reason: again }\n",
      ),
    ).toContain("case case-a is listed twice");
    expect(await loadError("expectedFailures: [\n")).toContain("is not valid YAML");
    await expect(loadBaseline("/nonexistent/expected.yaml", KNOWN)).rejects.toThrow(/cannot read .*ENOENT/);
  });
});

const requirement = (id: string, level: Level): Requirement => ({
  id,
  level,
  profiles: ["registration-open"],
  statement: id,
  source: { kind: "decision" },
});

function failure(requirementId: string, level: Level): Failure {
  return {
    requirement: requirementId,
    level,
    check: "status",
    expected: "status 202",
    received: "status 200",
    step: 1,
  };
}

function result(id: string, verdict: Verdict, failures: Failure[] = []): CaseResult {
  return {
    id,
    description: id,
    profile: "registration-open",
    requirements: [{ id: "req-must", level: "MUST" }],
    verdict,
    failures,
    observations: [],
    exchanges: [],
    durationMs: 1,
  };
}

function run(
  results: CaseResult[],
  requirements: [string, Level, RequirementOutcome["verdict"]][] = [],
): ProfileRun {
  return {
    profile: "registration-open",
    targetName: "t",
    targetUrl: "http://127.0.0.1:1",
    targetVersion: undefined,
    stateAccess: "hook",
    results,
    requirements: requirements.map(([id, level, verdict]) => ({
      requirement: requirement(id, level),
      profile: "registration-open",
      exercisedBy: [],
      notExercisedBy: [],
      verdict,
    })),
    startedAt: "2026-06-01T00:00:00.000Z",
    finishedAt: "2026-06-01T00:00:01.000Z",
  };
}

const entry = (kind: Excuse["kind"], id: string, expires?: string): Excuse => ({
  kind,
  id,
  reason: `known: ${id}`,
  ...(expires === undefined ? {} : { expires }),
});

describe("Baseline", () => {
  it("excuses a case's FAIL or ERROR by a case entry, and a FAIL by requirement entries covering every MUST failure", () => {
    const baseline = new Baseline(
      "b.yaml",
      [entry("case", "case-a"), entry("requirement", "req-must")],
      "2026-06-01",
    );
    expect(baseline.excuseFor(result("case-a", "ERROR"), false)).toEqual([entry("case", "case-a")]);
    expect(baseline.excuseFor(result("case-b", "FAIL", [failure("req-must", "MUST")]), false)).toEqual([
      entry("requirement", "req-must"),
    ]);
    // A MUST failure on a requirement nobody excused keeps the FAIL.
    expect(
      baseline.excuseFor(
        result("case-b", "FAIL", [failure("req-must", "MUST"), failure("req-other", "MUST")]),
        false,
      ),
    ).toBeUndefined();
    // An ERROR has no failure to pin on a requirement.
    expect(baseline.excuseFor(result("case-b", "ERROR"), false)).toBeUndefined();
    expect(baseline.excuseFor(result("case-a", "PASS"), false)).toBeUndefined();
  });

  it("needs SHOULD failures excused too under --strict", () => {
    const baseline = new Baseline("b.yaml", [entry("requirement", "req-must")], "2026-06-01");
    const mixed = result("case-b", "FAIL", [failure("req-must", "MUST"), failure("req-should", "SHOULD")]);
    expect(baseline.excuseFor(mixed, false)).toBeDefined();
    expect(baseline.excuseFor(mixed, true)).toBeUndefined();
  });

  it("excuses nothing after the expiry day, and still excuses on it", () => {
    const failing = result("case-a", "FAIL", [failure("req-must", "MUST")]);
    expect(
      new Baseline("b", [entry("case", "case-a", "2026-06-01")], "2026-06-01").excuseFor(failing, false),
    ).toBeDefined();
    expect(
      new Baseline("b", [entry("case", "case-a", "2026-05-31")], "2026-06-01").excuseFor(failing, false),
    ).toBeUndefined();
  });

  it("reports in-use, stale, expired and not-run entries; stale and expired ones are problems", () => {
    const baseline = new Baseline(
      "b.yaml",
      [
        entry("case", "case-a"),
        entry("case", "case-b"),
        entry("case", "case-c", "2020-01-01"),
        entry("requirement", "req-must"),
        entry("requirement", "req-other"),
      ],
      "2026-06-01",
    );
    const runs = [
      run(
        [
          result("case-a", "FAIL", [failure("req-other", "MUST")]),
          result("case-b", "PASS"),
          result("case-c", "FAIL"),
        ],
        [
          ["req-must", "MUST", "UNEXERCISED"],
          ["req-other", "MUST", "FAIL"],
        ],
      ),
    ];
    const outcome = baseline.evaluate(runs, false);
    expect(outcome.entries.map((item) => [item.entry.id, item.status, item.excused])).toEqual([
      ["case-a", "in-use", 1],
      ["case-b", "stale", 0],
      ["case-c", "expired", 0],
      ["req-must", "in-use", 1],
      ["req-other", "in-use", 0],
    ]);
    expect(outcome.problems).toHaveLength(2);
    expect(outcome.problems[0]).toContain(
      "case case-b is stale: the case now passes (PASS in registration-open)",
    );
    expect(outcome.problems[1]).toContain("case case-c expired on 2020-01-01");
  });

  it("calls a requirement entry stale when the requirement passes, and not-run when it never ran", () => {
    const baseline = new Baseline(
      "b",
      [entry("requirement", "req-must"), entry("requirement", "req-should")],
      "2026-06-01",
    );
    const outcome = baseline.evaluate(
      [
        run(
          [],
          [
            ["req-must", "MUST", "PASS"],
            ["req-should", "SHOULD", "UNEXERCISED"],
          ],
        ),
      ],
      false,
    );
    expect(outcome.entries.map((item) => item.status)).toEqual(["stale", "not-run"]);
    expect(outcome.problems[0]).toContain("the requirement no longer fails");
  });

  it("makes summarize pass a run whose failures are all excused, and fail it for a stale entry", () => {
    const runs = [
      run(
        [result("case-a", "FAIL", [failure("req-must", "MUST")]), result("case-b", "PASS")],
        [["req-other", "MUST", "UNEXERCISED"]],
      ),
    ];
    expect(summarize(runs, false).exitCode).toBe(1);
    const excusing = new Baseline(
      "b",
      [entry("case", "case-a"), entry("requirement", "req-other")],
      "2026-06-01",
    );
    const summary = summarize(runs, false, toExcusals(excusing, false, excusing.evaluate(runs, false)));
    expect(summary).toMatchObject({ exitCode: 0, conformant: true, excusedFailures: 2 });
    expect(summary.counts.FAIL).toBe(1);
    expect(summary.excused.FAIL).toBe(1);
    expect(summary.unexercisedMust).toEqual([
      { profile: "registration-open", id: "req-other", excused: true },
    ]);
    const stale = new Baseline(
      "b",
      [entry("case", "case-a"), entry("requirement", "req-other"), entry("case", "case-b")],
      "2026-06-01",
    );
    expect(summarize(runs, false, toExcusals(stale, false, stale.evaluate(runs, false))).exitCode).toBe(1);
  });
});
