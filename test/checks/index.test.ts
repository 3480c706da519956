// Tests runExpectation (every key of an expectation runs its check, in order) and the implicit checks.
import { describe, expect, test } from "vitest";
import type { Expectation } from "../../src/cases/case-types.js";
import { implicitChecks, runExpectation } from "../../src/checks/index.js";
import { contextFor, contract, errorBody, META, VNAME } from "./context.js";

const IMPLICIT_CHECKS = implicitChecks(contract);

const OK_202 = { status: 202, body: { meta: META, account: [{ vname: VNAME }] } };

describe("runExpectation", () => {
  test.for<{
    given: string;
    expectation: Expectation;
    response: typeof OK_202 | { status: number; body: unknown };
    want: string[];
  }>([
    {
      given: "a 202 that meets every key",
      expectation: {
        requirement: "register-new-number-answers-202-with-vname",
        status: 202,
        contentType: "application/json",
        vnameMatchesCert: true,
        vname: VNAME,
        meta: true,
        absentFields: ["errors"],
        responseSchema: true,
      },
      response: OK_202,
      want: [],
    },
    {
      given: "a 202 against error expectations, failures in the documented order",
      expectation: {
        requirement: "missing-field-answers-400-1008",
        errorCode: 1008,
        status: 400,
        canonicalTitle: true,
        envelope: true,
        errorDetails: { contains: "cc" },
      },
      response: OK_202,
      want: ["status", "envelope", "errorCode", "canonicalTitle", "errorDetails"],
    },
    {
      given: "an error that meets error expectations",
      expectation: {
        requirement: "missing-field-answers-400-1008",
        status: 400,
        envelope: true,
        errorCode: [1008, 1009],
        canonicalTitle: true,
        errorDetails: { contains: "cc" },
        responseSchema: true,
      },
      response: { status: 400, body: errorBody(1008, "Required parameter is missing", "Missing: cc") },
      want: [],
    },
    {
      given: "a 201 with account against the 201 expectations",
      expectation: {
        requirement: "register-201-body-is-meta-only",
        status: 201,
        metaOnly: true,
        absentFields: ["account"],
        responseSchema: true,
      },
      response: { status: 201, body: { meta: META, account: [{ vname: VNAME }] } },
      want: ["metaOnly", "absentFields", "responseSchema"],
    },
    {
      given: "a wrong vname",
      expectation: {
        requirement: "register-new-number-answers-202-with-vname",
        vnameMatchesCert: true,
        vname: VNAME,
      },
      response: { status: 202, body: { account: [{ vname: "Constant" }] } },
      want: ["vnameMatchesCert", "vname"],
    },
    {
      given: "only requirement and observe: nothing is checked",
      expectation: { requirement: "unknown-field-handling", observe: true },
      response: { status: 500, body: "boom" },
      want: [],
    },
  ])("$given", ({ expectation, response, want }) => {
    const failures = runExpectation(expectation, contextFor(response));
    expect(failures.map((failure) => failure.check)).toEqual(want);
  });

  test("responseSchema: true runs the strict mode (an empty 202 fails)", () => {
    const failures = runExpectation(
      { requirement: "responses-match-contract-schema", responseSchema: true },
      contextFor({ status: 202, raw: "" }),
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.expected).toContain("a JSON body");
  });
});

describe("IMPLICIT_CHECKS", () => {
  test("each names a requirement of the contract", () => {
    expect(IMPLICIT_CHECKS.map((check) => check.requirement)).toEqual([
      "no-5xx-for-client-input",
      "json-body-has-json-content-type",
      "responses-match-contract-schema",
      "responses-carry-meta",
      "error-titles-are-canonical",
    ]);
    for (const check of IMPLICIT_CHECKS) {
      expect(contract.requirementById.has(check.requirement), check.requirement).toBe(true);
    }
  });

  const failing = (context: ReturnType<typeof contextFor>) =>
    IMPLICIT_CHECKS.flatMap((check) => {
      const failure = check.run(context);
      return failure ? [{ requirement: check.requirement, check: failure.check }] : [];
    });

  test.for<{ given: string; response: Parameters<typeof contextFor>[0]; want: string[] }>([
    { given: "a conforming 202", response: OK_202, want: [] },
    {
      given: "a conforming 400",
      response: { status: 400, body: errorBody(1009, "Parameter value is not valid") },
      want: [],
    },
    { given: "an empty 401", response: { status: 401, raw: "" }, want: [] },
    {
      given: "a 500 in the envelope",
      response: { status: 500, body: errorBody(1014, "Internal error") },
      want: ["no-5xx-for-client-input"],
    },
    {
      given: "a JSON 202 labelled text/plain",
      response: {
        status: 202,
        body: { meta: META, account: [{ vname: VNAME }] },
        headers: { "content-type": "text/plain" },
      },
      want: ["json-body-has-json-content-type"],
    },
    {
      given: "a 202 without account and without meta",
      response: { status: 202, body: { ok: true } },
      want: ["responses-match-contract-schema", "responses-carry-meta"],
    },
    {
      given: "a 403 with a non-canonical title and no meta (meta is a MAY on errors)",
      response: { status: 403, body: { errors: [{ code: 1005, title: "Forbidden" }] } },
      want: ["error-titles-are-canonical"],
    },
  ])("$given", ({ response, want }) => {
    expect(failing(contextFor(response)).map((failure) => failure.requirement)).toEqual(want);
  });
});
