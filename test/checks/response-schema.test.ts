// Tests the response-schema check in its strict (case) and implicit (every exchange) modes.
import { describe, expect, test } from "vitest";
import { checkResponseSchema } from "../../src/checks/response-schema.js";
import type { Operation } from "../../src/contract/contract.js";
import { contextFor, errorBody, expectOutcome, META, operation, type Want } from "./context.js";

interface Row {
  given: string;
  op?: string;
  status: number;
  body?: unknown;
  raw?: string;
  want: Want;
}

const TOKEN = { token: "eyJhbGciOiJIUzI1NiJ9.e30.sig", expires_after: "2026-12-01 15:29:26+00:00" };

/** `op` "none" stands for a request outside the contract. */
function run(
  mode: "strict" | "implicit",
  row: Omit<Row, "given" | "want">,
  op: Operation | "none" = operation(row.op),
) {
  return checkResponseSchema(
    mode,
    contextFor(
      { status: row.status, body: row.body, ...(row.raw === undefined ? {} : { raw: row.raw }) },
      { operation: op === "none" ? undefined : op },
    ),
  );
}

describe("strict", () => {
  test.for<Row>([
    {
      given: "a 202 with account",
      status: 202,
      body: { meta: META, account: [{ vname: "A" }] },
      want: "pass",
    },
    { given: "a 201 with meta only", status: 201, body: { meta: META }, want: "pass" },
    { given: "a 201 of {}", status: 201, body: {}, want: "pass" },
    {
      given: "a 400 envelope",
      status: 400,
      body: errorBody(1008, "Required parameter is missing"),
      want: "pass",
    },
    {
      given: "an undocumented 409 in the default envelope",
      status: 409,
      body: errorBody(1004, "x"),
      want: "pass",
    },
    { given: "a login 200", op: "login", status: 200, body: { meta: META, users: [TOKEN] }, want: "pass" },
    { given: "a two-step 200 of null", op: "enableTwoStep", status: 200, raw: "null", want: "pass" },
    { given: "a two-step 200 of {}", op: "disableTwoStep", status: 200, body: {}, want: "pass" },
    {
      given: "a 202 without account",
      status: 202,
      body: { meta: META },
      want: {
        check: "responseSchema",
        expected: ["202 response of requestCode"],
        received: ['{"meta":', "account"],
      },
    },
    {
      given: "a 202 with an empty account list",
      status: 202,
      body: { account: [] },
      want: { check: "responseSchema", expected: ["202 response of requestCode"], received: ["/account"] },
    },
    {
      given: "a 202 whose vname is a number",
      status: 202,
      body: { account: [{ vname: 7 }] },
      want: { check: "responseSchema", expected: ["202"], received: ["/account/0/vname", "string"] },
    },
    {
      given: "a 201 carrying account",
      status: 201,
      body: { meta: META, account: [{ vname: "A" }] },
      want: { check: "responseSchema", expected: ["201 response of requestCode"], received: ["/account"] },
    },
    {
      given: "a 400 not in the envelope",
      status: 400,
      body: { error: { code: 1008 } },
      want: { check: "responseSchema", expected: ["400 response of requestCode"], received: ["errors"] },
    },
    {
      given: "an undocumented 418 that is not an error envelope",
      status: 418,
      body: { meta: META },
      want: { check: "responseSchema", expected: ["default response of requestCode"], received: ["errors"] },
    },
    {
      given: "a 202 with an empty body",
      status: 202,
      raw: "",
      want: {
        check: "responseSchema",
        expected: ["a JSON body matching the contract's 202 response of requestCode"],
        received: ["an empty body"],
      },
    },
    {
      given: "a 401 with a text body",
      status: 401,
      raw: "Unauthorized",
      want: {
        check: "responseSchema",
        expected: ["401 response of requestCode"],
        received: ["non-JSON body"],
      },
    },
    {
      given: "a login 200 with an RFC 3339 expiry",
      op: "login",
      status: 200,
      body: { users: [{ token: "t", expires_after: "2026-12-01T15:29:26Z" }] },
      want: {
        check: "responseSchema",
        expected: ["200 response of login"],
        received: ["/users/0/expires_after", "pattern"],
      },
    },
    {
      given: "a login 200 without token",
      op: "login",
      status: 200,
      body: { users: [{ expires_after: TOKEN.expires_after }] },
      want: { check: "responseSchema", expected: ["login"], received: ["token"] },
    },
    {
      given: "a two-step 200 of a list",
      op: "enableTwoStep",
      status: 200,
      body: [],
      want: { check: "responseSchema", expected: ["200 response of enableTwoStep"], received: ["body []"] },
    },
  ])("$given", (row) => {
    expectOutcome(run("strict", row), row.want);
  });

  test("a status an operation documents nowhere (not even default) fails", () => {
    const base = operation("requestCode");
    const narrow: Operation = { ...base, responses: new Map([["202", base.responses.get("202")]]) };
    expectOutcome(run("strict", { status: 500, body: errorBody(1014, "Internal error") }, narrow), {
      check: "responseSchema",
      expected: ["a status the contract documents for requestCode"],
      received: ["status 500"],
    });
  });

  test("a request outside the contract is not judged", () => {
    expect(run("strict", { status: 200, raw: "anything" }, "none")).toBeUndefined();
  });

  test("at most three schema issues are listed", () => {
    const failure = run("strict", {
      status: 400,
      body: { errors: [{ code: "a", title: 1, details: 2, href: 3 }] },
    });
    expect(failure?.check).toBe("responseSchema");
    expect(failure?.received.split("; ").length).toBeLessThanOrEqual(3);
  });
});

describe("implicit", () => {
  test.for<Row>([
    { given: "a valid 202", status: 202, body: { account: [{ vname: "A" }] }, want: "pass" },
    { given: "an undocumented 418 of any shape", status: 418, body: { meta: META }, want: "pass" },
    { given: "a documented 401 with an empty body", status: 401, raw: "", want: "pass" },
    { given: "a documented 202 with an empty body", status: 202, raw: "", want: "pass" },
    {
      given: "a documented 202 without account",
      status: 202,
      body: { meta: META },
      want: { check: "responseSchema", expected: ["202 response of requestCode"], received: ["account"] },
    },
    {
      given: "a documented 403 not in the envelope",
      status: 403,
      body: { message: "forbidden" },
      want: {
        check: "responseSchema",
        expected: ["403 response of requestCode"],
        received: ["forbidden", "errors"],
      },
    },
    {
      given: "a documented 401 with a text body",
      status: 401,
      raw: "Unauthorized",
      want: { check: "responseSchema", expected: ["401"], received: ["non-JSON body", "Unauthorized"] },
    },
  ])("$given", (row) => {
    expectOutcome(run("implicit", row), row.want);
  });

  test("a status an operation documents nowhere is left to other checks", () => {
    const base = operation("requestCode");
    const narrow: Operation = { ...base, responses: new Map([["202", base.responses.get("202")]]) };
    expect(run("implicit", { status: 500, raw: "boom" }, narrow)).toBeUndefined();
  });
});
