// Ties each difference of a diff to requirements: the part of a response each kind of expectation looks at, and the checks a difference broke.
import type { Case, Expectation, ExpectationCheckKey } from "../cases/case-types.js";
import type { Contract, Level, ProfileName } from "../contract/contract.js";
import type { CaseResult } from "../runner/results.js";

/**
 * What differs: the case's outcome (one side skipped or errored), a whole exchange (one side stopped earlier),
 * the status, errors[0].code, a body field (by JSON pointer) or a header (by lower-case name).
 */
export type DifferenceKind = "outcome" | "exchange" | "status" | "error-code" | "body" | "header";

export interface RequirementRef {
  id: string;
  level: Level;
}

export interface Difference {
  kind: DifferenceKind;
  /** 1-based step of the case; absent for an outcome difference. */
  step?: number;
  /** "POST /v1/account": the request of that step. */
  request?: string;
  /** The JSON pointer of a body field, or the header name. */
  where?: string;
  /** Both values as display text: JSON for values, "(absent)" when a side has none. */
  baseline: string;
  candidate: string;
  /** The requirement this difference touches most: an expectation of the step that looks at it, highest level first. */
  requirement: string | undefined;
  level: Level | undefined;
  /**
   * Whether an expectation of the step (or an every-exchange check) looks at what differs. False means the
   * contract leaves it open: `requirement` is then only the step's highest requirement, for context.
   */
  checked: boolean;
  /** Those that look at the difference (touches), then the step's others; each group highest level first. */
  requirements: (RequirementRef & { touches: boolean })[];
}

export const ABSENT = "(absent)";

const LEVEL_ORDER: Record<Level, number> = { MUST: 0, SHOULD: 1, MAY: 2 };

/** The implicit every-exchange checks that look at a specific part of a response. */
const IMPLICIT = {
  noServerError: "no-5xx-for-client-input",
  jsonContentType: "json-body-has-json-content-type",
} as const;

/** The part of a response a difference is in. */
export interface Aspect {
  kind: DifferenceKind;
  segments: string[];
  header: string | undefined;
  statuses: number[];
  /** The body field or header is there on one side only (not merely another value). */
  presence: boolean;
}

/** What a check can see of a difference, computed once per aspect. */
interface AspectView {
  aspect: Aspect;
  top: string | undefined;
  index: string | undefined;
  field: string | undefined;
  body: boolean;
  wholeBody: boolean;
  /**
   * Checks of shape (envelope, meta, schema) care whether a field is there, not what it says: a changed wording
   * keeps the shape; a field that appears or disappears may not.
   */
  shape: boolean;
  absentFields: string[] | undefined;
}

type Touches = (view: AspectView) => boolean;

const firstError = (view: AspectView, name: string) =>
  view.body && view.top === "errors" && view.index === "0" && view.field === name;
const isStatus: Touches = ({ aspect }) => aspect.kind === "status";
const touchesVname: Touches = ({ body, top, wholeBody }) => body && (top === "account" || wholeBody);
const touchesContentType: Touches = ({ aspect, wholeBody }) =>
  (aspect.kind === "header" && aspect.header === "content-type") || wholeBody;

/**
 * The part of the response each check looks at: one entry per expectation key (typed over them, so a new kind of
 * expectation without its aspect fails to compile) and per every-exchange check the runner records.
 */
const CHECK_ASPECTS: Record<ExpectationCheckKey | "noServerError" | "jsonContentType", Touches> = {
  status: isStatus,
  refused: isStatus,
  noServerError: ({ aspect }) => aspect.kind === "status" && aspect.statuses.some((status) => status >= 500),
  errorCode: (view) => view.aspect.kind === "error-code" || firstError(view, "code") || view.wholeBody,
  envelope: ({ aspect, shape, top, wholeBody }) =>
    aspect.kind === "error-code" || (shape && (top === "errors" || wholeBody)),
  // The title must be the catalogue's title of the code: a changed code can break it as surely as a changed title.
  canonicalTitle: ({ aspect, body, top, field, wholeBody }) =>
    aspect.kind === "error-code" || (body && top === "errors" && field === "title") || wholeBody,
  errorDetails: (view) => firstError(view, "details") || view.wholeBody,
  vname: touchesVname,
  vnameMatchesCert: touchesVname,
  meta: ({ shape, top, wholeBody }) => shape && (top === "meta" || wholeBody),
  metaOnly: ({ shape }) => shape,
  absentFields: ({ shape, absentFields, wholeBody, top }) =>
    shape && (absentFields === undefined || wholeBody || (top !== undefined && absentFields.includes(top))),
  // The schema is chosen by the status and describes the body's shape; a value that breaks a pattern shows up as
  // a failure on one side only (ChangedFailure).
  responseSchema: ({ shape, aspect }) => shape || aspect.kind === "status" || aspect.kind === "error-code",
  contentType: touchesContentType,
  jsonContentType: touchesContentType,
};

/** The check names whose aspect of the response the diff knows. */
export const CHECKS_WITH_ASPECTS: readonly string[] = Object.keys(CHECK_ASPECTS);

/**
 * Whether a check (an expectation key of a case, or the check of a failure the runner recorded) looks at the part
 * of the response that differs. `absentFields` narrows an absentFields check to the fields it names.
 */
function checkTouches(check: string, aspect: Aspect, absentFields?: string[]): boolean {
  if (aspect.kind === "outcome" || aspect.kind === "exchange") {
    return true;
  }
  const touches = (CHECK_ASPECTS as Record<string, Touches | undefined>)[check];
  if (touches === undefined) {
    return false;
  }
  const [top, index, field] = aspect.segments;
  const body = aspect.kind === "body";
  const wholeBody = body && aspect.segments.length === 0;
  return touches({
    aspect,
    top,
    index,
    field,
    body,
    wholeBody,
    shape: body && (aspect.presence || wholeBody),
    absentFields,
  });
}

/** The expectation keys of a group that are checks (everything but the requirement and observe). */
function groupChecks(group: Expectation): string[] {
  return Object.keys(group).filter(
    (key) => key !== "requirement" && key !== "observe" && group[key as keyof Expectation] !== undefined,
  );
}

/** Whether an expectation group looks at the part of the response that differs. */
function groupTouches(group: Expectation, aspect: Aspect): boolean {
  if (group.observe) {
    // A MAY behaviour is observed whole: any change to the answer (status, code, body) changes the behaviour;
    // a header other than the content type is the transport's, not the behaviour's.
    return aspect.kind !== "header" || aspect.header === "content-type";
  }
  return groupChecks(group).some((check) => checkTouches(check, aspect, group.absentFields));
}

/**
 * The every-exchange checks that look at a part of the response whatever their outcome: a 5xx status, the
 * content type. The others (meta, titles, the schema) count where they fail on one side only (ChangedFailure),
 * which says more than where they look.
 */
const IMPLICIT_CHECK_NAMES: { requirement: string; check: string }[] = [
  { requirement: IMPLICIT.noServerError, check: "noServerError" },
  { requirement: IMPLICIT.jsonContentType, check: "jsonContentType" },
];

function implicitTouches(aspect: Aspect): string[] {
  return IMPLICIT_CHECK_NAMES.filter(
    ({ check }) => aspect.kind !== "outcome" && aspect.kind !== "exchange" && checkTouches(check, aspect),
  ).map(({ requirement }) => requirement);
}

/** A check that failed on one side of a step and not on the other: the difference broke (or mended) it. */
export interface ChangedFailure {
  requirement: string;
  check: string;
}

const byLevel = (a: RequirementRef, b: RequirementRef) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level];

/**
 * Ties a difference to requirements: first those whose checks look at it (the step's expectations, the
 * every-exchange checks, and checks that fail on one side only), highest level first; then the step's others.
 */
export function attribute(
  testCase: Case,
  profile: ProfileName,
  contract: Contract,
  step: number | undefined,
  aspect: Aspect,
  changed: ChangedFailure[] = [],
): Pick<Difference, "requirement" | "level" | "checked" | "requirements"> {
  const steps = step === undefined ? testCase.steps : testCase.steps.slice(step - 1, step);
  const groups = steps
    .flatMap((s) => s.expect)
    .filter((group) => contract.requirementById.get(group.requirement)?.profiles.includes(profile));
  const ref = (id: string): RequirementRef | undefined => {
    const requirement = contract.requirementById.get(id);
    return requirement?.profiles.includes(profile) ? { id, level: requirement.level } : undefined;
  };
  const unique = (ids: string[]) =>
    [...new Set(ids)].map(ref).filter((r): r is RequirementRef => r !== undefined);
  const touching = unique([
    ...groups.filter((group) => groupTouches(group, aspect)).map((group) => group.requirement),
    ...changed.filter((failure) => checkTouches(failure.check, aspect)).map((failure) => failure.requirement),
    ...(aspect.kind === "outcome" || aspect.kind === "exchange" ? [] : implicitTouches(aspect)),
  ]).sort(byLevel);
  const touchingIds = new Set(touching.map((r) => r.id));
  const rest = unique(groups.map((group) => group.requirement))
    .filter((r) => !touchingIds.has(r.id))
    .sort(byLevel);
  const requirements = [
    ...touching.map((r) => ({ ...r, touches: true })),
    ...rest.map((r) => ({ ...r, touches: false })),
  ];
  const primary = requirements[0];
  return {
    requirement: primary?.id,
    level: primary?.level,
    checked: touching.length > 0,
    requirements,
  };
}

/** Per step, the checks that failed on one side only. */
export function changedFailures(baseline: CaseResult, candidate: CaseResult): Map<number, ChangedFailure[]> {
  const keys = (result: CaseResult) =>
    new Set(
      result.failures.map((failure) => `${failure.step}\u0000${failure.requirement}\u0000${failure.check}`),
    );
  const a = keys(baseline);
  const b = keys(candidate);
  const changed = new Map<number, ChangedFailure[]>();
  for (const key of [...a, ...b]) {
    if (a.has(key) && b.has(key)) {
      continue;
    }
    const [step, requirement, check] = key.split("\u0000") as [string, string, string];
    const list = changed.get(Number(step)) ?? [];
    if (!list.some((item) => item.requirement === requirement && item.check === check)) {
      list.push({ requirement, check });
    }
    changed.set(Number(step), list);
  }
  return changed;
}
