// A Markdown summary for a CI job summary ($GITHUB_STEP_SUMMARY): outcome, counts, failures, excuses, curl reproducers.

import { VERDICTS } from "../runner/results.js";
import { reproducerVariables } from "./curl.js";
import { excusedCount } from "./excuses.js";
import type { CaseDoc, ExcuseDoc, Outcome, ResultsDocument, RunDoc } from "./model.js";

/** Rows per table: a job summary has a size limit (1 MiB on GitHub), and results.json has everything anyway. */
const MAX_ROWS = 50;
const MAX_CELL = 200;

const HEADLINE: Record<Outcome, string> = {
  conformant: "✅ Conformant",
  "conformant-with-excused-failures": "✅ Conformant with excused failures",
  partial: "☑️ Selected cases passed (conformance not assessed)",
  "not-conformant": "❌ Not conformant",
};

/** The longest run of backticks in a text: a code span or fence must be longer to hold it. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  return longest;
}

/**
 * Table-cell text a target may control, as a code span: one line, bounded, pipes escaped. Inside a code span
 * Markdown and HTML stay inert (no link, no image, no tag), and the span's fence is longer than any run of
 * backticks in the text, so the text cannot close it early and break out.
 */
function code(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  const bounded = oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL)}…` : oneLine;
  // GitHub splits table rows at unescaped pipes before it reads code spans, so a pipe is escaped even in one.
  const escaped = bounded.replace(/\|/g, "\\|");
  const fence = "`".repeat(longestBacktickRun(escaped) + 1);
  return escaped === "" ? "" : `${fence} ${escaped} ${fence}`;
}

/**
 * Plain table-cell text (the user's own: a baseline's reason, a file name): one line, and every character
 * Markdown or HTML could act on escaped, so no emphasis, link, image or tag appears that the text did not mean.
 */
function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/[\\`*_{}[\]()#+!|~]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function table(header: string[], rows: string[][], total: number): string[] {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows.slice(0, MAX_ROWS)) {
    lines.push(`| ${row.join(" | ")} |`);
  }
  if (total > MAX_ROWS) {
    lines.push("", `…and ${total - MAX_ROWS} more: see results.json or report.html.`);
  }
  return lines;
}

function excuseCell(excuses: ExcuseDoc[]): string {
  return excuses
    .map(
      (excuse) =>
        `${excuse.kind} \`${excuse.id}\`: ${cell(excuse.reason)}${excuse.issue ? ` (${/^https?:\/\//i.test(excuse.issue) ? `[issue](${excuse.issue})` : cell(excuse.issue)})` : ""}${excuse.expires ? ` until ${excuse.expires}` : ""}`,
    )
    .join("; ");
}

/** The excuse of an unexercised MUST, from its requirement row (which carries the entry's reason). */
function unexercisedExcuse(document: ResultsDocument, profile: string, id: string): ExcuseDoc[] {
  const run = document.runs.find((item) => item.profile === profile);
  return run?.requirements.find((requirement) => requirement.id === id)?.excused ?? [];
}

/**
 * Every WARN case that is neither a failure (--strict lists it there) nor excused (listed with the excuses),
 * with the SHOULD it broke and why, in one line each.
 */
function warnedCases(document: ResultsDocument): string[] {
  if (document.manifest.strict) {
    return [];
  }
  const warned = document.runs.flatMap((run) =>
    run.cases
      .filter((testCase) => testCase.verdict === "WARN" && testCase.excused === undefined)
      .map((testCase) => ({ run, testCase })),
  );
  if (warned.length === 0) {
    return [];
  }
  const rows = warned.map(({ run, testCase }) => {
    const failure = testCase.failures.find((item) => item.level === "SHOULD") ?? testCase.failures[0];
    const reason =
      testCase.reason ?? (failure ? `expected ${failure.expected}, received ${failure.received}` : "");
    return [
      run.profile,
      `\`${testCase.id}\``,
      failure ? `\`${failure.requirement}\` (${failure.level})` : "",
      code(reason),
    ];
  });
  return [
    "",
    `### WARN cases (${warned.length}: a SHOULD not met; they fail the run only under --strict)`,
    "",
    ...table(["profile", "case", "requirement", "reason"], rows, rows.length),
  ];
}

/** The requirement rows that did not pass (FAIL, WARN, an unexercised MUST), each marked when excused. */
function requirementRows(document: ResultsDocument): string[] {
  const rows = document.runs.flatMap((run) =>
    run.requirements
      .filter(
        (requirement) =>
          requirement.verdict === "FAIL" ||
          requirement.verdict === "WARN" ||
          (requirement.verdict === "UNEXERCISED" && requirement.level === "MUST"),
      )
      .map((requirement) => [
        requirement.excused ? `${requirement.verdict} (excused)` : `**${requirement.verdict}**`,
        run.profile,
        `\`${requirement.id}\``,
        requirement.level,
        String(requirement.exercisedBy.length),
      ]),
  );
  if (rows.length === 0) {
    return [];
  }
  return [
    "",
    `### Requirements not met (${rows.length})`,
    "",
    ...table(["verdict", "profile", "requirement", "level", "cases"], rows, rows.length),
  ];
}

const isFailing = (testCase: CaseDoc, strict: boolean) =>
  testCase.verdict === "FAIL" || testCase.verdict === "ERROR" || (strict && testCase.verdict === "WARN");

export function renderMarkdown(document: ResultsDocument): string {
  const { manifest, summary } = document;
  const lines: string[] = [
    `## ${HEADLINE[summary.outcome]}: wa-account-conformance (exit ${summary.exitCode})`,
    "",
    ...table(
      ["profile", "target", "meta.version", ...VERDICTS],
      document.runs.map((run) => [
        run.profile,
        run.target.name === run.target.url
          ? code(run.target.url)
          : `${cell(run.target.name)} (${code(run.target.url)})`,
        run.target.version === null ? "—" : code(run.target.version),
        ...VERDICTS.map((verdict) => String(run.counts[verdict])),
      ]),
      document.runs.length,
    ),
    "",
    `Kit ${manifest.kit.version} · contract \`${manifest.contractSha256.slice(0, 12)}\` · case set \`${manifest.caseSetSha256.slice(0, 12)}\` (${manifest.caseCount} cases) · Node ${manifest.nodeVersion} · ${manifest.startedAt} → ${manifest.finishedAt}${manifest.strict ? " · --strict" : ""}`,
  ];
  if (!manifest.secretsRedacted) {
    lines.push("", "> **Warning**: recorded with --include-secrets; these reports hold credentials.");
  }
  const failing: { run: RunDoc; testCase: CaseDoc }[] = [];
  const excused: { run: RunDoc; testCase: CaseDoc }[] = [];
  for (const run of document.runs) {
    for (const testCase of run.cases) {
      if (testCase.excused) {
        excused.push({ run, testCase });
      } else if (isFailing(testCase, manifest.strict)) {
        failing.push({ run, testCase });
      }
    }
  }
  if (failing.length > 0) {
    const rows = failing.map(({ run, testCase }) => {
      const failure = testCase.failures[0];
      return [
        `**${testCase.verdict}**`,
        run.profile,
        `\`${testCase.id}\``,
        failure ? `\`${failure.requirement}\` (${failure.level})` : "",
        failure ? code(failure.expected) : "",
        failure ? code(failure.received) : code(testCase.reason ?? ""),
      ];
    });
    lines.push(
      "",
      `### Failed cases (${failing.length})`,
      "",
      ...table(["verdict", "profile", "case", "requirement", "expected", "received"], rows, rows.length),
    );
  }
  lines.push(...warnedCases(document));
  lines.push(...requirementRows(document));
  const unexercised = summary.unexercisedMust.filter((item) => !item.excused);
  if (unexercised.length > 0) {
    lines.push("", "### MUST requirements not exercised", "");
    for (const item of unexercised) {
      lines.push(`- \`${item.id}\` (${item.profile}): every case naming it was skipped or errored`);
    }
  }
  if (summary.flaky.length > 0) {
    lines.push("", "### FLAKY cases (their verdict changed between repetitions)", "");
    for (const item of summary.flaky) {
      lines.push(`- \`${item.id}\` (${item.profile}): ${item.verdicts.join(", ")}`);
    }
  }
  if (summary.baselineProblems.length > 0) {
    lines.push("", "### Expected-failure entries that fail the run", "");
    for (const problem of summary.baselineProblems) {
      lines.push(`- ${cell(problem)}`);
    }
  }
  const excusedUnexercised = summary.unexercisedMust.filter((item) => item.excused);
  if (excused.length > 0 || excusedUnexercised.length > 0) {
    const rows = [
      ...excused.map(({ run, testCase }) => [
        `${testCase.verdict} (excused)`,
        run.profile,
        `\`${testCase.id}\``,
        excuseCell(testCase.excused ?? []),
      ]),
      ...excusedUnexercised.map((item) => [
        "UNEXERCISED (excused)",
        item.profile,
        `\`${item.id}\``,
        excuseCell(unexercisedExcuse(document, item.profile, item.id)),
      ]),
    ];
    lines.push(
      "",
      `### Excused failures (${excusedCount(summary)}, listed in ${cell(document.baseline?.file ?? "the baseline")})`,
      "",
      ...table(["verdict", "profile", "case or requirement", "excused by"], rows, rows.length),
    );
  }
  const reproducers = failing.filter(({ testCase }) => testCase.reproducers.length > 0);
  if (reproducers.length > 0) {
    // Each case's setup (TOKEN, CERT) before its commands; a setup line already given is not repeated.
    const given = new Set<string>();
    const computed = new Set<string>();
    const commands = reproducers.flatMap(({ run, testCase }) => {
      const setup = (testCase.reproducerSetup ?? []).filter((item) => !given.has(item.command));
      for (const item of setup) {
        given.add(item.command);
        computed.add(item.variable);
      }
      return [
        `# ${testCase.id} (${run.profile})`,
        ...setup.map((item) => item.command),
        ...testCase.reproducers,
      ];
    });
    const variables = reproducerVariables(commands.join("\n")).filter((name) => !computed.has(name));
    // A body that holds a fence of its own must not end the code block early.
    const fence = "`".repeat(Math.max(3, longestBacktickRun(commands.join("\n")) + 1));
    lines.push(
      "",
      "<details><summary>Reproduce the failures with curl</summary>",
      "",
      variables.length > 0
        ? `Set ${variables.map((name) => `\`${name}\``).join(", ")} first: the reports never hold secrets.`
        : "",
      "",
      `${fence}sh`,
      ...commands.slice(0, MAX_ROWS * 2),
      fence,
      "",
      "</details>",
    );
  }
  return `${lines.join("\n")}\n`;
}
