// Renders case results, the progress line, the requirement tables and the summary as plain text for the console.
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

/** What a not-verbose run shows of a requirement: all but a PASS and an observation (INFO, a MAY's). */
const SHOWN_UNLESS_VERBOSE = (verdict: Verdict | "UNEXERCISED") => verdict !== "PASS" && verdict !== "INFO";

/**
 * The requirement table of one profile: every row when `all`, else a count line and only the rows a reader must
 * look at (FAIL, WARN, SKIP, ERROR, UNEXERCISED), so that a conformant run's table is one line.
 */
export function formatRequirementTable(
  run: ProfileRun,
  style: ConsoleStyle,
  isExcused: (requirementId: string) => boolean = () => false,
  all = true,
): string {
  const shown = all
    ? run.requirements
    : run.requirements.filter((outcome) => SHOWN_UNLESS_VERBOSE(outcome.verdict));
  const width = Math.max(...shown.map((outcome) => outcome.requirement.id.length), 11);
  const header = `  ${"requirement".padEnd(width)}  level   cases  verdict`;
  const rows = shown.map((outcome) => {
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
  if (all) {
    return [`Requirements of ${run.profile} (cases that exercised each):`, header, ...rows].join("\n");
  }
  const tally = new Map<string, number>();
  for (const outcome of run.requirements) {
    tally.set(outcome.verdict, (tally.get(outcome.verdict) ?? 0) + 1);
  }
  const counts = [...tally].map(([verdict, count]) => `${count} ${verdict}`).join(", ");
  const title = `Requirements of ${run.profile}: ${counts}`;
  return rows.length === 0 ? title : [`${title}; not PASS:`, header, ...rows].join("\n");
}

/** Where a target's provider states come from, as the runner reaches them (run-matrix's stateProviderFor). */
function statesSource(target: TargetConfig, configFile: string | undefined): string {
  if (target.stateUrl !== undefined) {
    return `states through the provider-state hook ${target.stateUrl}`;
  }
  if (Object.keys(target.states).length > 0) {
    return `no state hook: states through the contract's static forms, with the state data of ${configFile ?? "the config"}`;
  }
  return "no state hook and no state data: only states the contract reaches by requests alone; cases needing others are skipped";
}

/** A target's line: its profile, its name when it is not just its URL, its URL and how its states are reached. */
export function formatRunHeader(target: TargetConfig, configFile?: string): string {
  const name = target.name === target.url ? "" : `${target.name} at `;
  return `\n${target.profile}: ${name}${target.url}; ${statesSource(target, configFile)}`;
}

/** The live line of a terminal: how many cases of this target have ended, and the last one. */
export function formatProgress(done: number, total: number, profile: string, caseId: string): string {
  return `[${done}/${total}] ${profile} ${caseId}`;
}

/** At most this many characters of what a target sent on a case's one line (the reports keep it whole). */
const MAX_LINE_RECEIVED = 160;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * A case that did not pass, on one line with its reason, as a CI log shows it: the first broken check (and how
 * many more), or why it was skipped or errored, and the baseline entry that excused it. Redacted as formatCaseResult.
 */
export function formatCaseLine(result: CaseResult, style: ConsoleStyle, excuses?: Excuse[]): string {
  const [first, ...more] = result.failures;
  let reason: string;
  if (first !== undefined && (result.verdict === "FAIL" || result.verdict === "WARN")) {
    const step = result.exchanges.length > 1 ? ` step ${first.step}` : "";
    reason = `${first.requirement} (${first.level})${step}: expected ${clip(first.expected, MAX_LINE_RECEIVED)}, received ${clip(
      first.received,
      MAX_LINE_RECEIVED,
    )}${more.length > 0 ? ` (+${more.length} more)` : ""}`;
  } else {
    reason = clip(result.reason ?? result.description, MAX_LINE_RECEIVED * 2);
  }
  const excusedBy = (excuses ?? []).map(
    (excuse) => `; excused by ${excuse.kind} ${excuse.id}: ${excuse.reason}`,
  );
  return `  ${verdictLabel(style, result.verdict, excuses !== undefined)} ${result.id}  ${reason}${excusedBy.join("")}`;
}

/** The rule around the outcome, wide enough to be seen in a scrolling log. */
const BANNER_RULE = "=".repeat(60);

/**
 * The summary block: the outcome first, between two rules (a banner coloured as its verdict), then the counts and
 * whatever made the run fail (unexercised MUSTs, stale expected failures, FLAKY cases).
 */
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
  const details = [`Summary: ${total} case runs in ${runs.length} profile(s): ${counts}`];
  for (const { profile, id, excused } of summary.unexercisedMust) {
    details.push(
      `  MUST requirement ${id} (${profile}) was not exercised: every case naming it was skipped or errored${
        excused ? " (excused)" : ""
      }`,
    );
  }
  for (const problem of summary.baselineProblems) {
    details.push(`  ${problem}`);
  }
  for (const { profile, id, verdicts } of summary.flaky) {
    details.push(
      paint(
        style,
        "red",
        `  FLAKY ${id} (${profile}): ${verdicts.join(", ")} over ${verdicts.length} repetitions`,
      ),
    );
  }
  const { title, sentence, colour } = outcomeOf(summary, strict);
  const banner = [BANNER_RULE, `  ${title}`, `  ${sentence}`, BANNER_RULE].map((line) =>
    paint(style, colour, line),
  );
  return ["", ...banner, ...details].join("\n");
}

function outcomeOf(summary: RunSummary, strict: boolean): { title: string; sentence: string; colour: Style } {
  if (summary.partial !== undefined && summary.exitCode === 0) {
    const ran = summary.partial
      .map(({ profile, ran, of }) => `${ran} of ${of} cases of ${profile}`)
      .join(", ");
    return {
      title: "SELECTED CASES PASSED",
      sentence: `Selected cases passed (${ran}); conformance was not assessed, since only chosen cases ran: exit 0`,
      colour: "yellow",
    };
  }
  if (summary.conformant) {
    const count = excusedCount(summary);
    const excused = count > 0 ? ` with ${count} excused failure(s)` : "";
    return {
      title: `CONFORMANT${strict ? " (strict)" : ""}`,
      sentence: `Conformant${strict ? " (strict)" : ""}${excused}: exit 0`,
      colour: "green",
    };
  }
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
  const partial = summary.partial !== undefined;
  return {
    title: partial ? "SELECTED CASES DID NOT PASS" : "NOT CONFORMANT",
    sentence: `${partial ? "Selected cases did not pass" : "Not conformant"} (${why.join(", ")}): exit ${summary.exitCode}`,
    colour: "red",
  };
}
