// Fuzzes the reference with fast-check: arbitrary methods, paths, headers, bodies and raw bytes never get a 5xx, a crash or a body outside the envelope.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import {
  DEFAULT_ADMIN,
  PROVIDER_STATE_PATH,
  PROVIDER_STATES,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

/** Each property runs this many times; together they stay within a few seconds on a 2-core machine. */
const RUNS = 500;
/** One exchange that takes longer than this is a hang: the test fails rather than waits. */
const EXCHANGE_TIMEOUT_MS = 2_000;
const HARD_LIMIT_MS = 60_000;

const VNAME = "Acme Plumbing Co";
const CERT = encodeCertificate({ vname: VNAME });
const ADMIN_BASIC = `Basic ${Buffer.from(`${DEFAULT_ADMIN.username}:${DEFAULT_ADMIN.password}`).toString("base64")}`;

const ROUTES = [
  "/v1/account",
  "/v1/account/verify",
  "/v1/users/login",
  "/v1/settings/account/two-step",
  PROVIDER_STATE_PATH,
] as const;
const UNKNOWN_PATHS = [
  "/",
  "/v1",
  "/v1/",
  "/v1/account/",
  "/v1/ACCOUNT",
  "//v1/account",
  "/v1/account/verify/extra",
  "/v1/account?cc=1&phone_number=2",
  "/v1/account?",
  "/%2e%2e/v1/account",
  "/v1/%61ccount",
  "/v1/account;x=1",
  "/_conformance",
  `${PROVIDER_STATE_PATH}/`,
  "/v2/account",
];
/** Methods Node's parser knows (some no route takes), and tokens it does not know at all. */
const METHODS = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PROPFIND",
  "PURGE",
  "SEARCH",
  "FOO",
  "BREW",
  "X-POST",
];
/** Header names whose values could change how a request is read; framing headers are left to the client. */
const HEADER_NAMES = [
  "content-type",
  "authorization",
  "accept",
  "accept-encoding",
  "content-encoding",
  "expect",
  "connection",
  "upgrade",
  "cookie",
  "origin",
  "host",
  "range",
  "user-agent",
  "x-forwarded-for",
  "x-fuzz",
];

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let reference: RunningReference;
let agent: Agent;
let adminToken = "";

/** One request over node:http with the exact bytes given; rejects (failing the property) after a timeout. */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const { port } = new URL(reference.url);
  // Node's client frames a GET or DELETE body only with an explicit length; without it the bytes would go out
  // unframed and be read as the next request, which tests the client, not the server.
  const framed = body === undefined ? headers : { ...headers, "content-length": String(body.length) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, method, path, headers: framed, agent, timeout: EXCHANGE_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${EXCHANGE_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parsed(answer: Answer): unknown {
  try {
    return JSON.parse(answer.body.toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * What every answer must be: never 5xx; a 4xx carries the error envelope (errors[0].code an integer, .title a
 * string) under a JSON content type, except to HEAD where HTTP sends no body; a 2xx of the API carries meta.
 */
function expectWellFormed(method: string, path: string, answer: Answer): void {
  const what = `${method} ${path} answered ${answer.status}: ${answer.body.toString("utf8").slice(0, 300)}`;
  expect(answer.status, what).toBeGreaterThanOrEqual(200);
  expect(answer.status, what).toBeLessThan(500);
  if (method === "HEAD") {
    expect(answer.body.length, what).toBe(0);
    return;
  }
  expect(answer.headers["content-type"] ?? "", what).toMatch(/^application\/json/);
  const body = parsed(answer);
  if (answer.status >= 400) {
    expect(isObject(body), what).toBe(true);
    const errors = isObject(body) ? body.errors : undefined;
    expect(Array.isArray(errors) && errors.length > 0, what).toBe(true);
    const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
    expect(isObject(first) && Number.isInteger(first.code), what).toBe(true);
    expect(isObject(first) && typeof first.title === "string", what).toBe(true);
    return;
  }
  if (path.startsWith("/v1/")) {
    expect(isObject(body) && isObject(body.meta), what).toBe(true);
  }
}

/** Characters Node's client lets through in a header value: tab, visible ASCII, space and obs-text. */
const headerChar = fc.oneof(
  fc.constant("\t"),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
);
const headerValue = fc.string({ unit: headerChar, maxLength: 80 });

const authorization = fc.oneof(
  fc.constant<string | undefined>(undefined),
  fc.constant(ADMIN_BASIC),
  fc.constant("(admin bearer)"),
  headerValue,
  headerValue.map((value) => `Bearer ${value}`),
  fc.base64String({ maxLength: 40 }).map((value) => `Basic ${value}`),
);

const contentType = fc.oneof(
  fc.constant<string | undefined>(undefined),
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin1",
    "APPLICATION/JSON",
    "application/problem+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
  ),
  headerValue,
);

/** A registration body that is nearly valid, so the fuzz also reaches the handlers behind validation. */
const nearlyValidAccount = fc.record(
  {
    cc: fc.oneof(fc.constant("1"), fc.stringMatching(/^[0-9]{1,3}$/), fc.string({ maxLength: 5 })),
    phone_number: fc.oneof(fc.stringMatching(/^[0-9]{1,15}$/), fc.string({ maxLength: 16 })),
    method: fc.oneof(fc.constantFrom("sms", "voice", "SMS"), fc.string({ maxLength: 6 })),
    cert: fc.oneof(fc.constant(CERT), fc.base64String({ maxLength: 120 }), fc.string({ maxLength: 40 })),
    pin: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.string({ maxLength: 8 }), fc.jsonValue()),
    code: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

/** A hook body with real state names and actions as often as made-up ones, and arbitrary params. */
const hookBody = fc.record(
  {
    state: fc.oneof(fc.constantFrom(...PROVIDER_STATES), fc.jsonValue()),
    action: fc.oneof(fc.constantFrom("setup", "teardown"), fc.jsonValue()),
    params: fc.oneof(
      fc.record(
        {
          cc: fc.oneof(fc.constant("1"), fc.jsonValue()),
          phone_number: fc.oneof(fc.stringMatching(/^[0-9]{1,15}$/), fc.jsonValue()),
          pin: fc.oneof(fc.stringMatching(/^[0-9]{6}$/), fc.jsonValue()),
          username: fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue()),
          password: fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

const bytes = fc.uint8Array({ maxLength: 512 }).map((array) => Buffer.from(array));
/** Past the reference's 64 KiB limit, made from one repeated byte so generating it stays cheap. */
const oversized = fc
  .record({ size: fc.integer({ min: 65_537, max: 200_000 }), fill: fc.integer({ min: 0, max: 255 }) })
  .map(({ size, fill }) => Buffer.alloc(size, fill));

const body = fc.oneof(
  { arbitrary: fc.constant<Buffer | undefined>(undefined), weight: 1 },
  { arbitrary: fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? "null")), weight: 3 },
  { arbitrary: nearlyValidAccount.map((value) => Buffer.from(JSON.stringify(value))), weight: 3 },
  { arbitrary: hookBody.map((value) => Buffer.from(JSON.stringify(value))), weight: 2 },
  { arbitrary: bytes, weight: 3 },
  { arbitrary: oversized, weight: 1 },
);

const path = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTES), weight: 4 },
  { arbitrary: fc.constantFrom(...UNKNOWN_PATHS), weight: 2 },
  { arbitrary: fc.webPath().map((web) => (web.startsWith("/") ? web : `/${web}`)), weight: 1 },
);

const headers = fc.record({
  authorization,
  contentType,
  extra: fc.dictionary(fc.constantFrom(...HEADER_NAMES), headerValue, { maxKeys: 4 }),
});

function headersOf(generated: {
  authorization: string | undefined;
  contentType: string | undefined;
  extra: Record<string, string>;
}): Record<string, string> {
  const out: Record<string, string> = { ...generated.extra };
  if (generated.authorization !== undefined) {
    out.authorization =
      generated.authorization === "(admin bearer)" ? `Bearer ${adminToken}` : generated.authorization;
  }
  if (generated.contentType !== undefined) {
    out["content-type"] = generated.contentType;
  }
  return out;
}

beforeAll(async () => {
  reference = await startReference({});
  agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const login = await send("POST", "/v1/users/login", { authorization: ADMIN_BASIC });
  const token = (parsed(login) as { users?: { token?: unknown }[] } | undefined)?.users?.[0]?.token;
  if (typeof token !== "string") {
    throw new Error(`the admin could not log in: ${login.status} ${login.body.toString("utf8")}`);
  }
  adminToken = token;
});

afterAll(async () => {
  agent.destroy();
  await reference.close();
});

/** Writes the bytes, half-closes, and collects whatever comes back until the server closes (bounded). */
function rawExchange(data: Buffer): Promise<string> {
  const { port } = new URL(reference.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither answered nor closed within ${EXCHANGE_TIMEOUT_MS} ms`));
    }, EXCHANGE_TIMEOUT_MS);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.end(data);
  });
}

/** After the fuzz, the reference still does its job: login, a registration with its vname, the hook. */
async function expectStillServing(): Promise<void> {
  // The fuzz may have put the reference into registration-blocked through the hook; take it out first.
  const unblock = await send(
    "POST",
    PROVIDER_STATE_PATH,
    { "content-type": "application/json" },
    Buffer.from(JSON.stringify({ state: "registration-blocked", action: "teardown" })),
  );
  expect(unblock.status).toBe(200);
  const login = await send("POST", "/v1/users/login", { authorization: ADMIN_BASIC });
  expect(login.status, login.body.toString("utf8")).toBe(200);
  const registration = await send(
    "POST",
    "/v1/account",
    { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    Buffer.from(JSON.stringify({ cc: "1", phone_number: "5559990001", method: "voice", cert: CERT })),
  );
  expect(registration.status, registration.body.toString("utf8")).toBe(202);
  expect(parsed(registration)).toMatchObject({ account: [{ vname: VNAME }] });
}

describe("the reference under fuzz", () => {
  it(
    "answers any method, path, headers and body without a 5xx and in the envelope",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...METHODS),
          path,
          headers,
          body,
          async (method, target, generated, payload) => {
            const answer = await send(
              method,
              target,
              headersOf(generated),
              method === "HEAD" ? undefined : payload,
            );
            expectWellFormed(method, target, answer);
          },
        ),
        { numRuns: RUNS },
      );
      await expectStillServing();
    },
    HARD_LIMIT_MS,
  );

  it(
    "answers arbitrary JSON values and byte strings to every operation, as the admin, in the envelope",
    async () => {
      const operation = fc.constantFrom(
        { method: "POST", path: "/v1/account" },
        { method: "POST", path: "/v1/account/verify" },
        { method: "POST", path: "/v1/users/login" },
        { method: "POST", path: "/v1/settings/account/two-step" },
        { method: "DELETE", path: "/v1/settings/account/two-step" },
        { method: "POST", path: PROVIDER_STATE_PATH },
      );
      const admin = fc.constantFrom("bearer", "basic", "none");
      await fc.assert(
        fc.asyncProperty(operation, admin, body, async ({ method, path: route }, who, payload) => {
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (who !== "none") {
            headers.authorization = who === "bearer" ? `Bearer ${adminToken}` : ADMIN_BASIC;
          }
          const answer = await send(method, route, headers, payload);
          expectWellFormed(method, route, answer);
        }),
        { numRuns: RUNS },
      );
      await expectStillServing();
    },
    HARD_LIMIT_MS,
  );

  it(
    "answers deep and huge JSON anywhere in a hook body with a bounded 4xx or 2xx, never 5xx",
    async () => {
      // Nesting past the stack a recursive walk has (4,500 arrays overflowed it), built as text so generating it
      // stays cheap; and strings and arrays large enough to show any answer that quotes them whole.
      const deepJson = fc
        .record({ depth: fc.integer({ min: 1_000, max: 8_000 }), object: fc.boolean() })
        .map(({ depth, object }) =>
          object
            ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
            : `${"[".repeat(depth)}${"]".repeat(depth)}`,
        );
      const hugeJson = fc.oneof(
        fc
          .record({
            length: fc.integer({ min: 1_000, max: 60_000 }),
            char: fc.constantFrom("a", "\\u00e9", '\\"'),
          })
          .map(({ length, char }) => `"${char.repeat(Math.floor(length / char.length))}"`),
        fc.integer({ min: 1_000, max: 12_000 }).map((length) => `[${Array(length).fill("1").join(",")}]`),
        fc
          .integer({ min: 100, max: 3_000 })
          .map((keys) => `{${Array.from({ length: keys }, (_, key) => `"k${key}":${key}`).join(",")}}`),
      );
      const value = fc.oneof(deepJson, hugeJson);
      const state = fc.constantFrom(...PROVIDER_STATES).map((name) => JSON.stringify(name));
      const action = fc.constantFrom('"setup"', '"teardown"');
      const placed = fc.oneof(
        fc.tuple(value).map(([v]) => `{"state":${v}}`),
        fc.tuple(state, value).map(([s, v]) => `{"state":${s},"action":${v}}`),
        fc.tuple(state, action, value).map(([s, a, v]) => `{"state":${s},"action":${a},"params":${v}}`),
        fc
          .tuple(state, action, fc.constantFrom("cc", "phone_number", "pin", "username", "password"), value)
          .map(
            ([s, a, field, v]) =>
              `{"state":${s},"action":${a},"params":{"cc":"1","phone_number":"5550100001","${field}":${v}}}`,
          ),
        fc.tuple(value).map(([v]) => `{"state":"non-admin-user","extra":${v}}`),
        fc.tuple(value).map(([v]) => v),
      );
      await fc.assert(
        fc.asyncProperty(placed, async (text) => {
          const answer = await send(
            "POST",
            PROVIDER_STATE_PATH,
            { "content-type": "application/json" },
            Buffer.from(text),
          );
          expectWellFormed("POST", PROVIDER_STATE_PATH, answer);
          // Whatever came in, what goes out stays small: no answer quotes a value whole.
          expect(answer.body.length, answer.body.toString("utf8").slice(0, 300)).toBeLessThan(2_048);
        }),
        { numRuns: 300 },
      );
      await expectStillServing();
    },
    HARD_LIMIT_MS,
  );

  it(
    "answers raw bytes on the socket (no valid request line) in the envelope, or not at all, never 5xx",
    async () => {
      const request = fc.oneof(
        bytes,
        fc
          .tuple(fc.constantFrom("GET", "POST", "FOO", "post", "P\u00d6ST", ""), bytes)
          .map(([method, rest]) => Buffer.concat([Buffer.from(`${method} /v1/account`, "latin1"), rest])),
        fc
          .tuple(fc.string({ unit: headerChar, maxLength: 40 }), bytes)
          .map(([name, rest]) =>
            Buffer.concat([Buffer.from(`POST /v1/account HTTP/1.1\r\n${name}\r\n`, "latin1"), rest]),
          ),
      );
      await fc.assert(
        fc.asyncProperty(request, async (data) => {
          const raw = await rawExchange(data);
          if (raw === "") {
            return;
          }
          const head = /^HTTP\/1\.1 (\d{3}) /.exec(raw);
          expect(head, raw.slice(0, 300)).not.toBeNull();
          const status = Number(head?.[1]);
          expect(status, raw.slice(0, 300)).toBeLessThan(500);
          if (status >= 400) {
            expect(raw, raw.slice(0, 300)).toMatch(/content-type: application\/json/i);
            expect(raw, raw.slice(0, 300)).toMatch(/"errors":\[\{"code":\d+,"title":"[^"]+"/);
          }
        }),
        { numRuns: 150 },
      );
      await expectStillServing();
    },
    HARD_LIMIT_MS,
  );
});

describe("requests Node refuses before the reference's handler runs (found by the fuzz above)", () => {
  it.each([
    {
      given: "an Expect other than 100-continue",
      raw: "POST /v1/account HTTP/1.1\r\nHost: x\r\nExpect: fax\r\nContent-Length: 2\r\n\r\n{}",
      status: 417,
    },
    { given: "a method Node does not know", raw: "FOO /v1/account HTTP/1.1\r\nHost: x\r\n\r\n", status: 400 },
    { given: "an HTTP/1.1 request without Host", raw: "POST /v1/account HTTP/1.1\r\n\r\n", status: 400 },
    {
      given: "headers larger than Node accepts",
      raw: `GET /v1/account HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      status: 431,
    },
    { given: "bytes that are no HTTP at all", raw: "\u0000\u0001 hello\r\n\r\n", status: 400 },
  ])("answers $status in the envelope, and closes, for $given", async ({ raw, status }) => {
    const answer = await rawExchange(Buffer.from(raw, "latin1"));
    const [head = ""] = answer.split("\r\n\r\n");
    expect(head, answer.slice(0, 300)).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toMatch(/\r\ncontent-type: application\/json/i);
    expect(head).toMatch(/\r\nconnection: close/i);
    // The body may come chunked (a ServerResponse) or whole (written raw to the socket): take the JSON itself.
    const parsed: unknown = JSON.parse(answer.slice(answer.indexOf("{"), answer.lastIndexOf("}") + 1));
    expect(parsed).toMatchObject({
      meta: { version: expect.any(String) },
      errors: [{ code: 1025, title: "Invalid Request" }],
    });
  });
});
