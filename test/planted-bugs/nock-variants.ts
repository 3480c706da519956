// Planted bugs in single responses, served by nock on a fake host: each answers its cases right, or with the defect.
import nock from "nock";
import { verifiedNameOf } from "../../src/cert/certificate.js";
import type { ProfileName } from "../../src/contract/contract.js";
import { SUNSET_DETAILS } from "../../src/reference/index.js";
import type { Verdict } from "../../src/runner/results.js";
import type { StaticStates } from "../../src/runner/target.js";

export interface NockVariant {
  /** A kebab-case slug, unique among all variants; also the fake host's first label. */
  name: string;
  defect: string;
  profile: ProfileName;
  /** What a static target's config would say; number-unregistered is reached by default. */
  states?: StaticStates;
  timeoutMs?: number;
  /** Every case the variant runs, with the verdict it must get when the defect is planted. */
  expect: Record<string, Verdict>;
  /**
   * Answers the cases' requests at `host` (login aside): as a conformant target would when `planted` is false
   * (every case must then PASS, which shows the defect and not the fake causes the verdicts), else with the defect.
   */
  intercept: (host: string, planted: boolean) => void;
  /** The login's users[0]; the harness answers login with a valid token and expiry unless this changes it. */
  loginUser?: (planted: boolean) => Record<string, unknown>;
}

export const NOCK_ADMIN_TOKEN = "nock-admin-token";
const NOCK_USER_TOKEN = "nock-user-token";
const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
const META = { version: "v2.45.1", api_status: "stable" };
const SUNSET_META = { version: "v2.45.1", api_status: "deprecated" };
const TITLES: Record<number, string> = {
  1005: "Access denied",
  1008: "Required parameter is missing",
  1009: "Parameter value is not valid",
  1014: "Internal error",
  1025: "Invalid Request",
};
/** A number the static number-registered state names; only it is registered on these fake hosts. */
const REGISTERED = { cc: "1", phone_number: "5550100999" };

type Reply = nock.ReplyFnResult;
interface SeenRequest {
  headers: Record<string, string>;
  /** The JSON body when it parses, else the raw text. */
  body: unknown;
}

function parsed(body: nock.Body): unknown {
  if (typeof body !== "string") {
    return body;
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

function fields(request: SeenRequest): Record<string, unknown> {
  const { body } = request;
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** A persisted interceptor for method and path, and for bodies `matches` accepts (parsed when JSON). */
function route(
  host: string,
  method: "POST" | "DELETE",
  path: string,
  matches?: (body: unknown) => boolean,
): nock.Interceptor {
  return nock(host).persist().intercept(path, method, matches);
}

function answer(interceptor: nock.Interceptor, respond: (request: SeenRequest) => Reply): nock.Scope {
  return interceptor.reply(function (this: nock.ReplyFnContext, _uri: string, body: nock.Body) {
    return respond({ headers: this.req.headers, body: parsed(body) });
  });
}

const error = (status: number, code: number, details: string, meta: object = META): Reply => [
  status,
  { meta, errors: [{ code, title: TITLES[code] ?? "", details }] },
];
const metaOnly = (status: number): Reply => [status, { meta: META }];
const codeSent = (request: SeenRequest): Reply => [
  202,
  { meta: META, account: [{ vname: verifiedNameOf(String(fields(request).cert)) ?? "" }] },
];
const isAdmin = (request: SeenRequest): boolean =>
  request.headers.authorization === `Bearer ${NOCK_ADMIN_TOKEN}`;

/** The login every run starts with, and the two login cases: the admin's Basic credentials or 401. */
export function answerLogin(host: string, user: Record<string, unknown>): void {
  answer(route(host, "POST", "/v1/users/login"), (request) =>
    request.headers.authorization === ADMIN_BASIC
      ? [200, { meta: META, users: [user] }]
      : error(401, 1005, "Incorrect username or password"),
  );
}

export function defaultLoginUser(): Record<string, unknown> {
  return { token: NOCK_ADMIN_TOKEN, expires_after: "2030-01-01 00:00:00+00:00" };
}

export const NOCK_VARIANTS: NockVariant[] = [
  {
    name: "nock-201-202-swapped",
    defect: "answers 201 to a new number and 202 to a registered one",
    profile: "registration-open",
    states: { "number-registered": REGISTERED },
    expect: { "new-number-answers-202-with-decoded-vname": "FAIL", "registered-number-answers-201": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) =>
        (fields(request).phone_number === REGISTERED.phone_number) !== planted
          ? metaOnly(201)
          : codeSent(request),
      ),
  },
  {
    name: "nock-error-string-body",
    defect: 'answers errors as {"error": "..."} instead of an errors array',
    profile: "registration-open",
    expect: { "request-code-rejects-body-without-cc": "FAIL", "request-without-token-answers-401": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) => {
        if (!isAdmin(request)) {
          return planted ? [401, { error: "Unauthorized" }] : error(401, 1005, "No token");
        }
        return planted
          ? [400, { error: "cc is required" }]
          : error(400, 1008, "Missing required parameter: cc");
      }),
  },
  {
    name: "nock-json-labelled-text-plain",
    defect: "labels its JSON answers text/plain",
    profile: "registration-open",
    expect: { "new-number-answers-202-with-decoded-vname": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) => {
        const [status, body] = codeSent(request);
        return [
          status,
          JSON.stringify(body),
          { "content-type": planted ? "text/plain" : "application/json" },
        ];
      }),
  },
  {
    name: "nock-verify-answers-200",
    defect: "answers 200 instead of 201 when verify completes a registration",
    profile: "registration-open",
    states: { "code-sent": { code: "123456" } },
    expect: {
      "verify-right-code-then-request-answers-201": "FAIL",
      "verify-with-nothing-pending-is-rejected": "PASS",
    },
    intercept: (host, planted) => {
      // In these cases the code is requested by voice (the static code-sent state) and the only sms request
      // follows a completed verify, so sms means "registered" here.
      answer(route(host, "POST", "/v1/account"), (request) =>
        fields(request).method === "voice" ? codeSent(request) : metaOnly(201),
      );
      answer(route(host, "POST", "/v1/account/verify"), (request) =>
        fields(request).code === "123456"
          ? metaOnly(planted ? 200 : 201)
          : error(400, 1009, "The code does not match a pending registration"),
      );
    },
  },
  {
    name: "nock-http-status-as-error-code",
    defect: "uses the HTTP status as errors[0].code (400 instead of 1008 or 1009)",
    profile: "registration-open",
    expect: { "request-code-rejects-body-without-cc": "FAIL", "request-code-rejects-method-fax": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) => {
        const code = "cc" in fields(request) ? 1009 : 1008;
        return planted
          ? [400, { meta: META, errors: [{ code: 400, title: "Bad Request" }] }]
          : error(400, code, "Invalid request");
      }),
  },
  {
    name: "nock-malformed-json-answers-500",
    defect: "answers 500 to a body that is not JSON",
    profile: "registration-open",
    expect: { "body-that-is-not-json-is-rejected": "FAIL", "body-that-is-a-json-array-is-rejected": "PASS" },
    intercept: (host, planted) => {
      // nock's reply functions JSON.parse a body labelled JSON and throw on malformed text, so the not-JSON
      // body is told apart by a body matcher (which tolerates it) and answered with a fixed reply.
      const [status, body] = planted
        ? error(500, 1014, "Unexpected end of JSON input")
        : error(400, 1025, "The body is not valid JSON");
      route(host, "POST", "/v1/account", (sent) => typeof sent === "string").reply(status, body);
      answer(route(host, "POST", "/v1/account"), () => error(400, 1009, "The body must be a JSON object"));
    },
  },
  {
    name: "nock-request-hangs",
    defect: "never answers a valid registration request",
    profile: "registration-open",
    timeoutMs: 300,
    expect: { "new-number-answers-202-with-decoded-vname": "ERROR" },
    intercept: (host, planted) => {
      const interceptor = route(host, "POST", "/v1/account");
      // Far past the 300 ms the client waits; nock drops the reply once the client has aborted.
      answer(planted ? interceptor.delay(3_000) : interceptor, codeSent);
    },
  },
  {
    name: "nock-connection-reset",
    defect: "resets the connection on a valid registration request",
    profile: "registration-open",
    expect: { "new-number-answers-202-with-decoded-vname": "ERROR" },
    intercept: (host, planted) => {
      const interceptor = route(host, "POST", "/v1/account");
      if (planted) {
        // What node reports when the server closes the socket mid-request. (nock's emulation of an error object
        // with code ECONNRESET never reaches the client, which then waits for its timeout instead.)
        interceptor.replyWithError("socket hang up");
      } else {
        answer(interceptor, codeSent);
      }
    },
  },
  {
    name: "nock-non-admin-accepted",
    defect: "requests a code for any valid token, admin or not",
    profile: "registration-open",
    states: { "non-admin-user": { token: NOCK_USER_TOKEN } },
    expect: { "non-admin-request-is-refused": "FAIL", "new-number-answers-202-with-decoded-vname": "PASS" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) =>
        isAdmin(request) || planted ? codeSent(request) : error(403, 1005, "Only the admin can register"),
      ),
  },
  {
    name: "nock-no-auth",
    defect: "requests a code without checking the token",
    profile: "registration-open",
    expect: { "request-without-token-answers-401": "FAIL", "request-with-unknown-token-answers-401": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), (request) =>
        isAdmin(request) || planted ? codeSent(request) : error(401, 1005, "Invalid token"),
      ),
  },
  {
    name: "nock-sunset-title-wrong",
    defect: "blocks registration with title Forbidden instead of Access denied",
    profile: "sunset",
    states: { "registration-blocked": true },
    expect: { "sunset-blocks-valid-registration": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), () => [
        403,
        {
          meta: SUNSET_META,
          errors: [{ code: 1005, title: planted ? "Forbidden" : "Access denied", details: SUNSET_DETAILS }],
        },
      ]),
  },
  {
    name: "nock-sunset-details-missing",
    defect: "blocks registration with 1005 but no details",
    profile: "sunset",
    states: { "registration-blocked": true },
    expect: { "sunset-blocks-valid-registration": "FAIL", "sunset-blocks-voice-registration": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/account"), () => [
        403,
        {
          meta: SUNSET_META,
          errors: [{ code: 1005, title: "Access denied", ...(planted ? {} : { details: SUNSET_DETAILS }) }],
        },
      ]),
  },
  {
    name: "nock-two-step-enable-answers-204",
    defect: "answers 204 with no body when two-step verification is enabled",
    profile: "registration-open",
    states: { "number-registered": REGISTERED },
    expect: { "two-step-enable-answers-200": "FAIL" },
    intercept: (host, planted) =>
      answer(route(host, "POST", "/v1/settings/account/two-step"), () => (planted ? [204] : metaOnly(200))),
  },
  {
    name: "nock-login-without-expiry",
    defect: "answers the login token without expires_after",
    profile: "registration-open",
    expect: {
      "login-with-admin-credentials-answers-token": "FAIL",
      "login-with-wrong-password-answers-401": "PASS",
    },
    intercept: () => undefined,
    loginUser: (planted) => (planted ? { token: NOCK_ADMIN_TOKEN } : defaultLoginUser()),
  },
];
