// Renders case results, the requirement table and the summary as plain text for the terminal.
import { styleText } from "node:util";
import type { CaseResult, ProfileRun, RunSummary, Verdict } from "../runner/results.js";
import type { TargetConfig } from "../runner/target.js";

type Style = Parameters<typeof styleText>[0];

const VERDICT_STYLE: Record<Verdict | "UNEXERCISED", Style> = {
  PASS: "green",
  FAIL: "red",
  WARN: "yellow",
  INFO: "cyan",
  SKIP: "gray",
  ERROR: "magenta",
  UNEXERCISED: "red",
};

export interface ConsoleStyle {
  color: boolean;
}

function paint(style: ConsoleStyle, format: Style, text: string): string {
  return style.color ? styleText(format, text) : text;
}

function verdictLabel(style: ConsoleStyle, verdict: Verdict | "UNEXERCISED"): string {
  return paint(style, VERDICT_STYLE[verdict], verdict.padEnd(5));
}

/** One line per case, and for a failure the Expected / Received / Requirement of each broken check. */
export function formatCaseResult(result: CaseResult, style: ConsoleStyle, verbose: boolean): string {
  const lines = [
    `  ${verdictLabel(style, result.verdict)} ${result.id}  ${paint(style, "dim", result.description)}`,
  ];
  if (result.verdict === "SKIP" || result.verdict === "ERROR" || result.verdict === "INFO") {
    if (result.reason) {
      lines.push(`        ${result.verdict === "INFO" ? "Observed" : "Reason"}: ${result.reason}`);
    }
  }
  if (result.verdict === "FAIL" || result.verdict === "WARN" || verbose) {
    for (const failure of result.failures) {
      const step = result.exchanges.length > 1 ? ` (step ${failure.step})` : "";
      lines.push(
        `        Expected: ${failure.expected}`,
        `        Received: ${failure.received}`,
        `        Requirement: ${failure.requirement} (${failure.level})${step}`,
      );
    }
  }
  return lines.join("\n");
}

export function formatRequirementTable(run: ProfileRun, style: ConsoleStyle): string {
  const width = Math.max(...run.requirements.map((outcome) => outcome.requirement.id.length), 11);
  const header = `  ${"requirement".padEnd(width)}  level   cases  verdict`;
  const rows = run.requirements.map((outcome) => {
    const cases = String(outcome.exercisedBy.length).padStart(5);
    return `  ${outcome.requirement.id.padEnd(width)}  ${outcome.requirement.level.padEnd(6)}  ${cases}  ${verdictLabel(
      style,
      outcome.verdict,
    )}`;
  });
  return [`Requirements of ${run.profile} (cases that exercised each):`, header, ...rows].join("\n");
}

export function formatRunHeader(target: TargetConfig): string {
  const states = target.stateUrl
    ? `the provider-state hook ${target.stateUrl}`
    : "static state data from the config";
  return `\n${target.profile}: ${target.name} at ${target.url}; states through ${states}`;
}

export function formatSummary(
  runs: ProfileRun[],
  summary: RunSummary,
  strict: boolean,
  style: ConsoleStyle,
): string {
  const total = runs.reduce((sum, run) => sum + run.results.length, 0);
  const counts = (Object.entries(summary.counts) as [Verdict, number][])
    .map(([verdict, count]) => `${count} ${verdict}`)
    .join(", ");
  const lines = [`\nSummary: ${total} case runs in ${runs.length} profile(s): ${counts}`];
  for (const { profile, id } of summary.unexercisedMust) {
    lines.push(
      `  MUST requirement ${id} (${profile}) was not exercised: every case naming it was skipped or errored`,
    );
  }
  if (summary.conformant) {
    lines.push(paint(style, "green", `Conformant${strict ? " (strict)" : ""}: exit 0`));
  } else {
    const why = [
      summary.counts.FAIL > 0 ? `${summary.counts.FAIL} FAIL` : undefined,
      summary.counts.ERROR > 0 ? `${summary.counts.ERROR} ERROR` : undefined,
      summary.unexercisedMust.length > 0 ? `${summary.unexercisedMust.length} MUST unexercised` : undefined,
      strict && summary.counts.WARN > 0 ? `${summary.counts.WARN} WARN under --strict` : undefined,
    ].filter(Boolean);
    lines.push(paint(style, "red", `Not conformant (${why.join(", ")}): exit ${summary.exitCode}`));
  }
  return lines.join("\n");
}
