// The report document every artifact is rendered from: results.json's shape (schemas/results.schema.json), redacted once.
import type { Baseline, BaselineOutcome, EntryStatus, Excuse } from "../baseline/baseline.js";
import type { Case } from "../cases/case-types.js";
import type { Contract, Level, ProfileName } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import type { CaseResult, ProfileRun, RunSummary, Verdict } from "../runner/results.js";
import { VERDICTS } from "../runner/results.js";
import { curlReproducer, type SetupCommandDoc } from "./curl.js";
import { excusedCount, requirementExcuses } from "./excuses.js";

import { caseSetSha256, kitInfo } from "./manifest.js";
import { MAX_SHOWN_BODY_CHARS, Redactor } from "./redact.js";
import { setupFor, tokenSetup } from "./reproducer-setup.js";

/** Bumped on any change a consumer of results.json could notice; compare refuses versions it does not know. */
export const RESULTS_SCHEMA_VERSION = 1;

export type RequirementVerdict = Verdict | "UNEXERCISED";
export type Counts = Record<Verdict, number>;

/**
 * conformant: exit 0 with nothing excused; conformant-with-excused-failures: exit 0 because a baseline
 * excused every failure; not-conformant: exit 1.
 */
export type Outcome = "conformant" | "conformant-with-excused-failures" | "partial" | "not-conformant";

export interface ExcuseDoc {
  kind: "case" | "requirement";
  id: string;
  reason: string;
  issue?: string;
  expires?: string;
}

export interface FailureDoc {
  requirement: string;
  level: Level;
  check: string;
  step: number;
  expected: string;
  received: string;
}

export interface ObservationDoc {
  requirement: string;
  step: number;
  summary: string;
}

export interface ExchangeDoc {
  /** 1-based step of the case that sent it. */
  step: number;
  /** Approximate: the case's start plus the durations of the exchanges before it (states take time too). */
  startedAt: string;
  durationMs: number;
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    /** Bytes of the body as sent, present when `body` was cut to MAX_BODY_CHARS. */
    truncatedFrom?: number;
  };
  response: { status: number; headers: Record<string, string>; body: string; truncatedFrom?: number };
}

export interface CaseDoc {
  id: string;
  description: string;
  /** The strongest level among the case's requirements. */
  level: Level;
  requirements: { id: string; level: Level }[];
  verdict: Verdict;
  /** Present when a baseline excused this result. */
  excused?: ExcuseDoc[];
  reason?: string;
  startedAt: string;
  durationMs: number;
  failures: FailureDoc[];
  observations: ObservationDoc[];
  exchanges: ExchangeDoc[];
  /** One curl command per step with a failure, secrets as shell variables. */
  reproducers: string[];
  /** How to set the variables the reproducers use that the kit can compute (TOKEN, CERT), in order. */
  reproducerSetup?: SetupCommandDoc[];
}

export interface RequirementDoc {
  id: string;
  level: Level;
  statement: string;
  verdict: RequirementVerdict;
  exercisedBy: string[];
  notExercisedBy: string[];
  /** For an excused FAIL, WARN or unexercised MUST: the entries that excuse it (see requirementExcuses). */
  excused?: ExcuseDoc[];
}

export interface RunDoc {
  profile: ProfileName;
  target: { name: string; url: string; version: string | null };
  stateAccess: string;
  startedAt: string;
  finishedAt: string;
  counts: Counts;
  requirements: RequirementDoc[];
  cases: CaseDoc[];
}

export interface ManifestDoc {
  kit: { name: string; version: string };
  contractSha256: string;
  caseSetSha256: string;
  caseCount: number;
  nodeVersion: string;
  startedAt: string;
  finishedAt: string;
  strict: boolean;
  /** False only under --include-secrets. */
  secretsRedacted: boolean;
}

export interface SummaryDoc {
  outcome: Outcome;
  exitCode: 0 | 1;
  counts: Counts;
  excusedCounts: Counts;
  unexercisedMust: { profile: ProfileName; id: string; excused: boolean }[];
  baselineProblems: string[];
  /** Cases whose verdict changed between repetitions (`run --repeat`). */
  flaky: { profile: ProfileName; id: string; verdicts: Verdict[] }[];
  /** Only chosen cases ran (--case): how many of each profile's cases. */
  partial?: { profile: ProfileName; ran: number; of: number }[];
}

export interface BaselineEntryDoc extends ExcuseDoc {
  status: EntryStatus;
  excusedCount: number;
  message?: string;
}

export interface BaselineDoc {
  file: string;
  entries: BaselineEntryDoc[];
}

export interface ResultsDocument {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  manifest: ManifestDoc;
  summary: SummaryDoc;
  baseline?: BaselineDoc;
  runs: RunDoc[];
}

export interface ReportInput {
  contract: Contract;
  /** The cases the run selected, for the case-set hash. */
  cases: readonly Case[];
  /** As the runner returned them; redacted here, once, for every artifact. */
  runs: ProfileRun[];
  summary: RunSummary;
  strict: boolean;
  redactor: Redactor;
  startedAt: string;
  finishedAt: string;
  baseline?: { baseline: Baseline; outcome: BaselineOutcome };
  /** When each case result was recorded (ms since the epoch), for exchange start times. */
  caseEndTimes?: ReadonlyMap<CaseResult, number>;
}

/**
 * Bodies longer than this are cut in the reports (the oversized-body case sends megabytes); they are redacted
 * whole before they are cut, so a secret cannot straddle the cut.
 */
export const MAX_BODY_CHARS = MAX_SHOWN_BODY_CHARS;

/**
 * Characters of bodies one report document holds in all. Past it, bodies are cut to MIN_BODY_CHARS: a target
 * that answers 1 MiB to every request would otherwise make each report 64 KiB times the number of exchanges,
 * and HTML escaping multiplies that again. Typical runs hold a few dozen KiB of bodies.
 */
export const REPORT_BODY_BUDGET = 1024 * 1024;
export const MIN_BODY_CHARS = 1024;

/** What is left of REPORT_BODY_BUDGET for the document being built. */
export interface BodyBudget {
  left: number;
}

export const newBodyBudget = (): BodyBudget => ({ left: REPORT_BODY_BUDGET });

/** A body redacted (by `redactor`, which may be off) and cut to what the budget allows, with its size and hash. */
function shown(
  text: string,
  redactor: Redactor,
  budget: BodyBudget,
  bodyBytes?: number,
): { body: string; truncatedFrom?: number } {
  const limit = budget.left >= MAX_BODY_CHARS ? MAX_BODY_CHARS : MIN_BODY_CHARS;
  const result = redactor.shownBody(text, limit, bodyBytes);
  budget.left = Math.max(0, budget.left - result.body.length);
  return result;
}

const PASS_THROUGH = new Redactor({ enabled: false });

/**
 * A case's exchanges as the reports show them, each dated by the durations of those before it. `redactor`
 * redacts them (raw exchanges); without one they must already be redacted (diff's), and are only cut.
 */
export function exchangeDocs(
  exchanges: readonly Exchange[],
  startedAt: number,
  redactor: Redactor = PASS_THROUGH,
  budget: BodyBudget = newBodyBudget(),
): ExchangeDoc[] {
  let offset = startedAt;
  return exchanges.map((exchange, index) => {
    const started = new Date(offset).toISOString();
    offset += exchange.response.durationMs;
    const { request, response } = exchange;
    return {
      step: index + 1,
      startedAt: started,
      durationMs: Math.round(response.durationMs * 1000) / 1000,
      request: {
        method: request.method,
        url: redactor.text(request.url),
        headers: redactor.headers(request.headers),
        ...(request.body === undefined ? {} : shown(request.body, redactor, budget)),
      },
      response: {
        status: response.status,
        headers: redactor.headers(response.headers),
        ...shown(response.bodyText, redactor, budget, response.bodyBytes),
      },
    };
  });
}

const LEVEL_RANK: Record<Level, number> = { MUST: 3, SHOULD: 2, MAY: 1 };

function strongest(levels: Level[]): Level {
  return (
    levels.reduce<Level | undefined>(
      (best, level) => (best === undefined || LEVEL_RANK[level] > LEVEL_RANK[best] ? level : best),
      undefined,
    ) ?? "MUST"
  );
}

function excuseDocs(excuses: Excuse[] | undefined): ExcuseDoc[] | undefined {
  return excuses?.map((excuse) => ({
    kind: excuse.kind,
    id: excuse.id,
    reason: excuse.reason,
    ...(excuse.issue === undefined ? {} : { issue: excuse.issue }),
    ...(excuse.expires === undefined ? {} : { expires: excuse.expires }),
  }));
}

export function countVerdicts(verdicts: Verdict[]): Counts {
  const counts = Object.fromEntries(VERDICTS.map((verdict) => [verdict, 0])) as Counts;
  for (const verdict of verdicts) {
    counts[verdict]++;
  }
  return counts;
}

export function outcomeOf(summary: RunSummary): Outcome {
  if (summary.partial !== undefined && summary.exitCode === 0) {
    return "partial";
  }
  if (!summary.conformant) {
    return "not-conformant";
  }
  return excusedCount(summary) > 0 ? "conformant-with-excused-failures" : "conformant";
}

function caseDoc(
  raw: CaseResult,
  shown: CaseResult,
  input: ReportInput,
  runStart: number,
  budget: BodyBudget,
  token: SetupCommandDoc | undefined,
): CaseDoc {
  const excuses = input.baseline?.baseline.excuseFor(raw, input.strict);
  const ended = input.caseEndTimes?.get(raw);
  const started = ended === undefined ? runStart : ended - raw.durationMs;
  const exchanges = exchangeDocs(raw.exchanges, started, input.redactor, budget);
  const failedSteps = [...new Set(raw.failures.map((failure) => failure.step))].sort((a, b) => a - b);
  const reproducers = failedSteps
    .map((step) => raw.exchanges[step - 1])
    .filter((exchange) => exchange !== undefined)
    .map((exchange) => curlReproducer(exchange, input.redactor));
  const excused = excuseDocs(excuses);
  const setup = setupFor(
    reproducers,
    input.cases.find((testCase) => testCase.id === raw.id),
    token,
  );
  return {
    id: shown.id,
    description: shown.description,
    level: strongest(shown.requirements.map((requirement) => requirement.level)),
    requirements: shown.requirements.map(({ id, level }) => ({ id, level })),
    verdict: shown.verdict,
    ...(excused === undefined ? {} : { excused }),
    ...(shown.reason === undefined ? {} : { reason: shown.reason }),
    startedAt: new Date(started).toISOString(),
    durationMs: shown.durationMs,
    failures: shown.failures.map(({ requirement, level, check, step, expected, received }) => ({
      requirement,
      level,
      check,
      step,
      expected,
      received,
    })),
    observations: shown.observations.map(({ requirement, step, summary }) => ({
      requirement,
      step,
      summary,
    })),
    exchanges,
    reproducers,
    ...(setup.length === 0 ? {} : { reproducerSetup: setup }),
  };
}

function runDoc(raw: ProfileRun, input: ReportInput, budget: BodyBudget): RunDoc {
  // Texts redacted here; exchanges are redacted from the raw results by exchangeDocs, one case at a time.
  const shown = input.redactor.run({ ...raw, results: [] });
  const runStart = Date.parse(raw.startedAt);
  const token = tokenSetup(input.contract, raw, input.redactor);
  return {
    profile: raw.profile,
    target: { name: shown.targetName, url: shown.targetUrl, version: shown.targetVersion ?? null },
    stateAccess: shown.stateAccess,
    startedAt: raw.startedAt,
    finishedAt: raw.finishedAt,
    counts: countVerdicts(raw.results.map((result) => result.verdict)),
    requirements: raw.requirements.map((outcome) => {
      const excused = excuseDocs(requirementExcuses(input.baseline?.baseline, raw, outcome, input.strict));
      return {
        id: outcome.requirement.id,
        level: outcome.requirement.level,
        statement: outcome.requirement.statement,
        verdict: outcome.verdict,
        exercisedBy: outcome.exercisedBy,
        notExercisedBy: outcome.notExercisedBy,
        ...(excused === undefined ? {} : { excused }),
      };
    }),
    cases: raw.results.map((result) =>
      caseDoc(
        result,
        input.redactor.caseResult({ ...result, exchanges: [] }),
        input,
        runStart,
        budget,
        token,
      ),
    ),
  };
}

/** Builds the document every artifact renders: learns the run's secrets first, then redacts everything once. */
export function buildResultsDocument(input: ReportInput): ResultsDocument {
  input.redactor.learnFromRuns(input.runs);
  const budget = newBodyBudget();
  const { summary } = input;
  const kit = kitInfo();
  const baseline = input.baseline;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    manifest: {
      kit: { name: kit.name, version: kit.version },
      contractSha256: input.contract.sha256,
      caseSetSha256: caseSetSha256(input.cases),
      caseCount: input.cases.length,
      nodeVersion: process.version,
      startedAt: input.startedAt,
      finishedAt: input.finishedAt,
      strict: input.strict,
      secretsRedacted: input.redactor.enabled,
    },
    summary: {
      outcome: outcomeOf(summary),
      exitCode: summary.exitCode === 0 ? 0 : 1,
      counts: summary.counts,
      excusedCounts: summary.excused,
      unexercisedMust: summary.unexercisedMust.map(({ profile, id, excused }) => ({
        profile,
        id,
        excused: excused ?? false,
      })),
      baselineProblems: summary.baselineProblems,
      flaky: summary.flaky,
      ...(summary.partial === undefined ? {} : { partial: summary.partial }),
    },
    ...(baseline === undefined
      ? {}
      : {
          baseline: {
            file: baseline.outcome.file,
            entries: baseline.outcome.entries.map(({ entry, status, excused, message }) => ({
              ...(excuseDocs([entry])?.[0] as ExcuseDoc),
              status,
              excusedCount: excused,
              ...(message === undefined ? {} : { message }),
            })),
          },
        }),
    runs: input.runs.map((run) => runDoc(run, input, budget)),
  };
}
