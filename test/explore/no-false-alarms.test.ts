// explore against the reference and every conformant variant, over many fixed seeds: no divergence (a false alarm of the model is a kit bug).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { startReference } from "../../src/reference/index.js";
import { startVariant } from "../planted-bugs/harness.js";
import { loadPlantedBugs } from "../planted-bugs/planted-bug-data.js";
import { explore, exploreTarget, failureSummary } from "./support.js";

const REFERENCE_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const VARIANT_SEEDS = [11, 12];
/** Sequences per seed; the variants that answer slowly get fewer, since their verdict is what counts, not the count. */
const RUNS = 40;
const SLOW_RUNS = 4;

let contract: Contract;
/** The conformant variants of the reference, from fixtures/planted-bugs/ (the ones explore can drive: registration-open). */
const conformant = (await loadPlantedBugs()).filter(
  (bug) => bug.kind === "conformant" && bug.profile === "registration-open" && bug.reference !== undefined,
);

beforeAll(async () => {
  contract = await loadContract();
});

describe("explore against the reference", () => {
  let reference: Awaited<ReturnType<typeof startReference>>;
  beforeAll(async () => {
    reference = await startReference();
  });
  afterAll(async () => {
    await reference.close();
  });

  it.each(REFERENCE_SEEDS)("seed %i: no divergence", { timeout: 120_000 }, async (seed) => {
    const outcome = await explore(contract, [exploreTarget(reference.url, reference.stateUrl)], seed, RUNS);
    expect(outcome.failure, failureSummary(outcome)).toBeUndefined();
    expect(outcome.warnings).toEqual([]);
    expect(outcome.sequences).toBe(RUNS);
  });

  it("explores the sunset profile with no divergence", { timeout: 120_000 }, async () => {
    const sunset = await startReference({ profile: "sunset" });
    try {
      const target = { ...exploreTarget(sunset.url, sunset.stateUrl), profile: "sunset" as const };
      const outcome = await explore(contract, [target], 5, RUNS);
      expect(outcome.failure, failureSummary(outcome)).toBeUndefined();
      expect(outcome.warnings).toEqual([]);
    } finally {
      await sunset.close();
    }
  });

  it("gives the same sequences for the same seed", { timeout: 120_000 }, async () => {
    const steps = async () => {
      const outcome = await explore(contract, [exploreTarget(reference.url, reference.stateUrl)], 9, 10);
      return [outcome.sequences, outcome.steps];
    };
    expect(await steps()).toEqual(await steps());
  });
});

describe.each(conformant)("explore against the conformant variant $id", (variant) => {
  const plant = variant.reference ?? {};
  it.each(VARIANT_SEEDS)("seed %i: no MUST divergence", { timeout: 120_000 }, async (seed) => {
    const started = await startVariant(contract, variant.profile, plant);
    try {
      const slow = plant.delay !== undefined;
      const outcome = await explore(
        contract,
        [exploreTarget(started.url, started.stateUrl, plant.timeoutMs)],
        seed,
        slow ? SLOW_RUNS : RUNS,
        slow ? { maxSteps: 6 } : {},
      );
      expect(outcome.failure, failureSummary(outcome)).toBeUndefined();
    } finally {
      await started.close();
    }
  });
});
