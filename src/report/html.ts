// The single self-contained HTML report: outcome first, counts, requirement matrix, and every case with its exchanges.
import { STATUS_CODES } from "node:http";
import { prettyBody } from "../json-text.js";
import { VERDICTS, type Verdict } from "../runner/results.js";
import { reproducerVariables } from "./curl.js";
import { excusedCount } from "./excuses.js";
import { html, type Markup, page, raw, verdictClass } from "./html-kit.js";
import type {
  CaseDoc,
  ExchangeDoc,
  ExcuseDoc,
  FailureDoc,
  Outcome,
  ResultsDocument,
  RunDoc,
} from "./model.js";

const HEADLINE: Record<Outcome, string> = {
  conformant: "Conformant",
  "conformant-with-excused-failures": "Conformant with excused failures",
  partial: "Selected cases passed (conformance not assessed)",
  "not-conformant": "Not conformant",
};

const CSS = `
.chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
.chip { font: inherit; text-align: left; color: inherit; background: var(--bg); border: 2px solid var(--v);
  border-radius: 8px; padding: 6px 12px; min-width: 92px; cursor: pointer; }
.chip:disabled { cursor: default; opacity: .6; }
.chip[aria-pressed="true"] { background: var(--soft); box-shadow: inset 0 -4px 0 var(--v); }
.chip b { display: block; font-size: 22px; color: var(--v); }
#failed { border: 1px solid var(--FAIL); border-radius: 6px; padding: 4px 16px 8px; margin: 12px 0; }
#failed h2 { margin: 8px 0; border: 0; font-size: 18px; }
#failed ul { margin: 0; padding-left: 18px; columns: 2 420px; }
.repeats { font-weight: 600; white-space: nowrap; }
.manifest { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
.manifest dt { color: var(--muted); } .manifest dd { margin: 0; word-break: break-all; }
.filters { position: sticky; top: 0; background: var(--bg); padding: 8px 0; z-index: 1; display: flex; gap: 6px;
  flex-wrap: wrap; align-items: center; border-bottom: 1px solid var(--line); }
.filters button { font: inherit; border: 1px solid var(--line); background: var(--soft); border-radius: 6px;
  padding: 3px 10px; cursor: pointer; }
.filters button[aria-pressed="true"] { background: var(--fg); color: #fff; border-color: var(--fg); }
details.case { border: 1px solid var(--line); border-left: 6px solid var(--v); border-radius: 6px; margin: 6px 0;
  scroll-margin-top: 56px; }
details.case > summary { cursor: pointer; padding: 6px 10px; display: flex; gap: 10px; align-items: baseline; }
details.case > summary .desc { flex: 1; color: var(--muted); }
details.case > .body { padding: 4px 12px 12px; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin: 8px 0; }
.exchange h5 { margin: 4px 0; font-size: 13px; grid-column: 1 / -1; }
.exchange h6 { margin: 2px 0; font-size: 12px; color: var(--muted); }
.problems li { margin: 4px 0; }
table.requirements td:first-child code, details.case td:first-child code { white-space: nowrap; }
@media (max-width: 900px) { .exchange { grid-template-columns: 1fr; } }
`;

/**
 * Filters by verdict: every button with data-filter (the toolbar's and the count cards) sets it, each case is
 * shown or hidden, and the count follows. A link to a case (#case-...) opens it, on load and on hashchange,
 * showing every case again if a filter hid it.
 */
const SCRIPT = `
(function () {
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var cases = Array.prototype.slice.call(document.querySelectorAll("details.case"));
  var shown = document.getElementById("shown-count");
  function apply(filter) {
    var count = 0;
    cases.forEach(function (el) {
      var match = filter === "all" ||
        (filter === "excused" ? el.getAttribute("data-excused") === "true" : el.getAttribute("data-verdict") === filter);
      el.hidden = !match;
      if (match) { count++; }
    });
    buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-filter") === filter)); });
    shown.textContent = String(count);
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      apply(b.getAttribute("data-filter"));
      if (b.classList.contains("chip")) { document.getElementById("cases").scrollIntoView(); }
    });
  });
  function openLinked() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    if (!el || el.tagName !== "DETAILS") { return; }
    if (el.hidden) { apply("all"); }
    el.open = true;
    el.scrollIntoView();
  }
  window.addEventListener("hashchange", openLinked);
  openLinked();
})();
`;

const caseAnchor = (run: RunDoc, testCase: { id: string }) => `case-${run.profile}-${testCase.id}`;

function badge(verdict: Verdict | "UNEXERCISED", excused = false): Markup {
  return html`<span class="badge ${verdictClass(verdict)}${excused ? " excused" : ""}" data-badge="${verdict}">${verdict}${
    excused ? " (excused)" : ""
  }</span>`;
}

function excuseLine(excused: ExcuseDoc[]): Markup {
  return html`<p><strong>Excused</strong> by ${excused.map(
    (excuse) =>
      html`${excuse.kind} <code>${excuse.id}</code>: ${excuse.reason}${
        excuse.issue === undefined
          ? ""
          : isWebLink(excuse.issue)
            ? html` (<a href="${excuse.issue}" rel="noreferrer">${excuse.issue}</a>)`
            : ` (${excuse.issue})`
      }${excuse.expires ? ` until ${excuse.expires}` : ""}. `,
  )}</p>`;
}

function excuseList(excused: ExcuseDoc[]): Markup {
  return html`${excused.map((excuse) => html`${excuse.kind} <code>${excuse.id}</code>: ${excuse.reason} `)}`;
}

const isFailing = (testCase: CaseDoc, strict: boolean) =>
  testCase.verdict === "FAIL" || testCase.verdict === "ERROR" || (strict && testCase.verdict === "WARN");

/** The cases that fail the run, first thing under the banner, each a link that opens its details. */
function failedList(document: ResultsDocument): Markup | "" {
  const failed = document.runs.flatMap((run) =>
    run.cases
      .filter((testCase) => isFailing(testCase, document.manifest.strict) && testCase.excused === undefined)
      .map((testCase) => ({ run, testCase })),
  );
  if (failed.length === 0) {
    return "";
  }
  const profiles = document.runs.length > 1;
  return html`<nav id="failed" aria-labelledby="failed-title"><h2 id="failed-title">Failed cases (${failed.length})</h2><ul>${failed.map(
    ({ run, testCase }) =>
      html`<li>${badge(testCase.verdict)} <a href="#${caseAnchor(run, testCase)}"><code>${testCase.id}</code></a>${
        profiles ? html` <span class="muted">(${run.profile})</span>` : ""
      }</li>`,
  )}</ul></nav>`;
}

/** Only http(s) links become anchors: a `javascript:` URI in a baseline file must not become clickable. */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
}

function exchangeBlock(exchange: ExchangeDoc): Markup {
  const { request, response } = exchange;
  return html`<div class="exchange">
<h5>Step ${exchange.step}: ${request.method} ${request.url} → ${response.status} <span class="muted">(${exchange.durationMs.toFixed(1)} ms)</span></h5>
<div><h6>Request</h6><pre>${request.method} ${request.url}\n${headerLines(request.headers)}${
    request.body === undefined ? "" : `\n\n${prettyBody(request.body)}`
  }</pre></div>
<div><h6>Response</h6><pre>${response.status} ${STATUS_CODES[response.status] ?? ""}\n${headerLines(response.headers)}${
    response.body === "" ? "" : `\n\n${prettyBody(response.body)}`
  }</pre></div>
</div>`;
}

/** Failures of one case that say the same (same Expected and Received), with what they stand for. */
interface FailureGroup {
  expected: string;
  received: string;
  failures: FailureDoc[];
}

/** Groups a case's failures by their Expected / Received pair, in order of first appearance. */
export function groupFailures(failures: readonly FailureDoc[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const failure of failures) {
    const key = JSON.stringify([failure.expected, failure.received]);
    const group = groups.get(key) ?? { expected: failure.expected, received: failure.received, failures: [] };
    group.failures.push(failure);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const unique = <T>(items: T[]) => [...new Set(items)];

/** One row per distinct Expected / Received pair: the requirements and steps it stands for, and how many. */
function failureTable(failures: readonly FailureDoc[]): Markup | "" {
  if (failures.length === 0) {
    return "";
  }
  return html`<table class="failures"><thead><tr><th>requirement</th><th>level</th><th>step</th><th>Expected</th><th>Received</th></tr></thead><tbody>${groupFailures(
    failures,
  ).map((group) => {
    const requirements = unique(group.failures.map((failure) => failure.requirement));
    const levels = unique(group.failures.map((failure) => failure.level));
    const steps = unique(group.failures.map((failure) => failure.step)).sort((a, b) => a - b);
    const count = group.failures.length;
    return html`<tr data-repeats="${count}"><td>${requirements.map(
      (id, index) => html`${index > 0 ? ", " : ""}<code>${id}</code>`,
    )}</td><td>${levels.join(", ")}</td><td>${steps.join(", ")}</td><td>${group.expected}</td><td>${group.received}${
      count > 1
        ? html` <span class="repeats muted" title="the same Expected and Received ${count} times">× ${count}</span>`
        : ""
    }</td></tr>`;
  })}</tbody></table>`;
}

/** The curl commands of a case's failed steps, after the commands that set what they need (TOKEN, CERT). */
function reproduceSection(testCase: CaseDoc): Markup | "" {
  if (testCase.reproducers.length === 0) {
    return "";
  }
  const setup = testCase.reproducerSetup ?? [];
  const computed = new Set(setup.map((item) => item.variable));
  const needed = reproducerVariables(
    [...setup.map((item) => item.command), ...testCase.reproducers].join("\n"),
  );
  const yours = needed.filter((name) => !computed.has(name));
  return html`<h4>Reproduce</h4>${
    yours.length > 0
      ? html`<p class="muted">Set ${yours.join(", ")} yourself first (the reports never hold secrets)${
          setup.length > 0 ? ", then:" : "."
        }</p>`
      : setup.length > 0
        ? html`<p class="muted">First:</p>`
        : ""
  }${setup.map(
    (item) => html`<pre class="setup" data-variable="${item.variable}">${item.command}</pre>`,
  )}${setup.length > 0 ? html`<p class="muted">Then:</p>` : ""}${testCase.reproducers.map(
    (command) => html`<pre class="curl">${command}</pre>`,
  )}`;
}

function caseBlock(run: RunDoc, testCase: CaseDoc, strict: boolean): Markup {
  const excused = testCase.excused !== undefined;
  const failing = isFailing(testCase, strict);
  return html`<details class="case ${verdictClass(testCase.verdict)}" id="${caseAnchor(run, testCase)}" data-verdict="${testCase.verdict}" data-excused="${String(excused)}"${raw(
    failing && !excused ? " open" : "",
  )}>
<summary>${badge(testCase.verdict, excused)} <code>${testCase.id}</code><span class="desc">${testCase.description}</span><span class="muted">${testCase.level} · ${testCase.durationMs} ms</span></summary>
<div class="body">
<p>Requirements: ${testCase.requirements.map(
    (requirement, index) =>
      html`${index > 0 ? ", " : ""}<code>${requirement.id}</code> (${requirement.level})`,
  )}</p>
${excused ? excuseLine(testCase.excused ?? []) : ""}
${testCase.reason ? html`<p><strong>${testCase.verdict === "INFO" ? "Observed" : "Reason"}:</strong> ${testCase.reason}</p>` : ""}
${failureTable(testCase.failures)}
${reproduceSection(testCase)}
${testCase.exchanges.map(exchangeBlock)}
</div>
</details>`;
}

function requirementTable(run: RunDoc): Markup {
  return html`<table class="requirements" data-profile="${run.profile}">
<thead><tr><th>requirement</th><th>level</th><th>statement</th><th>cases</th><th>verdict</th></tr></thead>
<tbody>${run.requirements.map(
    (requirement) =>
      html`<tr><td><code>${requirement.id}</code></td><td>${requirement.level}</td><td>${requirement.statement}</td><td title="${[
        ...requirement.exercisedBy,
      ].join(", ")}">${requirement.exercisedBy.length}${
        requirement.notExercisedBy.length > 0
          ? html` <span class="muted">(+${requirement.notExercisedBy.length} not run)</span>`
          : ""
      }</td><td>${badge(requirement.verdict, requirement.excused !== undefined)}</td></tr>`,
  )}</tbody>
</table>`;
}

export function renderHtml(document: ResultsDocument): string {
  const { manifest, summary } = document;
  const allCases = document.runs.flatMap((run) => run.cases);
  const excusedCases = allCases.filter((testCase) => testCase.excused).length;
  const excused = document.runs.flatMap((run) =>
    run.cases.filter((testCase) => testCase.excused).map((testCase) => ({ run, testCase })),
  );
  const problems = [
    ...summary.unexercisedMust
      .filter((item) => !item.excused)
      .map(
        (item) =>
          `MUST requirement ${item.id} (${item.profile}) was not exercised: every case naming it was skipped or errored`,
      ),
    ...summary.baselineProblems,
    ...summary.flaky.map(
      (item) =>
        `FLAKY ${item.id} (${item.profile}): ${item.verdicts.join(", ")} over ${item.verdicts.length} repetitions`,
    ),
  ];
  const total = allCases.length;
  const body = html`<main>
<header class="banner outcome-${summary.outcome}" id="outcome">
<h1 id="outcome-title">${HEADLINE[summary.outcome]}</h1>
<p>wa-account-conformance ${manifest.kit.version} · exit ${summary.exitCode} · ${total} case runs in ${document.runs.length} profile(s)${
    manifest.strict ? " · --strict" : ""
  }</p>
</header>
${manifest.secretsRedacted ? "" : html`<p><strong>Warning:</strong> recorded with --include-secrets; this report holds credentials.</p>`}
${failedList(document)}
<section class="chips" id="counts" aria-label="Case counts by verdict: choose one to show only its cases">${VERDICTS.map(
    (verdict) =>
      html`<button type="button" class="chip ${verdictClass(verdict)}" data-verdict="${verdict}" data-filter="${verdict}" aria-pressed="false" aria-controls="cases"${raw(
        summary.counts[verdict] === 0 ? " disabled" : "",
      )}><b data-count="${verdict}">${summary.counts[verdict]}</b>${verdict}${
        summary.excusedCounts[verdict] > 0
          ? html` <span class="muted">(${summary.excusedCounts[verdict]} excused)</span>`
          : ""
      }</button>`,
  )}</section>
<dl class="manifest">
<dt>kit</dt><dd>${manifest.kit.name} ${manifest.kit.version}</dd>
<dt>contract SHA-256</dt><dd><code>${manifest.contractSha256}</code></dd>
<dt>case set SHA-256</dt><dd><code>${manifest.caseSetSha256}</code> (${manifest.caseCount} cases)</dd>
${document.runs.map(
  (run) =>
    html`<dt>${run.profile}</dt><dd>${run.target.name === run.target.url ? "" : `${run.target.name} at `}<code>${run.target.url}</code>, meta.version ${run.target.version ?? "not reported"}; states through ${run.stateAccess}</dd>`,
)}
<dt>time</dt><dd>${manifest.startedAt} → ${manifest.finishedAt}</dd>
<dt>Node</dt><dd>${manifest.nodeVersion}</dd>
</dl>
${
  problems.length > 0
    ? html`<section id="problems"><h2>What fails the run besides failed cases</h2><ul class="problems">${problems.map(
        (problem) => html`<li>${problem}</li>`,
      )}</ul></section>`
    : ""
}
${
  excused.length > 0 || summary.unexercisedMust.some((item) => item.excused)
    ? html`<section id="excused"><h2>Excused failures (<span id="excused-count">${excusedCount(summary)}</span>, listed in ${document.baseline?.file ?? "the baseline"})</h2>
<p class="muted">Known failures of this target, listed in the expected-failures file: they do not fail the run.</p>
<table><thead><tr><th>profile</th><th>case or requirement</th><th>verdict</th><th>excused by</th></tr></thead><tbody>${excused.map(
        ({ run, testCase }) =>
          html`<tr><td>${run.profile}</td><td><a href="#${caseAnchor(run, testCase)}"><code>${testCase.id}</code></a></td><td>${badge(
            testCase.verdict,
            true,
          )}</td><td>${excuseList(testCase.excused ?? [])}</td></tr>`,
      )}${summary.unexercisedMust
        .filter((item) => item.excused)
        .map(
          (item) =>
            html`<tr><td>${item.profile}</td><td><code>${item.id}</code></td><td>${badge("UNEXERCISED", true)}</td><td>${excuseList(
              document.runs
                .find((run) => run.profile === item.profile)
                ?.requirements.find((requirement) => requirement.id === item.id)?.excused ?? [],
            )}</td></tr>`,
        )}</tbody></table></section>`
    : ""
}
<section id="requirements"><h2>Requirements</h2>
${document.runs.map((run) => html`<h3>${run.profile}: ${run.target.name}</h3>${requirementTable(run)}`)}
</section>
<section id="cases"><h2>Cases</h2>
<div class="filters" role="toolbar" aria-label="Filter cases by verdict">
<button type="button" data-filter="all" aria-pressed="true">All (${total})</button>
${VERDICTS.filter((verdict) => summary.counts[verdict] > 0).map(
  (verdict) =>
    html`<button type="button" data-filter="${verdict}" aria-pressed="false">${verdict} (${summary.counts[verdict]})</button>`,
)}
${excusedCases > 0 ? html`<button type="button" data-filter="excused" aria-pressed="false">Excused (${excusedCases})</button>` : ""}
<span class="muted">Showing <span id="shown-count">${total}</span> of ${total}</span>
</div>
${document.runs.map(
  (run) =>
    html`<h3>${run.profile}: ${run.target.name}</h3>${run.cases.map((testCase) => caseBlock(run, testCase, manifest.strict))}`,
)}
</section>
</main>`;
  return page(`wa-account-conformance: ${HEADLINE[summary.outcome]}`, CSS, body, SCRIPT);
}
