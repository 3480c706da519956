// Tests the command line in-process (exit codes and messages of run, list, cert) and the built bin end to end.

import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { EXIT } from "../../src/cli/main.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { type CliRun, runCli } from "../support/cli.js";

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/wa-account-conformance.js", import.meta.url));
const CASE_202 = "new-number-answers-202-with-decoded-vname";

/** The CLI in-process with an empty environment. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(args);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const url = await listen(server);
  await close(server);
  return Number(new URL(url).port);
}

describe("run", () => {
  describe(`--case ${CASE_202} on the embedded reference`, () => {
    let result: CliRun;
    beforeAll(async () => {
      result = await cli("run", "--case", CASE_202);
    });

    it("prints PASS for the case", () => {
      expect(result.out).toMatch(new RegExp(`PASS\\s+${CASE_202}`));
      expect(result.out).not.toMatch(/FAIL\s+new-number/);
      expect(result.err).toBe("");
    });

    it("exits 0: the one case chosen passed", () => {
      expect(result.exitCode, result.out.split("\n").slice(-4).join("\n")).toBe(EXIT.conformant);
    });
  });

  test.for<{ given: string; args: string[]; want: string[] }>([
    {
      given: "an unknown case id",
      args: ["run", "--case", "no-such-case"],
      want: ["no-such-case", "unknown case id"],
    },
    {
      given: "two unknown case ids among known ones",
      args: ["run", "--case", `${CASE_202},nope-one`, "--case", "nope-two"],
      want: ["nope-one, nope-two"],
    },
    {
      given: "a mistyped case id",
      args: ["run", "--case", "registered-number-answer-201"],
      want: ["did you mean registered-number-answers-201?", "run --help"],
    },
    { given: "an unknown flag", args: ["run", "--bogus-flag"], want: ["--bogus-flag", "run --help"] },
    { given: "an unknown flag of serve", args: ["serve", "--bogus-flag"], want: ["serve --help"] },
    { given: "an unknown flag of diff", args: ["diff", "--bogus-flag"], want: ["diff --help"] },
    {
      given: "a timeout that is not a number",
      args: ["run", "--timeout", "abc"],
      want: ["--timeout", "abc"],
    },
    { given: "a timeout in hex", args: ["run", "--timeout", "0x10"], want: ["--timeout", "whole number"] },
    { given: "a timeout of 0", args: ["run", "--timeout", "0"], want: ["--timeout", "1 to 600000"] },
    { given: "a concurrency of 0", args: ["run", "--concurrency", "0"], want: ["--concurrency"] },
    { given: "an unknown profile", args: ["run", "--profile", "open"], want: ["open", "registration-open"] },
    {
      given: "a missing config file",
      args: ["run", "--config", "/missing.yaml"],
      want: ["/missing.yaml", "ENOENT"],
    },
    {
      given: "a target that is not a URL",
      args: ["run", "--target", "not-a-url"],
      want: ['"not-a-url"', "not a URL"],
    },
    {
      given: "a target of another scheme",
      args: ["run", "--target", "ftp://127.0.0.1/"],
      want: ["http or https"],
    },
    {
      given: "a token without target",
      args: ["run", "--token", "x"],
      want: ["need a --target"],
    },
    {
      given: "a username without password",
      args: ["run", "--target", "http://127.0.0.1:1", "--username", "admin"],
      want: ["--username needs --password"],
    },
    {
      given: "an unknown command",
      args: ["frobnicate"],
      want: ["frobnicate", "wa-account-conformance --help"],
    },
  ])("exits 2 for $given, saying why", async ({ args, want }) => {
    const result = await cli(...args);
    expect(result.exitCode).toBe(EXIT.usage);
    for (const part of want) {
      expect(result.err).toContain(part);
    }
  });

  it("exits 3 with a clear message for a target nothing listens on", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await cli("run", "--target", url);
    expect(result.exitCode).toBe(EXIT.unreachable);
    expect(result.err).toContain(url);
    expect(result.err).toMatch(/unreachable/);
    expect(result.err).toMatch(/refused/i);
    expect(result.out).not.toMatch(/\b(PASS|FAIL|ERROR)\s+\S/);
  });

  describe("precedence: flags over environment over config file", () => {
    let dir = "";
    let configPath = "";
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "wa-conformance-cli-"));
      configPath = join(dir, "kit.yaml");
      await writeFile(configPath, "target: not-a-url-from-the-file\n");
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test.for<{ given: string; args: string[]; env: Record<string, string>; want: number; names: string }>([
      {
        given: "the config file named by the environment",
        args: ["run"],
        env: { WA_CONFORMANCE_CONFIG: "(config)" },
        want: EXIT.usage,
        names: "not-a-url-from-the-file",
      },
      {
        given: "the environment over the file",
        args: ["run"],
        env: { WA_CONFORMANCE_CONFIG: "(config)", WA_CONFORMANCE_TARGET: "not-a-url-from-the-env" },
        want: EXIT.usage,
        names: "not-a-url-from-the-env",
      },
      {
        given: "the flag over both",
        args: ["run", "--target", "(closed)"],
        env: { WA_CONFORMANCE_CONFIG: "(config)", WA_CONFORMANCE_TARGET: "not-a-url-from-the-env" },
        want: EXIT.unreachable,
        names: "(closed)",
      },
    ])("$given", async ({ args, env, want, names }) => {
      const closed = `http://127.0.0.1:${await closedPort()}`;
      const fill = (text: string) => text.replace("(config)", configPath).replace("(closed)", closed);
      const run = await runCli(
        args.map(fill),
        Object.fromEntries(Object.entries(env).map(([key, value]) => [key, fill(value)])),
      );
      expect(run.exitCode).toBe(want);
      expect(run.err).toContain(fill(names));
    });
  });

  describe("against a target that answers 500 to everything", () => {
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(500, { "content-type": "text/plain" });
      response.end("boom");
    });
    let url = "";
    beforeAll(async () => {
      url = await listen(server);
    });
    afterAll(async () => {
      await close(server);
    });

    it("exits 2 when the admin login fails, naming the login", async () => {
      const result = await cli("run", "--target", url, "--username", "admin", "--password", "secret");
      expect(result.exitCode).toBe(EXIT.usage);
      expect(result.err).toContain("logging in as admin");
      expect(result.err).toContain(`${url}/v1/users/login`);
      expect(result.err).toContain("500");
      expect(result.err).not.toContain("internal error");
    });

    it("exits 1 with a token: the target is not conformant", async () => {
      const result = await cli("run", "--target", url, "--token", "x");
      expect(result.exitCode).toBe(EXIT.notConformant);
      // In CI (no terminal) each case that did not pass is one line with its reason.
      expect(result.out).toMatch(/^ {2}FAIL\s+\S+ {2}no-5xx-for-client-input \(MUST\).*received status 500/m);
      expect(result.out).toMatch(/^ {2}\S+\s+(MUST|SHOULD)\s+\d+\s+FAIL/m);
      expect(result.out).not.toMatch(/^ {2}PASS/m);
      const summary = result.out.slice(result.out.indexOf("=".repeat(60)));
      expect(summary.split("\n")[1]).toBe("  NOT CONFORMANT");
      expect(summary).toMatch(/Not conformant \(.*FAIL.*\): exit 1/);
    });
  });
});

describe("list", () => {
  it("lists every case id with its requirements and their levels", async () => {
    const result = await cli("list");
    expect(result.exitCode).toBe(EXIT.conformant);
    expect(result.out).toContain(CASE_202);
    expect(result.out).toContain("register-new-number-answers-202-with-vname (MUST)");
    const requirementLines = result.out.split("\n").filter((line) => line.trim().startsWith("requirements:"));
    expect(requirementLines.length).toBeGreaterThan(10);
    for (const line of requirementLines) {
      expect(line).toMatch(
        /^ {4}requirements: [a-z0-9-]+ \((MUST|SHOULD|MAY)\)(, [a-z0-9-]+ \((MUST|SHOULD|MAY)\))*$/,
      );
    }
    expect(result.out).toMatch(new RegExp(`\\n${requirementLines.length} cases$`));
  });

  it("--json prints parsable JSON with ids, levels and profiles", async () => {
    const result = await cli("list", "--json");
    expect(result.exitCode).toBe(EXIT.conformant);
    const cases = JSON.parse(result.out) as {
      id: string;
      requirements: { id: string; level: string }[];
      profiles: string[];
    }[];
    expect(cases.map((testCase) => testCase.id)).toContain(CASE_202);
    expect(new Set(cases.map((testCase) => testCase.id)).size).toBe(cases.length);
    for (const testCase of cases) {
      expect(testCase.requirements.length).toBeGreaterThan(0);
      for (const requirement of testCase.requirements) {
        expect(["MUST", "SHOULD", "MAY"]).toContain(requirement.level);
      }
    }
  });

  it("--profile sunset lists only sunset cases", async () => {
    const result = await cli("list", "--json", "--profile", "sunset");
    const cases = JSON.parse(result.out) as { id: string; profiles: string[] }[];
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.map((testCase) => testCase.id)).not.toContain(CASE_202);
    for (const testCase of cases) {
      expect(testCase.profiles).toContain("sunset");
    }
  });
});

describe("cert", () => {
  test.for([
    { layout: "payload", flags: [] as string[] },
    { layout: "bare", flags: ["--bare"] },
  ])(
    "--vname Acme $flags, then --decode, gives back Acme in the $layout layout",
    async ({ layout, flags }) => {
      const encoded = await cli("cert", "--vname", "Acme", ...flags);
      expect(encoded.exitCode).toBe(EXIT.conformant);
      expect(encoded.out).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const decoded = await cli("cert", "--decode", encoded.out);
      expect(decoded.exitCode).toBe(EXIT.conformant);
      expect(JSON.parse(decoded.out)).toMatchObject({ verifiedName: "Acme", layout });
    },
  );

  it("--decode trims the whitespace a copy and paste brings", async () => {
    const decoded = await cli("cert", "--decode", ` ${encodeCertificate({ vname: "Café 東京" })}\n`);
    expect(decoded.exitCode).toBe(EXIT.conformant);
    expect(JSON.parse(decoded.out)).toMatchObject({ verifiedName: "Café 東京" });
  });

  test.for<{ given: string; args: string[]; want: string[] }>([
    { given: "--decode garbage!", args: ["cert", "--decode", "garbage!"], want: ["not-base64"] },
    {
      given: "--decode of base64 that is no certificate",
      args: ["cert", "--decode", Buffer.from("hello world").toString("base64")],
      want: ["not-certificate"],
    },
    {
      given: "--decode of a certificate without name",
      args: ["cert", "--decode", encodeCertificate({ vname: "" })],
      want: ["no-verified-name"],
    },
    { given: "neither flag", args: ["cert"], want: ["exactly one of --vname NAME or --decode CERT"] },
    { given: "both flags", args: ["cert", "--vname", "A", "--decode", "QQ=="], want: ["exactly one of"] },
    { given: "an empty vname", args: ["cert", "--vname", ""], want: ["non-empty"] },
  ])("exits 2 for $given", async ({ args, want }) => {
    const result = await cli(...args);
    expect(result.exitCode).toBe(EXIT.usage);
    expect(result.out).toBe("");
    for (const part of want) {
      expect(result.err).toContain(part);
    }
  });
});

describe("the program", () => {
  it("exits 2 with the help when given no arguments", async () => {
    const result = await cli();
    expect(result.exitCode).toBe(EXIT.usage);
    expect(`${result.out}${result.err}`).toContain("Usage: wa-account-conformance");
  });

  test.for([{ args: ["--help"] }, { args: ["--version"] }, { args: ["run", "--help"] }])(
    "$args exits 0",
    async ({ args }) => {
      const result = await cli(...args);
      expect(result.exitCode).toBe(EXIT.conformant);
      expect(result.out.length).toBeGreaterThan(0);
    },
  );
});

describe("the built bin", () => {
  beforeAll(async () => {
    await execFileAsync("npm", ["run", "build"], { cwd: PACKAGE_ROOT }).catch((error: unknown) => {
      // A type error elsewhere still emits dist/; the checks below fail if the entry point is missing.
      process.stderr.write(`npm run build: ${(error as Error).message}\n`);
    });
    expect(existsSync(join(PACKAGE_ROOT, "dist", "cli", "main.js"))).toBe(true);
  }, 60_000);

  it("serve answers a registration over HTTP and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
      cwd: PACKAGE_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${text}`)), 10_000);
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          text += chunk;
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.once("exit", () => reject(new Error(`serve exited early: ${text}`)));
      });

      const login = await fetch(`${url}/v1/users/login`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` },
      });
      expect(login.status).toBe(200);
      const token = ((await login.json()) as { users: { token: string }[] }).users[0]?.token;
      expect(typeof token).toBe("string");

      const answer = await fetch(`${url}/v1/account`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          cc: "1",
          phone_number: "5550109999",
          method: "sms",
          cert: encodeCertificate({ vname: "Curl Test Co" }),
        }),
      });
      expect(answer.status).toBe(202);
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await answer.json()) as { account: { vname: string }[] };
      expect(body.account[0]?.vname).toBe("Curl Test Co");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("serve --state-hook-token guards the hook; a tokenless hook off loopback is refused before listening", async () => {
    const refused = await execFileAsync(
      process.execPath,
      [BIN, "serve", "--host", "0.0.0.0", "--port", "0"],
      {
        cwd: PACKAGE_ROOT,
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? "" }),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--state-hook-token");

    const child = spawn(
      process.execPath,
      [BIN, "serve", "--port", "0", "--state-hook-token", "hook-t0ken", "--max-users", "5"],
      {
        cwd: PACKAGE_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk: string) => {
          text += chunk;
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (match?.[1]) {
            resolve(match[1]);
          }
        });
        child.once("exit", () => reject(new Error(`serve exited early: ${text}`)));
      });
      const hook = (authorization?: string) =>
        fetch(`${url}/_conformance/provider-states`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({
            state: "number-unregistered",
            params: { cc: "1", phone_number: "5550100123" },
            action: "setup",
          }),
        });
      expect((await hook()).status).toBe(401);
      expect((await hook("Bearer wrong")).status).toBe(401);
      expect((await hook("Bearer hook-t0ken")).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("run --case registered-number-answers-201 exits 0", async () => {
    const result = await execFileAsync(
      process.execPath,
      [BIN, "run", "--case", "registered-number-answers-201"],
      {
        cwd: PACKAGE_ROOT,
        env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      },
    ).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? "" }),
    );
    expect(result.stdout).toMatch(/PASS\s+registered-number-answers-201/);
    expect(result.code, result.stdout.split("\n").slice(-4).join("\n")).toBe(0);
  });
});
