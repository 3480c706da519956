// The README's expected-failures example: a file the kit accepts, whose expiry is still ahead of today.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadBaseline, utcDate } from "../../src/baseline/baseline.js";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract } from "../../src/contract/contract.js";
import { PACKAGE_ROOT } from "../../src/paths.js";

/** Days an example's expiry must stay ahead of today, so it is updated well before a reader copies an expired one. */
const MIN_DAYS_AHEAD = 60;

const readme = await readFile(join(PACKAGE_ROOT, "README.md"), "utf8");
const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((match) => match[1] ?? "")
  .filter((block) => block.startsWith("expectedFailures:"));
const dir = await mkdtemp(join(tmpdir(), "wa-readme-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the README has an expected-failures example", () => {
  expect(examples.length).toBeGreaterThan(0);
});

test.for(examples.map((text, index) => ({ index, text })))(
  "example $index loads, and each expiry is at least 60 days ahead of today",
  async ({ index, text }) => {
    const contract = await loadContract();
    const cases = await loadCases(contract);
    const file = join(dir, `example-${index}.yaml`);
    await writeFile(file, text);
    const baseline = await loadBaseline(file, {
      cases: cases.map((testCase) => testCase.id),
      requirements: contract.requirements.map((requirement) => requirement.id),
    });
    const horizon = utcDate(new Date(Date.now() + MIN_DAYS_AHEAD * 86_400_000));
    const soon = baseline.entries.filter((entry) => entry.expires !== undefined && entry.expires < horizon);
    expect(soon, `move these README expiry dates past ${horizon}`).toEqual([]);
  },
);
