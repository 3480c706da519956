// explore --baseline --candidate: the same sequences on two targets, answers compared after diff's rules; no model judges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { loadRules } from "../../src/diff/rules.js";
import { compareAnswers } from "../../src/explore/differential.js";
import { startReference } from "../../src/reference/index.js";
import { explore, exploreTarget, failureSummary } from "./support.js";

let contract: Contract;
let baseline: Awaited<ReturnType<typeof startReference>>;

beforeAll(async () => {
  contract = await loadContract();
  baseline = await startReference();
});

afterAll(async () => {
  await baseline.close();
});

describe("explore in differential mode", () => {
  it("finds no difference between two instances of the reference", { timeout: 120_000 }, async () => {
    const candidate = await startReference();
    try {
      const outcome = await explore(
        contract,
        [exploreTarget(baseline.url, baseline.stateUrl), exploreTarget(candidate.url, candidate.stateUrl)],
        3,
        40,
        { compare: compareAnswers(await loadRules()) },
      );
      expect(outcome.mode).toBe("differential");
      expect(outcome.failure, failureSummary(outcome)).toBeUndefined();
    } finally {
      await candidate.close();
    }
  });

  it("finds the planted defect of a candidate, shrunk", { timeout: 120_000 }, async () => {
    const candidate = await startReference({ tweaks: { skip: ["code-single-use"] } });
    try {
      const outcome = await explore(
        contract,
        [exploreTarget(baseline.url, baseline.stateUrl), exploreTarget(candidate.url, candidate.stateUrl)],
        1,
        300,
        { compare: compareAnswers(await loadRules()) },
      );
      const last = outcome.failure?.trace.at(-1);
      expect(
        last?.differences.map((d) => d.aspect),
        failureSummary(outcome),
      ).toContain("status");
      // The model steers but does not judge: the step is reported as a difference, never a divergence.
      expect(last?.divergences).toEqual([]);
      expect(outcome.failure?.trace.length).toBeLessThanOrEqual(3);
    } finally {
      await candidate.close();
    }
  });
});
