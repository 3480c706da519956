// The report directory and the expected-failures file can come from the environment or the config file too.
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ADMIN, type RunningReference, startReference } from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";

const CASE = "registered-number-answers-201";

let reference: RunningReference;
/** A config file must name its target (one without would run the embedded reference): this one. */
let targetLines = "";

beforeAll(async () => {
  reference = await startReference();
  targetLines = `target: ${reference.url}\nusername: ${DEFAULT_ADMIN.username}\npassword: ${DEFAULT_ADMIN.password}\nstateUrl: ${reference.stateUrl}\n`;
});

afterAll(() => reference.close());

describe("report settings outside the flags", () => {
  it("writes the reports to WA_CONFORMANCE_REPORT_DIR", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "wa-report-env-")), "reports");
    const run = await runCli(["run", "--case", CASE], { WA_CONFORMANCE_REPORT_DIR: dir });
    expect(run.exitCode, run.err).toBe(0);
    expect(existsSync(join(dir, "results.json"))).toBe(true);
    expect(existsSync(join(dir, "junit.xml"))).toBe(true);
  });

  it("reads reportDir and expectedFailures from the config file, and refuses a bad baseline there", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wa-report-config-"));
    const baseline = join(dir, "expected-failures.yaml");
    await writeFile(
      baseline,
      "expectedFailures:\n  - case: no-such-case\n    reason: a case that does not exist\n",
    );
    const config = join(dir, "settings.yaml");
    await writeFile(
      config,
      `${targetLines}reportDir: ${join(dir, "reports")}\nexpectedFailures: ${baseline}\n`,
    );
    const run = await runCli(["run", "--case", CASE, "--config", config]);
    expect(run.exitCode).toBe(2);
    expect(run.err).toContain("no-such-case");
  });

  it("lets the flag win over the config file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wa-report-flag-"));
    const config = join(dir, "settings.yaml");
    await writeFile(config, `${targetLines}reportDir: ${join(dir, "from-config")}\n`);
    const run = await runCli([
      "run",
      "--case",
      CASE,
      "--config",
      config,
      "--report-dir",
      join(dir, "from-flag"),
    ]);
    expect(run.exitCode, run.err).toBe(0);
    expect(existsSync(join(dir, "from-flag", "results.json"))).toBe(true);
    expect(existsSync(join(dir, "from-config"))).toBe(false);
  });
});
