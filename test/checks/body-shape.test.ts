// Tests the body-shape checks: meta present, meta only, absent fields, and the implicit meta SHOULD.
import { describe, test } from "vitest";
import {
  checkAbsentFields,
  checkCarriesMeta,
  checkMeta,
  checkMetaOnly,
} from "../../src/checks/body-shape.js";
import { contextFor, expectOutcome, META, type Want } from "./context.js";

interface Row {
  given: string;
  body?: unknown;
  raw?: string;
  want: Want;
}

const context = ({ body, raw }: Row) =>
  contextFor({ status: 201, body, ...(raw === undefined ? {} : { raw }) });

describe("checkMeta", () => {
  test.for<Row>([
    { given: "a body with meta", body: { meta: META }, want: "pass" },
    { given: "an empty meta object", body: { meta: {}, account: [] }, want: "pass" },
    {
      given: "no meta",
      body: { account: [{ vname: "A" }] },
      want: { check: "meta", expected: ["meta object"], received: ['{"account":[{"vname":"A"}]}'] },
    },
    {
      given: "meta that is a string",
      body: { meta: "v2" },
      want: { check: "meta", expected: ["meta"], received: ['"meta":"v2"'] },
    },
    {
      given: "meta that is a list",
      body: { meta: [] },
      want: { check: "meta", expected: ["meta"], received: ['"meta":[]'] },
    },
    {
      given: "an empty body",
      raw: "",
      want: { check: "meta", expected: ["meta"], received: ["an empty body"] },
    },
    {
      given: "a non-JSON body",
      raw: "Created",
      want: { check: "meta", expected: ["meta"], received: ["non-JSON body", "Created"] },
    },
  ])("$given", (row) => {
    expectOutcome(checkMeta(true, context(row)), row.want);
  });
});

describe("checkMetaOnly", () => {
  test.for<Row>([
    { given: "an empty body", raw: "", want: "pass" },
    { given: "a blank body", raw: " \n", want: "pass" },
    { given: "{}", body: {}, want: "pass" },
    { given: "{meta}", body: { meta: META }, want: "pass" },
    {
      given: "meta and account",
      body: { meta: META, account: [{ vname: "A" }] },
      want: { check: "metaOnly", expected: ["{meta}"], received: ["a body with account"] },
    },
    {
      given: "two extra fields",
      body: { account: [], errors: [] },
      want: { check: "metaOnly", expected: ["no payload"], received: ["a body with account, errors"] },
    },
    {
      given: "a JSON list",
      body: [],
      want: { check: "metaOnly", expected: ["no payload"], received: ["body []"] },
    },
    {
      given: "null",
      raw: "null",
      want: { check: "metaOnly", expected: ["no payload"], received: ["body null"] },
    },
    {
      given: "a non-JSON body",
      raw: "Created",
      want: { check: "metaOnly", expected: ["no payload"], received: ["non-JSON body", '"Created"'] },
    },
  ])("$given", (row) => {
    expectOutcome(checkMetaOnly(true, context(row)), row.want);
  });
});

describe("checkAbsentFields", () => {
  test.for<Row & { fields: string[] }>([
    { given: "a body without the field", fields: ["account"], body: { meta: META }, want: "pass" },
    { given: "an empty body", fields: ["account"], raw: "", want: "pass" },
    { given: "a non-object body", fields: ["account"], body: ["account"], want: "pass" },
    {
      given: "a body with the field",
      fields: ["account"],
      body: { meta: META, account: [] },
      want: {
        check: "absentFields",
        expected: ["no account in the body"],
        received: ["a body with account"],
      },
    },
    {
      given: "a body with a field set to null",
      fields: ["account", "errors"],
      body: { account: null },
      want: { check: "absentFields", expected: ["no account, errors"], received: ["a body with account"] },
    },
    {
      given: "a body with both fields",
      fields: ["account", "errors"],
      body: { account: [], errors: [] },
      want: {
        check: "absentFields",
        expected: ["account, errors"],
        received: ["a body with account, errors"],
      },
    },
  ])("$given", (row) => {
    expectOutcome(checkAbsentFields(row.fields, context(row)), row.want);
  });
});

describe("checkCarriesMeta", () => {
  const DUPLICATE_USER = { errors: [{ code: 1014, title: "Internal error", details: "Already exist?" }] };
  test.for<Row & { status: number }>([
    { given: "a 201 with meta", status: 201, body: { meta: META }, want: "pass" },
    { given: "an empty 201", status: 201, raw: "", want: "pass" },
    { given: "a non-JSON 200", status: 200, raw: "OK", want: "pass" },
    {
      given: "a 202 without meta",
      status: 202,
      body: { account: [{ vname: "A" }] },
      want: { check: "meta", expected: ["meta object"], received: ['"account"'] },
    },
    {
      given: "a 200 login without meta",
      status: 200,
      body: { users: [{ token: "t", expires_after: "2030-01-01 00:00:00+00:00" }] },
      want: { check: "meta", expected: ["meta object"], received: ['"users"'] },
    },
    // Meta documents `null` as an answer of the settings endpoint; only an object can carry meta.
    { given: "a 200 null", status: 200, raw: "null", want: "pass" },
    { given: "a 200 array", status: 200, raw: "[]", want: "pass" },
    // On errors meta is a MAY: Meta's own examples omit it (this one is its duplicate-user error).
    { given: "a 400 error without meta", status: 400, body: DUPLICATE_USER, want: "pass" },
    { given: "a 403 error without meta", status: 403, body: DUPLICATE_USER, want: "pass" },
    { given: "a 500 error without meta", status: 500, body: DUPLICATE_USER, want: "pass" },
    { given: "a 302 without meta", status: 302, body: {}, want: "pass" },
    { given: "a 401 error with meta", status: 401, body: { meta: META, ...DUPLICATE_USER }, want: "pass" },
  ])("$given", (row) => {
    const response = contextFor({
      status: row.status,
      body: row.body,
      ...(row.raw === undefined ? {} : { raw: row.raw }),
    });
    expectOutcome(checkCarriesMeta(true, response), row.want);
  });
});
