// Tests the status check: exact codes, classes such as "4xx", lists of both, and its failure message.
import { describe, expect, test } from "vitest";
import type { StatusMatcher } from "../../src/cases/case-types.js";
import { runExpectation } from "../../src/checks/index.js";
import { checkRefused, checkStatus, describeStatus, statusMatches } from "../../src/checks/status.js";
import { contextFor, errorBody, expectOutcome, type Want } from "./context.js";

describe("statusMatches", () => {
  test.for<{ matcher: StatusMatcher; status: number; want: boolean }>([
    { matcher: 202, status: 202, want: true },
    { matcher: 202, status: 201, want: false },
    { matcher: "4xx", status: 400, want: true },
    { matcher: "4xx", status: 499, want: true },
    { matcher: "4xx", status: 500, want: false },
    { matcher: "4xx", status: 304, want: false },
    { matcher: "2xx", status: 204, want: true },
    { matcher: "5xx", status: 503, want: true },
    { matcher: "4XX", status: 400, want: false },
    { matcher: "6xx", status: 600, want: false },
    { matcher: "4x", status: 400, want: false },
    { matcher: "404", status: 404, want: false },
    { matcher: [201, 202], status: 202, want: true },
    { matcher: [201, 202], status: 200, want: false },
    { matcher: [403, "2xx"], status: 204, want: true },
    { matcher: [401, 403], status: 400, want: false },
  ])("$matcher against $status → $want", ({ matcher, status, want }) => {
    expect(statusMatches(matcher, status)).toBe(want);
  });
});

describe("describeStatus", () => {
  test.for<{ matcher: StatusMatcher; want: string }>([
    { matcher: 202, want: "status 202" },
    { matcher: "4xx", want: "status 4xx" },
    { matcher: [401], want: "status 401" },
    { matcher: [401, 403], want: "status one of 401, 403" },
    { matcher: [201, "4xx"], want: "status one of 201, 4xx" },
  ])("$matcher → $want", ({ matcher, want }) => {
    expect(describeStatus(matcher)).toBe(want);
  });
});

describe("checkStatus", () => {
  test.for<{
    given: string;
    expected: StatusMatcher;
    status: number;
    body?: unknown;
    raw?: string;
    want: Want;
  }>([
    {
      given: "the exact status",
      expected: 202,
      status: 202,
      body: { account: [{ vname: "A" }] },
      want: "pass",
    },
    {
      given: "a status of the class",
      expected: "4xx",
      status: 403,
      body: errorBody(1005, "x"),
      want: "pass",
    },
    { given: "a status of the list", expected: [201, 202], status: 201, body: {}, want: "pass" },
    {
      given: "another status",
      expected: 202,
      status: 400,
      body: errorBody(1008, "Required parameter is missing"),
      want: { check: "status", expected: ["status 202"], received: ["status 400", "1008"] },
    },
    {
      given: "a 5xx for a 4xx class",
      expected: "4xx",
      status: 500,
      raw: "Internal Server Error",
      want: {
        check: "status",
        expected: ["status 4xx"],
        received: ["status 500", "non-JSON body", "Internal Server Error"],
      },
    },
    {
      given: "a 2xx outside the list",
      expected: [401, 403],
      status: 200,
      want: { check: "status", expected: ["401, 403"], received: ["status 200", "an empty body"] },
    },
  ])("$given", ({ expected, status, body, raw, want }) => {
    expectOutcome(
      checkStatus(expected, contextFor({ status, body, ...(raw === undefined ? {} : { raw }) })),
      want,
    );
  });
});

describe("checkRefused", () => {
  test.for<{ given: string; response: Parameters<typeof contextFor>[0]; want: Want }>([
    { given: "a 413", response: { status: 413, body: errorBody(1009, "x") }, want: "pass" },
    { given: "any 4xx", response: { status: 400, body: errorBody(1008, "x") }, want: "pass" },
    { given: "a closed connection", response: { closed: "write EPIPE" }, want: "pass" },
    {
      given: "a 202: accepted",
      response: { status: 202, body: { account: [{ vname: "A" }] } },
      want: { check: "refused", expected: ["a 4xx", "closed"], received: ["status 202"] },
    },
    {
      given: "a 500",
      response: { status: 500, raw: "Internal Server Error" },
      want: { check: "refused", expected: ["a 4xx"], received: ["status 500"] },
    },
  ])("$given", ({ response, want }) => {
    expectOutcome(checkRefused(true, contextFor(response)), want);
  });
});

describe("an expectation group on a closed connection", () => {
  test("a refusal holds; anything else fails once, naming the close", () => {
    const context = contextFor({ closed: "read ECONNRESET" });
    expect(runExpectation({ requirement: "oversized-body-not-accepted", refused: true }, context)).toEqual(
      [],
    );
    const failures = runExpectation(
      { requirement: "oversized-body-answers-413", status: 413, envelope: true, meta: true },
      context,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.check).toBe("status");
    expect(failures[0]?.received).toBe("the connection closed without an answer (read ECONNRESET)");
  });
});
