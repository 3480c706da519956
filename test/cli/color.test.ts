// When the console is coloured: FORCE_COLOR and NO_COLOR as the conventions say, and the colour really printed.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { colorFor } from "../../src/terminal-style.js";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/wa-account-conformance.js", import.meta.url));
const ANSI = "\u001b[";

describe("colorFor", () => {
  test.for([
    [{}, true, true],
    [{}, false, false],
    [{ NO_COLOR: "1" }, true, false],
    [{ NO_COLOR: "" }, true, true],
    [{ FORCE_COLOR: "1" }, false, true],
    [{ FORCE_COLOR: "3" }, false, true],
    [{ FORCE_COLOR: "" }, false, true],
    [{ FORCE_COLOR: "0" }, true, false],
    [{ FORCE_COLOR: "false" }, true, false],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, false, true],
  ] as const)("%o on a terminal %s: %s", ([env, terminal, colored]) => {
    expect(colorFor(env, terminal)).toBe(colored);
  });
});

describe("the bin's output, not on a terminal", { timeout: 60_000 }, () => {
  const run = (env: Record<string, string>) =>
    execFileAsync(process.execPath, [BIN, "run", "--case", "registered-number-answers-201"], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });

  // On Node 22 and later, util.styleText drops the colour itself when stdout is no terminal; this caught it.
  test("is coloured under FORCE_COLOR=1", async () => {
    const { stdout } = await run({ FORCE_COLOR: "1" });
    expect(stdout).toContain(`${ANSI}32mPASS`);
  });

  test.for<Record<string, string>>([{}, { NO_COLOR: "1" }, { FORCE_COLOR: "0" }])(
    "is plain under %o",
    async (env) => {
      const { stdout } = await run(env);
      expect(stdout).toContain("PASS");
      expect(stdout).not.toContain(ANSI);
    },
  );
});
