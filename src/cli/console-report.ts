// Renders case results, the requirement table and the summary as plain text for the terminal.
import type { Excuse } from "../baseline/baseline.js";
import { excusedCount } from "../report/excuses.js";
import type { CaseResult, ProfileRun, RunSummary, Verdict } from "../runner/results.js";
import type { TargetConfig } from "../runner/target.js";
import { type ConsoleStyle, paint, type Style } from "../terminal-style.js";

const VERDICT_STYLE: Record<Verdict | "UNEXERCISED", Style> = {
  PASS: "green",
  FAIL: "red",
  WARN: "yellow",
  INFO: "cyan",
  SKIP: "gray",
  ERROR: "magenta",
  UNEXERCISED: "red",
};

export type { ConsoleStyle } from "../terminal-style.js";

function verdictLabel(style: ConsoleStyle, verdict: Verdict | "UNEXERCISED", excused = false): string {
  // An excused verdict stays visible as what it was; only the label says a baseline excused it.
  return excused
    ? paint(style, "dim", `${verdict} (excused)`)
    : paint(style, VERDICT_STYLE[verdict], verdict.padEnd(5));
}

function excuseLines(excuses: Excuse[]): string[] {
  return excuses.map(
    (excuse) =>
      `        Excused by ${excuse.kind} ${excuse.id}: ${excuse.reason}${excuse.issue ? ` (${excuse.issue})` : ""}${
        excuse.expires ? `, until ${excuse.expires}` : ""
      }`,
  );
}

/**
 * One line per case, and for a failure the Expected / Received / Requirement of each broken check. The
 * result must already be redacted (run-command passes it through the run's Redactor): Received quotes bodies.
 */
export function formatCaseResult(
  result: CaseResult,
  style: ConsoleStyle,
  verbose: boolean,
  excuses?: Excuse[],
): string {
  const lines = [
    `  ${verdictLabel(style, result.verdict, excuses !== undefined)} ${result.id}  ${paint(style, "dim", result.description)}`,
    ...excuseLines(excuses ?? []),
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

export function formatRequirementTable(
  run: ProfileRun,
  style: ConsoleStyle,
  isExcused: (requirementId: string) => boolean = () => false,
): string {
  const width = Math.max(...run.requirements.map((outcome) => outcome.requirement.id.length), 11);
  const header = `  ${"requirement".padEnd(width)}  level   cases  verdict`;
  const rows = run.requirements.map((outcome) => {
    const cases = String(outcome.exercisedBy.length).padStart(5);
    // As the reports show it (requirementExcuses): an excused FAIL or WARN, or an excused unexercised MUST.
    const excused =
      (outcome.verdict === "FAIL" ||
        outcome.verdict === "WARN" ||
        (outcome.verdict === "UNEXERCISED" && outcome.requirement.level === "MUST")) &&
      isExcused(outcome.requirement.id);
    return `  ${outcome.requirement.id.padEnd(width)}  ${outcome.requirement.level.padEnd(6)}  ${cases}  ${verdictLabel(
      style,
      outcome.verdict,
      excused,
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
    .map(([verdict, count]) => {
      const excused = summary.excused[verdict];
      return `${count} ${verdict}${excused > 0 ? ` (${excused} excused)` : ""}`;
    })
    .join(", ");
  const lines = [`\nSummary: ${total} case runs in ${runs.length} profile(s): ${counts}`];
  for (const { profile, id, excused } of summary.unexercisedMust) {
    lines.push(
      `  MUST requirement ${id} (${profile}) was not exercised: every case naming it was skipped or errored${
        excused ? " (excused)" : ""
      }`,
    );
  }
  for (const problem of summary.baselineProblems) {
    lines.push(`  ${problem}`);
  }
  for (const { profile, id, verdicts } of summary.flaky) {
    lines.push(
      paint(
        style,
        "red",
        `  FLAKY ${id} (${profile}): ${verdicts.join(", ")} over ${verdicts.length} repetitions`,
      ),
    );
  }
  if (summary.partial !== undefined && summary.exitCode === 0) {
    const ran = summary.partial
      .map(({ profile, ran, of }) => `${ran} of ${of} cases of ${profile}`)
      .join(", ");
    lines.push(
      paint(
        style,
        "yellow",
        `Selected cases passed (${ran}); conformance was not assessed, since only chosen cases ran: exit 0`,
      ),
    );
  } else if (summary.conformant) {
    const count = excusedCount(summary);
    const excused = count > 0 ? ` with ${count} excused failure(s)` : "";
    lines.push(paint(style, "green", `Conformant${strict ? " (strict)" : ""}${excused}: exit 0`));
  } else {
    const left = (verdict: Verdict) => summary.counts[verdict] - summary.excused[verdict];
    const unexercised = summary.unexercisedMust.filter((item) => !item.excused).length;
    const why = [
      left("FAIL") > 0 ? `${left("FAIL")} FAIL` : undefined,
      left("ERROR") > 0 ? `${left("ERROR")} ERROR` : undefined,
      unexercised > 0 ? `${unexercised} MUST unexercised` : undefined,
      strict && left("WARN") > 0 ? `${left("WARN")} WARN under --strict` : undefined,
      summary.baselineProblems.length > 0
        ? `${summary.baselineProblems.length} stale or expired expected failure(s)`
        : undefined,
      summary.flaky.length > 0 ? `${summary.flaky.length} FLAKY` : undefined,
    ].filter(Boolean);
    const verdict = summary.partial === undefined ? "Not conformant" : "Selected cases did not pass";
    lines.push(paint(style, "red", `${verdict} (${why.join(", ")}): exit ${summary.exitCode}`));
  }
  return lines.join("\n");
}
