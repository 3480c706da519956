// The kit against targets whose answers attack it (deep nesting, quadratic-regex bait, megabyte bodies): a verdict,
// every report, bounded sizes and time.
import { afterEach, describe, expect, it } from "vitest";
import {
  closeTargets,
  expectJudged,
  hostileAfterLogin,
  readBody,
  runAgainst,
  TEST_LIMIT_MS,
} from "./hostile-support.js";

afterEach(closeTargets);

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("a target that answers JSON nested thousands deep", () => {
  for (const depth of [2_000, 3_000]) {
    it(
      `judges an array nested ${depth} deep (FAIL, not a stack overflow) and writes every report, each small`,
      async () => {
        const url = await hostileAfterLogin((req, res) => {
          req.resume();
          res.writeHead(400, { "content-type": "application/json" });
          res.end(nested(depth));
        });
        const run = await runAgainst(url);
        expectJudged(run);
        expect(run.out).toMatch(/\bFAIL\s+\S/);
        // The page shows the body, its outer levels indented and the rest as sent: no megabytes of indentation.
        const page = run.artifacts.get("report.html") ?? "";
        expect(page.includes(nested(depth - 16)), "the body in report.html").toBe(true);
      },
      TEST_LIMIT_MS,
    );
  }
});

describe("a target that answers text made to make a pattern backtrack", () => {
  it(
    'judges "a.a.a.…" (96 KB) to every request in bounded time, with no answer mistaken for a timeout',
    async () => {
      const url = await hostileAfterLogin((req, res) => {
        req.resume();
        res.writeHead(400, { "content-type": "text/plain" });
        res.end("a.".repeat(48_000));
      });
      const run = await runAgainst(url);
      expectJudged(run);
      // A redactor stuck for seconds on each body delays every answer still to be read past its deadline.
      expect(run.out).not.toMatch(/timeout|no complete answer/);
    },
    TEST_LIMIT_MS,
  );
});

describe("a target that answers a valid 1 MB JSON body", () => {
  it(
    "judges it quickly, and each report holds at most 64 KiB of any body, with its size (and SHA-256 while whole)",
    async () => {
      const body = JSON.stringify({ meta: { version: "v2.45.1" }, pad: "y".repeat(1_000_000) });
      const url = await hostileAfterLogin((req, res) => {
        req.resume();
        res.writeHead(400, { "content-type": "application/json" });
        res.end(body);
      });
      const run = await runAgainst(url);
      expectJudged(run);
      const results = JSON.parse(run.artifacts.get("results.json") ?? "{}") as {
        runs: { cases: { exchanges: { response: { body: string; truncatedFrom?: number } }[] }[] }[];
      };
      const responses = results.runs.flatMap((profile) =>
        profile.cases.flatMap((testCase) => testCase.exchanges.map((exchange) => exchange.response)),
      );
      const cut = responses.filter((response) => response.truncatedFrom !== undefined);
      expect(cut.length).toBeGreaterThan(10);
      for (const response of responses) {
        expect(response.body.length).toBeLessThan(64 * 1024 + 200);
      }
      // The first 16 MiB of large bodies are kept whole and cut with their digest; past that budget the run keeps
      // only the start of each (src/runner/run-case.ts), and the cut says so.
      const hashed = /\[cut: \d+ bytes in all, SHA-256 of the body as redacted [0-9a-f]{64}\]$/;
      const started = /\[cut: \d+ bytes in all; the run kept only the start\]$/;
      for (const response of cut) {
        expect(response.truncatedFrom).toBe(Buffer.byteLength(body));
        expect(response.body).toMatch(new RegExp(`${hashed.source}|${started.source}`));
      }
      const withDigest = cut.filter((response) => hashed.test(response.body)).length;
      expect(withDigest).toBeGreaterThanOrEqual(Math.floor((16 * 1024 * 1024) / body.length));
      expect(withDigest).toBeLessThan(cut.length);
    },
    TEST_LIMIT_MS,
  );
});

describe("a target that accepts the 2 MiB oversized body", () => {
  it(
    "cuts that body in every report and reproduces it with a short command, not 2 MiB on one line",
    async () => {
      const url = await hostileAfterLogin(async (req, res) => {
        await readBody(req);
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"meta":{"version":"v2.45.1"}}');
      });
      const run = await runAgainst(url, "--case", "oversized-body-answers-413");
      expectJudged(run);
      for (const [name, text] of run.artifacts) {
        expect(Buffer.byteLength(text), name).toBeLessThan(512 * 1024);
        expect(text, name).not.toContain("x".repeat(70 * 1024));
      }
      const summary = run.artifacts.get("summary.md") ?? "";
      // The reproducer itself, not the TOKEN=$(curl ...) line that sets its token up.
      const reproducer = summary
        .split("\n")
        .find((line) => line.includes("curl -sS") && !line.startsWith("TOKEN="));
      expect(reproducer).toMatch(/head -c \d+ \/dev\/zero \| tr '\\0' 'x'/);
      expect(reproducer).toContain("--data-binary @-");
      expect(reproducer?.length).toBeLessThan(16 * 1024);
    },
    TEST_LIMIT_MS,
  );
});
