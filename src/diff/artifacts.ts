// The diff's JUnit and HTML reports, built with the run reports' own tools (src/pipeline/reporters.ts writes them).
import { create } from "xmlbuilder2";
import { html, page } from "../report/html-kit.js";
import type { Difference } from "./attribute.js";
import type { CaseComparison, CaseStatus, DiffReport } from "./diff-types.js";
import {
  type DifferenceGroup,
  GROUP_CASE_LIMIT,
  type GroupedView,
  groupCaseList,
  groupedView,
  groupRequirementLabel,
} from "./group.js";
import { requirementLabel, whatLabel } from "./report.js";

function differenceText(differences: Difference[]): string {
  return differences
    .map(
      (d) =>
        `${d.step === undefined ? "" : `step ${d.step} ${d.request ?? ""}: `}${whatLabel(d)}\n  baseline:  ${
          d.baseline
        }\n  candidate: ${d.candidate}\n  requirement: ${requirementLabel(d)}`,
    )
    .join("\n\n");
}

function groupText(groups: DifferenceGroup[]): string {
  return groups
    .map(
      (group) =>
        `${whatLabel(group)}\n  baseline:  ${group.baseline}\n  candidate: ${group.candidate}\n  requirement: ${groupRequirementLabel(
          group,
        )}\n  in ${group.cases.length} cases: ${groupCaseList(group)}`,
    )
    .join("\n\n");
}

/** A case's own differences in full, then a pointer to where its repeated ones are listed. */
function caseText(comparison: CaseComparison, view: GroupedView): string {
  const own = differenceText(view.own.get(comparison.id) ?? []);
  const repeated = view.inRepeated.get(comparison.id) ?? 0;
  const pointer =
    repeated > 0
      ? `${repeated} difference(s) repeated in other cases: listed once in the suite's system-out`
      : "";
  return [own, pointer].filter((part) => part !== "").join("\n\n");
}

/**
 * JUnit for CI: a testcase per case; a case that differs is a failure, one that could not be compared is
 * skipped, and noise goes to system-out.
 */
export function renderDiffJUnit(report: DiffReport): string {
  const root = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" });
  const suites = root.ele("testsuites", { name: "wa-account-conformance diff" });
  const time = ((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000).toFixed(3);
  const suite = suites.ele("testsuite", {
    name: `diff ${report.profile}: ${report.candidate.name} against ${report.baseline.name}`,
    timestamp: report.startedAt,
    time,
  });
  const properties = suite.ele("properties");
  const property = (name: string, value: string) => properties.ele("property", { name, value }).up();
  property("contract.sha256", report.contractSha256);
  property("profile", report.profile);
  property("baseline", report.baseline.url ?? report.baseline.resultsFile ?? report.baseline.name);
  property("candidate", report.candidate.url ?? report.candidate.name);
  if (report.baseline2) {
    property("baseline-2", report.baseline2.url ?? report.baseline2.name);
  }
  property("rules", report.rules.sources.join(", "));
  properties.up();
  const differences = groupedView(report.cases, "differences");
  const noise = groupedView(report.cases, "noise");
  for (const comparison of report.cases) {
    const element = suite.ele("testcase", {
      classname: `wa-account-conformance.diff.${report.profile}`,
      name: comparison.id,
      time: "0.000",
    });
    if (comparison.status === "different") {
      const first = comparison.differences[0];
      element
        .ele("failure", {
          message: `${comparison.differences.length} difference(s)${
            first ? `, first: ${whatLabel(first)} [${requirementLabel(first)}]` : ""
          }`,
          type: "DIFF",
        })
        .txt(caseText(comparison, differences))
        .up();
    } else if (comparison.status === "not-compared") {
      element.ele("skipped", { message: comparison.reason ?? "not compared" }).up();
    }
    if (comparison.noise.length > 0) {
      element
        .ele("system-out")
        .txt(`Noise (the two baselines differ here too):\n${caseText(comparison, noise)}`)
        .up();
    }
  }
  const repeated = [
    ...(differences.repeated.length > 0
      ? [`Differences repeated across cases (each listed once):\n\n${groupText(differences.repeated)}`]
      : []),
    ...(noise.repeated.length > 0
      ? [`Noise repeated across cases (the two baselines differ here too):\n\n${groupText(noise.repeated)}`]
      : []),
  ];
  if (repeated.length > 0) {
    suite.ele("system-out").txt(repeated.join("\n\n")).up();
  }
  const s = report.summary;
  suite.att({
    tests: String(s.cases),
    failures: String(s.different),
    errors: "0",
    skipped: String(s.notCompared),
  });
  suites.att({
    tests: String(s.cases),
    failures: String(s.different),
    errors: "0",
    skipped: String(s.notCompared),
    time,
  });
  return root.end({ prettyPrint: true });
}

const CSS = `
.diff td.value { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.status-same { --v: var(--PASS); } .status-different { --v: var(--FAIL); } .status-noise-only { --v: var(--WARN); }
.status-not-compared { --v: var(--SKIP); }
.outcome-same { background: var(--PASS); } .outcome-different { background: var(--FAIL); }
`;

const STATUS_TEXT: Record<CaseStatus, string> = {
  same: "SAME",
  different: "DIFF",
  "noise-only": "NOISE",
  "not-compared": "SKIP",
};

function differenceRows(differences: Difference[]) {
  return html`<table class="diff"><thead><tr><th>step</th><th>request</th><th>what</th><th>baseline</th><th>candidate</th><th>requirement</th></tr></thead>
<tbody>${differences.map(
    (d) =>
      html`<tr><td>${d.step ?? ""}</td><td><code>${d.request ?? ""}</code></td><td><code>${whatLabel(d)}</code></td><td class="value">${
        d.baseline
      }</td><td class="value">${d.candidate}</td><td>${requirementLabel(d)}</td></tr>`,
  )}</tbody></table>`;
}

function groupRows(groups: DifferenceGroup[]) {
  return html`<table class="diff"><thead><tr><th>what</th><th>baseline</th><th>candidate</th><th>requirement</th><th>cases</th></tr></thead>
<tbody>${groups.map(
    (group) =>
      html`<tr><td><code>${whatLabel(group)}</code></td><td class="value">${group.baseline}</td><td class="value">${
        group.candidate
      }</td><td>${groupRequirementLabel(group)}</td><td>${group.cases.length}: ${group.cases
        .slice(0, GROUP_CASE_LIMIT)
        .map(
          (id, index) => html`${index > 0 ? ", " : ""}<a href="#case-${id}"><code>${id}</code></a>`,
        )}${group.cases.length > GROUP_CASE_LIMIT ? ` … and ${group.cases.length - GROUP_CASE_LIMIT} more` : ""}</td></tr>`,
  )}</tbody></table>`;
}

function repeatedNote(view: GroupedView, id: string) {
  const repeated = view.inRepeated.get(id) ?? 0;
  return repeated > 0
    ? html`<p class="muted">${repeated} repeated in other cases: listed once above.</p>`
    : "";
}

function caseSection(comparison: CaseComparison, differences: GroupedView, noise: GroupedView) {
  const own = differences.own.get(comparison.id) ?? [];
  const ownNoise = noise.own.get(comparison.id) ?? [];
  return html`<section id="case-${comparison.id}"><h3><span class="badge status-${comparison.status}">${
    STATUS_TEXT[comparison.status]
  }</span> <code>${comparison.id}</code> <span class="muted">${comparison.description}</span></h3>
${comparison.reason ? html`<p class="muted">${comparison.reason}</p>` : ""}
${own.length > 0 ? differenceRows(own) : ""}${repeatedNote(differences, comparison.id)}
${comparison.noise.length > 0 ? html`<p class="muted">Noise (the two baselines differ here too):</p>${ownNoise.length > 0 ? differenceRows(ownNoise) : ""}${repeatedNote(noise, comparison.id)}` : ""}
</section>`;
}

/** One self-contained page: the outcome, the sides, then every case that differs, is noise or was not compared. */
export function renderDiffHtml(report: DiffReport): string {
  const s = report.summary;
  const side = (label: string, info: DiffReport["baseline"] | undefined) =>
    info
      ? html`<tr><th>${label}</th><td>${info.name}</td><td><code>${info.url ?? info.resultsFile ?? ""}</code></td><td>${
          info.version ?? "—"
        }</td></tr>`
      : "";
  const shown = report.cases.filter((comparison) => comparison.status !== "same");
  const differences = groupedView(report.cases, "differences");
  const noise = groupedView(report.cases, "noise");
  const body = html`<main>
<header class="banner outcome-${s.exitCode === 0 ? "same" : "different"}"><h1>${
    s.exitCode === 0 ? "No difference remains" : `${s.differences} difference(s) remain`
  }</h1>
<p>Diff on ${report.profile}: ${s.cases} cases, ${s.same} same, ${s.different} different, ${s.noiseOnly} noise only, ${
    s.notCompared
  } not compared · MUST ${s.byLevel.MUST}, SHOULD ${s.byLevel.SHOULD}, MAY ${s.byLevel.MAY}, unchecked ${
    s.byLevel.unchecked
  } · exit ${s.exitCode}</p></header>
<table><thead><tr><th></th><th>name</th><th>where</th><th>meta.version</th></tr></thead><tbody>
${side("baseline", report.baseline)}${side("candidate", report.candidate)}${side("baseline-2 (noise)", report.baseline2)}
</tbody></table>
<p class="muted">Rules: ${report.rules.sources.join(", ")} · contract <code>${report.contractSha256.slice(0, 12)}</code> · ${
    report.startedAt
  }</p>
${differences.repeated.length > 0 ? html`<h2>Differences repeated across cases</h2>${groupRows(differences.repeated)}` : ""}
${noise.repeated.length > 0 ? html`<h2>Noise repeated across cases</h2>${groupRows(noise.repeated)}` : ""}
<h2>Cases that are not the same</h2>
${
  shown.length === 0
    ? html`<p>Every case is the same on both sides after the rules.</p>`
    : shown.map((comparison) => caseSection(comparison, differences, noise))
}
</main>`;
  return page(`Diff: ${report.candidate.name} against ${report.baseline.name}`, CSS, body);
}
