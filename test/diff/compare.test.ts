// Tests normalization and comparison on hand-made results: what counts as a difference, and which requirement it touches.
import { beforeAll, describe, expect, it } from "vitest";
import type { Case } from "../../src/cases/case-types.js";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { compareResults, type Difference } from "../../src/diff/compare.js";
import { compareCase, summarizeDiff } from "../../src/diff/compare-case.js";
import { flatten, normalizeResponse } from "../../src/diff/normalize.js";
import { compileRules, DEFAULT_RULES, type DiffRules } from "../../src/diff/rules.js";
import type { Exchange } from "../../src/exchange.js";
import type { CaseResult, Failure, Verdict } from "../../src/runner/results.js";

let contract: Contract;
const rules: DiffRules = compileRules([{ spec: DEFAULT_RULES, source: "default rules" }]);
const noRules: DiffRules = compileRules([]);

beforeAll(async () => {
  contract = await loadContract();
});

/** A registration case with a MUST on status and vname, and a SHOULD on meta. */
const REGISTRATION: Case = {
  id: "registration",
  description: "answers 202 with the vname",
  requirements: ["register-new-number-answers-202-with-vname", "register-202-carries-meta"],
  profiles: ["registration-open"],
  states: [],
  vars: {},
  steps: [
    {
      request: { operation: "requestCode" },
      expect: [
        { requirement: "register-new-number-answers-202-with-vname", status: 202, vnameMatchesCert: true },
        { requirement: "register-202-carries-meta", meta: true },
      ],
    },
  ],
  exclusive: false,
  source: "test",
};

/** A case that only observes a MAY behaviour. */
const OBSERVED: Case = {
  ...REGISTRATION,
  id: "observed",
  requirements: ["method-case-handling"],
  steps: [
    {
      request: { operation: "requestCode" },
      expect: [{ requirement: "method-case-handling", observe: true }],
    },
  ],
};

function exchange(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  requestBody?: unknown,
): Exchange {
  const bodyText = typeof body === "string" ? body : JSON.stringify(body);
  return {
    request: {
      method: "POST",
      path: "/v1/account",
      url: "http://127.0.0.1:1/v1/account",
      headers: {},
      ...(requestBody === undefined ? {} : { body: JSON.stringify(requestBody) }),
    },
    response: {
      status,
      headers: { "content-type": "application/json", ...headers },
      bodyText,
      json: typeof body === "string" ? undefined : body,
      isJson: typeof body !== "string",
      durationMs: 1,
    },
  };
}

function result(
  exchanges: Exchange[],
  verdict: Verdict = "PASS",
  extra: Partial<CaseResult> = {},
): CaseResult {
  return {
    id: "registration",
    description: "",
    profile: "registration-open",
    requirements: [],
    verdict,
    failures: [],
    observations: [],
    exchanges,
    durationMs: 1,
    ...extra,
  };
}

const META = { version: "v2.45.1", api_status: "stable" };
const OK = { meta: META, account: [{ vname: "Acme Plumbing Co" }] };

function diff(
  a: CaseResult,
  b: CaseResult,
  testCase: Case = REGISTRATION,
  using: DiffRules = rules,
): Difference[] {
  return compareResults(testCase, "registration-open", contract, a, b, using);
}

const where = (differences: Difference[]) => differences.map((d) => `${d.kind} ${d.where ?? ""}`.trim());

describe("normalization", () => {
  it("flattens bodies by JSON pointer, keeping empty objects and arrays as values", () => {
    expect(
      [...flatten({ a: { b: [1, {}] }, c: [], "d/e": "x" }).entries()].map(([p, leaf]) => [p, leaf.value]),
    ).toEqual([
      ["/a/b/0", 1],
      ["/a/b/1", {}],
      ["/c", []],
      ["/d~1e", "x"],
    ]);
  });

  it("lower-cases header names and drops ignored headers", () => {
    const normalized = normalizeResponse(
      exchange(202, OK, { "X-Served-By": "a", Date: "Tue, 24 Nov 2026 20:27:22 GMT" }).response,
      rules,
    );
    expect([...normalized.headers.keys()].sort()).toEqual(["content-type", "x-served-by"]);
  });
});

describe("comparison", () => {
  it("finds nothing when only key order, header case, dates, tokens and meta.version differ", () => {
    const a = exchange(
      200,
      { meta: META, users: [{ token: "abc", expires_after: "2026-12-01 20:27:22+00:00" }] },
      {
        Date: "Tue, 24 Nov 2026 20:27:22 GMT",
        "x-request-id": "1",
      },
    );
    const b = exchange(
      200,
      {
        users: [{ expires_after: "2031-01-01 08:00:00+00:00", token: "0f.zz" }],
        meta: { api_status: "stable", version: "v9" },
      },
      {
        date: "Wed, 25 Nov 2026 08:00:00 GMT",
        "X-Request-Id": "2",
      },
    );
    expect(diff(result([a]), result([b]))).toEqual([]);
    // The same pair without the default rules differs: the test above is not vacuous.
    expect(where(diff(result([a]), result([b]), REGISTRATION, noRules))).toEqual([
      "body /meta/version",
      "body /users/0/expires_after",
      "body /users/0/token",
      "header date",
      "header x-request-id",
    ]);
  });

  it("reports a login expiry in another format, though its value is never compared", () => {
    const login = (expiry: string) =>
      exchange(200, { meta: META, users: [{ token: "t", expires_after: expiry }] });
    expect(
      diff(result([login("2026-12-01 20:27:22+00:00")]), result([login("2031-06-30 23:59:59+02:00")])),
    ).toEqual([]);
    expect(
      diff(result([login("2026-12-01 20:27:22+00:00")]), result([login("2030-01-01T00:00:00Z")])),
    ).toMatchObject([
      {
        kind: "body",
        where: "/users/0/expires_after",
        baseline: '"2026-12-01 20:27:22+00:00"',
        candidate: '"2030-01-01T00:00:00Z"',
      },
    ]);
  });

  it("still reports a volatile field that is missing on one side", () => {
    const missing = diff(
      result([exchange(202, OK)]),
      result([exchange(202, { meta: { api_status: "stable" }, account: OK.account })]),
    );
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({
      kind: "body",
      where: "/meta/version",
      baseline: "(volatile)",
      candidate: "(absent)",
    });
  });

  it("reports status, error code and body fields side by side, tied to the requirements that check them", () => {
    const error = {
      meta: META,
      errors: [{ code: 1009, title: "Parameter value is not valid", details: "bad" }],
    };
    const differences = diff(result([exchange(202, OK)]), result([exchange(400, error)]));
    expect(where(differences)).toEqual([
      "status",
      "error-code /errors/0/code",
      "body /account/0/vname",
      "body /errors/0/details",
      "body /errors/0/title",
    ]);
    const [status, code, vname] = differences;
    expect(status).toMatchObject({
      baseline: "202",
      candidate: "400",
      requirement: "register-new-number-answers-202-with-vname",
      level: "MUST",
      checked: true,
      step: 1,
      request: "POST /v1/account",
    });
    expect(code).toMatchObject({ baseline: "(absent)", candidate: "1009" });
    expect(vname).toMatchObject({
      baseline: '"Acme Plumbing Co"',
      candidate: "(absent)",
      level: "MUST",
      checked: true,
    });
    // No expectation of the case looks at the error's details: unchecked, with the step's requirement for context.
    expect(differences[3]).toMatchObject({
      checked: false,
      requirement: "register-new-number-answers-202-with-vname",
    });
  });

  it("reports a changed error code once, not also as the body field /errors/0/code", () => {
    const error = (code: number) => ({ meta: META, errors: [{ code, title: "t", details: "d" }] });
    expect(where(diff(result([exchange(400, error(1009))]), result([exchange(400, error(1008))])))).toEqual([
      "error-code /errors/0/code",
    ]);
  });

  it("ties a header no requirement checks to nothing, and content-type to the JSON content-type MUST", () => {
    const differences = diff(
      result([exchange(202, OK, { "x-served-by": "a" })]),
      result([exchange(202, OK, { "x-served-by": "b", "content-type": "text/json" })]),
    );
    expect(differences.map((d) => [d.where, d.checked, d.requirement])).toEqual([
      ["content-type", true, "json-body-has-json-content-type"],
      ["x-served-by", false, "register-new-number-answers-202-with-vname"],
    ]);
  });

  it("puts the requirement a difference newly breaks first, from the runner's own failures", () => {
    const failure: Failure = {
      requirement: "responses-match-contract-schema",
      level: "MUST",
      check: "responseSchema",
      expected: "the schema",
      received: "account in a 201",
      step: 1,
    };
    const differences = diff(
      result([exchange(202, OK)], "INFO"),
      result([exchange(201, OK)], "FAIL", { failures: [failure] }),
      OBSERVED,
    );
    expect(differences).toHaveLength(1);
    expect(differences[0]?.requirements).toEqual([
      { id: "responses-match-contract-schema", level: "MUST", touches: true },
      { id: "method-case-handling", level: "MAY", touches: true },
    ]);
  });

  it("ties every change of an observed MAY behaviour to that MAY requirement", () => {
    const differences = diff(
      result([exchange(400, { meta: META, errors: [{ code: 1009 }] })]),
      result([exchange(202, OK)]),
      OBSERVED,
    );
    expect(differences.length).toBeGreaterThan(1);
    expect(new Set(differences.map((d) => `${d.level} ${d.requirement} ${d.checked}`))).toEqual(
      new Set(["MAY method-case-handling true"]),
    );
  });

  it("does not count a value the target echoes from what each side was sent", () => {
    const answer = (code: string) => ({
      meta: META,
      errors: [{ code: 1009, details: `code ${code} matches nothing` }],
    });
    const a = exchange(400, answer("111111"), {}, { code: "111111" });
    const b = exchange(400, answer("222222"), {}, { code: "222222" });
    expect(diff(result([a]), result([b]))).toEqual([]);
    // An answer that differs in anything else still shows.
    const c = exchange(400, answer("333333"), {}, { code: "222222" });
    expect(where(diff(result([a]), result([c])))).toEqual(["body /errors/0/details"]);
  });

  it("compares bodies that are not JSON as text", () => {
    expect(diff(result([exchange(400, "no")]), result([exchange(400, "no")]))).toEqual([]);
    const differences = diff(result([exchange(400, OK)]), result([exchange(400, "<html>oops</html>")]));
    expect(differences.map((d) => [d.kind, d.where, d.candidate])).toEqual([
      ["body", "", 'text "<html>oops</html>"'],
    ]);
  });

  it("reports a step one side never reached, and a case skipped or errored on one side only", () => {
    const two = result([exchange(400, OK), exchange(202, OK)]);
    const one = result([exchange(400, OK)]);
    expect(diff(two, one)).toMatchObject([
      {
        kind: "exchange",
        step: 2,
        baseline: "POST /v1/account answered 202",
        candidate: "(not sent: the case ended before this step)",
      },
    ]);
    const skipped = result([], "SKIP", { reason: "state code-sent needs a hook" });
    expect(diff(one, skipped)).toMatchObject([
      { kind: "outcome", baseline: "ran (PASS)", candidate: "SKIP: state code-sent needs a hook" },
    ]);
    const timedOut = result([], "ERROR", { reason: "timeout: no complete answer within 5000 ms" });
    expect(diff(one, timedOut)[0]).toMatchObject({
      kind: "outcome",
      candidate: "ERROR: timeout: no complete answer within 5000 ms",
    });
    // Two timeouts of different length are the same outcome.
    const otherTimeout = result([], "ERROR", { reason: "timeout: no complete answer within 1000 ms" });
    expect(diff(timedOut, otherTimeout)).toEqual([]);
  });
});

describe("a case's comparison", () => {
  it("is not compared when both sides skipped it, and does not count against the exit code", () => {
    const skipped = result([], "SKIP", { reason: "no hook" });
    const comparison = compareCase(REGISTRATION, "registration-open", contract, rules, {
      baseline: skipped,
      candidate: skipped,
    });
    expect(comparison).toMatchObject({ status: "not-compared", reason: "skipped on both: no hook" });
    expect(summarizeDiff([comparison]).exitCode).toBe(0);
  });

  it("sets aside as noise what the two baseline instances also disagree on", () => {
    const served = (by: string, vname = "Acme Plumbing Co") =>
      result([exchange(202, { meta: META, account: [{ vname }] }, { "x-served-by": by })]);
    const comparison = compareCase(REGISTRATION, "registration-open", contract, rules, {
      baseline: served("a"),
      candidate: served("b", "Other"),
      baseline2: served("c"),
    });
    expect(comparison.status).toBe("different");
    expect(where(comparison.differences)).toEqual(["body /account/0/vname"]);
    expect(where(comparison.noise)).toEqual(["header x-served-by"]);
    const quiet = compareCase(REGISTRATION, "registration-open", contract, rules, {
      baseline: served("a"),
      candidate: served("b"),
      baseline2: served("c"),
    });
    expect(quiet.status).toBe("noise-only");
    const summary = summarizeDiff([comparison, quiet]);
    expect(summary).toMatchObject({ different: 1, noiseOnly: 1, differences: 1, noise: 2, exitCode: 1 });
    expect(summary.byLevel).toEqual({ MUST: 1, SHOULD: 0, MAY: 0, unchecked: 0 });
  });
});

describe("values nested beyond JSON.stringify's reach", () => {
  it("are compared without overflowing the stack, in errors[0].code and in a body field", () => {
    // Built as text: JSON.stringify (the helper above) cannot serialize them either.
    const deepError = (depth: number): Exchange => {
      const bodyText = `{"errors":[{"code":${"[".repeat(depth)}${"]".repeat(depth)},"title":"x"}]}`;
      const base = exchange(400, {});
      return { ...base, response: { ...base.response, bodyText, json: JSON.parse(bodyText), isJson: true } };
    };
    expect(where(diff(result([deepError(20_000)]), result([deepError(20_000)])))).toEqual([]);
    expect(diff(result([deepError(20_000)]), result([deepError(20_001)])).length).toBeGreaterThan(0);
  });
});
