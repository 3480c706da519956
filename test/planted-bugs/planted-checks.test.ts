// Tests the planted-bug rules on made-up observations: the diff, stale verdicts, false alarms, cases without a bug.
import { describe, expect, it } from "vitest";
import type { Case } from "../../src/cases/case-types.js";
import { loadContract } from "../../src/contract/contract.js";
import type { Observation } from "./harness.js";
import { type PlantedBug, verdictDiff } from "./planted-bug-data.js";
import { caseWithoutBugProblems, changeProblems, verdictMismatches } from "./planted-checks.js";

const contract = await loadContract();

const bug = (id: string, extra: Partial<PlantedBug> = {}): PlantedBug => ({
  id,
  defect: "a defect",
  profile: "registration-open",
  kind: "planted",
  catchers: ["matrix"],
  cases: [],
  reference: {},
  source: "test.yaml",
  ...extra,
});

const caseOf = (id: string, requirement: string, source = "registration.yaml"): Case =>
  ({
    id,
    requirements: [requirement],
    profiles: ["registration-open"],
    steps: [],
    source,
  }) as unknown as Case;

const seen = (entries: [string, Observation][]) => new Map(entries);

describe("verdictDiff", () => {
  it("lists added, removed and changed lines per bug, and new or removed bugs", () => {
    expect(
      verdictDiff(
        { a: { x: "FAIL", y: "WARN" }, gone: {} },
        { a: { x: "WARN", z: "FAIL" }, fresh: { x: "ERROR" } },
      ),
    ).toEqual([
      "~ a: x FAIL -> WARN",
      "- a: y WARN",
      "+ a: z FAIL",
      "- gone (bug removed)",
      "+ fresh (new bug)",
      "+ fresh: x ERROR",
    ]);
  });
});

describe("verdictMismatches", () => {
  it("names each case whose observed change differs from the recorded one, and unrecorded bugs", () => {
    const observations = seen([
      ["a", { changes: { x: "FAIL" }, caught: true }],
      ["b", { changes: {}, caught: false }],
    ]);
    expect(verdictMismatches([bug("a"), bug("b")], observations, { a: { x: "WARN", y: "FAIL" } })).toEqual([
      "a: x recorded WARN, observed FAIL",
      "a: y recorded FAIL, observed (unchanged)",
      "b: not in verdicts.yaml",
    ]);
  });
});

describe("changeProblems", () => {
  it("refuses a conformant FAIL, an uncaught matrix bug, a failing control, and a named case that does not catch", () => {
    const bugs = [
      bug("conformant", { kind: "conformant" }),
      bug("uncaught"),
      bug("explore-only", { catchers: ["explore"] }),
      bug("control", { cases: ["y"] }),
    ];
    const observations = seen([
      ["conformant", { changes: { x: "WARN", y: "FAIL" }, caught: true }],
      ["uncaught", { changes: { x: "INFO" }, caught: false }],
      ["explore-only", { changes: {}, caught: false }],
      ["control", { changes: { x: "FAIL" }, caught: false, control: { x: "PASS", y: "WARN" } }],
    ]);
    expect(changeProblems(bugs, observations)).toEqual([
      "conformant is conformant but y got FAIL: at most a WARN (a false alarm of the kit)",
      "no case catches uncaught (a defect): a gap in the cases",
      "control: the control run answered right yet y WARN",
      "no case catches control (a defect): a gap in the cases",
      "control names y as planted for it, but y does not catch it",
    ]);
  });
});

describe("caseWithoutBugProblems", () => {
  const must = contract.requirements.find((requirement) => requirement.level === "MUST")?.id ?? "";
  const may = contract.requirements.find((requirement) => requirement.level === "MAY")?.id ?? "";

  it("accepts a case that alone catches a bug, or that a bug names; exempts MAY-only and generated cases", () => {
    const cases = [
      caseOf("alone", must),
      caseOf("named", must),
      caseOf("observes", may),
      caseOf("from-the-matrix", must, "generated"),
    ];
    const bugs = [bug("one"), bug("two", { cases: ["named"] })];
    const observations = seen([
      ["one", { changes: { alone: "FAIL" }, caught: true }],
      ["two", { changes: { alone: "FAIL", named: "WARN" }, caught: true }],
    ]);
    expect(caseWithoutBugProblems(contract, bugs, observations, cases)).toEqual([]);
  });

  it("refuses a case every bug it catches is caught by another case too", () => {
    const cases = [caseOf("first", must), caseOf("second", must)];
    const observations = seen([["one", { changes: { first: "FAIL", second: "FAIL" }, caught: true }]]);
    expect(caseWithoutBugProblems(contract, [bug("one")], observations, cases)).toEqual([
      expect.stringMatching(/^first \(registration\.yaml\) is the only catcher of no planted bug/),
      expect.stringMatching(/^second \(registration\.yaml\) is the only catcher of no planted bug/),
    ]);
  });
});
