// Diffs the reference against every planted-bug and conformant variant: each case a variant changes the verdict of must differ.
import { describe, expect, test } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { startVariant } from "../planted-bugs/harness.js";
import { loadPlantedBugs, type PlantedBug, readVerdicts } from "../planted-bugs/planted-bug-data.js";
import { runDiffCommand, startTarget } from "./targets.js";

const contract = await loadContract();
const bugs = (await loadPlantedBugs()).filter((bug) => bug.reference !== undefined);
const verdicts = await readVerdicts();

/**
 * A verdict is computed from the exchanges alone, so a case whose verdict a variant changes must show a
 * difference in its exchanges: the diff sees at least what a run sees, without being told what to look for.
 * Conformant variants change behaviour only where the contract allows; the diff must still see those changes
 * (that is what a migration breaks), so they are held to the same rule.
 */
async function diffAgainst(variant: PlantedBug) {
  const baseline = await startTarget(contract, { profile: variant.profile });
  const candidate = await startVariant(contract, variant.profile, variant.reference ?? {});
  try {
    return await runDiffCommand(
      { baseline, candidate },
      {
        profile: variant.profile,
        concurrency: 8,
        ...(variant.reference?.timeoutMs === undefined ? {} : { timeout: variant.reference.timeoutMs }),
      },
    );
  } finally {
    await Promise.all([baseline.close(), candidate.close()]);
  }
}

describe.each([
  ["planted bug", bugs.filter((bug) => bug.kind === "planted")],
  ["conformant variant", bugs.filter((bug) => bug.kind === "conformant")],
])("diff of the reference against each %s", (_kind, variants) => {
  test.concurrent.each(variants.map((variant) => [variant.id, variant] as const))(
    "%s: every case whose verdict changes differs",
    async (_name, variant) => {
      const outcome = await diffAgainst(variant);
      expect(outcome.err).toBe("");
      const differing = new Set(
        (outcome.report?.cases ?? [])
          .filter((comparison) => comparison.status === "different")
          .map((comparison) => comparison.id),
      );
      const changed = Object.keys(verdicts[variant.id] ?? {});
      const missed = changed.filter((id) => !differing.has(id));
      expect(missed, `${variant.defect}: cases a run catches but the diff does not`).toEqual([]);
      if (changed.length > 0) {
        expect(outcome.code).toBe(1);
      }
    },
    30_000,
  );
});
