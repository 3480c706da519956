// Excused failures, one truth: the console, results.json, summary.md, report.html and junit.xml give one count.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { excusedCount } from "../../src/report/excuses.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import type { ResultsDocument } from "../../src/report/model.js";
import {
  type CliRun,
  type PlantedTarget,
  readAll,
  runAgainst,
  startPlantedTarget,
  tempDir,
} from "./planted-run.js";

const readResults = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;

describe("excused failures against a planted-bug target", () => {
  let target: PlantedTarget;
  let run: CliRun;
  let files: Map<string, string>;
  let document: ResultsDocument;
  /** The SHOULD requirement of the WARN case, excused by a requirement entry. */
  let warnedRequirement: string;

  beforeAll(async () => {
    target = await startPlantedTarget();
    const first = readResults(
      await (async () => {
        const dir = tempDir("excused-first");
        await runAgainst(target.reference, dir, ["--reporter", "json"]);
        return dir;
      })(),
    );
    const cases = first.runs.flatMap((item) => item.cases);
    const failed = cases.filter((testCase) => testCase.verdict === "FAIL").map((testCase) => testCase.id);
    const warned = cases.find((testCase) => testCase.verdict === "WARN");
    warnedRequirement = warned?.failures.find((failure) => failure.level === "SHOULD")?.requirement ?? "";
    expect(failed.length).toBeGreaterThan(1);
    expect(warnedRequirement).not.toBe("");
    // Every FAIL by its case, the WARN (which does not fail the run without --strict) by its requirement.
    const baseline = join(tempDir("excused-baseline"), "expected-failures.yaml");
    writeFileSync(
      baseline,
      [
        "expectedFailures:",
        ...failed.map((id) => `  - { case: ${id}, reason: "planted bug", expires: 2999-12-31 }`),
        `  - { requirement: ${warnedRequirement}, reason: "voice is not offered yet", expires: 2999-12-31 }`,
        "",
      ].join("\n"),
    );
    const dir = tempDir("excused");
    run = await runAgainst(target.reference, dir, [
      "--reporter",
      "json,html,markdown,junit",
      "--expected-failures",
      baseline,
    ]);
    files = readAll(dir);
    document = JSON.parse(files.get("results.json") ?? "") as ResultsDocument;
  }, 120_000);

  afterAll(() => target?.reference.close());

  it("counts an excused WARN like every other excused result, in every output", () => {
    expect(run.exitCode).toBe(0);
    const cases = document.runs.flatMap((item) => item.cases);
    const excusedCases = cases.filter((testCase) => testCase.excused !== undefined);
    expect(excusedCases.some((testCase) => testCase.verdict === "WARN")).toBe(true);
    const count = excusedCount(document.summary);
    expect(count).toBe(
      excusedCases.length + document.summary.unexercisedMust.filter((item) => item.excused).length,
    );

    expect(run.out).toContain(`Conformant with ${count} excused failure(s): exit 0`);
    expect(files.get("summary.md")).toContain(`### Excused failures (${count}, listed in`);
    expect(files.get("report.html")).toContain(`<span id="excused-count">${count}</span>`);
    expect(files.get("junit.xml")?.match(/<skipped message="[A-Z]+ \(excused\)/g)).toHaveLength(
      excusedCases.length,
    );
    expect(document.summary.outcome).toBe("conformant-with-excused-failures");
  });

  it("marks excused FAIL and WARN requirement rows (excused) on the console, in HTML and in Markdown", () => {
    const requirements = document.runs[0]?.requirements ?? [];
    const warned = requirements.find((requirement) => requirement.id === warnedRequirement);
    expect(warned?.verdict).toBe("WARN");
    expect(warned?.excused?.[0]).toMatchObject({ kind: "requirement", reason: "voice is not offered yet" });
    // Failed requirements whose every failing case was excused by its case entry.
    const failed = requirements.filter((requirement) => requirement.verdict === "FAIL");
    expect(failed.length).toBeGreaterThan(0);
    expect(
      failed.every((requirement) => requirement.excused?.every((excuse) => excuse.kind === "case")),
    ).toBe(true);

    for (const requirement of [warned, ...failed]) {
      const id = requirement?.id ?? "";
      expect(run.out).toMatch(
        new RegExp(`^  ${id} +\\S+ +\\d+  ${requirement?.verdict} \\(excused\\)$`, "m"),
      );
      expect(files.get("summary.md")).toContain(
        `| ${requirement?.verdict} (excused) | registration-open | \`${id}\` |`,
      );
    }
    const html = files.get("report.html") ?? "";
    const row = html.slice(html.indexOf(`<tr><td><code>${warnedRequirement}</code>`));
    expect(row.slice(0, row.indexOf("</tr>"))).toContain("WARN (excused)");
  });

  it("shows the reason of the requirement entry that excuses an unexercised MUST", () => {
    const copy = structuredClone(document);
    const profileRun = copy.runs[0];
    const requirement = profileRun?.requirements.find((item) => item.level === "MUST");
    if (!profileRun || !requirement) {
      throw new Error("the run has no MUST requirement");
    }
    requirement.verdict = "UNEXERCISED";
    requirement.excused = [
      { kind: "requirement", id: requirement.id, reason: "the target cannot reach this state" },
    ];
    copy.summary.unexercisedMust.push({ profile: profileRun.profile, id: requirement.id, excused: true });
    for (const text of [renderHtml(copy), renderMarkdown(copy)]) {
      expect(text).toContain("the target cannot reach this state");
      expect(text).not.toContain("requirement entry");
    }
    expect(renderMarkdown(copy)).toContain(`### Excused failures (${excusedCount(document.summary) + 1},`);
  });
});
