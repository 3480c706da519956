// `proxy` as a user runs it: the built bin in its own process in front of `serve` in another, stopped by SIGTERM, with its exit codes and reports.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { runCli } from "../support/cli.js";
import { adminToken, freshNumber, send } from "./support.js";

const BIN = join(PACKAGE_ROOT, "bin", "wa-account-conformance.js");

interface Child {
  process: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the built bin; resolves once its stdout names the URL it listens on. */
async function startBin(args: string[]): Promise<Child & { url: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PACKAGE_ROOT,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (found?.[1] !== undefined) {
        child.stdout.off("data", look);
        resolve(found[1]);
      }
    };
    child.stdout.on("data", look);
    void exited.then((code) => reject(new Error(`exited ${code} before listening: ${stdout} ${stderr}`)));
  });
  return { process: child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

let serve: Child & { url: string };
let dir = "";
beforeAll(async () => {
  if (!existsSync(join(PACKAGE_ROOT, "dist", "proxy", "forward.js"))) {
    throw new Error("run `npm run build` first: this test runs the built bin");
  }
  dir = await mkdtemp(join(tmpdir(), "wa-proxy-cli-"));
  serve = await startBin(["serve", "--port", "0", "--code-header", "x-code"]);
});
afterAll(async () => {
  serve?.process.kill("SIGTERM");
  await serve?.exited;
  await rm(dir, { recursive: true, force: true });
});

describe("proxy --upstream <serve>, in a process of its own", () => {
  it("judges a client's session live, prints the summary on SIGTERM, exits 0 and writes the reports", async () => {
    const reports = join(dir, "clean");
    const proxy = await startBin(["proxy", "--upstream", serve.url, "--port", "0", "--report-dir", reports]);
    const token = await adminToken(proxy.url);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const number = freshNumber();
    const body = JSON.stringify({ ...number, method: "sms", cert: encodeCertificate({ vname: "Acme" }) });
    const requested = await send(proxy.url, { method: "POST", path: "/v1/account", headers, body });
    expect(requested.status).toBe(202);
    const code = String(requested.headers["x-code"]);
    expect(
      (
        await send(proxy.url, {
          method: "POST",
          path: "/v1/account/verify",
          headers,
          body: JSON.stringify({ code }),
        })
      ).status,
    ).toBe(201);
    expect((await send(proxy.url, { method: "POST", path: "/v1/account", headers, body })).status).toBe(201);
    proxy.process.kill("SIGTERM");
    expect(await proxy.exited).toBe(0);
    const out = proxy.stdout();
    expect(out).toMatch(/^PASS {2}#2 POST \/v1\/account → 202/m);
    expect(out).toMatch(/4 exchanges judged: 4 PASS/);
    expect(out).toMatch(/no MUST was broken/);
    expect(out).not.toContain(token);
    expect(out).not.toContain(code);
    expect((await readdir(reports)).sort()).toEqual([
      "ctrf.json",
      "exchanges.har",
      "junit.xml",
      "report.html",
      "results.json",
      "summary.md",
    ]);
    const results = JSON.parse(await readFile(join(reports, "results.json"), "utf8")) as {
      summary: { exitCode: number };
      runs: { cases: { verdict: string }[] }[];
    };
    expect(results.summary.exitCode).toBe(0);
    expect(results.runs[0]?.cases.map((result) => result.verdict)).toEqual(["PASS", "PASS", "PASS", "PASS"]);
    for (const file of await readdir(reports)) {
      const text = await readFile(join(reports, file), "utf8");
      expect(text).not.toContain(token);
    }
  });

  it("a client mistake: its line names the requirement, and the exit code is 1", async () => {
    const proxy = await startBin(["proxy", "--upstream", serve.url, "--port", "0", "--quiet"]);
    await send(proxy.url, {
      method: "POST",
      path: "/v1/account",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    proxy.process.kill("SIGTERM");
    expect(await proxy.exited).toBe(1);
    expect(proxy.stdout()).toMatch(/^FAIL {2}#1 POST \/v1\/account → 401/m);
    expect(proxy.stdout()).toMatch(
      /MUST missing-or-unknown-token-answers-401 \[client: request.credentials\]/,
    );
  });

  it("an upstream never reached: a 502 for the client, exit 3", async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const { port } = spare.address() as { port: number };
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const proxy = await startBin(["proxy", "--upstream", `http://127.0.0.1:${port}`, "--port", "0"]);
    expect((await send(proxy.url, { method: "POST", path: "/v1/users/login" })).status).toBe(502);
    proxy.process.kill("SIGTERM");
    expect(await proxy.exited).toBe(3);
    expect(proxy.stderr()).toMatch(/could not be reached/);
  });

  it("--duration stops it by itself", async () => {
    const proxy = await startBin(["proxy", "--upstream", serve.url, "--port", "0", "--duration", "1"]);
    expect(await proxy.exited).toBe(0);
    expect(proxy.stdout()).toMatch(/no traffic was seen/);
  });
});

describe("proxy usage errors: exit 2", () => {
  it.each([
    [["proxy"], /needs --upstream/],
    [["proxy", "--upstream", "not a url"], /not a URL/],
    [["proxy", "--upstream", "https://127.0.0.1:1"], /http:\/\//],
    [["proxy", "--upstream", "http://127.0.0.1:1", "--reporter", "json"], /needs --report-dir/],
  ])("%j", async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.err).toMatch(message);
  });
});
