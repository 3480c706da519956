// Byte-level transparency: for every kind of reference answer, errors and protocol errors included, a client reads the same bytes through the proxy as directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { endToEndHeaders } from "../../src/proxy/forward.js";
import { PROVIDER_STATE_PATH, startReference } from "../../src/reference/index.js";
import {
  adminToken,
  BASIC_ADMIN,
  freshNumber,
  type Proxied,
  rawExchange,
  send,
  startProxy,
} from "./support.js";

let proxy: Proxied;
let referenceUrl = "";
let token = "";
beforeAll(async () => {
  const reference = await startReference({});
  referenceUrl = reference.url;
  proxy = await startProxy(reference.url, { closeUpstream: () => reference.close() });
  token = await adminToken(reference.url);
});
afterAll(() => proxy.close());

const cert = encodeCertificate({ vname: "Acme Plumbing Co" });

/** An HTTP/1.1 request as bytes; `Connection: close` so that each side closes after its answer. */
function http(method: string, path: string, headers: Record<string, string>, body = ""): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }
  if (body !== "" || method === "POST") {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

const bearer = () => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });
const registration = () => JSON.stringify({ ...freshNumber(), method: "sms", cert });

/** Values that differ from one answer to the next whoever asks: the Date header, a fresh token and its expiry. */
function normalized(bytes: Buffer): string {
  return bytes
    .toString("latin1")
    .replace(/^(Date: ).*$/gim, "$1<date>")
    .replace(/"token":"[^"]*"/g, '"token":"<token>"')
    .replace(/"expires_after":"[^"]*"/g, '"expires_after":"<expires>"');
}

interface Case {
  name: string;
  /** Fresh bytes for each side (a fresh number), so both meet the same state. */
  bytes: () => string | Buffer | Promise<string | Buffer>;
  /** The status line the answer starts with, so a case cannot pass on two identical empty answers. */
  status: RegExp;
}

const CASES: Case[] = [
  {
    name: "login: 200 with a token",
    bytes: () => http("POST", "/v1/users/login", { Authorization: BASIC_ADMIN }),
    status: /^HTTP\/1\.1 200 OK/,
  },
  {
    // As `curl -X POST -u admin:secret` sends it: no Content-Length, no Transfer-Encoding, so no body at all.
    name: "login with no body framing at all: 200 with a token",
    bytes: () =>
      `POST /v1/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: ${BASIC_ADMIN}\r\n\r\n`,
    status: /^HTTP\/1\.1 200 OK/,
  },
  {
    name: "a new number: 202 with the vname",
    bytes: () => http("POST", "/v1/account", bearer(), registration()),
    status: /^HTTP\/1\.1 202/,
  },
  {
    name: "a registered number: 201",
    bytes: async () => {
      const number = freshNumber();
      const setUp = await send(referenceUrl, {
        method: "POST",
        path: PROVIDER_STATE_PATH,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ state: "number-registered", params: number }),
      });
      expect(setUp.status).toBe(200);
      return http("POST", "/v1/account", bearer(), JSON.stringify({ ...number, method: "sms", cert }));
    },
    status: /^HTTP\/1\.1 201/,
  },
  {
    name: "a missing field: 400 with 1008",
    bytes: () => http("POST", "/v1/account", bearer(), JSON.stringify({ cc: "1" })),
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "an invalid field: 400 with 1009",
    bytes: () =>
      http("POST", "/v1/account", bearer(), JSON.stringify({ ...freshNumber(), method: "fax", cert })),
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "not JSON: 400",
    bytes: () => http("POST", "/v1/account", bearer(), "cc=1"),
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "no token: 401",
    bytes: () => http("POST", "/v1/account", { "Content-Type": "application/json" }, registration()),
    status: /^HTTP\/1\.1 401/,
  },
  {
    name: "a wrong code: 400",
    bytes: () => http("POST", "/v1/account/verify", bearer(), '{"code":"000000"}'),
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "two-step set: 200",
    bytes: () => http("POST", "/v1/settings/account/two-step", bearer(), '{"pin":"123456"}'),
    status: /^HTTP\/1\.1 200/,
  },
  {
    name: "two-step removed: 200",
    bytes: () => http("DELETE", "/v1/settings/account/two-step", { Authorization: `Bearer ${token}` }),
    status: /^HTTP\/1\.1 200/,
  },
  {
    name: "an unknown path: 404",
    bytes: () => http("GET", "/v1/nothing?x=1", bearer()),
    status: /^HTTP\/1\.1 404/,
  },
  { name: "GET /v1/account", bytes: () => http("GET", "/v1/account", bearer()), status: /^HTTP\/1\.1 \d{3}/ },
  {
    name: "an oversized body: 413",
    bytes: () => http("POST", "/v1/account", bearer(), JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) })),
    status: /^HTTP\/1\.1 413/,
  },
  {
    name: "a chunked body: 202",
    bytes: () => {
      const body = registration();
      const head = [
        "POST /v1/account HTTP/1.1",
        "Host: 127.0.0.1",
        "Connection: close",
        `Authorization: Bearer ${token}`,
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
      ];
      return `${head.join("\r\n")}\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    },
    status: /^HTTP\/1\.1 202/,
  },
  {
    name: "Expect: 100-continue: the 100, then the 202",
    bytes: () => http("POST", "/v1/account", { ...bearer(), Expect: "100-continue" }, registration()),
    status: /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202/,
  },
  {
    name: "an unmet Expect: 417",
    bytes: () => http("POST", "/v1/account", { ...bearer(), Expect: "teapot" }, registration()),
    status: /^HTTP\/1\.1 417/,
  },
  {
    name: "HTTP/1.1 without Host: 400",
    bytes: () => `POST /v1/account HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}`,
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "a request line that is not HTTP: 400",
    bytes: () => "HELLO THERE\r\n\r\n",
    status: /^HTTP\/1\.1 400/,
  },
  {
    name: "headers too large: 431",
    bytes: () => http("GET", "/v1/account", { "X-Big": "y".repeat(20 * 1024) }),
    status: /^HTTP\/1\.1 431/,
  },
];

describe("what a client reads, directly and through the proxy", () => {
  it.each(CASES)("$name: the same bytes", async (testCase) => {
    const direct = await rawExchange(referenceUrl, await testCase.bytes());
    const proxied = await rawExchange(proxy.url, await testCase.bytes());
    expect(normalized(direct)).toMatch(testCase.status);
    expect(normalized(proxied)).toBe(normalized(direct));
  });
});

describe("hop-by-hop fields (RFC 9110 7.6.1)", () => {
  it("are not relayed: Connection, the fields it names, Keep-Alive, TE, Transfer-Encoding, Upgrade; the rest keep their order", () => {
    expect(
      endToEndHeaders([
        "X-First",
        "1",
        "Connection",
        "keep-alive, X-Secret-Hop",
        "X-Secret-Hop",
        "a",
        "Keep-Alive",
        "timeout=5",
        "TE",
        "trailers",
        "Transfer-Encoding",
        "chunked",
        "Upgrade",
        "h2c",
        "Proxy-Connection",
        "keep-alive",
        "content-length",
        "2",
        "X-First",
        "2",
      ]),
    ).toEqual(["X-First", "1", "content-length", "2", "X-First", "2"]);
  });

  it("a request's header names, values and order reach the upstream unchanged, hop-by-hop fields aside", async () => {
    const { createServer } = await import("node:http");
    const seen: string[][] = [];
    const upstream = createServer((req, res) => {
      seen.push(req.rawHeaders);
      res.end();
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const address = upstream.address() as { port: number };
    const local = await startProxy(`http://127.0.0.1:${address.port}`, {
      closeUpstream: () => new Promise<void>((resolve) => upstream.close(() => resolve())),
    });
    try {
      await rawExchange(
        local.url,
        "GET /x HTTP/1.1\r\nhost: Example.Test\r\nX-B: 2\r\nx-a: 1\r\nConnection: close, X-Hop\r\nX-Hop: h\r\nX-B: 3\r\n\r\n",
      );
      expect(seen[0]?.slice(0, 8)).toEqual(["host", "Example.Test", "X-B", "2", "x-a", "1", "X-B", "3"]);
    } finally {
      await local.close();
    }
  });
});
