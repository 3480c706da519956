// A run never goes green by mistake: empty settings, target-less config files, partial runs, broken hooks, flaky cases.

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { loadContract } from "../../src/contract/contract.js";
import {
  createReferenceHandler,
  DEFAULT_ADMIN,
  PROVIDER_STATE_PATH,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";

const contract = await loadContract();
const LOGIN = ["--username", DEFAULT_ADMIN.username, "--password", DEFAULT_ADMIN.password];
const CASE = "registered-number-answers-201";

/** Serves `handle` on an ephemeral loopback port. */
async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Lines of the output that report one case (a verdict, then the id). */
const caseLines = (out: string) =>
  out.split("\n").filter((line) => /^\s+(PASS|FAIL|WARN|INFO|SKIP|ERROR)\s/.test(line));

let reference: RunningReference;
let dir = "";

beforeAll(async () => {
  reference = await startReference();
  dir = await mkdtemp(join(tmpdir(), "wa-verdicts-"));
});

afterAll(() => reference.close());

describe("empty settings", () => {
  it.for(["WA_CONFORMANCE_TARGET", "WA_CONFORMANCE_PASSWORD", "WA_CONFORMANCE_STATE_URL"])(
    "refuses %s set to the empty string with exit 2, naming it",
    async (variable) => {
      const run = await runCli(["run"], { [variable]: "" });
      expect(run.exitCode).toBe(EXIT.usage);
      expect(run.err).toContain(`${variable} is set but empty`);
      expect(run.out).not.toContain("Conformant");
    },
  );

  it("refuses a config file that names no target, rather than running the embedded reference", async () => {
    const path = join(dir, "empty.yaml");
    await writeFile(path, "");
    const run = await runCli(["run", "--config", path]);
    expect(run.exitCode).toBe(EXIT.usage);
    expect(run.err).toContain("names no target");
    expect(caseLines(run.out)).toEqual([]);
  });

  it("still runs the embedded reference when nothing at all is set", async () => {
    const run = await runCli(["run", "--case", CASE]);
    expect(run.exitCode, run.err).toBe(EXIT.conformant);
    expect(run.out).toContain("embedded reference");
  });
});

describe("a run of chosen cases", () => {
  it("says it is partial and that conformance was not assessed, in the console and results.json", async () => {
    const reportDir = join(dir, "partial");
    const run = await runCli(["run", "--case", CASE, "--report-dir", reportDir, "--reporter", "json"]);
    expect(run.exitCode, run.err).toBe(EXIT.conformant);
    expect(run.out).not.toMatch(/^Conformant/m);
    expect(run.out).toMatch(
      /Selected cases passed \(1 of \d+ cases of registration-open, 0 of \d+ cases of sunset\); conformance was not assessed/,
    );
    const results = JSON.parse(await readFile(join(reportDir, "results.json"), "utf8"));
    expect(results.summary.outcome).toBe("partial");
    expect(results.summary.partial).toEqual([
      expect.objectContaining({ profile: "registration-open", ran: 1 }),
      expect.objectContaining({ profile: "sunset", ran: 0 }),
    ]);
  });
});

describe("the state hook is checked once, before any case", () => {
  it("is exit 3 with one message when the hook is unreachable", async () => {
    const { url, server } = await serve(() => {});
    await close(server);
    const run = await runCli(["run", "--target", reference.url, ...LOGIN, "--state-url", `${url}/states`]);
    expect(run.exitCode).toBe(EXIT.unreachable);
    expect(run.err).toContain(`the state hook ${url}/states is unreachable`);
    expect(run.err.split("\n").filter((line) => line.includes("state hook"))).toHaveLength(1);
    expect(caseLines(run.out)).toEqual([]);
  });

  it("is exit 2 with one message naming the URL and the answer when the hook answers 404", async () => {
    const stateUrl = `${reference.url}/no-such-hook`;
    const run = await runCli(["run", "--target", reference.url, ...LOGIN, "--state-url", stateUrl]);
    expect(run.exitCode).toBe(EXIT.usage);
    expect(run.err).toContain(`the state hook ${stateUrl} answered 404`);
    expect(caseLines(run.out)).toEqual([]);
  });

  it("sends --state-hook-token as a Bearer token to a hook that asks for one", async () => {
    const handle = createReferenceHandler(contract, {});
    const seen: (string | undefined)[] = [];
    const { url, server } = await serve((req, res) => {
      if (req.url === PROVIDER_STATE_PATH) {
        seen.push(req.headers.authorization);
        if (req.headers.authorization !== "Bearer hook-secret") {
          res.writeHead(401, { "content-type": "application/json" }).end('{"error":"token"}');
          return;
        }
      }
      handle(req, res);
    });
    try {
      const target = [
        "run",
        "--target",
        url,
        ...LOGIN,
        "--state-url",
        `${url}${PROVIDER_STATE_PATH}`,
        "--case",
        CASE,
      ];
      const without = await runCli(target);
      expect(without.exitCode).toBe(EXIT.usage);
      expect(without.err).toContain("answered 401");
      expect(without.err).toContain("--state-hook-token");
      const withToken = await runCli([...target, "--state-hook-token", "hook-secret"]);
      expect(withToken.exitCode, withToken.out + withToken.err).toBe(EXIT.conformant);
      const fromEnv = await runCli(target, { WA_CONFORMANCE_STATE_HOOK_TOKEN: "hook-secret" });
      expect(fromEnv.exitCode, fromEnv.err).toBe(EXIT.conformant);
      expect(seen.filter((header) => header === "Bearer hook-secret").length).toBeGreaterThan(2);
      expect(withToken.out + withToken.err).not.toContain("hook-secret");
    } finally {
      await close(server);
    }
  });
});

describe("run --repeat", () => {
  it("finds no flaky case against the reference", async () => {
    const run = await runCli([
      "run",
      "--target",
      reference.url,
      ...LOGIN,
      "--state-url",
      reference.stateUrl ?? "",
      "--repeat",
      "3",
    ]);
    expect(run.exitCode, run.out).toBe(EXIT.conformant);
    expect(run.out).toContain("(repetition 3 of 3)");
    expect(run.out).not.toContain("FLAKY");
  });

  it("reports a case whose verdict changes between repetitions as FLAKY, with the verdicts, and exits 1", async () => {
    const handle = createReferenceHandler(contract, {});
    let verifications = 0;
    // Right the first time only: later verifies of a code that was never sent are accepted.
    const { url, server } = await serve((req, res) => {
      if (req.method === "POST" && req.url === "/v1/account/verify" && ++verifications > 1) {
        res.writeHead(201, { "content-type": "application/json" });
        res.end('{"meta":{"api_status":"stable","version":"v2.45.1"}}');
        return;
      }
      handle(req, res);
    });
    try {
      const id = "verify-with-nothing-pending-is-rejected";
      const reportDir = join(dir, "flaky");
      const run = await runCli([
        "run",
        "--target",
        url,
        ...LOGIN,
        "--state-url",
        `${url}${PROVIDER_STATE_PATH}`,
        "--case",
        id,
        "--repeat",
        "3",
        "--report-dir",
        reportDir,
      ]);
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      expect(run.out).toContain(`FLAKY ${id} (registration-open): PASS, FAIL, FAIL over 3 repetitions`);
      expect(run.out).toMatch(/did not pass \(.*1 FLAKY\): exit 1/);
      const results = JSON.parse(await readFile(join(reportDir, "results.json"), "utf8"));
      expect(results.summary.flaky).toEqual([
        { profile: "registration-open", id, verdicts: ["PASS", "FAIL", "FAIL"] },
      ]);
      expect(await readFile(join(reportDir, "junit.xml"), "utf8")).toContain(
        `FLAKY: ${id} got PASS, FAIL, FAIL`,
      );
      expect(await readFile(join(reportDir, "summary.md"), "utf8")).toContain(
        `\`${id}\` (registration-open): PASS, FAIL, FAIL`,
      );
      expect(await readFile(join(reportDir, "report.html"), "utf8")).toContain(
        `FLAKY ${id} (registration-open)`,
      );
    } finally {
      await close(server);
    }
  });

  it("refuses a repeat count out of range", async () => {
    const run = await runCli(["run", "--repeat", "0"]);
    expect(run.exitCode).toBe(EXIT.usage);
    expect(run.err).toContain("--repeat must be a whole number from 1 to 100");
  });
});
