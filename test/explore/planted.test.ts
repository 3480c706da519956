// The defects of fixtures/planted-bugs/explore.yaml: the matrix misses each, explore catches each with a fixed seed, and its case makes run catch it.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../src/cases/case-types.js";
import { loadCases } from "../../src/cases/load-cases.js";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { writeExploreReports } from "../../src/explore/explore-report.js";
import { startReference } from "../../src/reference/index.js";
import { Redactor } from "../../src/report/redact.js";
import { runMatrix } from "../../src/runner/run-matrix.js";
import { differences, hasAlarm, runBaseline, targetFor, type Verdicts } from "../planted-bugs/harness.js";
import { loadPlantedBugs, type PlantedBug } from "../planted-bugs/planted-bug-data.js";
import { explore, exploreTarget, failureSummary } from "./support.js";

/** The seed and the number of sequences explore gets for every defect: fixed, so the verdicts never move. */
const SEED = 1;
const RUNS = 300;

/** The planted bugs only explore must catch (`catchers: [explore]` in fixtures/planted-bugs/). */
const bugs = (await loadPlantedBugs()).filter((bug) => bug.catchers.includes("explore"));
let contract: Contract;
let cases: Case[];
let baseline: Verdicts;
const caughtByMatrix = new Set<string>();
const caughtByExplore = new Set<string>();
let dir: string;

beforeAll(async () => {
  contract = await loadContract();
  cases = await loadCases(contract);
  baseline = await runBaseline(contract, cases, "registration-open");
  dir = await mkdtemp(join(tmpdir(), "explore-planted-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const rate = (set: Set<string>) =>
    `${set.size}/${bugs.length} (${Math.round((100 * set.size) / bugs.length)}%)`;
  console.log(
    `explore's planted defects caught: explore ${rate(caughtByExplore)}, matrix ${rate(caughtByMatrix)}`,
  );
});

async function withDefect<T>(
  bug: PlantedBug,
  work: (url: string, stateUrl: string | undefined) => Promise<T>,
) {
  const reference = await startReference({
    ...bug.reference?.options,
    profile: bug.profile,
    tweaks: { skip: bug.reference?.skip ?? [] },
  });
  try {
    return await work(reference.url, reference.stateUrl);
  } finally {
    await reference.close();
  }
}

it("shrinks to the same sequence for the same seed", { timeout: 120_000 }, async () => {
  const bug = bugs.find((candidate) => candidate.reference?.skip?.includes("vname-verbatim"));
  if (bug === undefined) {
    throw new Error("fixtures/planted-bugs/explore.yaml has no vname-verbatim defect");
  }
  const titles = () =>
    withDefect(bug, async (url, stateUrl) =>
      (await explore(contract, [exploreTarget(url, stateUrl)], SEED, RUNS)).failure?.trace.map(
        (step) => step.title,
      ),
    );
  const first = await titles();
  expect(first?.length).toBeGreaterThan(0);
  expect(await titles()).toEqual(first);
});

describe.each(bugs)("planted defect $id", (bug) => {
  it("is missed by the hand-written matrix", { timeout: 60_000 }, async () => {
    const verdicts = await withDefect(bug, async (url, stateUrl) => {
      const run = await runMatrix(
        contract,
        cases,
        targetFor(url, bug.profile, stateUrl === undefined ? {} : { stateUrl }),
      );
      return new Map(run.results.map((result) => [result.id, result.verdict]));
    });
    const diff = differences(baseline, verdicts);
    if (hasAlarm(Object.values(diff))) {
      caughtByMatrix.add(bug.id);
    }
    expect(diff, bug.defect).toEqual({});
  });

  it("is caught by explore, whose shrunk case makes run catch it too", { timeout: 180_000 }, async () => {
    const caseDir = join(dir, bug.id);
    await withDefect(bug, async (url, stateUrl) => {
      const outcome = await explore(contract, [exploreTarget(url, stateUrl)], SEED, RUNS);
      expect(outcome.failure, `${bug.id} not caught in ${outcome.sequences} sequences`).toBeDefined();
      caughtByExplore.add(bug.id);
      const redactor = Redactor.forContract(contract);
      await writeExploreReports(caseDir, outcome, {
        contract,
        targets: [url],
        redactor,
        caseRedactor: new Redactor({ fields: [] }),
        version: "test",
      });
      expect(failureSummary(outcome)).not.toBe("");
    });
    const files = (await readdir(caseDir)).filter((name) => name.endsWith(".yaml"));
    expect(files).toHaveLength(1);
    // The real loader (schema, requirement ids, templates), reading only the written case.
    const { mkdir, rename } = await import("node:fs/promises");
    const onlyCase = join(caseDir, "case");
    await mkdir(onlyCase);
    await rename(join(caseDir, files[0] as string), join(onlyCase, files[0] as string));
    const id = files[0]?.replace(/\.yaml$/, "");
    // loadCases adds the cases generated from the negative matrix: keep the written one.
    const written = (await loadCases(contract, onlyCase)).filter((testCase) => testCase.id === id);
    expect(written).toHaveLength(1);
    const verdictAgainst = async (url: string, stateUrl: string | undefined) =>
      (
        await runMatrix(
          contract,
          written,
          targetFor(url, bug.profile, stateUrl === undefined ? {} : { stateUrl }),
        )
      ).results[0]?.verdict;
    expect(await withDefect(bug, verdictAgainst)).toBe("FAIL");
    const reference = await startReference({ profile: bug.profile });
    try {
      expect(await verdictAgainst(reference.url, reference.stateUrl)).toBe("PASS");
    } finally {
      await reference.close();
    }
  });
});
