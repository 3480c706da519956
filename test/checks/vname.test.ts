// Tests the vname oracle: account[0].vname against the cert actually sent, and against a given text.
import { describe, test } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { checkVname, checkVnameMatchesCert } from "../../src/checks/vname.js";
import { CERT, contextFor, expectOutcome, META, VNAME, type Want } from "./context.js";

const UNICODE = "Café 東京 🍕";
const request = (cert: unknown) => ({ cc: "1", phone_number: "5550100001", method: "sms", cert });

describe("checkVnameMatchesCert", () => {
  test.for<{ given: string; requestBody: unknown; body?: unknown; raw?: string; want: Want }>([
    {
      given: "the decoded name",
      requestBody: request(CERT),
      body: { meta: META, account: [{ vname: VNAME }] },
      want: "pass",
    },
    {
      given: "a bare unpadded certificate's name",
      requestBody: request(encodeCertificate({ vname: UNICODE, layout: "bare" }).replace(/=+$/, "")),
      body: { account: [{ vname: UNICODE }] },
      want: "pass",
    },
    {
      given: "a constant name instead of the decoded one",
      requestBody: request(encodeCertificate({ vname: "Other Name Ltd" })),
      body: { account: [{ vname: VNAME }] },
      want: {
        check: "vnameMatchesCert",
        expected: ['account[0].vname "Other Name Ltd"', "decoded from the cert"],
        received: [`account[0].vname "${VNAME}"`],
      },
    },
    {
      given: "a name differing in case",
      requestBody: request(CERT),
      body: { account: [{ vname: VNAME.toUpperCase() }] },
      want: {
        check: "vnameMatchesCert",
        expected: [`"${VNAME}"`],
        received: [`"${VNAME.toUpperCase()}"`],
      },
    },
    {
      given: "no account",
      requestBody: request(CERT),
      body: { meta: META },
      want: {
        check: "vnameMatchesCert",
        expected: [`"${VNAME}"`],
        received: ["no account[0].vname", '"meta"'],
      },
    },
    {
      given: "an empty account list",
      requestBody: request(CERT),
      body: { account: [] },
      want: { check: "vnameMatchesCert", expected: [VNAME], received: ["no account[0].vname"] },
    },
    {
      given: "a non-JSON body",
      requestBody: request(CERT),
      raw: "Accepted",
      want: { check: "vnameMatchesCert", expected: [VNAME], received: ["no account[0].vname", "Accepted"] },
    },
    {
      given: "a request whose cert does not decode",
      requestBody: request("not base64!"),
      body: { account: [{ vname: VNAME }] },
      want: { check: "vnameMatchesCert", expected: ["the case is wrong"], received: ["not base64"] },
    },
    {
      given: "a request with no cert",
      requestBody: { cc: "1" },
      body: { account: [{ vname: VNAME }] },
      want: { check: "vnameMatchesCert", expected: ["the case is wrong"], received: ["base64"] },
    },
    {
      given: "no request body",
      requestBody: undefined,
      body: { account: [{ vname: VNAME }] },
      want: { check: "vnameMatchesCert", expected: ["the case is wrong"], received: ["base64"] },
    },
  ])("$given", ({ requestBody, body, raw, want }) => {
    const context = contextFor({ status: 202, body, ...(raw === undefined ? {} : { raw }) }, { requestBody });
    expectOutcome(checkVnameMatchesCert(true, context), want);
  });
});

describe("checkVname", () => {
  test.for<{ given: string; expected: string; body?: unknown; want: Want }>([
    { given: "the name", expected: VNAME, body: { account: [{ vname: VNAME }] }, want: "pass" },
    {
      given: "a Unicode name",
      expected: UNICODE,
      body: { account: [{ vname: UNICODE }, { vname: "x" }] },
      want: "pass",
    },
    {
      given: "another name",
      expected: VNAME,
      body: { account: [{ vname: "Acme" }] },
      want: {
        check: "vname",
        expected: [`account[0].vname "${VNAME}"`],
        received: ['account[0].vname "Acme"'],
      },
    },
    {
      given: "a vname that is not a string",
      expected: "1",
      body: { account: [{ vname: 1 }] },
      want: { check: "vname", expected: ['"1"'], received: ["account[0].vname 1"] },
    },
    {
      given: "account not a list",
      expected: VNAME,
      body: { account: { vname: VNAME } },
      want: { check: "vname", expected: [VNAME], received: ["no account[0].vname"] },
    },
    {
      given: "an empty body",
      expected: VNAME,
      want: { check: "vname", expected: [VNAME], received: ["no account[0].vname in an empty body"] },
    },
  ])("$given", ({ expected, body, want }) => {
    expectOutcome(checkVname(expected, contextFor({ status: 202, body })), want);
  });
});
