// Variants that differ from the reference only where the contract allows: the suites must not fail them.
import type { ReferenceResponse } from "../../src/reference/index.js";
import type { Verdict } from "../../src/runner/results.js";
import { detailsOf, errorsOf, mapErrors, type ReferenceVariant } from "./reference-variants.js";

/** WARN, the verdict of a broken SHOULD: what a difference the contract rates SHOULD may cost, never more. */
const warnOn = (ids: string[]): Record<string, Verdict> =>
  Object.fromEntries(ids.map((id) => [id, "WARN" as const]));

/** The same JSON value with the keys of every object in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(reversedKeys);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reversedKeys(item)]),
    );
  }
  return value;
}

/** Bytes past which a body is oversized for the reference (its default limit). */
const OVERSIZED = 64 * 1024;

const withHeaders = (res: ReferenceResponse, headers: Record<string, string>): ReferenceResponse => ({
  ...res,
  headers: { ...res.headers, ...headers },
});

/**
 * Delays each API answer by more the more API requests are waiting: 25 ms per request in flight (itself
 * included), at most 2 s, well within the kit's 5 s timeout. A server whose worker pool is saturated answers so.
 */
function slowerUnderLoad(): (method: string, path: string) => number {
  let inFlight = 0;
  return () => {
    inFlight += 1;
    const delay = Math.min(25 * inFlight, 2_000);
    // Counted until the answer is due: the harness hands the request to the reference once the delay is over.
    setTimeout(() => {
      inFlight -= 1;
    }, delay);
    return delay;
  };
}

export const CONFORMANT_VARIANTS: ReferenceVariant[] = [
  {
    name: "another-meta-version",
    defect: "reports meta.version v2.53.2 instead of v2.45.1",
    profile: "registration-open",
    tweaks: {},
    referenceOptions: { version: "v2.53.2" },
    expect: {},
  },
  {
    name: "extra-response-headers",
    defect: "adds X-Request-Id, Cache-Control and Server headers to every answer",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        withHeaders(res, {
          "x-request-id": "req-1",
          "cache-control": "no-store",
          server: "WhatsAppBiz/2.45",
        }),
    },
    expect: {},
  },
  {
    name: "json-with-charset",
    defect: "labels every JSON answer application/json; charset=utf-8",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) => withHeaders(res, { "content-type": "application/json; charset=utf-8" }),
    },
    expect: {},
  },
  {
    name: "keys-in-another-order",
    defect: "writes every object's keys in reverse order (errors before meta, details before code)",
    profile: "registration-open",
    tweaks: { rewrite: (_req, res) => ({ ...res, body: reversedKeys(res.body) }) },
    expect: {},
  },
  {
    name: "details-worded-differently",
    defect: "words every errors[].details its own way, except Meta's exact sunset text",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        errorsOf(res).length > 0 && !detailsOf(res).includes("biz_link_on_prem_reg_blocked")
          ? mapErrors(res, (error) => ({
              ...error,
              details: `Request refused (reason ${String(error.code)})`,
            }))
          : undefined,
    },
    expect: {},
  },
  {
    name: "slow-responses",
    defect: "answers every API request 150 ms late, well within the client's timeout",
    profile: "registration-open",
    tweaks: {},
    delayMs: () => 150,
    // Fails in some runs: the delays widen the race described at slow-verify, which then strikes at random.
    expect: {},
  },
  {
    name: "slow-verify",
    defect: "answers verify 400 ms late (it waits on the SMS provider), within the timeout",
    profile: "registration-open",
    tweaks: {},
    delayMs: (_method, path) => (path === "/v1/account/verify" ? 400 : 0),
    // Fails, a false alarm: the cases' non-admin-user state is torn down with the params it was set up with
    // ({}, not the username the hook answered), and the hook then deletes every non-admin user. The other
    // non-admin cases end while this verify waits, so its user's token is gone by the time it is checked
    // (401 instead of 403, a WARN on non-admin-verify-is-refused).
    expect: {},
  },
  {
    name: "lower-sms-limit",
    defect: "allows one SMS request per number instead of three (the limit is the target's own)",
    profile: "registration-open",
    tweaks: {},
    referenceOptions: { smsLimit: 1 },
    expect: {},
  },
  {
    name: "unauthorized-with-empty-body",
    defect: "answers 401 with an empty body, which the contract's Unauthorized response allows",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) =>
        res.status === 401 ? { status: 401, headers: {}, body: undefined } : undefined,
    },
    expect: {},
  },
  {
    name: "created-with-empty-body",
    defect: "answers every 201 (registered number, verify) with no body, which MetaOnlyResponse allows",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        res.status === 201 ? { status: 201, headers: {}, body: undefined } : undefined,
    },
    // The contract's Registered response is MetaOnlyResponse, "the body, when present, holds at most meta", and
    // the kit's own metaOnly check accepts an empty body: nothing here may FAIL. It does, a false alarm: the
    // strict responseSchema check (src/checks/response-schema.ts) demands a JSON body on every 201.
    expect: {},
  },
  {
    name: "non-admin-answers-401",
    defect: "refuses a user who is not admin with 401 instead of 403",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        detailsOf(res).startsWith("Only the admin") ? { ...res, status: 401 } : undefined,
    },
    // The MUST non-admin-token-refused allows 401 or 403; the SHOULD non-admin-token-answers-403-1005 asks 403.
    expect: warnOn([
      "non-admin-request-is-refused",
      "non-admin-verify-is-refused",
      "non-admin-two-step-change-is-refused",
      "non-admin-two-step-removal-is-refused",
    ]),
  },
  {
    name: "errors-without-meta",
    defect: "answers errors as {errors} with no meta object",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        errorsOf(res).length > 0 ? { ...res, body: { errors: errorsOf(res) } } : undefined,
    },
    // Meta's own error examples carry no meta: responses-carry-meta asks it of success bodies only.
    expect: {},
  },
  {
    name: "refuses-mislabelled-json",
    defect: "answers 400 to a JSON body labelled other than application/json, or unlabelled",
    profile: "registration-open",
    tweaks: {},
    referenceOptions: { requireJsonContentType: true },
    // The contract makes mislabelled JSON a MAY (mislabelled-json-handling): its cases stay INFO, worded otherwise.
    expect: {},
  },
  {
    name: "refuses-mislabelled-json-sunset",
    defect: "answers 400, before the sunset block, to JSON labelled other than application/json",
    profile: "sunset",
    tweaks: {},
    referenceOptions: { requireJsonContentType: true },
    expect: {},
  },
  {
    name: "slower-under-concurrency",
    defect: "answers each API request 25 ms later per request in flight (up to 2 s), within the timeout",
    profile: "registration-open",
    tweaks: {},
    delayMs: slowerUnderLoad(),
    expect: {},
  },
  {
    name: "answers-413-and-closes",
    defect: "answers an oversized body 413 and closes the connection at once, the rest of the body unread",
    profile: "registration-open",
    tweaks: {},
    closeAfterAnswer: (req) => Number(req.headers["content-length"] ?? 0) > OVERSIZED,
    // The 413 was written before the close: the kit reads it, and the case keeps its PASS.
    expect: {},
  },
  {
    name: "closes-on-oversized-body",
    defect: "refuses an oversized body by closing the connection without answering (RFC 9110 15.5.14)",
    profile: "sunset",
    tweaks: { rewrite: (_req, res) => (res.status === 413 ? "drop" : undefined) },
    // A close keeps the MUST oversized-body-not-accepted and breaks only the SHOULD of a readable 413.
    expect: warnOn(["oversized-body-answers-413"]),
  },
  {
    name: "settings-answer-null",
    defect: "answers a two-step change with 200 and null, as Meta documents",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        req.path === "/v1/settings/account/two-step" && res.status === 200
          ? { ...res, body: null }
          : undefined,
    },
    // SettingsUpdatedResponse allows null, and only an object body can carry meta: Meta's own answer is no alarm.
    expect: {},
  },
];
