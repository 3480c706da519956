// Runs the suites against every planted bug and conformant variant: exactly the declared cases change verdict.
import nock from "nock";
import { afterAll, describe, expect, test } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract, PROFILES, type ProfileName } from "../../src/contract/contract.js";
import type { Verdict } from "../../src/runner/results.js";
import { CONFORMANT_VARIANTS } from "./conformant-variants.js";
import {
  ALARMS,
  differences,
  isCaught,
  runBaseline,
  runNockVariant,
  runReferenceVariant,
  type Verdicts,
} from "./harness.js";
import { NOCK_VARIANTS } from "./nock-variants.js";
import { PLANTED_REFERENCE_VARIANTS } from "./reference-variants.js";

// nock intercepts every request of this worker: the fake hosts are answered in-process, the loopback
// references pass through, and nothing else may leave the machine.
nock.disableNetConnect();
nock.enableNetConnect(/127\.0\.0\.1|localhost/);

const contract = await loadContract();
const cases = await loadCases(contract);

/** The unmodified reference's verdicts, computed once per profile and shared by the concurrent variant tests. */
const baselines = new Map<ProfileName, Promise<Verdicts>>();
function baseline(profile: ProfileName): Promise<Verdicts> {
  let verdicts = baselines.get(profile);
  if (verdicts === undefined) {
    verdicts = runBaseline(contract, cases, profile);
    baselines.set(profile, verdicts);
  }
  return verdicts;
}

/** Whether the suites caught each planted bug run so far, by variant name. */
const caught = new Map<string, boolean>();
const plantedNames = [...PLANTED_REFERENCE_VARIANTS, ...NOCK_VARIANTS].map((variant) => variant.name);

function catchRate(): { line: string; missed: string[] } {
  const hits = plantedNames.filter((name) => caught.get(name) === true).length;
  const percent = plantedNames.length === 0 ? 0 : Math.round((hits / plantedNames.length) * 1000) / 10;
  const missed = plantedNames.filter((name) => caught.get(name) !== true);
  return { line: `planted bugs caught: ${hits}/${plantedNames.length} (${percent}%)`, missed };
}

afterAll(() => {
  const { line, missed } = catchRate();
  console.log(missed.length === 0 ? line : `${line}; not caught: ${missed.join(", ")}`);
  nock.abortPendingRequests();
  nock.cleanAll();
  nock.enableNetConnect();
});

const caseIdsOf = (profile: ProfileName): Set<string> =>
  new Set(cases.filter((testCase) => testCase.profiles.includes(profile)).map((testCase) => testCase.id));

describe("the variant lists", () => {
  const all = [...PLANTED_REFERENCE_VARIANTS, ...NOCK_VARIANTS, ...CONFORMANT_VARIANTS];

  test("name every variant with a unique kebab-case slug", () => {
    const names = all.map((variant) => variant.name);
    expect(names.filter((name) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name))).toEqual([]);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  test("hold at least 30 planted bugs and 5 conformant variants", () => {
    expect(plantedNames.length).toBeGreaterThanOrEqual(30);
    expect(CONFORMANT_VARIANTS.length).toBeGreaterThanOrEqual(5);
  });

  test("declare only cases of the variant's profile", () => {
    const unknown = all.flatMap((variant) =>
      Object.keys(variant.expect)
        .filter((id) => !caseIdsOf(variant.profile).has(id))
        .map((id) => `${variant.name}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  test("let a conformant variant cost at most a WARN", () => {
    const harsher = CONFORMANT_VARIANTS.flatMap((variant) =>
      Object.entries(variant.expect)
        .filter(([, verdict]) => verdict !== "WARN")
        .map(([id, verdict]) => `${variant.name}: ${id} ${verdict}`),
    );
    expect(harsher).toEqual([]);
  });

  test("give every nock variant at least one case to run", () => {
    expect(NOCK_VARIANTS.filter((variant) => Object.keys(variant.expect).length === 0)).toEqual([]);
  });
});

describe("the unmodified reference", () => {
  test.for(PROFILES)("passes every case of %s", async (profile) => {
    const verdicts = await baseline(profile);
    const observeOnly = cases.filter(
      (testCase) =>
        testCase.profiles.includes(profile) &&
        testCase.steps.every((step) => step.expect.every((group) => group.observe === true)),
    );
    const expected = new Map<string, Verdict>(
      [...caseIdsOf(profile)].map((id) => [
        id,
        observeOnly.some((testCase) => testCase.id === id) ? "INFO" : "PASS",
      ]),
    );
    expect(Object.fromEntries(verdicts)).toEqual(Object.fromEntries(expected));
  });
});

describe.concurrent("planted bugs in the reference", () => {
  test.for(PLANTED_REFERENCE_VARIANTS)("$name: $defect", async (variant, { expect }) => {
    const observed = await runReferenceVariant(contract, cases, variant);
    const diff = differences(await baseline(variant.profile), observed);
    caught.set(variant.name, isCaught(diff));
    expect(diff, "the cases whose verdict differs from the unmodified reference").toEqual(variant.expect);
    expect(isCaught(diff), `no case catches ${variant.name} (${variant.defect}): a gap in the cases`).toBe(
      true,
    );
  });
});

describe.concurrent("planted bugs served by nock", () => {
  test.for(NOCK_VARIANTS)("$name: $defect", async (variant, { expect }) => {
    const [control, planted] = await Promise.all([
      runNockVariant(contract, cases, variant, false),
      runNockVariant(contract, cases, variant, true),
    ]);
    const passes = Object.fromEntries(Object.keys(variant.expect).map((id) => [id, "PASS"]));
    const alarms = (verdicts: Verdicts) => [...verdicts.values()].some((verdict) => ALARMS.has(verdict));
    caught.set(variant.name, alarms(planted) && !alarms(control));
    expect(Object.fromEntries(control), "the same cases answered right").toEqual(passes);
    expect(Object.fromEntries(planted), "the cases with the defect planted").toEqual(variant.expect);
    expect(alarms(planted), `no case catches ${variant.name}: a gap in the cases`).toBe(true);
  });
});

describe.concurrent("conformant variants", () => {
  test.for(CONFORMANT_VARIANTS)("$name stays green: $defect", async (variant, { expect }) => {
    const observed = await runReferenceVariant(contract, cases, variant);
    const diff = differences(await baseline(variant.profile), observed);
    const falseAlarms = Object.entries(diff).filter(
      ([, verdict]) => verdict === "FAIL" || verdict === "ERROR",
    );
    expect(falseAlarms, "a FAIL or ERROR on a conformant variant is a bug in the kit").toEqual([]);
    expect(diff, "the cases whose verdict differs from the unmodified reference").toEqual(variant.expect);
  });
});

test("catches every planted bug", () => {
  const { line, missed } = catchRate();
  expect(missed, line).toEqual([]);
});
