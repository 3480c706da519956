// The kit's memory against targets that answer megabytes, measured in a CLI process of its own capped at 300 MB of heap.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { closeTargets, hostileAfterLogin, RUN_BOUND_MS, TEST_LIMIT_MS } from "./hostile-support.js";

const dirs: string[] = [];
afterEach(async () => {
  await closeTargets();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The reports are part of the run: building them is where a run's memory used to peak. */
async function reportDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "wa-memory-"));
  dirs.push(dir);
  return dir;
}

const MEMORY_BOUND_BYTES = 300 * 1024 * 1024;
const CHILD = fileURLToPath(new URL("./children/measured-cli.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Measured {
  exitCode: number;
  peakBytes: number;
  maxRssBytes: number;
  stdout: string;
  ms: number;
}

/** `run` against `url` in a child process whose heap may not grow past the bound (it dies if it does). */
function measuredRun(url: string, reportDir: string): Promise<Measured> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${MEMORY_BOUND_BYTES / 1024 / 1024}`,
      "--import",
      "tsx",
      CHILD,
      "run",
      "--target",
      url,
      "--username",
      DEFAULT_ADMIN.username,
      "--password",
      DEFAULT_ADMIN.password,
      "--state-url",
      `${url}${PROVIDER_STATE_PATH}`,
      "--report-dir",
      reportDir,
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), RUN_BOUND_MS + 10_000);
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      clearTimeout(killer);
      const last = stderr.trim().split("\n").pop() ?? "";
      try {
        const report = JSON.parse(last) as Omit<Measured, "stdout" | "ms">;
        resolve({ ...report, stdout, ms: performance.now() - started });
      } catch {
        reject(new Error(`the CLI process ended with ${code} and no measure:\n${stderr.slice(-3000)}`));
      }
    });
  });
}

function expectBounded(measured: Measured): void {
  expect(measured.exitCode, measured.stdout.slice(-2000)).toBe(EXIT.notConformant);
  expect(measured.peakBytes, "peak of heap and buffers").toBeLessThan(MEMORY_BOUND_BYTES);
  // The figures, for the record (the issue measured 814 MB for the 1 MB answers).
  console.info(
    `peak heap+buffers ${(measured.peakBytes / 2 ** 20).toFixed(0)} MiB, max RSS ${(measured.maxRssBytes / 2 ** 20).toFixed(0)} MiB, ${measured.ms.toFixed(0)} ms`,
  );
  expect(measured.ms).toBeLessThan(RUN_BOUND_MS);
}

describe("the kit's memory against a target that answers megabytes", () => {
  it(
    "stays under 300 MB when every answer is a valid 1 MB JSON body",
    async () => {
      const body = JSON.stringify({ meta: { version: "v2.45.1" }, pad: "y".repeat(1_000_000) });
      const url = await hostileAfterLogin((req, res) => {
        req.resume();
        res.writeHead(400, { "content-type": "application/json" });
        res.end(body);
      });
      expectBounded(await measuredRun(url, await reportDir()));
    },
    TEST_LIMIT_MS,
  );

  it(
    "stays under 300 MB when every answer is a brotli body that inflates to 256 MB (judged too large)",
    async () => {
      const bomb = brotliCompressSync(Buffer.alloc(256 * 1024 * 1024, 0x20), {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
      });
      const url = await hostileAfterLogin((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "br" });
        res.end(bomb);
      });
      const measured = await measuredRun(url, await reportDir());
      expectBounded(measured);
      expect(measured.stdout).toMatch(/exceeds 1048576 bytes|too-large/);
    },
    TEST_LIMIT_MS,
  );
});
