// `compare`: the case × implementation grid from results.json files, its JSON schema, and bad inputs (exit 2).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareDocument } from "../../src/report/compare.js";
import type { ResultsDocument } from "../../src/report/model.js";
import { validatorFor } from "../../src/schemas.js";
import { type PlantedTarget, runAgainst, runCli, startPlantedTarget, tempDir } from "./planted-run.js";

describe("compare", () => {
  let target: PlantedTarget;
  /** The embedded reference in both profiles, and the planted-bug target in registration-open. */
  let embedded: string;
  let planted: string;

  beforeAll(async () => {
    target = await startPlantedTarget();
    const embeddedDir = tempDir("cmp-embedded");
    const plantedDir = tempDir("cmp-planted");
    expect((await runCli(["run", "--report-dir", embeddedDir, "--reporter", "json"])).exitCode).toBe(0);
    expect((await runAgainst(target.reference, plantedDir, ["--reporter", "json"])).exitCode).toBe(1);
    embedded = join(embeddedDir, "results.json");
    planted = join(plantedDir, "results.json");
  }, 60_000);

  afterAll(async () => {
    await target?.reference.close();
  });

  it("writes compare.html and compare.json with a column per profile run and prints a line per target", async () => {
    const out = tempDir("cmp-out");
    const run = await runCli(["compare", embedded, planted, "--out", out]);
    expect(run.exitCode).toBe(0);
    expect(run.out).toMatch(/^1\. embedded reference \(registration-open\) v2\.45\.1: \d+ PASS/m);
    expect(run.out).toMatch(
      /^3\. http:\/\/127\.0\.0\.1:\d+ \(registration-open\) v2\.45\.1: .*\d+ FAIL.*; not-conformant$/m,
    );
    const comparison = JSON.parse(readFileSync(join(out, "compare.json"), "utf8")) as CompareDocument;
    const validate = validatorFor("compare");
    expect(validate(comparison), JSON.stringify(validate.errors)).toBe(true);
    expect(comparison.implementations.map((column) => column.profile)).toEqual([
      "registration-open",
      "sunset",
      "registration-open",
    ]);
    const requirement = comparison.requirements.find(
      (row) => row.id === "register-new-number-answers-202-with-vname",
    );
    expect(requirement?.verdicts).toEqual(["PASS", null, "FAIL"]);
    const row = requirement?.cases.find(
      (testCase) => testCase.id === "new-number-answers-202-with-decoded-vname",
    );
    expect(row?.cells.map((cell) => cell.verdict)).toEqual(["PASS", null, "FAIL"]);
    expect(row?.differs).toBe(true);
    // Each case appears once in the grid.
    const ids = comparison.requirements.flatMap((r) => r.cases.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
    const html = readFileSync(join(out, "compare.html"), "utf8");
    expect(html).toContain("new-number-answers-202-with-decoded-vname");
    expect(html).toContain("Content-Security-Policy");
  }, 30_000);

  it("refuses a file that is not a results.json, naming what is wrong (exit 2)", async () => {
    const dir = tempDir("cmp-bad");
    const notJson = join(dir, "a.json");
    writeFileSync(notJson, "{ nope");
    const wrongShape = join(dir, "b.json");
    const document = JSON.parse(readFileSync(planted, "utf8")) as ResultsDocument;
    const { manifest: _manifest, ...withoutManifest } = document;
    writeFileSync(wrongShape, JSON.stringify(withoutManifest));
    const future = join(dir, "c.json");
    writeFileSync(future, JSON.stringify({ ...document, schemaVersion: 2 }));

    const bad = await runCli(["compare", notJson, "--out", dir]);
    expect(bad.exitCode).toBe(2);
    expect(bad.err).toContain("is not JSON");
    const shape = await runCli(["compare", planted, wrongShape, "--out", dir]);
    expect(shape.exitCode).toBe(2);
    expect(shape.err).toContain("must have required property 'manifest'");
    const version = await runCli(["compare", future, "--out", dir]);
    expect(version.exitCode).toBe(2);
    expect(version.err).toContain("schemaVersion 2");
    expect((await runCli(["compare", join(dir, "missing.json")])).err).toContain("ENOENT");
  });
});
