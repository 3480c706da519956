// Each walk over a value a target sent, fed the worst of it directly: depth, size, repetition, and secrets in errors.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { loadContract } from "../../src/contract/contract.js";
import { flatten, MAX_FLATTEN_DEPTH } from "../../src/diff/normalize.js";
import type { Exchange } from "../../src/exchange.js";
import { prettyBody, stringifyJson } from "../../src/json-text.js";
import { DEFAULT_ADMIN } from "../../src/reference/index.js";
import { curlReproducer } from "../../src/report/curl.js";
import { REDACTED, Redactor } from "../../src/report/redact.js";
import { SecretMatcher } from "../../src/report/secret-matcher.js";
import { runCli } from "../support/cli.js";
import { closeTargets, hostileAfterLogin, readBody } from "./hostile-support.js";

/** 100,000 levels: a 200 KB body, ten times what JSON.stringify's recursion survives. */
const DEPTH = 100_000;
const deepText = `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`;
const deepObject = `${'{"a":'.repeat(DEPTH)}{"pin":"482913"}${"}".repeat(DEPTH)}`;

describe("values nested 100,000 deep", () => {
  it("are redacted, serialized and pretty-printed without recursion", async () => {
    const redactor = Redactor.forContract(await loadContract());
    expect(redactor.body(deepText)).toBe(deepText);
    const redacted = redactor.body(deepObject);
    expect(redacted).not.toContain("482913");
    expect(redacted).toContain(`"pin":"${REDACTED}"`);
    expect(stringifyJson(JSON.parse(deepText))).toBe(deepText);
    // Indented only at the top: bounded by the body's size, not its depth squared.
    expect(prettyBody(deepText).length).toBeLessThan(2 * deepText.length + 256);
    expect(stringifyJson({ a: [1, { b: null }], c: "x" }, 2)).toBe(
      JSON.stringify({ a: [1, { b: null }], c: "x" }, null, 2),
    );
  });

  it("are flattened for diff to a bounded depth, the rest kept as one leaf", () => {
    const leaves = flatten(JSON.parse(deepObject));
    expect(leaves.size).toBe(1);
    const [pointer, leaf] = [...leaves][0] ?? [];
    expect(pointer?.split("/").length).toBe(MAX_FLATTEN_DEPTH + 1);
    expect(typeof leaf?.value).toBe("string");
  });
});

describe("learned secrets", () => {
  it("are found by plain search, however long, and never put into an error or a pattern", () => {
    const redactor = new Redactor();
    const token = "T".repeat(33_000);
    redactor.learn(token, "Admin-Pass-42");
    expect(redactor.text(`a ${token} b Admin-Pass-42 c`)).toBe(`a ${REDACTED} b ${REDACTED} c`);
    // A secret cut where the kit cuts a text ("…") is as much a leak as the whole of it.
    expect(redactor.text(`quoted ${token.slice(0, 290)}…`)).toBe(`quoted ${REDACTED}…`);
  });

  it("are matched in time linear in the text, for periodic secrets and texts too", () => {
    const matcher = new SecretMatcher(["ab".repeat(600), "abab", "T".repeat(2000)], 4);
    const spans = matcher.spans("ab".repeat(200_000));
    expect(spans).toEqual([{ start: 0, end: 400_000 }]);
  });
});

describe("the URL-credentials pattern", () => {
  it('redacts user:password@ and stays linear on "a.a.a.…"', () => {
    const redactor = new Redactor();
    expect(redactor.text("see https://admin:hunter22@example.org/x")).toBe(
      `see https://admin:${REDACTED}@example.org/x`,
    );
    const bait = "a.".repeat(500_000);
    expect(redactor.text(bait)).toBe(bait);
  });
});

describe("a curl reproducer of a 2 MiB body", () => {
  it("rebuilds the body byte for byte with a short command, secrets as variables", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const body = JSON.stringify({ cc: "1", pin: "482913", padding: "x".repeat(2 * 1024 * 1024) });
    const exchange: Exchange = {
      request: {
        method: "POST",
        path: "/v1/account",
        url: "http://127.0.0.1:9/v1/account",
        headers: { "content-type": "application/json" },
        body,
      },
      response: { status: 200, headers: {}, bodyText: "", json: undefined, isJson: false, durationMs: 1 },
    };
    const command = curlReproducer(exchange, redactor);
    expect(command.length).toBeLessThan(1024);
    expect(command).not.toContain("482913");
    const rebuild = command.slice(0, command.indexOf(" | curl "));
    const bytes = execFileSync("bash", ["-c", rebuild], { env: { PIN: "482913" }, maxBuffer: 8 * 2 ** 20 });
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(
      createHash("sha256").update(body).digest("hex"),
    );
  });
});

describe("an internal error", () => {
  it("is exit 4 with its own message, not a usage error, and is redacted like everything else", async () => {
    // A report path that cannot be written once the run is over: an error no kind of usage error covers.
    const url = await hostileAfterLogin(async (req, res) => {
      await readBody(req);
      res.writeHead(400, { "content-type": "application/json" });
      res.end("{}");
    });
    const dir = await mkdtemp(join(tmpdir(), "wa-internal-"));
    try {
      const reportDir = join(dir, DEFAULT_ADMIN.password);
      await mkdir(join(reportDir, "results.json"), { recursive: true });
      const run = await runCli([
        "run",
        "--target",
        url,
        "--username",
        DEFAULT_ADMIN.username,
        "--password",
        DEFAULT_ADMIN.password,
        "--case",
        "login-with-admin-credentials-answers-token",
        "--report-dir",
        reportDir,
        "--reporter",
        "json",
      ]);
      expect(run.exitCode, run.err).toBe(EXIT.internal);
      expect(run.err).toContain("this is a bug in the kit, please report it");
      expect(run.err).not.toContain("usage");
      expect(run.err).toContain("EISDIR");
      expect(run.err).not.toContain(`/${DEFAULT_ADMIN.password}/`);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await closeTargets();
    }
  });
});
