// The README's hook example, repeated on a busy machine: the reference in a process of its own, a core kept busy, no verdict may change.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";

/** How long the busy loop may spin at most; it is killed as soon as the tests end. */
const BUSY_FOR_MS = 90_000;
const REPETITIONS = 10;

const children: ChildProcess[] = [];

function spawnNode(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  return child;
}

/** Starts the reference in its own process (as `serve` runs it) and resolves its URL. */
function startReferenceProcess(options: object): Promise<string> {
  const child = spawnNode([
    "--import",
    "tsx",
    "test/reference/children/reference-server.ts",
    JSON.stringify(options),
  ]);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout?.once("data", (data: Buffer) => resolve(String(data).trim()));
  });
}

beforeAll(() => {
  // One core spins for the whole file: the kit and the reference share the other one, as on a busy CI runner.
  spawnNode(["-e", `const end = Date.now() + ${BUSY_FOR_MS}; while (Date.now() < end) {}`]);
});

afterAll(() => {
  for (const child of children) {
    child.kill("SIGKILL");
  }
});

describe(`the full matrix ${REPETITIONS} times against the reference in another process, one core busy`, () => {
  it.for(["registration-open", "sunset"] as const)(
    "%s: no case changes its verdict, exit 0",
    { timeout: 60_000 },
    async (profile) => {
      const url = await startReferenceProcess({ profile });
      const run = await runCli([
        "run",
        "--target",
        url,
        "--profile",
        profile,
        "--username",
        DEFAULT_ADMIN.username,
        "--password",
        DEFAULT_ADMIN.password,
        "--state-url",
        `${url}${PROVIDER_STATE_PATH}`,
        "--repeat",
        String(REPETITIONS),
        "--quiet",
      ]);
      expect(run.out).not.toContain("FLAKY");
      expect(run.exitCode, run.out).toBe(EXIT.conformant);
    },
  );
});
