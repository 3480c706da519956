// Tests the canonical-title checks: errors[0] for a case, every error for the implicit check.
import { describe, test } from "vitest";
import { checkAllTitlesCanonical, checkCanonicalTitle } from "../../src/checks/error-title.js";
import { contextFor, errorBody, expectOutcome, type Want } from "./context.js";

describe("checkCanonicalTitle", () => {
  test.for<{ given: string; body?: unknown; raw?: string; want: Want }>([
    { given: "1005 Access denied", body: errorBody(1005, "Access denied"), want: "pass" },
    { given: "1008 with its title", body: errorBody(1008, "Required parameter is missing"), want: "pass" },
    { given: "1009 with its title", body: errorBody(1009, "Parameter value is not valid"), want: "pass" },
    {
      given: "1008 with another title",
      body: errorBody(1008, "Missing parameter"),
      want: {
        check: "canonicalTitle",
        expected: ['"Required parameter is missing"'],
        received: ['"Missing parameter"', "1008"],
      },
    },
    {
      given: "the title in another case",
      body: errorBody(1005, "access denied"),
      want: { check: "canonicalTitle", expected: ['"Access denied"'], received: ['"access denied"'] },
    },
    {
      given: "a code outside the catalogue",
      body: errorBody(4242, "Whatever"),
      want: { check: "canonicalTitle", expected: ["error catalogue"], received: ["4242", "Whatever"] },
    },
    {
      given: "no title",
      body: { errors: [{ code: 1009 }] },
      want: { check: "canonicalTitle", expected: ['"Parameter value is not valid"'], received: ["1009"] },
    },
    {
      given: "no errors",
      body: { meta: {} },
      want: { check: "canonicalTitle", expected: ["error catalogue"], received: ['body {"meta":{}}'] },
    },
    {
      given: "a non-JSON body",
      raw: "denied",
      want: { check: "canonicalTitle", expected: ["error catalogue"], received: ["non-JSON body", "denied"] },
    },
  ])("$given", ({ body, raw, want }) => {
    expectOutcome(
      checkCanonicalTitle(true, contextFor({ status: 400, body, ...(raw === undefined ? {} : { raw }) })),
      want,
    );
  });
});

describe("checkAllTitlesCanonical", () => {
  test.for<{ given: string; body?: unknown; raw?: string; want: Want }>([
    { given: "a success body", body: { meta: {}, account: [{ vname: "A" }] }, want: "pass" },
    { given: "a non-JSON body", raw: "oops", want: "pass" },
    { given: "an empty body", raw: "", want: "pass" },
    { given: "errors not a list", body: { errors: "none" }, want: "pass" },
    {
      given: "canonical titles throughout",
      body: {
        errors: [
          { code: 1008, title: "Required parameter is missing" },
          { code: 1009, title: "Parameter value is not valid" },
        ],
      },
      want: "pass",
    },
    { given: "a code outside the catalogue", body: errorBody(4242, "Anything goes"), want: "pass" },
    {
      given: "an error without a numeric code",
      body: { errors: [{ code: "1005", title: "x" }, 7] },
      want: "pass",
    },
    {
      given: "the second error with a wrong title",
      body: {
        errors: [
          { code: 1008, title: "Required parameter is missing" },
          { code: 1009, title: "Bad value" },
        ],
      },
      want: {
        check: "canonicalTitle",
        expected: ["errors[1].title", '"Parameter value is not valid"', "1009"],
        received: ["errors[1].title", '"Bad value"'],
      },
    },
    {
      given: "a catalogue code without title",
      body: { errors: [{ code: 1005 }] },
      want: { check: "canonicalTitle", expected: ['"Access denied"'], received: ["errors[0].title"] },
    },
  ])("$given", ({ body, raw, want }) => {
    expectOutcome(
      checkAllTitlesCanonical(true, contextFor({ status: 400, body, ...(raw === undefined ? {} : { raw }) })),
      want,
    );
  });
});
