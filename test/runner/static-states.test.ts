// A target with no provider-state hook is reached from static config data, and what it cannot offer is skipped.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningReference, startReference } from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";

describe("a target without a hook", () => {
  let reference: RunningReference;
  let dir: string;

  beforeAll(async () => {
    reference = await startReference({
      stateHook: false,
      codeHeader: "verify-code",
      users: [{ username: "operator", password: "Operator-Pass-1" }],
    });
    dir = await mkdtemp(join(tmpdir(), "wa-static-"));
  });
  afterAll(() => reference.close());

  it("reaches every state from static data and exits 0", async () => {
    const config = join(dir, "target.yaml");
    await writeFile(
      config,
      [
        `target: ${reference.url}`,
        "username: admin",
        "password: secret",
        "concurrency: 1",
        "states:",
        "  non-admin-user: { username: operator, password: Operator-Pass-1 }",
        "  code-sent: { codeHeader: verify-code }",
        "  sms-attempts-exhausted: { smsLimit: 3 }",
      ].join("\n"),
    );
    const run = await runCli(["run", "--config", config, "--quiet"]);
    expect(run.exitCode, run.out.split("\n").slice(-6).join("\n")).toBe(0);
    expect(run.out).toMatch(/0 SKIP, 0 ERROR/);
  });

  it("skips the states it cannot reach with the reason, and exits 1 for the MUSTs left unexercised", async () => {
    const run = await runCli([
      "run",
      "--target",
      reference.url,
      "--username",
      "admin",
      "--password",
      "secret",
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.out).toMatch(/SKIP\s+registered-number-answers-201/);
    expect(run.out).toMatch(/state number-registered needs number-registered\.cc/);
    expect(run.out).toMatch(
      /MUST requirement register-registered-number-answers-201 \(registration-open\) was not exercised/,
    );
  });
});
