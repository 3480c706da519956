// Runs the CLI in-process for tests, capturing what it prints and timing it, with the environment a test chooses.
import { main } from "../../src/cli/main.js";
import type { Output } from "../../src/cli/run-command.js";

export interface CliRun {
  exitCode: number;
  out: string;
  err: string;
  /** From the call to the exit code. */
  ms: number;
}

/** An empty environment by default, so no WA_CONFORMANCE_* variable of the machine leaks into a test. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    style: { color: false },
  };
  const started = performance.now();
  const exitCode = await main(["node", "wa-account-conformance", ...args], env, output);
  return { exitCode, out: out.join("\n"), err: err.join("\n"), ms: performance.now() - started };
}
