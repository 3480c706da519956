// Renders a diff for the terminal and as Markdown, and documents the shape of diff.json.
import { type ConsoleStyle, paint, type Style } from "../terminal-style.js";
import type { Difference } from "./attribute.js";
import type { CaseComparison, CaseStatus, DiffReport, SideInfo } from "./diff-types.js";
import {
  type DifferenceGroup,
  type GroupedView,
  groupCaseList,
  groupedView,
  groupRequirementLabel,
} from "./group.js";

/*
 * diff.json is the DiffReport of src/diff/run-diff.ts, written as is:
 * {
 *   "format": "wa-account-conformance-diff/1", "profile", "contractSha256", "startedAt", "finishedAt",
 *   "baseline" | "candidate" | "baseline2": {"role", "name", "url"?, "resultsFile"?, "version"?},
 *   "rules": {"sources": [...], "ignore" | "volatile" | "format": {"pointers": [...], "headers": [...]}},
 *   "summary": {"cases", "same", "different", "noiseOnly", "notCompared", "differences", "noise",
 *               "byLevel": {"MUST", "SHOULD", "MAY", "unchecked"}, "exitCode"},
 *   "groups": {"differences" | "noise": [{"kind", "where"?, "baseline", "candidate" (display text; "(varies)" for
 *              noise whose values differ between cases), "cases": [case id], "occurrences", "level"?, "checked",
 *              "uncheckedOccurrences", "requirements": [{"id", "level"}]}]}: every difference grouped across cases
 *              by kind, where and both values (noise by kind and where), the most repeated first, groups of one
 *              case included; "cases" below keeps each case's own list in full,
 *   "cases": [{"id", "description", "requirements": [{"id", "level"}], "status": "same" | "different" |
 *              "noise-only" | "not-compared", "reason"?, "verdicts": {"baseline"?, "candidate", "baseline2"?},
 *              "differences": [difference], "noise": [difference]}]
 * }
 * difference: {"kind": "outcome" | "exchange" | "status" | "error-code" | "body" | "header", "step"?, "request"?,
 *              "where"? (JSON pointer or header name), "baseline", "candidate" (display text: JSON of the value,
 *              or "(absent)", "(volatile)"), "requirement"?, "level"? (the highest that looks at it), "checked",
 *              "requirements": [{"id", "level", "touches"}]}
 */

export type { ConsoleStyle } from "../terminal-style.js";

const STATUS_LABEL: Record<CaseStatus, { text: string; style: Style }> = {
  same: { text: "SAME ", style: "green" },
  different: { text: "DIFF ", style: "red" },
  "noise-only": { text: "NOISE", style: "yellow" },
  "not-compared": { text: "SKIP ", style: "gray" },
};

/**
 * "MUST responses-match-contract-schema, MAY unknown-field-handling": every requirement that looks at the
 * difference; for a part none looks at, "unchecked" and the step's highest requirement.
 */
export function requirementLabel(difference: Difference): string {
  if (difference.requirement === undefined) {
    return "no requirement";
  }
  if (!difference.checked) {
    return `unchecked (the step names ${difference.level} ${difference.requirement})`;
  }
  return difference.requirements
    .filter((requirement) => requirement.touches)
    .map((requirement) => `${requirement.level} ${requirement.id}`)
    .join(", ");
}

export function whatLabel(difference: Pick<Difference, "kind" | "where">): string {
  switch (difference.kind) {
    case "body":
      return difference.where === "" ? "body" : `body ${difference.where}`;
    case "header":
      return `header ${difference.where}`;
    case "error-code":
      return "errors[0].code";
    default:
      return difference.kind;
  }
}

function sideLine(side: SideInfo): string {
  const where = side.resultsFile ? `results ${side.resultsFile}` : (side.url ?? side.name);
  const name = side.name !== side.url && side.name !== side.resultsFile ? `${side.name}, ` : "";
  return `${name}${where}${side.version ? ` (meta.version ${side.version})` : ""}`;
}

export function formatDiffHeader(
  report: Pick<DiffReport, "profile" | "baseline" | "candidate" | "baseline2"> & { ruleSources: string[] },
): string {
  const lines = [
    `\nDiff on ${report.profile}: candidate ${sideLine(report.candidate)} against baseline ${sideLine(report.baseline)}`,
  ];
  if (report.baseline2) {
    lines.push(
      `  Noise: differences also seen between the baseline and baseline-2 ${sideLine(report.baseline2)}`,
    );
  }
  lines.push(`  Rules: ${report.ruleSources.join(", ")}`);
  return lines.join("\n");
}

function differenceLines(differences: Difference[], indent: string): string[] {
  const lines: string[] = [];
  let lastStep: number | undefined | null = null;
  const width = Math.max(...differences.map((difference) => whatLabel(difference).length), 6);
  for (const difference of differences) {
    if (difference.step !== lastStep) {
      lastStep = difference.step;
      if (difference.step !== undefined) {
        lines.push(`${indent}step ${difference.step} ${difference.request ?? ""}`.trimEnd());
      }
    }
    lines.push(
      `${indent}  ${whatLabel(difference).padEnd(width)}  baseline: ${difference.baseline} | candidate: ${
        difference.candidate
      }   [${requirementLabel(difference)}]`,
    );
  }
  return lines;
}

/**
 * One line per case, printed as it is compared. Its differences come after the last case (formatDiffGroups),
 * since only then is it known which of them repeat in other cases.
 */
export function formatCaseComparison(comparison: CaseComparison, style: ConsoleStyle): string {
  const label = STATUS_LABEL[comparison.status];
  const lines = [
    `  ${paint(style, label.style, label.text)} ${comparison.id}  ${paint(style, "dim", comparison.description)}`,
  ];
  if (comparison.status === "not-compared" && comparison.reason) {
    lines.push(`        Reason: ${comparison.reason}`);
  }
  const counts = [
    ...(comparison.differences.length > 0 ? [`${comparison.differences.length} difference(s)`] : []),
    ...(comparison.noise.length > 0 ? [`${comparison.noise.length} set aside as noise`] : []),
  ];
  if (counts.length > 0) {
    lines.push(`        ${counts.join(", ")} (listed after the last case)`);
  }
  return lines.join("\n");
}

/** "body /meta/api_status  baseline: … | candidate: …   [requirements]", then the cases that show it. */
function groupLines(groups: DifferenceGroup[], indent: string): string[] {
  const width = Math.max(...groups.map((group) => whatLabel(group).length), 6);
  return groups.flatMap((group) => [
    `${indent}${whatLabel(group).padEnd(width)}  baseline: ${group.baseline} | candidate: ${group.candidate}   [${groupRequirementLabel(group)}]`,
    `${indent}  in ${group.cases.length} cases: ${groupCaseList(group)}`,
  ]);
}

/** The cases with a difference of their own, each with those differences. */
function ownLines(report: DiffReport, view: GroupedView, style: ConsoleStyle): string[] {
  return report.cases.flatMap((comparison) => {
    const own = view.own.get(comparison.id) ?? [];
    if (own.length === 0) {
      return [];
    }
    const label = STATUS_LABEL[comparison.status];
    const repeated = view.inRepeated.get(comparison.id) ?? 0;
    return [
      `  ${paint(style, label.style, label.text)} ${comparison.id}${repeated > 0 ? `  (and ${repeated} repeated above)` : ""}`,
      ...differenceLines(own, "    "),
    ];
  });
}

/**
 * The differences after the last case: each one that repeats across cases once, with its count and cases,
 * then each case's own. Noise likewise, under --verbose (otherwise only its count per group).
 */
export function formatDiffGroups(report: DiffReport, style: ConsoleStyle, verbose: boolean): string {
  const lines: string[] = [];
  const differences = groupedView(report.cases, "differences");
  if (differences.repeated.length > 0) {
    lines.push(
      "\nDifferences repeated across cases (each listed once):",
      ...groupLines(differences.repeated, "  "),
    );
  }
  const own = ownLines(report, differences, style);
  if (own.length > 0) {
    lines.push("\nDifferences of one case:", ...own);
  }
  const noise = groupedView(report.cases, "noise");
  if (verbose) {
    if (noise.repeated.length > 0) {
      lines.push(
        "\nNoise repeated across cases (the two baselines differ here too):",
        ...groupLines(noise.repeated, "  "),
      );
    }
    const ownNoise = ownLines(report, noise, style);
    if (ownNoise.length > 0) {
      lines.push("\nNoise of one case:", ...ownNoise);
    }
  } else if (noise.repeated.length > 0) {
    lines.push(
      "\nNoise (--verbose shows the values):",
      ...noise.repeated.map((group) => `  ${whatLabel(group)} in ${group.cases.length} cases`),
    );
  }
  return lines.join("\n");
}

function levelCounts(report: DiffReport): string {
  const { byLevel } = report.summary;
  return `MUST ${byLevel.MUST}, SHOULD ${byLevel.SHOULD}, MAY ${byLevel.MAY}, unchecked ${byLevel.unchecked}`;
}

export function formatDiffSummary(report: DiffReport, style: ConsoleStyle): string {
  const s = report.summary;
  const lines = [
    `\nSummary: ${s.cases} cases: ${s.same} same, ${s.different} different, ${s.noiseOnly} noise only, ${s.notCompared} not compared; ` +
      `${s.differences} difference(s) (${levelCounts(report)}), ${s.noise} set aside as noise`,
  ];
  if (s.notCompared > 0) {
    lines.push(
      `  ${s.notCompared} case(s) could not be compared (reasons above): they prove nothing either way`,
    );
  }
  lines.push(
    s.exitCode === 0
      ? paint(style, "green", "No difference remains after the rules: exit 0")
      : paint(style, "red", `Differences remain: exit ${s.exitCode}`),
  );
  return lines.join("\n");
}

/** A table cell: no pipe or newline may break the row. */
function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("\n", " ");
}

function differenceTable(differences: Difference[]): string[] {
  return [
    "| step | request | what | baseline | candidate | requirement |",
    "|---|---|---|---|---|---|",
    ...differences.map(
      (d) =>
        `| ${d.step ?? ""} | ${cell(d.request ?? "")} | ${cell(whatLabel(d))} | \`${cell(d.baseline)}\` | \`${cell(
          d.candidate,
        )}\` | ${cell(requirementLabel(d))} |`,
    ),
  ];
}

function groupTable(groups: DifferenceGroup[]): string[] {
  return [
    "| what | baseline | candidate | requirement | cases |",
    "|---|---|---|---|---|",
    ...groups.map(
      (group) =>
        `| ${cell(whatLabel(group))} | \`${cell(group.baseline)}\` | \`${cell(group.candidate)}\` | ${cell(
          groupRequirementLabel(group),
        )} | ${group.cases.length}: ${cell(groupCaseList(group))} |`,
    ),
  ];
}

/** A section of differences (or noise): the repeated ones once in a table, then each case with its own. */
function groupedSections(report: DiffReport, which: "differences" | "noise", title: string): string[] {
  const view = groupedView(report.cases, which);
  const lines: string[] = [];
  if (view.repeated.length > 0) {
    lines.push(`## ${title}: repeated across cases`, "", ...groupTable(view.repeated), "");
  }
  const cases = report.cases.filter((comparison) => (view.own.get(comparison.id) ?? []).length > 0);
  if (cases.length > 0) {
    lines.push(`## ${title}: of one case`, "");
    for (const comparison of cases) {
      const repeated = view.inRepeated.get(comparison.id) ?? 0;
      lines.push(
        `### \`${comparison.id}\``,
        "",
        cell(comparison.description) +
          (repeated > 0 ? ` (and ${repeated} repeated difference(s), above)` : ""),
        "",
        ...differenceTable(view.own.get(comparison.id) ?? []),
        "",
      );
    }
  }
  return lines;
}

export function formatDiffMarkdown(report: DiffReport): string {
  const s = report.summary;
  const lines = [
    "# Differential run: candidate against baseline",
    "",
    "| | |",
    "|---|---|",
    `| profile | ${report.profile} |`,
    `| baseline | ${cell(sideLine(report.baseline))} |`,
    `| candidate | ${cell(sideLine(report.candidate))} |`,
    ...(report.baseline2 ? [`| baseline-2 (noise) | ${cell(sideLine(report.baseline2))} |`] : []),
    `| rules | ${cell(report.rules.sources.join(", "))} |`,
    `| contract | \`${report.contractSha256.slice(0, 12)}\` |`,
    "",
    s.exitCode === 0
      ? `**No difference remains** after the rules in ${s.cases} cases (${s.noise} set aside as noise, ${s.notCompared} not compared): exit 0.`
      : `**${s.differences} difference(s) remain** in ${s.different} of ${s.cases} cases (${levelCounts(report)}; ` +
        `${s.noise} set aside as noise, ${s.notCompared} not compared): exit ${s.exitCode}.`,
    "",
  ];
  lines.push(
    ...groupedSections(report, "differences", "Differences"),
    ...groupedSections(report, "noise", "Noise (the two baselines differ here too)"),
  );
  const skipped = report.cases.filter((comparison) => comparison.status === "not-compared");
  if (skipped.length > 0) {
    lines.push("## Not compared", "", ...skipped.map((c) => `- \`${c.id}\`: ${cell(c.reason ?? "")}`), "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
