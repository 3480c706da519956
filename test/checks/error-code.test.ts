// Tests the errors[0].code check with one code and with a set of allowed codes.
import { test } from "vitest";
import { checkErrorCode } from "../../src/checks/error-code.js";
import { contextFor, errorBody, expectOutcome, type Want } from "./context.js";

test.for<{ given: string; expected: number | number[]; body?: unknown; raw?: string; want: Want }>([
  {
    given: "the one code",
    expected: 1008,
    body: errorBody(1008, "Required parameter is missing"),
    want: "pass",
  },
  { given: "a code of the set", expected: [1008, 1009], body: errorBody(1009, "x"), want: "pass" },
  { given: "a one-code list", expected: [1005], body: errorBody(1005, "Access denied"), want: "pass" },
  {
    given: "only the first error counts",
    expected: 1008,
    body: {
      errors: [
        { code: 1009, title: "a" },
        { code: 1008, title: "b" },
      ],
    },
    want: { check: "errorCode", expected: ["errors[0].code 1008"], received: ["errors[0].code 1009"] },
  },
  {
    given: "another code",
    expected: 1008,
    body: errorBody(1005, "Access denied"),
    want: { check: "errorCode", expected: ["errors[0].code 1008"], received: ["errors[0].code 1005"] },
  },
  {
    given: "a code outside the set",
    expected: [1008, 1009],
    body: errorBody(1000, "Generic error"),
    want: { check: "errorCode", expected: ["one of 1008, 1009"], received: ["1000"] },
  },
  {
    given: "the code as a string",
    expected: 1008,
    body: { errors: [{ code: "1008", title: "x" }] },
    want: { check: "errorCode", expected: ["1008"], received: ['errors[0].code "1008"'] },
  },
  {
    given: "no errors",
    expected: [1005, 1009],
    body: { meta: {} },
    want: { check: "errorCode", expected: ["one of 1005, 1009"], received: ["no errors[0].code", '"meta"'] },
  },
  {
    given: "an empty errors list",
    expected: 1008,
    body: { errors: [] },
    want: { check: "errorCode", expected: ["1008"], received: ["no errors[0].code"] },
  },
  {
    given: "a non-JSON body",
    expected: 1008,
    raw: "Bad Request",
    want: { check: "errorCode", expected: ["1008"], received: ["no errors[0].code", "non-JSON body"] },
  },
])("$given", ({ expected, body, raw, want }) => {
  expectOutcome(
    checkErrorCode(expected, contextFor({ status: 400, body, ...(raw === undefined ? {} : { raw }) })),
    want,
  );
});
