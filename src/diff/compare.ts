// Compares one case's results on two targets, exchange by exchange, under the rules; attribute.ts names the requirements each difference touches.
import type { Case } from "../cases/case-types.js";
import type { Contract, ProfileName } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import { stringifyJson } from "../json-text.js";
import type { CaseResult } from "../runner/results.js";
import {
  ABSENT,
  type Aspect,
  attribute,
  type ChangedFailure,
  changedFailures,
  type Difference,
  type DifferenceKind,
} from "./attribute.js";
import {
  echoSubstitutions,
  formatOf,
  type NormalizedField,
  type NormalizedResponse,
  normalizeResponse,
  VOLATILE_VALUE,
} from "./normalize.js";
import { type DiffRules, splitPointer } from "./rules.js";

export {
  ABSENT,
  CHECKS_WITH_ASPECTS,
  type Difference,
  type DifferenceKind,
  type RequirementRef,
} from "./attribute.js";

function show(value: unknown): string {
  if (value === undefined) {
    return ABSENT;
  }
  return stringifyJson(value);
}

const TEXT_LIMIT = 200;

function truncate(text: string): string {
  return text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text;
}

/** A body that is not JSON: quoted, so whitespace and an empty body show. */
function showText(text: string): string {
  return text === "" ? "(empty body)" : `text ${JSON.stringify(truncate(text))}`;
}

function requestLine(exchange: Exchange): string {
  return `${exchange.request.method.toUpperCase()} ${exchange.request.path}`;
}

interface Context {
  testCase: Case;
  profile: ProfileName;
  contract: Contract;
  /** Per step, the checks that failed on one side only. */
  changed: Map<number, ChangedFailure[]>;
}

function make(
  context: Context,
  step: number | undefined,
  request: string | undefined,
  aspect: Aspect,
  where: string | undefined,
  baseline: string,
  candidate: string,
): Difference {
  return {
    kind: aspect.kind,
    ...(step === undefined ? {} : { step }),
    ...(request === undefined ? {} : { request }),
    ...(where === undefined ? {} : { where }),
    baseline,
    candidate,
    ...attribute(
      context.testCase,
      context.profile,
      context.contract,
      step,
      aspect,
      step === undefined ? [...context.changed.values()].flat() : (context.changed.get(step) ?? []),
    ),
  };
}

function aspectOf(kind: DifferenceKind, extra: Partial<Aspect> = {}): Aspect {
  return { kind, segments: [], header: undefined, statuses: [], presence: false, ...extra };
}

/** Two values of one field under the rules: volatile ones are always alike, format ones when their formats are. */
function sameField(left: NormalizedField, right: NormalizedField): boolean {
  if (left.volatile || right.volatile) {
    return true;
  }
  if (left.format || right.format) {
    return formatOf(left.value) === formatOf(right.value);
  }
  return stringifyJson(left.value) === stringifyJson(right.value);
}

/** The differences between two normalized responses of the same step. */
function compareResponses(
  context: Context,
  step: number,
  request: string,
  a: NormalizedResponse,
  b: NormalizedResponse,
): Difference[] {
  const differences: Difference[] = [];
  if (a.status !== b.status) {
    differences.push(
      make(
        context,
        step,
        request,
        aspectOf("status", { statuses: [a.status, b.status] }),
        undefined,
        String(a.status),
        String(b.status),
      ),
    );
  }
  const codeDiffers = stringifyJson(a.errorCode) !== stringifyJson(b.errorCode);
  if (codeDiffers) {
    differences.push(
      make(
        context,
        step,
        request,
        aspectOf("error-code"),
        "/errors/0/code",
        show(a.errorCode),
        show(b.errorCode),
      ),
    );
  }
  if (a.fields && b.fields) {
    const pointers = [...new Set([...a.fields.keys(), ...b.fields.keys()])].sort();
    for (const pointer of pointers) {
      if (codeDiffers && pointer === "/errors/0/code") {
        continue; // Already reported as the error code, the part of the body clients branch on.
      }
      const left = a.fields.get(pointer);
      const right = b.fields.get(pointer);
      const same = left !== undefined && right !== undefined && sameField(left, right);
      if (same || (left === undefined && right === undefined)) {
        continue;
      }
      const display = (field: typeof left) =>
        field === undefined ? ABSENT : field.volatile ? VOLATILE_VALUE : show(field.value);
      differences.push(
        make(
          context,
          step,
          request,
          aspectOf("body", {
            segments: splitPointer(pointer),
            presence: left === undefined || right === undefined,
          }),
          pointer,
          display(left),
          display(right),
        ),
      );
    }
  } else if (a.fields || b.fields || a.text !== b.text) {
    // One side is JSON and the other is not, or two non-JSON bodies differ: the body as a whole.
    const describe = (response: NormalizedResponse) =>
      response.fields ? `JSON ${truncate(response.text)}` : showText(response.text);
    differences.push(make(context, step, request, aspectOf("body"), "", describe(a), describe(b)));
  }
  const names = [...new Set([...a.headers.keys(), ...b.headers.keys()])].sort();
  for (const name of names) {
    const left = a.headers.get(name);
    const right = b.headers.get(name);
    if (
      left !== undefined &&
      right !== undefined &&
      (left.format ? formatOf(left.value) === formatOf(right.value) : left.value === right.value)
    ) {
      continue;
    }
    differences.push(
      make(
        context,
        step,
        request,
        aspectOf("header", { header: name, presence: left === undefined || right === undefined }),
        name,
        left === undefined ? ABSENT : stringifyJson(left.value),
        right === undefined ? ABSENT : stringifyJson(right.value),
      ),
    );
  }
  return differences;
}

/** The first word of an ERROR reason ("timeout", "refused"): what kind of failure, without ports or timings. */
function errorKind(result: CaseResult): string {
  return (result.reason ?? "").split(":")[0] ?? "";
}

function describeOutcome(result: CaseResult): string {
  if (result.verdict === "SKIP" || result.verdict === "ERROR") {
    return `${result.verdict}: ${result.reason ?? "no reason given"}`;
  }
  return `ran (${result.verdict})`;
}

export type Comparability = { comparable: true } | { comparable: false; reason: string };

/**
 * Whether two results can be compared at all: a case skipped on both sides (a state neither target can reach,
 * another profile) has nothing to compare. Skipped on one side only is a difference (see compareResults).
 */
export function comparability(baseline: CaseResult, candidate: CaseResult): Comparability {
  if (baseline.verdict === "SKIP" && candidate.verdict === "SKIP") {
    return {
      comparable: false,
      reason:
        baseline.reason === candidate.reason
          ? `skipped on both: ${baseline.reason ?? "no reason given"}`
          : `skipped on both: baseline ${baseline.reason ?? "no reason given"}; candidate ${
              candidate.reason ?? "no reason given"
            }`,
    };
  }
  return { comparable: true };
}

/**
 * Every difference between a case's results on the baseline and the candidate, after the rules. A side that was
 * skipped or errored while the other was not is an outcome difference: it proves nothing is the same.
 */
export function compareResults(
  testCase: Case,
  profile: ProfileName,
  contract: Contract,
  baseline: CaseResult,
  candidate: CaseResult,
  rules: DiffRules,
): Difference[] {
  const context: Context = { testCase, profile, contract, changed: changedFailures(baseline, candidate) };
  const differences: Difference[] = [];
  const skipped = baseline.verdict === "SKIP" || candidate.verdict === "SKIP";
  const errored = baseline.verdict === "ERROR" || candidate.verdict === "ERROR";
  const outcomeDiffers = skipped
    ? baseline.verdict !== candidate.verdict
    : errored && (baseline.verdict !== candidate.verdict || errorKind(baseline) !== errorKind(candidate));
  if (outcomeDiffers) {
    differences.push(
      make(
        context,
        undefined,
        undefined,
        aspectOf("outcome"),
        undefined,
        describeOutcome(baseline),
        describeOutcome(candidate),
      ),
    );
  }
  if (skipped) {
    return differences;
  }
  const steps = Math.max(baseline.exchanges.length, candidate.exchanges.length);
  for (let index = 0; index < steps; index++) {
    const a = baseline.exchanges[index];
    const b = candidate.exchanges[index];
    const step = index + 1;
    if (a === undefined || b === undefined) {
      const present = (a ?? b) as Exchange;
      const sent = `${requestLine(present)} answered ${present.response.status}`;
      const missing = "(not sent: the case ended before this step)";
      differences.push(
        make(
          context,
          step,
          requestLine(present),
          aspectOf("exchange"),
          undefined,
          a ? sent : missing,
          b ? sent : missing,
        ),
      );
      continue;
    }
    const substitutions = echoSubstitutions(a, b);
    differences.push(
      ...compareResponses(
        context,
        step,
        requestLine(a),
        normalizeResponse(a.response, rules),
        normalizeResponse(b.response, rules, substitutions),
      ),
    );
  }
  return differences;
}

/** The key under which a difference counts as the same one in another pair of targets (for noise). */
export function differenceKey(difference: Difference): string {
  return [difference.kind, difference.step ?? "", difference.where ?? ""].join("\u0000");
}
