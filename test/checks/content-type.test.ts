// Tests the Content-Type checks: the media type of a case's expectation, and JSON bodies labelled as JSON.
import { describe, expect, test } from "vitest";
import { checkContentType, checkJsonBodyLabelled, mediaType } from "../../src/checks/content-type.js";
import { contextFor, expectOutcome, type Want } from "./context.js";

describe("mediaType", () => {
  test.for<{ given: string | undefined; want: string }>([
    { given: "application/json", want: "application/json" },
    { given: "application/json; charset=utf-8", want: "application/json" },
    { given: " Application/JSON ;charset=UTF-8", want: "application/json" },
    { given: "text/plain", want: "text/plain" },
    { given: "", want: "" },
    { given: undefined, want: "" },
  ])("$given → $want", ({ given, want }) => {
    expect(mediaType(given)).toBe(want);
  });
});

describe("checkContentType", () => {
  test.for<{ expected: string; header: string | undefined; want: Want }>([
    { expected: "application/json", header: "application/json", want: "pass" },
    { expected: "application/json", header: "application/json; charset=utf-8", want: "pass" },
    { expected: "application/json", header: "APPLICATION/JSON", want: "pass" },
    { expected: "Application/Json", header: "application/json", want: "pass" },
    {
      expected: "application/json",
      header: "text/html; charset=utf-8",
      want: {
        check: "contentType",
        expected: ["Content-Type application/json"],
        received: ["Content-Type text/html; charset=utf-8"],
      },
    },
    {
      expected: "application/json",
      header: "application/problem+json",
      want: { check: "contentType", expected: ["application/json"], received: ["application/problem+json"] },
    },
    {
      expected: "application/json",
      header: undefined,
      want: { check: "contentType", expected: ["application/json"], received: ["no Content-Type"] },
    },
  ])("expected $expected, received $header", ({ expected, header, want }) => {
    const headers: Record<string, string> = header === undefined ? {} : { "content-type": header };
    expectOutcome(checkContentType(expected, contextFor({ status: 200, body: {}, headers })), want);
  });
});

describe("checkJsonBodyLabelled", () => {
  test.for<{ given: string; raw: string; header: string | undefined; want: Want }>([
    { given: "a JSON body as application/json", raw: "{}", header: "application/json", want: "pass" },
    {
      given: "a JSON body with charset",
      raw: '{"meta":{}}',
      header: "application/json; charset=utf-8",
      want: "pass",
    },
    { given: "a JSON body as a +json type", raw: "{}", header: "application/problem+json", want: "pass" },
    { given: "a text body as text/plain", raw: "Unauthorized", header: "text/plain", want: "pass" },
    { given: "an empty body with no type", raw: "", header: undefined, want: "pass" },
    {
      given: "a JSON body as text/plain",
      raw: '{"errors":[]}',
      header: "text/plain",
      want: {
        check: "jsonContentType",
        expected: ["application/json"],
        received: ["Content-Type text/plain"],
      },
    },
    {
      given: "a JSON body as text/html with charset",
      raw: "[1]",
      header: "text/html; charset=utf-8",
      want: {
        check: "jsonContentType",
        expected: ["application/json"],
        received: ["text/html; charset=utf-8"],
      },
    },
    {
      given: "a JSON body with no type",
      raw: "null",
      header: undefined,
      want: { check: "jsonContentType", expected: ["application/json"], received: ["no Content-Type"] },
    },
  ])("$given", ({ raw, header, want }) => {
    const headers: Record<string, string> = header === undefined ? {} : { "content-type": header };
    expectOutcome(checkJsonBodyLabelled(true, contextFor({ status: 200, raw, headers })), want);
  });
});
