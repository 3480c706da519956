// `npm run planted:update`: reruns every planted bug, rewrites fixtures/planted-bugs/verdicts.yaml and prints its diff.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCases } from "../src/cases/load-cases.js";
import { loadContract } from "../src/contract/contract.js";
import {
  FIXTURES_DIR,
  loadPlantedBugs,
  readVerdicts,
  type VerdictChanges,
  verdictDiff,
  writeVerdicts,
} from "../test/planted-bugs/planted-bug-data.js";
import {
  caseWithoutBugProblems,
  catchRateLine,
  changeProblems,
  observeAll,
  recordProblems,
} from "../test/planted-bugs/planted-checks.js";

const USAGE = "usage: npm run planted:update [-- --fixtures <dir holding cases/ and planted-bugs/>]";

async function main(): Promise<number> {
  let fixtures = FIXTURES_DIR;
  try {
    const { values } = parseArgs({ options: { fixtures: { type: "string" } }, strict: true });
    fixtures = values.fixtures ?? FIXTURES_DIR;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const bugsDir = join(fixtures, "planted-bugs");
  const contract = await loadContract();
  const cases = await loadCases(contract, join(fixtures, "cases"));
  const bugs = await loadPlantedBugs(bugsDir);
  const before = recordProblems(bugs, cases);
  if (before.length > 0) {
    console.error(`the planted bugs are not runnable:\n  ${before.join("\n  ")}`);
    return 2;
  }
  const observations = await observeAll(contract, cases, bugs);
  const previous = await readVerdicts(bugsDir);
  const next: VerdictChanges = Object.fromEntries(
    bugs.map((bug) => [bug.id, observations.get(bug.id)?.changes ?? {}]),
  );
  await writeVerdicts(
    next,
    bugs.map((bug) => bug.id),
    bugsDir,
  );
  const diff = verdictDiff(previous, next);
  console.log(
    diff.length === 0
      ? "verdicts.yaml: no change"
      : `verdicts.yaml: ${diff.length} change(s), review them:\n  ${diff.join("\n  ")}`,
  );
  console.log(catchRateLine(bugs, observations));
  const problems = [
    ...changeProblems(bugs, observations),
    ...caseWithoutBugProblems(contract, bugs, observations, cases),
  ];
  if (problems.length > 0) {
    console.log(`npm test will fail on:\n  ${problems.join("\n  ")}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`planted:update failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof Error && error.name.endsWith("Error") ? 2 : 4;
  },
);
