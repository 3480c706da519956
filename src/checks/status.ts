// Checks the HTTP status against an exact code, a class such as "4xx", or a list of either.
import type { StatusMatcher } from "../cases/case-types.js";
import type { Check } from "./check.js";
import { showAnswer } from "./check.js";

export function statusMatches(matcher: StatusMatcher, status: number): boolean {
  const options = Array.isArray(matcher) ? matcher : [matcher];
  return options.some((option) =>
    typeof option === "number"
      ? option === status
      : String(status)[0] === option[0] && /^[1-5]xx$/.test(option),
  );
}

export function describeStatus(matcher: StatusMatcher): string {
  const options = Array.isArray(matcher) ? matcher : [matcher];
  return options.length === 1 ? `status ${options[0]}` : `status one of ${options.join(", ")}`;
}

export const checkStatus: Check<StatusMatcher> = (expected, { response }) =>
  statusMatches(expected, response.status)
    ? undefined
    : {
        check: "status",
        expected: describeStatus(expected),
        received: showAnswer(response),
      };

/** A refusal: any 4xx, or the connection closed instead of an answer (only a `refusableByClose` request has one). */
export const checkRefused: Check<true> = (_expected, { response }) =>
  response.closed !== undefined || statusMatches("4xx", response.status)
    ? undefined
    : {
        check: "refused",
        expected: "a refusal: a 4xx, or the connection closed",
        received: showAnswer(response),
      };
