// A target with no provider-state hook is reached from static config data, and what it cannot offer is skipped.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Output } from "../../src/cli/run-command.js";
import { type RunningReference, startReference } from "../../src/reference/index.js";

function capture(): Output & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (text) => lines.push(text),
    err: (text) => lines.push(text),
    style: { color: false },
    text: () => lines.join("\n"),
  };
}

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
    const output = capture();
    const code = await main(["node", "cli", "run", "--config", config, "--quiet"], {}, output);
    expect(code, output.text().split("\n").slice(-6).join("\n")).toBe(0);
    expect(output.text()).toMatch(/0 SKIP, 0 ERROR/);
  });

  it("skips the states it cannot reach with the reason, and exits 1 for the MUSTs left unexercised", async () => {
    const output = capture();
    const code = await main(
      [
        "node",
        "cli",
        "run",
        "--target",
        reference.url,
        "--username",
        "admin",
        "--password",
        "secret",
        "--quiet",
      ],
      {},
      output,
    );
    expect(code).toBe(1);
    expect(output.text()).toMatch(/SKIP\s+registered-number-answers-201/);
    expect(output.text()).toMatch(/state number-registered needs number-registered\.cc/);
    expect(output.text()).toMatch(
      /MUST requirement register-registered-number-answers-201 \(registration-open\) was not exercised/,
    );
  });
});
