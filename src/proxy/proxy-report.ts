// The session as a run: each exchange a result, a verdict per requirement judged, the exit code, and the same reports as `run` writes.
import type { Contract, Requirement } from "../contract/contract.js";
import { buildResultsDocument, type ResultsDocument } from "../report/model.js";
import type { Redactor } from "../report/redact.js";
import {
  type CaseResult,
  type ProfileRun,
  type RequirementOutcome,
  type RunSummary,
  summarize,
  type Verdict,
  worstVerdict,
} from "../runner/results.js";
import type { ProxySession } from "./proxy-session.js";

/** The verdict of each requirement judged on at least one exchange; requirements never judged are left out. */
export function judgedRequirements(contract: Contract, session: ProxySession): RequirementOutcome[] {
  const outcomes = new Map<string, { requirement: Requirement; by: string[]; verdicts: Verdict[] }>();
  for (const result of session.results) {
    for (const { id } of result.requirements) {
      const requirement = contract.requirementById.get(id);
      if (requirement === undefined) {
        continue;
      }
      let outcome = outcomes.get(id);
      if (outcome === undefined) {
        outcome = { requirement, by: [], verdicts: [] };
        outcomes.set(id, outcome);
      }
      outcome.by.push(result.id);
      outcome.verdicts.push(verdictOn(result, requirement));
    }
  }
  return [...outcomes.values()].map(({ requirement, by, verdicts }) => ({
    requirement,
    profile: session.profile,
    exercisedBy: by,
    notExercisedBy: [],
    verdict: worstVerdict(verdicts) ?? "PASS",
  }));
}

function verdictOn(result: CaseResult, requirement: Requirement): Verdict {
  if (result.failures.some((failure) => failure.requirement === requirement.id)) {
    return requirement.level === "MUST" ? "FAIL" : "WARN";
  }
  return result.observations.some((observation) => observation.requirement === requirement.id)
    ? "INFO"
    : "PASS";
}

export interface SessionOutcome {
  run: ProfileRun;
  summary: RunSummary;
  /** 0, 1 as for `run`; 3 when the upstream was never reached. */
  exitCode: 0 | 1 | 3;
}

export function sessionOutcome(contract: Contract, session: ProxySession, strict: boolean): SessionOutcome {
  const run: ProfileRun = {
    profile: session.profile,
    targetName: "upstream (judged by the proxy)",
    targetUrl: session.options.upstream.toString(),
    targetVersion: session.targetVersion,
    stateAccess: "none: real traffic, judged as it passed through the proxy",
    results: session.results,
    requirements: judgedRequirements(contract, session),
    startedAt: session.startedAt,
    finishedAt: new Date().toISOString(),
  };
  const summary = summarize([run], strict);
  const neverReached = session.answered === 0 && session.unreachable > 0;
  return { run, summary, exitCode: neverReached ? 3 : summary.exitCode };
}

/** The summary printed when the proxy stops. */
export function summaryLines(session: ProxySession, outcome: SessionOutcome): string[] {
  const counts = Object.entries(outcome.summary.counts)
    .filter(([, count]) => count > 0)
    .map(([verdict, count]) => `${count} ${verdict}`);
  const broken = outcome.run.requirements.filter(
    (requirement) => requirement.verdict === "FAIL" || requirement.verdict === "WARN",
  );
  const lines = [
    `${session.results.length + session.passedNotKept} exchanges judged: ${counts.join(", ") || "none"}${
      session.passedNotKept > 0 ? ` (${session.passedNotKept} passing ones counted but not kept)` : ""
    }`,
    ...broken.map(
      (requirement) =>
        `  ${requirement.verdict} ${requirement.requirement.level} ${requirement.requirement.id} (${requirement.exercisedBy.length} exchanges judged)`,
    ),
  ];
  if (outcome.exitCode === 3) {
    lines.push(`the upstream ${outcome.run.targetUrl} was never reached`);
  } else if (session.results.length + session.passedNotKept === 0) {
    lines.push("no traffic was seen");
  } else {
    lines.push(outcome.exitCode === 0 ? "no MUST was broken" : "not conformant: a MUST was broken");
  }
  return lines;
}

/**
 * The session as a run's results document, redacted as `run`'s is: what the reporters of `run` write (the command
 * hands it to the one reporter registry).
 */
export function sessionDocument(
  contract: Contract,
  outcome: SessionOutcome,
  options: {
    redactor: Redactor;
    strict: boolean;
    /** When each exchange ended (ms since the epoch), for the reports' times. */
    endTimes: ReadonlyMap<CaseResult, number>;
  },
): ResultsDocument {
  return buildResultsDocument({
    contract,
    cases: [],
    runs: [outcome.run],
    summary: outcome.summary,
    strict: options.strict,
    redactor: options.redactor,
    startedAt: outcome.run.startedAt,
    finishedAt: outcome.run.finishedAt,
    caseEndTimes: options.endTimes,
  });
}
