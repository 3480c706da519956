// `run` and the vitest suite give the same pass or fail on the same targets: with and without a hook, a planted bug, a baseline.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { DEFAULT_ADMIN, type RunningReference, startReference } from "../../src/reference/index.js";
import { startVariant } from "../planted-bugs/harness.js";
import { loadPlantedBugs, readVerdicts } from "../planted-bugs/planted-bug-data.js";
import { runCli } from "../support/cli.js";

const run = promisify(execFile);
const contract = await loadContract();
const VITEST = join(PACKAGE_ROOT, "node_modules", "vitest", "vitest.mjs");

/** The repository's conformance project in a process of its own, with only these WA_CONFORMANCE_* variables. */
async function vitestExit(env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [VITEST, "run", "--project", "conformance"], {
      cwd: PACKAGE_ROOT,
      // A clean environment: the parent's VITEST_* variables would make the child think it is a worker.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** Both ways against the same settings: the CLI in-process, vitest in a child. */
async function bothWays(env: Record<string, string>): Promise<{ cli: number; vitest: number; out: string }> {
  const [cli, vitest] = await Promise.all([runCli(["run"], env), vitestExit(env)]);
  return { cli: cli.exitCode, vitest: vitest.code, out: `${cli.out}\n${cli.err}\n---\n${vitest.out}` };
}

const login = {
  WA_CONFORMANCE_USERNAME: DEFAULT_ADMIN.username,
  WA_CONFORMANCE_PASSWORD: DEFAULT_ADMIN.password,
};
const swapped = (await loadPlantedBugs()).find((bug) => bug.id === "registration-201-202-swapped");
const swappedChanges = (await readVerdicts())["registration-201-202-swapped"] ?? {};

let withHook: RunningReference;
let withoutHook: RunningReference;
let planted: Awaited<ReturnType<typeof startVariant>>;
let dir = "";

beforeAll(async () => {
  if (!swapped?.reference) {
    throw new Error("the planted bug registration-201-202-swapped is gone");
  }
  [withHook, withoutHook, planted] = await Promise.all([
    startReference(),
    startReference({ stateHook: false }),
    startVariant(contract, swapped.profile, swapped.reference),
  ]);
  dir = await mkdtemp(join(tmpdir(), "wa-parity-"));
});

afterAll(async () => {
  await Promise.all([withHook.close(), withoutHook.close(), planted.close()]);
});

describe("run and vitest agree", { timeout: 60_000 }, () => {
  it("on the reference with its hook: both pass", async () => {
    const outcome = await bothWays({
      ...login,
      WA_CONFORMANCE_TARGET: withHook.url,
      WA_CONFORMANCE_STATE_URL: withHook.stateUrl ?? "",
    });
    expect(outcome, outcome.out).toMatchObject({ cli: 0, vitest: 0 });
  });

  it("on the reference without a hook (MUST requirements left unexercised): both fail", async () => {
    const outcome = await bothWays({ ...login, WA_CONFORMANCE_TARGET: withoutHook.url });
    expect(outcome, outcome.out).toMatchObject({ cli: 1, vitest: 1 });
    expect(outcome.out).toContain("MUST requirement two-step-enable-answers-200 was not exercised");
  });

  it("on a planted bug: both fail", async () => {
    const outcome = await bothWays({
      ...login,
      WA_CONFORMANCE_TARGET: planted.url,
      WA_CONFORMANCE_STATE_URL: planted.stateUrl,
    });
    expect(outcome, outcome.out).toMatchObject({ cli: 1, vitest: 1 });
  });

  it("on the planted bug with a baseline that excuses its failures: both pass, vitest skipping the excused", async () => {
    const file = join(dir, "expected-failures.yaml");
    const entries = Object.keys(swappedChanges).map(
      (id) => `  - case: ${id}\n    reason: swaps 201 and 202 until the fix ships\n`,
    );
    await writeFile(file, `expectedFailures:\n${entries.join("")}`);
    const outcome = await bothWays({
      ...login,
      WA_CONFORMANCE_TARGET: planted.url,
      WA_CONFORMANCE_STATE_URL: planted.stateUrl,
      WA_CONFORMANCE_EXPECTED_FAILURES: file,
    });
    expect(outcome, outcome.out).toMatchObject({ cli: 0, vitest: 0 });
    expect(outcome.out).toContain("swaps 201 and 202 until the fix ships");
  });
});
