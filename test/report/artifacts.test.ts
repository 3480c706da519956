// A run against a planted-bug target that leaks secrets writes all five artifacts, and no secret is in any of them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convert } from "xmlbuilder2";
import { REPORTERS, reportersOf } from "../../src/pipeline/reporters.js";
import type { ResultsDocument } from "../../src/report/model.js";
import { validatorFor } from "../../src/schemas.js";
import {
  type CliRun,
  type PlantedTarget,
  readAll,
  runAgainst,
  startPlantedTarget,
  tempDir,
} from "./planted-run.js";

const ARTIFACTS = reportersOf("run").map((name) => REPORTERS[name].run.file);

/** A secret found as a whole value: digits-only secrets (PINs) must not be mistaken for part of a hash or number. */
function contains(text: string, secret: string): boolean {
  if (!/^[0-9]+$/.test(secret)) {
    return text.includes(secret);
  }
  return new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text);
}

function leaks(files: Map<string, string>, secrets: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [name, text] of files) {
    for (const secret of secrets.keys()) {
      if (contains(text, secret)) {
        found.push(`${name}: ${secret}`);
      }
    }
  }
  return found;
}

describe("reports of a planted-bug run", () => {
  let target: PlantedTarget;
  let dir: string;
  let run: CliRun;
  let files: Map<string, string>;

  beforeAll(async () => {
    target = await startPlantedTarget();
    dir = tempDir("artifacts");
    run = await runAgainst(target.reference, dir);
    files = readAll(dir);
  }, 60_000);

  afterAll(async () => {
    await target?.reference.close();
  });

  it("fails the run and writes all five artifacts", () => {
    expect(run.exitCode).toBe(1);
    expect([...files.keys()].sort()).toEqual([...ARTIFACTS].sort());
    expect(run.out).toContain(`Reports: `);
  });

  it("holds no password, token, PIN, certificate or code in any artifact nor on the console", () => {
    // The planted target saw tokens, the admin's and deliberately wrong passwords, PINs, certificates, codes.
    expect(new Set(target.secrets.values())).toEqual(new Set(["password", "token", "pin", "cert", "code"]));
    const everything = new Map(files);
    everything.set("console (stdout)", run.out);
    everything.set("console (stderr)", run.err);
    expect(leaks(everything, target.secrets)).toEqual([]);
    // The console printed the failed login's Received body, with the token replaced.
    expect(run.out).toContain('"users":[{"token":"[REDACTED]"}]');
    expect(files.get("exchanges.har")).toContain("[REDACTED]");
    expect(files.get("results.json")).toContain('"secretsRedacted": true');
  });

  it("writes a results.json that validates against schemas/results.schema.json", () => {
    const validate = validatorFor("results");
    const document = JSON.parse(files.get("results.json") ?? "") as ResultsDocument;
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    const failed = document.runs[0]?.cases.find(
      (testCase) => testCase.id === "new-number-answers-202-with-decoded-vname",
    );
    expect(failed?.verdict).toBe("FAIL");
    expect(failed?.failures[0]).toMatchObject({ expected: "status 202", level: "MUST" });
    expect(failed?.reproducers[0]).toMatch(/^curl .*"\$TOKEN".*"\$CERT"/);
    expect(document.manifest.caseSetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(document.runs[0]?.target.version).toBe("v2.45.1");
  });

  it("writes JUnit XML whose counts match the results", () => {
    const xml = convert(files.get("junit.xml") ?? "", { format: "object" }) as {
      testsuites: { "@tests": string; "@failures": string; testsuite: { testcase: unknown[] } };
    };
    const document = JSON.parse(files.get("results.json") ?? "") as ResultsDocument;
    expect(Number(xml.testsuites["@failures"])).toBe(document.summary.counts.FAIL);
    expect(Number(xml.testsuites["@tests"])).toBe(document.runs[0]?.cases.length);
  });

  it("writes a HAR 1.2 log with one entry per exchange", () => {
    const har = JSON.parse(files.get("exchanges.har") ?? "") as {
      log: { version: string; entries: { request: { url: string }; response: { status: number } }[] };
    };
    const document = JSON.parse(files.get("results.json") ?? "") as ResultsDocument;
    const exchanges = document.runs.flatMap((r) => r.cases).flatMap((c) => c.exchanges);
    expect(har.log.version).toBe("1.2");
    expect(har.log.entries).toHaveLength(exchanges.length);
    expect(har.log.entries.every((entry) => entry.request.url.startsWith(target.reference.url))).toBe(true);
  });

  it("writes a Markdown summary with the failed cases and curl reproducers", () => {
    const markdown = files.get("summary.md") ?? "";
    expect(markdown).toMatch(/^## ❌ Not conformant/);
    expect(markdown).toContain("`new-number-answers-202-with-decoded-vname`");
    expect(markdown).toMatch(/```sh\n# .*\ncurl -sS -i -X POST/);
  });

  it("with --include-secrets leaves the secrets in, so the check above can tell", async () => {
    const open = tempDir("artifacts-open");
    const openRun = await runAgainst(target.reference, open, ["--include-secrets", "--reporter", "har,json"]);
    const openFiles = readAll(open);
    expect(openRun.err).toContain("--include-secrets");
    expect(leaks(openFiles, target.secrets).length).toBeGreaterThan(0);
    expect(openFiles.get("results.json")).toContain('"secretsRedacted": false');
  }, 60_000);
});
