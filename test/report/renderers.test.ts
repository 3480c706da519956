// The results schema and the renderers on a real run's document, and on one a hostile target filled with markup.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { convert } from "xmlbuilder2";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract } from "../../src/contract/contract.js";
import { renderHar } from "../../src/report/har.js";
import { renderHtml } from "../../src/report/html.js";
import { renderJUnit } from "../../src/report/junit.js";
import { caseSetSha256 } from "../../src/report/manifest.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import type { ResultsDocument } from "../../src/report/model.js";
import { validatorFor } from "../../src/schemas.js";
import { runCli, tempDir } from "./planted-run.js";

let document: ResultsDocument;

beforeAll(async () => {
  const dir = tempDir("renderers");
  const run = await runCli(["run", "--report-dir", dir, "--reporter", "json"]);
  expect(run.exitCode).toBe(0);
  document = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;
}, 60_000);

/** A copy of the document whose first case carries markup, control characters and table syntax from a target. */
function hostile(): ResultsDocument {
  const copy = structuredClone(document);
  const testCase = copy.runs[0]?.cases[0];
  const exchange = testCase?.exchanges[0];
  if (!testCase || !exchange) {
    throw new Error("the run has no exchange");
  }
  testCase.verdict = "FAIL";
  testCase.reason = '<script>alert("reason")</script>';
  testCase.failures = [
    {
      requirement: testCase.requirements[0]?.id ?? "x",
      level: "MUST",
      check: "status",
      step: 1,
      expected: "status 202 | `pipes`",
      received: 'status 200 </td><img src="https://evil.invalid/x.png"> \u0000\u001b[31m',
    },
  ];
  exchange.response.body = '</pre><script>alert("body")</script><a href="https://evil.invalid/">x</a>';
  copy.summary.counts.FAIL += 1;
  return copy;
}

describe("results.json", () => {
  it("validates against schemas/results.schema.json, in both profiles", () => {
    const validate = validatorFor("results");
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(document.runs.map((run) => run.profile)).toEqual(["registration-open", "sunset"]);
    expect(document.manifest.kit.name).toBe("wa-account-conformance");
    expect(document.manifest.nodeVersion).toBe(process.version);
  });

  it("is refused by the schema when a field is missing, misspelt or of the wrong kind", () => {
    const validate = validatorFor("results");
    const missing = structuredClone(document) as unknown as { manifest: Record<string, unknown> };
    delete missing.manifest.caseSetSha256;
    expect(validate(missing)).toBe(false);
    const verdict = structuredClone(document);
    (verdict.runs[0]?.cases[0] as unknown as Record<string, unknown>).verdict = "PASSED";
    expect(validate(verdict)).toBe(false);
    const extra = { ...structuredClone(document), extra: true };
    expect(validate(extra)).toBe(false);
  });

  it("hashes the case set by content: equal for the same cases, whatever their key order", async () => {
    const cases = await loadCases(await loadContract());
    expect(document.manifest.caseSetSha256).toBe(caseSetSha256(cases));
    const reordered = cases.map((testCase) => Object.fromEntries(Object.entries(testCase).reverse()));
    expect(caseSetSha256(reordered as typeof cases)).toBe(caseSetSha256(cases));
    expect(caseSetSha256(cases.slice(1))).not.toBe(caseSetSha256(cases));
  });
});

describe("the HTML report", () => {
  it("escapes whatever a target answered and runs only its own script", () => {
    const html = renderHtml(hostile());
    expect(html).not.toContain('<script>alert("');
    expect(html).toContain("&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img /);
    // Nothing to fetch: no external src or href, and a policy that forbids it anyway.
    expect(html).not.toMatch(/\b(src|href)="https?:/);
    expect(html).toContain("default-src 'none'");
  });

  it("puts the counts, the requirement matrix and every case on the page", () => {
    const html = renderHtml(document);
    expect(html).toContain(`<b data-count="PASS">${document.summary.counts.PASS}</b>`);
    const total = document.runs.reduce((sum, run) => sum + run.cases.length, 0);
    expect(html.match(/<details class="case /g)).toHaveLength(total);
    expect(html.match(/<table class="requirements"/g)).toHaveLength(2);
  });
});

describe("the Markdown summary", () => {
  it("keeps table cells on one line with pipes escaped", () => {
    const markdown = renderMarkdown(hostile());
    const row = markdown.split("\n").find((line) => line.startsWith("| **FAIL**"));
    expect(row).toBeDefined();
    expect(row).toContain("status 202 \\| `pipes`");
    expect(row?.split(/(?<!\\)\|/).length).toBe(8);
  });

  it("names every WARN case with its requirement and reason, bounded for huge runs", () => {
    /** A copy whose first `count` cases are WARNs of a SHOULD requirement, each with its own reason. */
    const warned = (count: number) => {
      const copy = structuredClone(document);
      const cases = copy.runs.flatMap((run) => run.cases).slice(0, count);
      expect(cases).toHaveLength(count);
      cases.forEach((testCase, index) => {
        testCase.verdict = "WARN";
        testCase.reason = `missing meta number ${index}`;
        testCase.failures = [
          {
            requirement: "some-should",
            level: "SHOULD",
            check: "meta",
            step: 1,
            expected: "meta",
            received: "none",
          },
        ];
      });
      return { markdown: renderMarkdown(copy), cases };
    };
    const few = warned(3);
    expect(few.markdown).toContain("### WARN cases (3");
    for (const [index, testCase] of few.cases.entries()) {
      const row = few.markdown.split("\n").find((line) => line.includes(`\`${testCase.id}\``));
      expect(row).toContain("`some-should` (SHOULD)");
      expect(row).toContain(`missing meta number ${index}`);
    }
    const many = warned(80);
    expect(many.markdown).toContain("### WARN cases (80");
    expect(many.markdown.split("\n").filter((line) => line.includes("missing meta number"))).toHaveLength(50);
    expect(many.markdown).toContain("…and 30 more: see results.json or report.html.");
  });

  it("says Conformant for a clean run", () => {
    expect(renderMarkdown(document)).toMatch(/^## ✅ Conformant: wa-account-conformance \(exit 0\)/);
  });
});

describe("JUnit XML", () => {
  it("is well-formed even with control characters, with one failure for the FAIL", () => {
    const xml = renderJUnit(hostile());
    const parsed = convert(xml, { format: "object" }) as {
      testsuites: { "@failures": string; testsuite: { "@name": string }[] };
    };
    expect(parsed.testsuites["@failures"]).toBe("1");
    expect(parsed.testsuites.testsuite.map((suite) => suite["@name"])).toEqual([
      "registration-open: embedded reference (registration-open)",
      "sunset: embedded reference (sunset)",
    ]);
    expect(xml).not.toContain("\u0000");
  });
});

describe("HAR", () => {
  it("has a page per profile run and the fields HAR 1.2 requires", () => {
    const har = JSON.parse(renderHar(document)) as {
      log: { pages: unknown[]; entries: Record<string, unknown>[]; creator: { name: string } };
    };
    expect(har.log.pages).toHaveLength(2);
    expect(har.log.creator.name).toBe("wa-account-conformance");
    for (const entry of har.log.entries) {
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining(["startedDateTime", "time", "request", "response", "cache", "timings"]),
      );
    }
    const oversized = har.log.entries.find(
      (entry) => ((entry.request as { bodySize: number }).bodySize ?? 0) > 1_000_000,
    );
    expect(oversized, "the oversized-body case's request is cut but keeps its size").toBeDefined();
  });
});
