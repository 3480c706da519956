// Shows the two answers the contract allows to mislabelled JSON really differ: the reference serves it, a variant refuses it.
import { describe, expect, test } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract } from "../../src/contract/contract.js";
import { runMatrix } from "../../src/runner/run-matrix.js";
import { startVariant, targetFor } from "./harness.js";
import { loadPlantedBugs } from "./planted-bug-data.js";

const contract = await loadContract();
const mayCases = (await loadCases(contract)).filter((testCase) =>
  testCase.requirements.includes("mislabelled-json-handling"),
);

const bugs = await loadPlantedBugs();

/** Each MAY case's verdict and what it observed, against the reference or the named variant of it. */
async function observe(variantId: string | undefined) {
  const variant = bugs.find((candidate) => candidate.id === variantId) ?? {
    profile: "registration-open" as const,
    reference: {},
  };
  const started = await startVariant(contract, variant.profile, variant.reference ?? {});
  try {
    const run = await runMatrix(
      contract,
      mayCases.filter((testCase) => testCase.profiles.includes(variant.profile)),
      targetFor(started.url, variant.profile, { stateUrl: started.stateUrl }),
    );
    return Object.fromEntries(
      run.results.map((result) => [
        result.id,
        `${result.verdict}: ${result.observations.map((seen) => seen.summary).join("; ")}`,
      ]),
    );
  } finally {
    await started.close();
  }
}

describe("mislabelled JSON (a MAY)", () => {
  test("has cases for a text/plain and a form-urlencoded label, for none, and for the two-step settings", () => {
    expect(mayCases.map((testCase) => testCase.id).sort()).toEqual([
      "json-labelled-form-urlencoded-is-observed",
      "json-labelled-text-plain-is-observed",
      "json-without-content-type-is-observed",
      "two-step-json-labelled-text-plain-is-observed",
    ]);
  });

  test("is served by the reference (202, 200) and refused by refuses-mislabelled-json (400), INFO both ways", async () => {
    const [served, refused] = await Promise.all([observe(undefined), observe("refuses-mislabelled-json")]);
    expect(served).toEqual({
      "json-labelled-text-plain-is-observed": "INFO: status 202",
      "json-labelled-form-urlencoded-is-observed": "INFO: status 202",
      "json-without-content-type-is-observed": "INFO: status 202",
      "two-step-json-labelled-text-plain-is-observed": "INFO: status 200",
    });
    const refusal = "INFO: status 400, errors[0].code 1025";
    expect(refused).toEqual({
      "json-labelled-text-plain-is-observed": refusal,
      "json-labelled-form-urlencoded-is-observed": refusal,
      "json-without-content-type-is-observed": refusal,
      "two-step-json-labelled-text-plain-is-observed": refusal,
    });
  });
});
