// The run flags for reports: --report-dir, --reporter, their errors (exit 2), and the help text that documents them.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./planted-run.js";

describe("run --report-dir and --reporter", () => {
  it("writes only the reporters named", async () => {
    const dir = tempDir("reporters");
    const run = await runCli([
      "run",
      "--profile",
      "sunset",
      "--report-dir",
      dir,
      "--reporter",
      "junit,markdown",
    ]);
    expect(run.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["junit.xml", "summary.md"]);
  }, 30_000);

  it("refuses --reporter without --report-dir, and an unknown reporter (exit 2)", async () => {
    const alone = await runCli(["run", "--reporter", "json"]);
    expect(alone.exitCode).toBe(2);
    expect(alone.err).toContain("--reporter needs --report-dir");
    const unknown = await runCli(["run", "--report-dir", tempDir("unknown"), "--reporter", "json,pdf"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.err).toContain("unknown reporter pdf: choose from junit, json, html, har, markdown");
  });

  it("refuses a report directory that cannot be made, before running any case (exit 2)", async () => {
    const file = join(tempDir("blocked"), "a-file");
    writeFileSync(file, "");
    const run = await runCli(["run", "--report-dir", join(file, "reports")]);
    expect(run.exitCode).toBe(2);
    expect(run.err).toContain("cannot create the report directory");
    expect(run.out).not.toContain("Summary");
  });

  it("documents every new flag and the compare command in the help", async () => {
    const run = await runCli(["run", "--help"]);
    for (const flag of [
      "--report-dir <dir>",
      "--reporter <names>",
      "--expected-failures <file>",
      "--include-secrets",
    ]) {
      expect(run.out).toContain(flag);
    }
    const compare = await runCli(["compare", "--help"]);
    expect(compare.out).toContain("--out <dir>");
    expect(compare.out).toContain("compare.html and compare.json");
  });
});
