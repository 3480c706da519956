// The data-sanity rules as functions over cases and the contract, so each can be shown to fail on a bad input.
import type { Case, Step } from "../../src/cases/case-types.js";
import { initialVars, NumberAllocator, render, withDerivedVars } from "../../src/cases/case-vars.js";
import { implicitChecks } from "../../src/checks/index.js";
import type { Contract } from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";

/** Words that end in "s" but do not open a description in the present tense of an active verb. */
const NOT_VERBS = new Set(["is", "was", "has", "does", "this", "its", "as", "always", "sometimes", "unless"]);

/** What is wrong with a description's style: a lower-case present-tense verb first, no "should", 10-80 chars. */
export function descriptionProblems(description: string): string[] {
  const problems: string[] = [];
  const first = description.split(/\s+/)[0] ?? "";
  if (!/^[a-z]+s$/.test(first) || NOT_VERBS.has(first)) {
    problems.push(`opens with "${first}", not a present-tense verb such as "answers" or "rejects"`);
  }
  if (/\bshould\b/i.test(description)) {
    problems.push('says "should"');
  }
  if (/\btests? that\b/i.test(description)) {
    problems.push('says "test that"');
  }
  if (description.length < 10 || description.length > 80) {
    problems.push(`is ${description.length} characters long, not 10 to 80`);
  }
  if (description.endsWith(".")) {
    problems.push("ends with a period");
  }
  return problems;
}

/** Requirements checked on every exchange: any case that sends a request covers them. */

/** `profile: requirement` for every MUST and SHOULD of a profile that no case of that profile names. */
export function uncoveredRequirements(contract: Contract, cases: Case[]): string[] {
  const gaps: string[] = [];
  const IMPLICIT = new Set(implicitChecks(contract).map((check) => check.requirement));
  for (const requirement of contract.requirements) {
    if (requirement.level === "MAY") {
      continue;
    }
    for (const profile of requirement.profiles) {
      const ofProfile = cases.filter((testCase) => testCase.profiles.includes(profile));
      const covered = IMPLICIT.has(requirement.id)
        ? ofProfile.some((testCase) => testCase.steps.length > 0)
        : ofProfile.some((testCase) => testCase.requirements.includes(requirement.id));
      if (!covered) {
        gaps.push(`${profile}: ${requirement.id}`);
      }
    }
  }
  return gaps;
}

/** The exact status numbers a step expects (classes such as "4xx" name no status). */
function exactStatuses(step: Step): number[] {
  return step.expect.flatMap((group) => {
    const options =
      group.status === undefined ? [] : Array.isArray(group.status) ? group.status : [group.status];
    return options.filter((option): option is number => typeof option === "number");
  });
}

/** `operation status` for every documented response (not `default`) that no case step expects exactly. */
export function unexpectedResponses(contract: Contract, cases: Case[]): string[] {
  const expected = new Set(
    cases.flatMap((testCase) =>
      testCase.steps.flatMap((step) =>
        step.request.operation === undefined
          ? []
          : exactStatuses(step).map((status) => `${step.request.operation} ${status}`),
      ),
    ),
  );
  return [...contract.operations.values()].flatMap((operation) =>
    [...operation.responses.keys()]
      .filter((status) => status !== "default" && !expected.has(`${operation.id} ${status}`))
      .map((status) => `${operation.id} ${status}`),
  );
}

function onlySuccess(step: Step): boolean {
  const matchers = step.expect.flatMap((group) =>
    group.status === undefined || group.observe ? [] : [group.status],
  );
  return (
    matchers.length > 0 &&
    matchers.every((matcher) =>
      (Array.isArray(matcher) ? matcher : [matcher]).every((option) =>
        typeof option === "number" ? option >= 200 && option < 300 : option === "2xx",
      ),
    )
  );
}

/**
 * Values the provider states answer at run time, so a body can be judged before any target exists: code-sent
 * answers the pending code, which the kit never makes up; a six-digit stand-in takes its place.
 */
const STATE_ANSWERS: Record<string, Record<string, string>> = { "code-sent": { code: "123456" } };

/**
 * `case step: problem` for every JSON body whose intent and content disagree: a body the case means to be
 * rejected (generated, or `bodyConforms: false`) that conforms to the contract, or one it means to be accepted
 * (every status expected is a 2xx, or `bodyConforms: true`) that violates it.
 */
export function bodyIntentProblems(contract: Contract, cases: Case[]): string[] {
  const schemas = schemasFor(contract);
  const problems: string[] = [];
  for (const testCase of cases) {
    let vars = initialVars(new NumberAllocator(), testCase.vars);
    for (const state of testCase.states) {
      vars = withDerivedVars({ ...vars, ...STATE_ANSWERS[state.name] });
    }
    for (const [index, step] of testCase.steps.entries()) {
      const operation = step.request.operation;
      if (operation === undefined || step.request.body === undefined) {
        continue;
      }
      const intent = step.bodyConforms ?? (onlySuccess(step) ? true : undefined);
      if (intent === undefined) {
        continue;
      }
      const issues = schemas.checkRequest(operation, render(step.request.body, vars));
      if (intent && issues.length > 0) {
        problems.push(
          `${testCase.id} step ${index + 1}: must be accepted but ${issues.map((issue) => issue.message).join("; ")}`,
        );
      } else if (!intent && issues.length === 0) {
        problems.push(`${testCase.id} step ${index + 1}: must be rejected but conforms to the contract`);
      }
    }
  }
  return problems;
}
