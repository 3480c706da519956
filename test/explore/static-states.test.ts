// explore on a one-account target without a hook: states reached from static data, one step at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { reachableNumberStates } from "../../src/explore/explore.js";
import { type ReferenceRule, type RunningReference, startReference } from "../../src/reference/index.js";
import type { TargetConfig } from "../../src/runner/target.js";
import { explore, exploreTarget, failureSummary } from "./support.js";

const CODE_HEADER = "verify-code";
let contract: Contract;

beforeAll(async () => {
  contract = await loadContract();
});

async function staticTarget(
  skip: ReferenceRule[] = [],
): Promise<{ reference: RunningReference; target: TargetConfig }> {
  const reference = await startReference({ stateHook: false, codeHeader: CODE_HEADER, tweaks: { skip } });
  const target: TargetConfig = {
    ...exploreTarget(reference.url, undefined),
    states: { "code-sent": { codeHeader: CODE_HEADER }, "sms-attempts-exhausted": { smsLimit: 3 } },
  };
  return { reference, target };
}

describe("explore with static states", () => {
  let started: Awaited<ReturnType<typeof staticTarget>>;
  beforeAll(async () => {
    started = await staticTarget();
  });
  afterAll(async () => {
    await started.reference.close();
  });

  it("reaches every number state the static data allows", () => {
    expect(reachableNumberStates(started.target).sort()).toEqual(
      [
        "code-sent",
        "number-registered",
        "number-unregistered",
        "sms-attempts-exhausted",
        "two-step-enabled",
      ].sort(),
    );
    expect(reachableNumberStates({ ...started.target, states: {} })).toEqual(["number-unregistered"]);
  });

  it.each([21, 22])("seed %i: no divergence from the reference", { timeout: 120_000 }, async (seed) => {
    const outcome = await explore(contract, [started.target], seed, 30);
    expect(outcome.failure, failureSummary(outcome)).toBeUndefined();
  });

  it("catches a planted defect the same way", { timeout: 120_000 }, async () => {
    const defect = await staticTarget(["code-single-use"]);
    try {
      const outcome = await explore(contract, [defect.target], 1, 300);
      expect(outcome.failure?.trace.at(-1)?.divergences.map((d) => d.requirement)).toContain(
        "verify-wrong-code-rejected",
      );
    } finally {
      await defect.reference.close();
    }
  });
});
