// The comparison page: the case × implementation grid (like Autobahn's), requirement by requirement, self-contained.
import type { CompareDocument } from "./compare.js";
import { html, page, verdictClass } from "./html-kit.js";

const CSS = `
.grid { width: auto; min-width: 100%; }
.grid th.impl { writing-mode: horizontal-tb; max-width: 220px; font-size: 12px; }
.grid thead th { position: sticky; top: 0; z-index: 1; }
.grid td.cell { text-align: center; white-space: nowrap; }
.grid td.cell span { display: inline-block; min-width: 5.5em; padding: 1px 6px; border-radius: 4px; color: #fff;
  background: var(--v); font-weight: 600; font-size: 12px; }
.grid td.cell span.excused { background: repeating-linear-gradient(135deg, var(--v), var(--v) 6px, #8c959f 6px, #8c959f 12px); }
.grid td.cell.none span { background: transparent; color: var(--muted); font-weight: 400; }
.grid tr.requirement th { background: #eaeef2; }
.grid tr.requirement td.cell span { outline: 2px solid #fff; }
.grid td.case { padding-left: 20px; }
label.toggle { display: inline-flex; gap: 6px; align-items: center; margin: 8px 0; }
`;

/** "Only differences" hides the case rows on which every implementation that ran them agrees. */
const SCRIPT = `
(function () {
  var box = document.getElementById("only-differences");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.case-row"));
  box.addEventListener("change", function () {
    rows.forEach(function (row) { row.hidden = box.checked && row.getAttribute("data-differs") !== "true"; });
  });
})();
`;

export function renderCompareHtml(document: CompareDocument): string {
  const columns = document.implementations;
  const body = html`<main>
<header class="banner" style="background:#24292f"><h1>Comparison of ${columns.length} implementation run(s)</h1>
<p>wa-account-conformance · generated ${document.generatedAt}</p></header>
${document.notes.map((note) => html`<p><strong>Note:</strong> ${note}</p>`)}
<h2>Implementations</h2>
<table id="implementations"><thead><tr><th>#</th><th>implementation</th><th>URL</th><th>profile</th><th>meta.version</th><th>kit</th><th>summary</th></tr></thead>
<tbody>${columns.map(
    (column, index) =>
      html`<tr><td>${index + 1}</td><td>${column.name}</td><td><code>${column.url}</code></td><td>${column.profile}</td><td>${
        column.version ?? "—"
      }</td><td>${column.kitVersion}</td><td>${column.summary}</td></tr>`,
  )}</tbody></table>
<h2>Grid</h2>
<label class="toggle"><input type="checkbox" id="only-differences"> Only cases where the implementations differ</label>
<table class="grid" id="grid"><thead><tr><th>requirement / case</th>${columns.map(
    (column, index) => html`<th class="impl" title="${column.url}">${index + 1}. ${column.label}</th>`,
  )}</tr></thead>
<tbody>${document.requirements.map(
    (requirement) =>
      html`<tr class="requirement"><th><code>${requirement.id}</code> <span class="muted">${requirement.level}</span></th>${requirement.verdicts.map(
        (verdict) =>
          html`<td class="cell ${verdict === null ? "none" : ""} ${verdictClass(verdict ?? "NONE")}"><span>${verdict ?? "—"}</span></td>`,
      )}</tr>${requirement.cases.map(
        (row) =>
          html`<tr class="case-row" data-differs="${String(row.differs)}"><td class="case"><code>${row.id}</code> <span class="muted">${row.description}</span></td>${row.cells.map(
            (cell) =>
              html`<td class="cell ${cell.verdict === null ? "none" : ""} ${verdictClass(cell.verdict ?? "NONE")}"><span class="${
                cell.excused ? "excused" : ""
              }">${cell.verdict ?? "—"}${cell.excused ? " (excused)" : ""}</span></td>`,
          )}</tr>`,
      )}`,
  )}</tbody></table>
</main>`;
  return page(`wa-account-conformance comparison (${columns.length})`, CSS, body, SCRIPT);
}
