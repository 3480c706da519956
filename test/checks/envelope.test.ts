// Tests the error envelope check against the contract's ErrorResponse schema.
import { test } from "vitest";
import { checkEnvelope } from "../../src/checks/envelope.js";
import { contextFor, errorBody, expectOutcome, META, type Want } from "./context.js";

test.for<{ given: string; body?: unknown; raw?: string; want: Want }>([
  {
    given: "errors with code and title",
    body: errorBody(1008, "Required parameter is missing"),
    want: "pass",
  },
  { given: "errors without meta", body: { errors: [{ code: 1005, title: "Access denied" }] }, want: "pass" },
  {
    given: "details, href and extra fields",
    body: { errors: [{ code: 1009, title: "t", details: "d", href: "h", extra: 1 }], other: true },
    want: "pass",
  },
  {
    given: "an empty errors list",
    body: { meta: META, errors: [] },
    want: { check: "envelope", expected: ['{"errors":[{"code"'], received: ['"errors":[]', "/errors"] },
  },
  {
    given: "no errors at all",
    body: { meta: META },
    want: { check: "envelope", expected: ["errors"], received: ["errors"] },
  },
  {
    given: "a code as a string",
    body: { errors: [{ code: "1008", title: "Required parameter is missing" }] },
    want: { check: "envelope", expected: ["code"], received: ["/errors/0/code", "integer"] },
  },
  {
    given: "an error without title",
    body: { errors: [{ code: 1008 }] },
    want: { check: "envelope", expected: ["title"], received: ["title"] },
  },
  {
    given: "Meta's v2 style error object",
    body: { error: { code: 1008, message: "missing" } },
    want: { check: "envelope", expected: ["errors"], received: ['"error":', "errors"] },
  },
  {
    given: "a non-JSON body",
    raw: "<html>Bad Request</html>",
    want: { check: "envelope", expected: ["errors"], received: ["non-JSON body", "Bad Request"] },
  },
  {
    given: "an empty body",
    raw: "",
    want: { check: "envelope", expected: ["errors"], received: ["an empty body"] },
  },
])("$given", ({ body, raw, want }) => {
  expectOutcome(
    checkEnvelope(true, contextFor({ status: 400, body, ...(raw === undefined ? {} : { raw }) })),
    want,
  );
});
