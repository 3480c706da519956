// Tests the check that client input never gets a 5xx.
import { test } from "vitest";
import { checkNoServerError } from "../../src/checks/no-server-error.js";
import { contextFor, errorBody, expectOutcome, type Want } from "./context.js";

test.for<{ status: number; body?: unknown; raw?: string; want: Want }>([
  { status: 200, body: {}, want: "pass" },
  { status: 202, body: { account: [{ vname: "A" }] }, want: "pass" },
  { status: 400, body: errorBody(1008, "Required parameter is missing"), want: "pass" },
  { status: 499, raw: "", want: "pass" },
  {
    status: 500,
    body: errorBody(1014, "Internal error"),
    want: { check: "noServerError", expected: ["below 500"], received: ["status 500", "1014"] },
  },
  {
    status: 502,
    raw: "<html>Bad Gateway</html>",
    want: {
      check: "noServerError",
      expected: ["below 500"],
      received: ["status 502", "non-JSON body", "Bad Gateway"],
    },
  },
  {
    status: 503,
    raw: "",
    want: { check: "noServerError", expected: ["below 500"], received: ["status 503 with an empty body"] },
  },
])("status $status", ({ status, body, raw, want }) => {
  expectOutcome(
    checkNoServerError(true, contextFor({ status, body, ...(raw === undefined ? {} : { raw }) })),
    want,
  );
});
