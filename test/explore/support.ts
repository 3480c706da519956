// Shared by explore's tests: a loopback target for a reference (or variant), and explore run on it with a fixed seed.
import type { Contract } from "../../src/contract/contract.js";
import { type ExploreOptions, type ExploreOutcome, runExplore } from "../../src/explore/explore.js";
import { DEFAULT_ADMIN } from "../../src/reference/index.js";
import type { TargetConfig } from "../../src/runner/target.js";

/**
 * Generous: the verdicts must never depend on time, so a budget is only a guard against a hang. Every test
 * asks for a fixed number of runs, which ends far sooner.
 */
export const TEST_BUDGET_MS = 600_000;

export function exploreTarget(url: string, stateUrl: string | undefined, timeoutMs = 5_000): TargetConfig {
  return {
    url,
    profile: "registration-open",
    name: url,
    username: DEFAULT_ADMIN.username,
    password: DEFAULT_ADMIN.password,
    ...(stateUrl === undefined ? {} : { stateUrl }),
    states: {},
    timeoutMs,
    insecure: false,
    concurrency: 1,
    strict: false,
  };
}

export function explore(
  contract: Contract,
  targets: TargetConfig[],
  seed: number,
  runs: number,
  extra: Partial<ExploreOptions> = {},
): Promise<ExploreOutcome> {
  return runExplore({ contract, targets, seed, runs, budgetMs: TEST_BUDGET_MS, ...extra });
}

/** One line per divergence of a failure, for assertion messages. */
export function failureSummary(outcome: ExploreOutcome): string {
  return (outcome.failure?.trace ?? [])
    .map(
      (step) =>
        `${step.index}. ${step.title} ${JSON.stringify(step.divergences)} ${JSON.stringify(step.differences)}`,
    )
    .join("\n");
}
