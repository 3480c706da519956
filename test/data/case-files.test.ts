// Data sanity of the cases: schema, unique ids, one description style, real requirements, and full coverage.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CASES_DIR, CaseError, loadCases, readCaseFile } from "../../src/cases/load-cases.js";
import { loadContract } from "../../src/contract/contract.js";
import {
  bodyIntentProblems,
  descriptionProblems,
  uncoveredRequirements,
  unexpectedResponses,
} from "./case-checks.js";

const contract = await loadContract();
const cases = await loadCases(contract);
const caseFiles = (await readdir(CASES_DIR)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
const generated = cases.filter((testCase) => testCase.source === "generated");

const scratch = await mkdtemp(join(tmpdir(), "case-files-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A case file in its own folder whose second case has no profiles, which the schema requires. */
async function writeBrokenCaseFile(folder: string): Promise<string> {
  await mkdir(join(scratch, folder));
  const file = join(scratch, folder, "broken.yaml");
  await writeFile(
    file,
    [
      "cases:",
      "  - id: fine-case-answers-401",
      "    description: answers 401 to a request without a token",
      "    profiles: [sunset]",
      "    request: { operation: requestCode, auth: none }",
      "    expect: [{ requirement: missing-or-unknown-token-answers-401, status: 401 }]",
      "  - id: broken-case-without-profiles",
      "    description: rejects nothing because it names no profile",
      "    request: { operation: requestCode }",
      "    expect: [{ requirement: malformed-body-rejected, status: 4xx }]",
    ].join("\n"),
  );
  return file;
}

describe("case files", () => {
  test("exist, and the negative matrix adds generated cases", () => {
    expect(caseFiles.length).toBeGreaterThan(0);
    expect(generated.length).toBeGreaterThan(0);
  });

  test.for(caseFiles)("%s follows fixtures/case.schema.json", async (file) => {
    expect((await readCaseFile(join(CASES_DIR, file))).length).toBeGreaterThan(0);
  });

  test("a case that breaks the schema is rejected with a message naming its file, place and id", async () => {
    const file = await writeBrokenCaseFile("one");
    const read = readCaseFile(file);
    await expect(read).rejects.toBeInstanceOf(CaseError);
    await expect(read).rejects.toThrow(file);
    await expect(read).rejects.toThrow(
      /\/cases\/1 \(case broken-case-without-profiles\): must have required property 'profiles'/,
    );
  });

  test("a case folder holding a broken file cannot be loaded", async () => {
    const file = await writeBrokenCaseFile("two");
    await expect(loadCases(contract, join(file, ".."))).rejects.toThrow(`${file} does not follow its schema`);
  });
});

describe("case ids", () => {
  test("are unique across hand-written and generated cases", () => {
    const ids = cases.map((testCase) => testCase.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });
});

describe("case descriptions", () => {
  test("follow one style: a present-tense verb first, no should, 10 to 80 characters", () => {
    const problems = cases.flatMap((testCase) =>
      descriptionProblems(testCase.description).map(
        (problem) => `${testCase.id}: "${testCase.description}" ${problem}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  test.for([
    "should answer 401 without a token",
    "Answered 401 to a request without a token",
    "tests that the target answers 401",
    "is rejected",
    `answers ${"a very long description ".repeat(4)}`,
    "answers 401.",
  ])("the style check refuses %j", (description) => {
    expect(descriptionProblems(description)).not.toEqual([]);
  });
});

describe("requirements named by cases", () => {
  test("exist in the contract's ledger", () => {
    const unknown = cases.flatMap((testCase) =>
      testCase.requirements
        .filter((id) => !contract.requirementById.has(id))
        .map((id) => `${testCase.id}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  test("cover every MUST and SHOULD of each profile", () => {
    expect(uncoveredRequirements(contract, cases)).toEqual([]);
  });

  test("the coverage check reports a requirement whose only cases are gone", () => {
    const without = cases.filter((testCase) => !testCase.requirements.includes("oversized-body-answers-413"));
    expect(uncoveredRequirements(contract, without)).toEqual([
      "registration-open: oversized-body-not-accepted",
      "sunset: oversized-body-not-accepted",
      "registration-open: oversized-body-answers-413",
      "sunset: oversized-body-answers-413",
    ]);
  });

  test("the coverage check reports the implicit requirements when no case of a profile sends anything", () => {
    const noSunset = cases.filter((testCase) => !testCase.profiles.includes("sunset"));
    expect(uncoveredRequirements(contract, noSunset)).toContain("sunset: no-5xx-for-client-input");
  });
});

describe("documented responses", () => {
  test("are each expected, as an exact status, by a step on their operation", () => {
    expect(unexpectedResponses(contract, cases)).toEqual([]);
  });

  test("the response check reports a status no step expects any more", () => {
    const without = cases.filter((testCase) => testCase.id !== "oversized-body-answers-413");
    expect(unexpectedResponses(contract, without)).toEqual(["requestCode 413"]);
  });
});

describe("request bodies", () => {
  test("of generated cases are all meant to be rejected", () => {
    const notNegative = generated.filter((testCase) =>
      testCase.steps.some((step) => step.bodyConforms !== false),
    );
    expect(notNegative.map((testCase) => testCase.id)).toEqual([]);
  });

  test("violate the contract when they must be rejected and conform when they must be accepted", () => {
    expect(bodyIntentProblems(contract, cases)).toEqual([]);
  });

  test("the body check reports a negative body that conforms and a positive one that does not", () => {
    const [negative, positive] = [
      generated.find((testCase) => testCase.id === "request-code-rejects-body-without-cc"),
      cases.find((testCase) => testCase.id === "new-number-answers-202-with-decoded-vname"),
    ];
    expect(negative).toBeDefined();
    expect(positive).toBeDefined();
    if (negative === undefined || positive === undefined) {
      return;
    }
    const valid = { cc: "{{cc}}", phone_number: "{{phone_number}}", method: "sms", cert: "{{cert}}" };
    const broken = [
      {
        ...negative,
        steps: negative.steps.map((step) => ({ ...step, request: { ...step.request, body: valid } })),
      },
      {
        ...positive,
        steps: positive.steps.map((step) => ({
          ...step,
          request: { ...step.request, body: { ...valid, cc: "+1" } },
        })),
      },
    ];
    expect(bodyIntentProblems(contract, broken)).toEqual([
      "request-code-rejects-body-without-cc step 1: must be rejected but conforms to the contract",
      expect.stringMatching(
        /^new-number-answers-202-with-decoded-vname step 1: must be accepted but \/cc must match/,
      ),
    ]);
  });
});
