// Runs the suites against every planted bug and conformant variant (fixtures/planted-bugs): the changes must match verdicts.yaml.
import { afterAll, describe, expect, test } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract, PROFILES } from "../../src/contract/contract.js";
import type { Verdict } from "../../src/runner/results.js";
import { type Observation, observeBug } from "./harness.js";
import { loadPlantedBugs, readVerdicts } from "./planted-bug-data.js";
import {
  baselineCache,
  caseWithoutBugProblems,
  catchRateLine,
  changeProblems,
  recordProblems,
  verdictMismatches,
} from "./planted-checks.js";

const contract = await loadContract();
const cases = await loadCases(contract);
const bugs = await loadPlantedBugs();
const recorded = await readVerdicts();
const baseline = baselineCache(contract, cases);

const UPDATE = "run `npm run planted:update` and review the diff it prints";

/** What each bug did, as the tests below observe it. */
const observations = new Map<string, Observation>();

afterAll(() => {
  console.log(catchRateLine(bugs, observations));
});

describe("the planted bugs (fixtures/planted-bugs)", () => {
  test("are at least 30 planted bugs and 5 conformant variants, naming only cases of their profile", () => {
    expect(recordProblems(bugs, cases)).toEqual([]);
  });

  test("all have reviewed verdicts, and verdicts.yaml holds no other bug", () => {
    const ids = new Set(bugs.map((bug) => bug.id));
    expect(
      [
        ...bugs.filter((bug) => !(bug.id in recorded)).map((bug) => `${bug.id}: missing`),
        ...Object.keys(recorded)
          .filter((id) => !ids.has(id))
          .map((id) => `${id}: no such bug`),
      ],
      UPDATE,
    ).toEqual([]);
  });
});

describe("the unmodified reference", () => {
  test.for(PROFILES)("passes every case of %s", async (profile) => {
    const verdicts = await baseline(profile);
    const expected = new Map<string, Verdict>(
      cases
        .filter((testCase) => testCase.profiles.includes(profile))
        .map((testCase) => [
          testCase.id,
          testCase.steps.every((step) => step.expect.every((group) => group.observe === true))
            ? "INFO"
            : "PASS",
        ]),
    );
    expect(Object.fromEntries(verdicts)).toEqual(Object.fromEntries(expected));
  });
});

describe.concurrent("each planted bug and conformant variant", () => {
  test.for(bugs)("$id ($kind): $defect", async (bug, { expect }) => {
    const observation = await observeBug(contract, cases, bug, baseline);
    observations.set(bug.id, observation);
    const single = new Map([[bug.id, observation]]);
    expect(
      verdictMismatches([bug], single, recorded),
      `the verdict changes differ from fixtures/planted-bugs/verdicts.yaml: ${UPDATE}`,
    ).toEqual([]);
    expect(changeProblems([bug], single)).toEqual([]);
  });
});

test("every planted bug is caught, and every hand-written case catches one nothing else catches (or one planted for it)", () => {
  expect(observations.size, "the bug tests above must have run").toBe(bugs.length);
  const missed = bugs.filter(
    (bug) =>
      bug.kind === "planted" && bug.catchers.includes("matrix") && observations.get(bug.id)?.caught !== true,
  );
  expect(
    missed.map((bug) => bug.id),
    catchRateLine(bugs, observations),
  ).toEqual([]);
  expect(caseWithoutBugProblems(contract, bugs, observations, cases)).toEqual([]);
});
