// Proof that the runner restates nothing of the kit's contract: a second contract, its cases and a tiny server, run and reported by the same code.
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { runConformance } from "../../src/pipeline/run-conformance.js";
import { validatorFor } from "../../src/schemas.js";
import { runCli } from "../support/cli.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "second-contract");
const CONTRACT = join(FIXTURE, "openapi.yaml");
const CASES = join(FIXTURE, "cases");
const TOKEN = "widget-session-7f3a";
const PASSWORD = "Widget-Pass-1";

/** What the tiny server was sent, so the test can tell the kit used the second contract's login. */
const seen: { method: string; url: string; authorization: string | undefined }[] = [];

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** The widget service, with one planted bug: a name with capitals is accepted (201) though it breaks the pattern. */
function route(request: IncomingMessage, text: string): [number, unknown] {
  seen.push({
    method: request.method ?? "",
    url: request.url ?? "",
    authorization: request.headers.authorization,
  });
  const basic = `Basic ${Buffer.from(`owner:${PASSWORD}`).toString("base64")}`;
  if (request.method === "POST" && request.url === "/api/session") {
    return request.headers.authorization === basic
      ? [200, { access: { token: TOKEN } }]
      : [401, { problem: "who are you" }];
  }
  if (request.method !== "POST" || request.url !== "/api/widgets") {
    return [404, { problem: "no such route" }];
  }
  if (request.headers.authorization !== `Bearer ${TOKEN}`) {
    return [401, { problem: "unknown token" }];
  }
  let name: unknown;
  try {
    name = (JSON.parse(text) as { name?: unknown }).name;
  } catch {
    return [400, { problem: "not JSON" }];
  }
  // The planted bug: /^[A-Za-z]+$/ where the contract says /^[a-z]+$/.
  return typeof name === "string" && /^[A-Za-z]+$/.test(name)
    ? [201, { widget: { name } }]
    : [400, { problem: "bad name" }];
}

describe("a second contract, with its own cases, run by the same runner and reporters", () => {
  let server: Server;
  let url: string;
  let reportDir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => answer(response, ...route(request, Buffer.concat(chunks).toString("utf8"))));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    reportDir = await mkdtemp(join(tmpdir(), "wa-second-contract-"));
  });
  afterAll(async () => {
    server.close();
    await rm(reportDir, { recursive: true, force: true });
  });

  it("reads its operations, auth by scheme type, profiles, login and states from the document", async () => {
    const contract = await loadContract(CONTRACT);
    expect(contract.operations.get("signIn")?.security).toBe("basic");
    expect(contract.operations.get("createWidget")?.security).toBe("bearer");
    expect(contract.profiles.map((profile) => profile.name)).toEqual(["standard"]);
    expect(contract.session).toMatchObject({ operation: "signIn", token: "/access/token" });
    expect(contract.probeState).toBe("catalogue-open");
  });

  it("gives the right verdicts, the MUST coverage, and writes results.json and JUnit", async () => {
    const outcome = await runConformance({
      settings: {
        target: url,
        username: "owner",
        password: PASSWORD,
        contract: CONTRACT,
        caseDir: CASES,
        reportDir,
        concurrency: 1,
      },
      reporters: ["json", "junit"],
    });
    const [run] = outcome.runs;
    expect(run?.profile).toBe("standard");
    const verdicts = Object.fromEntries((run?.results ?? []).map((result) => [result.id, result.verdict]));
    expect(verdicts).toEqual({
      "valid-widget-answers-201": "PASS",
      "uppercase-name-answers-400": "FAIL",
      "unknown-token-answers-401": "PASS",
    });
    const requirements = Object.fromEntries(
      (run?.requirements ?? []).map((outcome) => [outcome.requirement.id, outcome.verdict]),
    );
    expect(requirements).toEqual({
      "create-valid-widget-answers-201": "PASS",
      "create-invalid-name-answers-400": "FAIL",
      "unknown-token-answers-401": "PASS",
      "widgets-are-listed": "UNEXERCISED",
      "never-a-server-error": "PASS",
      "answers-match-the-schemas": "PASS",
    });
    expect(outcome.summary.unexercisedMust).toMatchObject([
      { profile: "standard", id: "widgets-are-listed" },
    ]);
    expect(outcome.summary.exitCode).toBe(1);
    // The login went to the second contract's signIn with Basic credentials, and cases used its token.
    expect(seen[0]).toMatchObject({ method: "POST", url: "/api/session" });
    expect(
      seen.some((request) => request.url === "/api/session" && request.authorization?.startsWith("Basic ")),
    ).toBe(true);
    expect(seen.filter((request) => request.authorization === `Bearer ${TOKEN}`).length).toBe(2);

    const results = JSON.parse(await readFile(join(reportDir, "results.json"), "utf8")) as unknown;
    const validate = validatorFor("results");
    expect(validate(results), JSON.stringify(validate.errors)).toBe(true);
    expect(JSON.stringify(results)).not.toContain(PASSWORD);
    const junit = await readFile(join(reportDir, "junit.xml"), "utf8");
    expect(junit).toContain("uppercase-name-answers-400");
    expect(junit).toMatch(/<failure/);
    expect(junit).not.toContain(TOKEN);
  });

  it("runs from the CLI with --contract and --cases, and from a config file's contract and caseDir", async () => {
    const flags = await runCli([
      "run",
      "--target",
      url,
      "--username",
      "owner",
      "--password",
      PASSWORD,
      "--contract",
      CONTRACT,
      "--cases",
      CASES,
      "--verbose",
    ]);
    expect(flags.exitCode, flags.err).toBe(1);
    expect(flags.out).toMatch(/FAIL\s+uppercase-name-answers-400/);
    expect(flags.out).toMatch(/PASS\s+valid-widget-answers-201/);

    const config = join(reportDir, "widgets.yaml");
    // The config's states and profile are the second contract's: its flag state, its profile name.
    await writeFile(
      config,
      [
        `target: ${url}`,
        "username: owner",
        `password: ${PASSWORD}`,
        `contract: ${CONTRACT}`,
        `caseDir: ${CASES}`,
        "profile: standard",
        "states:",
        "  catalogue-open: false",
      ].join("\n"),
    );
    const file = await runCli(["run", "--config", config]);
    expect(file.exitCode, file.err).toBe(1);
    expect(file.out).toMatch(/SKIP\s+valid-widget-answers-201/);
    expect(file.out).toContain("state catalogue-open needs catalogue-open: true in the config's states");

    await writeFile(
      config,
      [`target: ${url}`, `contract: ${CONTRACT}`, "profile: registration-open"].join("\n"),
    );
    const wrongProfile = await runCli(["run", "--config", config]);
    expect(wrongProfile.exitCode).toBe(2);
    expect(wrongProfile.err).toContain("profile");
  });
});
