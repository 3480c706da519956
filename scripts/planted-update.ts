// `npm run planted:update`: reruns every planted bug, rewrites fixtures/planted-bugs/verdicts.yaml and prints its diff.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CaseError, loadCases } from "../src/cases/load-cases.js";
import { ContractError, loadContract } from "../src/contract/contract.js";
import {
  FIXTURES_DIR,
  loadPlantedBugs,
  PlantedBugError,
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

const USAGE =
  "usage: npm run planted:update [-- [--check] [--fixtures <dir holding cases/ and planted-bugs/>]]\n" +
  "  --check  rewrite nothing; exit 1 when verdicts.yaml is stale or a rule is broken (what npm test checks)";

async function main(): Promise<number> {
  let values: { fixtures?: string; check?: boolean };
  try {
    ({ values } = parseArgs({
      options: { fixtures: { type: "string" }, check: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const fixtures = values.fixtures ?? FIXTURES_DIR;
  const bugsDir = join(fixtures, "planted-bugs");
  const contract = await loadContract();
  const cases = await loadCases(contract, join(fixtures, "cases"));
  const bugs = await loadPlantedBugs(bugsDir);
  const unrunnable = recordProblems(bugs, cases);
  if (unrunnable.length > 0) {
    console.error(`the planted bugs are not runnable:\n  ${unrunnable.join("\n  ")}`);
    return 2;
  }
  const observations = await observeAll(contract, cases, bugs);
  const previous = await readVerdicts(bugsDir);
  const next: VerdictChanges = Object.fromEntries(
    bugs.map((bug) => [bug.id, observations.get(bug.id)?.changes ?? {}]),
  );
  const diff = verdictDiff(previous, next);
  const problems = [
    ...changeProblems(bugs, observations),
    ...caseWithoutBugProblems(contract, bugs, observations, cases),
  ];
  console.log(catchRateLine(bugs, observations));
  if (values.check === true) {
    if (diff.length > 0) {
      console.log(
        `verdicts.yaml is stale (${diff.length} change(s)); run npm run planted:update:\n  ${diff.join("\n  ")}`,
      );
    }
    if (problems.length > 0) {
      console.log(`broken rules:\n  ${problems.join("\n  ")}`);
    }
    return diff.length > 0 || problems.length > 0 ? 1 : 0;
  }
  await writeVerdicts(
    next,
    bugs.map((bug) => bug.id),
    bugsDir,
  );
  console.log(
    diff.length === 0
      ? "verdicts.yaml: no change"
      : `verdicts.yaml: ${diff.length} change(s), review them:\n  ${diff.join("\n  ")}`,
  );
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
    // A bad case or bug file (a RangeError: a tweak the reference refuses) is the author's to fix (2); anything
    // else is a fault of the kit (4).
    const usage =
      error instanceof CaseError ||
      error instanceof PlantedBugError ||
      error instanceof ContractError ||
      error instanceof RangeError;
    console.error(`planted:update failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = usage ? 2 : 4;
  },
);
