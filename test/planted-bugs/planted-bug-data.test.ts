// Tests the loading of planted-bug files: the schema line, schema errors by file, duplicate ids, unknown rules, the verdicts file.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { observeBug } from "./harness.js";
import {
  FIXTURES_DIR,
  loadPlantedBugs,
  PLANTED_BUGS_DIR,
  type PlantedBug,
  readVerdicts,
  VERDICTS_FILE,
  writeVerdicts,
} from "./planted-bug-data.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fixtures copy holding the schema and one bug file with this text. */
async function withBugFile(text: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "wa-planted-data-"));
  dirs.push(root);
  await cp(join(FIXTURES_DIR, "planted-bug.schema.json"), join(root, "planted-bug.schema.json"));
  await cp(PLANTED_BUGS_DIR, join(root, "planted-bugs"), { recursive: true });
  for (const file of await readdir(join(root, "planted-bugs"))) {
    await rm(join(root, "planted-bugs", file));
  }
  await writeFile(join(root, "planted-bugs", "topic.yaml"), text);
  return join(root, "planted-bugs");
}

const HEAD = "# yaml-language-server: $schema=../planted-bug.schema.json\nbugs:\n";
const record = (id: string, plant = "reference: { skip: [cert] }") =>
  `  - id: ${id}\n    defect: a defect\n    profile: registration-open\n    ${plant}\n`;

describe("the planted-bug files", () => {
  it("each start with the schema line editors validate against", async () => {
    const files = (await readdir(PLANTED_BUGS_DIR)).filter((file) => file.endsWith(".yaml"));
    const heads = await Promise.all(
      files.map(async (file) => [
        file,
        (await readFile(join(PLANTED_BUGS_DIR, file), "utf8")).split("\n")[0],
      ]),
    );
    expect(heads.filter(([file, line]) => file !== VERDICTS_FILE && line !== HEAD.split("\n")[0])).toEqual(
      [],
    );
  });

  it("load with their defaults: kind planted, catchers [matrix], no cases", async () => {
    const [bug] = await loadPlantedBugs(await withBugFile(HEAD + record("one")));
    expect(bug).toMatchObject({
      id: "one",
      kind: "planted",
      catchers: ["matrix"],
      cases: [],
      source: "topic.yaml",
    });
  });

  it.each([
    [
      record("one", "reference: { skip: [cert] }\n    colour: red"),
      /topic\.yaml does not follow planted-bug\.schema\.json/,
    ],
    [record("one", "static: { cases: [x] }"), /topic\.yaml does not follow/],
    [record("Not-Kebab"), /topic\.yaml does not follow/],
    [record("one") + record("one"), /planted bug ids must be unique: one/],
    [
      record("one", "reference: { skip: [no-such-rule] }"),
      /unknown reference rules in skip .*one: no-such-rule/,
    ],
  ])("refuse a bad record with a message naming it: %#", async (records, message) => {
    await expect(loadPlantedBugs(await withBugFile(HEAD + records))).rejects.toThrow(message);
  });
});

describe("a plant the reference refuses", () => {
  it("fails naming the bug and its file, before anything runs", async () => {
    const [bug] = await loadPlantedBugs(
      await withBugFile(
        HEAD + record("typo", "reference: { rewrite: [{ when: { operation: verifyAcount }, do: drop }] }"),
      ),
    );
    const contract = await loadContract();
    const never = () => Promise.reject(new Error("no baseline may be needed"));
    await expect(observeBug(contract, [], bug as PlantedBug, never)).rejects.toThrow(
      /^typo \(topic\.yaml\): tweaks\.rewrite\[0\]\.when\.operation: unknown operation "verifyAcount"/,
    );
  });
});

describe("verdicts.yaml", () => {
  it("is written in the bugs' order with cases sorted, and reads back the same", async () => {
    const dir = await withBugFile(HEAD + record("one"));
    await writeVerdicts({ b: { z: "FAIL", a: "WARN" }, a: {} }, ["b", "a"], dir);
    const text = await readFile(join(dir, VERDICTS_FILE), "utf8");
    expect(text).toMatch(/^# Written by `npm run planted:update`/);
    expect(text.indexOf("  b:")).toBeLessThan(text.indexOf("  a:"));
    expect(text.indexOf("    a: WARN")).toBeLessThan(text.indexOf("    z: FAIL"));
    expect(await readVerdicts(dir)).toEqual({ b: { a: "WARN", z: "FAIL" }, a: {} });
  });
});
