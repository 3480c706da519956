// Tests the errors[0].details check for an exact text, a fragment, or both.
import { test } from "vitest";
import { checkErrorDetails } from "../../src/checks/error-details.js";
import { contextFor, errorBody, expectOutcome, type Want } from "./context.js";

const BLOCKED = "Unknown error: biz_link_on_prem_reg_blocked";

test.for<{ given: string; expected: { equals?: string; contains?: string }; body?: unknown; want: Want }>([
  {
    given: "the exact text",
    expected: { equals: BLOCKED },
    body: errorBody(1005, "Access denied", BLOCKED),
    want: "pass",
  },
  {
    given: "a text holding the fragment",
    expected: { contains: "biz_link_on_prem_reg_blocked" },
    body: errorBody(1005, "Access denied", `(#1005) ${BLOCKED}.`),
    want: "pass",
  },
  {
    given: "both, satisfied",
    expected: { equals: BLOCKED, contains: "reg_blocked" },
    body: errorBody(1005, "Access denied", BLOCKED),
    want: "pass",
  },
  {
    given: "a text that only contains the exact text",
    expected: { equals: BLOCKED },
    body: errorBody(1005, "Access denied", `${BLOCKED}.`),
    want: {
      check: "errorDetails",
      expected: [`equal to "${BLOCKED}"`],
      received: [`errors[0].details "${BLOCKED}."`],
    },
  },
  {
    given: "a text without the fragment",
    expected: { contains: "biz_link_on_prem_reg_blocked" },
    body: errorBody(1005, "Access denied", "Unknown error"),
    want: {
      check: "errorDetails",
      expected: ['containing "biz_link_on_prem_reg_blocked"'],
      received: ['errors[0].details "Unknown error"'],
    },
  },
  {
    given: "both wanted, the fragment present but not exact",
    expected: { equals: BLOCKED, contains: "reg_blocked" },
    body: errorBody(1005, "Access denied", "reg_blocked"),
    want: {
      check: "errorDetails",
      expected: ["equal to", "and containing", '"reg_blocked"'],
      received: ['"reg_blocked"'],
    },
  },
  {
    given: "no details",
    expected: { contains: "x" },
    body: errorBody(1005, "Access denied"),
    want: { check: "errorDetails", expected: ['containing "x"'], received: ["no errors[0].details"] },
  },
  {
    given: "details not a string",
    expected: { equals: "42" },
    body: { errors: [{ code: 1009, title: "t", details: 42 }] },
    want: { check: "errorDetails", expected: ['equal to "42"'], received: ["no errors[0].details"] },
  },
  {
    given: "no errors",
    expected: { equals: BLOCKED },
    body: { meta: {} },
    want: { check: "errorDetails", expected: [BLOCKED], received: ["no errors[0].details"] },
  },
])("$given", ({ expected, body, want }) => {
  expectOutcome(checkErrorDetails(expected, contextFor({ status: 403, body })), want);
});
