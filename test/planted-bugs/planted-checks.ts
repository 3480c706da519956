// The rules the planted bugs must keep, as problem lists shared by planted-bugs.test.ts and `npm run planted:update`.
import type { Case } from "../../src/cases/case-types.js";
import type { Contract, ProfileName } from "../../src/contract/contract.js";
import type { Verdict } from "../../src/runner/results.js";
import { ALARMS, type Observation, observeBug, runBaseline, type Verdicts } from "./harness.js";
import type { PlantedBug, VerdictChanges } from "./planted-bug-data.js";

export const MIN_PLANTED = 30;
/** The source of the negative matrix's cases (src/cases/generate.ts). */
const GENERATED = "generated";
export const MIN_CONFORMANT = 5;

/** Observes every bug, `concurrency` at a time, against one baseline per profile computed once. */
export async function observeAll(
  contract: Contract,
  cases: Case[],
  bugs: PlantedBug[],
  concurrency = 4,
): Promise<Map<string, Observation>> {
  const baselines = baselineCache(contract, cases);
  const observations = new Map<string, Observation>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bugs.length) {
      const bug = bugs[next++] as PlantedBug;
      observations.set(bug.id, await observeBug(contract, cases, bug, baselines));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, bugs.length) }, worker));
  return observations;
}

/** The unmodified reference's verdicts, computed once per profile and shared by concurrent observations. */
export function baselineCache(
  contract: Contract,
  cases: Case[],
): (profile: ProfileName) => Promise<Verdicts> {
  const baselines = new Map<ProfileName, Promise<Verdicts>>();
  return (profile) => {
    let verdicts = baselines.get(profile);
    if (verdicts === undefined) {
      verdicts = runBaseline(contract, cases, profile);
      baselines.set(profile, verdicts);
    }
    return verdicts;
  };
}

/** Problems of the records themselves, before anything runs: counts and the cases they name. */
export function recordProblems(bugs: PlantedBug[], cases: Case[]): string[] {
  const problems: string[] = [];
  const planted = bugs.filter((bug) => bug.kind === "planted").length;
  const conformant = bugs.length - planted;
  if (planted < MIN_PLANTED || conformant < MIN_CONFORMANT) {
    problems.push(
      `${planted} planted bugs and ${conformant} conformant variants: at least ${MIN_PLANTED} and ${MIN_CONFORMANT} are needed`,
    );
  }
  const inProfile = (profile: ProfileName) =>
    new Set(cases.filter((testCase) => testCase.profiles.includes(profile)).map((testCase) => testCase.id));
  for (const bug of bugs) {
    const known = inProfile(bug.profile);
    for (const id of [...bug.cases, ...(bug.static?.cases ?? [])]) {
      if (!known.has(id)) {
        problems.push(`${bug.id} (${bug.source}) names ${id}, which is no case of ${bug.profile}`);
      }
    }
  }
  return problems;
}

/** Observed changes that differ from the reviewed file, one line each. */
export function verdictMismatches(
  bugs: PlantedBug[],
  observations: Map<string, Observation>,
  recorded: VerdictChanges,
): string[] {
  const lines: string[] = [];
  for (const bug of bugs) {
    const observed = observations.get(bug.id)?.changes;
    if (observed === undefined) {
      continue;
    }
    const expected = recorded[bug.id];
    if (expected === undefined) {
      lines.push(`${bug.id}: not in verdicts.yaml`);
      continue;
    }
    for (const id of new Set([...Object.keys(expected), ...Object.keys(observed)])) {
      if (expected[id] !== observed[id]) {
        lines.push(
          `${bug.id}: ${id} recorded ${expected[id] ?? "(unchanged)"}, observed ${observed[id] ?? "(unchanged)"}`,
        );
      }
    }
  }
  return lines;
}

const alarmed = (changes: Record<string, Verdict>): string[] =>
  Object.entries(changes)
    .filter(([, verdict]) => ALARMS.has(verdict))
    .map(([id]) => id);

/**
 * The rules on what the changes are: a conformant variant costs at most a WARN; every bug the matrix must catch
 * is caught; a static bug's control passes; each case a bug names catches it.
 */
export function changeProblems(bugs: PlantedBug[], observations: Map<string, Observation>): string[] {
  const problems: string[] = [];
  for (const bug of bugs) {
    const observation = observations.get(bug.id);
    if (observation === undefined) {
      continue;
    }
    if (bug.kind === "conformant") {
      for (const [id, verdict] of Object.entries(observation.changes)) {
        if (verdict !== "WARN") {
          problems.push(
            `${bug.id} is conformant but ${id} got ${verdict}: at most a WARN (a false alarm of the kit)`,
          );
        }
      }
      continue;
    }
    const failing = Object.entries(observation.control ?? {}).filter(([, verdict]) => verdict !== "PASS");
    if (failing.length > 0) {
      problems.push(
        `${bug.id}: the control run answered right yet ${failing.map(([id, v]) => `${id} ${v}`).join(", ")}`,
      );
    }
    if (bug.catchers.includes("matrix") && !observation.caught) {
      problems.push(`no case catches ${bug.id} (${bug.defect}): a gap in the cases`);
    }
    const catching = new Set(alarmed(observation.changes));
    for (const id of bug.cases.filter((caseId) => !catching.has(caseId))) {
      problems.push(`${bug.id} names ${id} as planted for it, but ${id} does not catch it`);
    }
  }
  return problems;
}

/**
 * The rule "a case exists to catch a planted bug nothing else catches": every case with a MUST or SHOULD group
 * is the only case that catches some planted bug, or a planted bug names it in `cases` (it was planted for that
 * case, and the case catches it, though others do too). The negative matrix's generated cases are exempt: they
 * follow from the contract's schemas by rule, one per field and invalid value, and no author writes them.
 */
export function caseWithoutBugProblems(
  contract: Contract,
  bugs: PlantedBug[],
  observations: Map<string, Observation>,
  cases: Case[],
): string[] {
  const justified = new Set<string>();
  for (const bug of bugs) {
    if (bug.kind !== "planted") {
      continue;
    }
    const catching = alarmed(observations.get(bug.id)?.changes ?? {});
    if (catching.length === 1) {
      justified.add(catching[0] as string);
    }
    for (const id of bug.cases) {
      justified.add(id);
    }
  }
  return cases
    .filter(
      (testCase) =>
        testCase.source !== GENERATED &&
        checksMustOrShould(contract, testCase) &&
        !justified.has(testCase.id),
    )
    .map(
      (testCase) =>
        `${testCase.id} (${testCase.source}) is the only catcher of no planted bug: plant the bug it exists for, ` +
        "or name it in the `cases` of the planted bug it was written for",
    );
}

/** A case with a MUST or SHOULD group; a case of MAY groups only observes, and no bug can break it. */
function checksMustOrShould(contract: Contract, testCase: Case): boolean {
  return testCase.requirements.some((id) => contract.requirementById.get(id)?.level !== "MAY");
}

export function catchRateLine(bugs: PlantedBug[], observations: Map<string, Observation>): string {
  const planted = bugs.filter((bug) => bug.kind === "planted" && bug.catchers.includes("matrix"));
  const hits = planted.filter((bug) => observations.get(bug.id)?.caught === true);
  const percent = planted.length === 0 ? 0 : Math.round((hits.length / planted.length) * 1000) / 10;
  const missed = planted.filter((bug) => !hits.includes(bug)).map((bug) => bug.id);
  const line = `planted bugs caught: ${hits.length}/${planted.length} (${percent}%)`;
  return missed.length === 0 ? line : `${line}; not caught: ${missed.join(", ")}`;
}
