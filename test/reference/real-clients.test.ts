// Replays the request shapes of real clients of /v1/account against the reference over HTTP: each gets a real server's answer.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeCertificate, encodeCertificate } from "../../src/cert/certificate.js";
import { loadContract, requireOperation } from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";
import { createReferenceHandler, PROVIDER_STATE_PATH } from "../../src/reference/index.js";

// The shapes are written out here, from the clients' public code as read for the kit (sources named per block);
// the tests never read anything outside the project.

const contract = await loadContract();
const schemas = schemasFor(contract);
/** The reference hands the pending code out in this header, standing in for the SMS a real client waits for. */
const CODE_HEADER = "x-conformance-code";
const BASIC_ADMIN = `Basic ${Buffer.from("admin:secret").toString("base64")}`;

interface Sent {
  method: string;
  path: string;
  /** Exactly the headers the client sets; Host is added, and Content-Length only where written here. */
  headers: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body was empty. */
  body: unknown;
}

/** What the reference received: the headers of each request, to prove the shape reached it as written. */
const received: { path: string; headers: IncomingHttpHeaders; bodyBytes: number }[] = [];
let baseUrl = "";
let closeServer: () => Promise<void> = async () => {};

beforeAll(async () => {
  const handle = createReferenceHandler(contract, { codeHeader: CODE_HEADER });
  const server = createServer((req, res) => {
    const seen = { path: req.url ?? "", headers: req.headers, bodyBytes: 0 };
    received.push(seen);
    req.on("data", (chunk: Buffer) => {
      seen.bodyBytes += chunk.length;
    });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeServer = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
});
afterAll(() => closeServer());

/** Sends one request with node:http, byte for byte as given (no client library adds or rewrites a header). */
function send({ method, path, headers, body }: Sent): Promise<Answer> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text === "" ? undefined : (JSON.parse(text) as unknown),
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The last request the reference received on a path. */
function lastReceived(path: string): { headers: IncomingHttpHeaders; bodyBytes: number } {
  const seen = received.filter((entry) => entry.path === path).at(-1);
  if (seen === undefined) {
    throw new Error(`the reference received nothing on ${path}`);
  }
  return seen;
}

async function setUp(state: string, params: Record<string, string>): Promise<void> {
  const answer = await send({
    method: "POST",
    path: PROVIDER_STATE_PATH,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ state, params }),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

let nextNumber = 5_550_300_000;
function freshNumber(): { cc: string; phone_number: string } {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber) };
}

/** A JSON answer whose body matches the contract's schema for the operation and status. */
function conforms(answer: Answer, operationId: string, status: number): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers["content-type"]).toMatch(/^application\/json(;|$)/);
  const schema = schemas.responseSchema(requireOperation(contract, operationId), status);
  expect(schema, `the contract declares ${operationId} ${status}`).toBeDefined();
  if (schema !== undefined) {
    expect(schemas.check(schema, answer.body ?? null)).toEqual([]);
  }
}

/** 202 whose account[0].vname is the verified name the cert holds; the pending code it announced. */
function codeSent(answer: Answer, cert: string): string {
  conforms(answer, "requestCode", 202);
  expect(answer.body).toMatchObject({ account: [{ vname: decodeCertificate(cert).verifiedName }] });
  const code = answer.headers[CODE_HEADER];
  expect(code).toMatch(/^[0-9]{6}$/);
  return String(code);
}

/** 201 with no account: what a real server answers for a registered number and a completed verify. */
function registered(answer: Answer, operationId = "requestCode"): void {
  conforms(answer, operationId, 201);
  expect(answer.body).not.toHaveProperty("account");
}

/** 200 with users[0].token and expires_after, the token the client then sends as Bearer. */
function loggedIn(answer: Answer): string {
  conforms(answer, "login", 200);
  const [user] = (answer.body as { users: { token: string; expires_after: string }[] }).users;
  expect(user?.token).toMatch(/\S/);
  // Meta's format, which Python's datetime.fromisoformat (used by the Python client) reads.
  expect(user?.expires_after).toMatch(/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00$/);
  expect(Date.parse(String(user?.expires_after).replace(" ", "T"))).toBeGreaterThan(Date.now());
  return String(user?.token);
}

const json = (value: unknown): string => JSON.stringify(value);
/** How Postman sends its raw bodies: tab-indented, as typed in the collection. */
const postmanJson = (value: unknown): string => JSON.stringify(value, null, "\t");
const length = (body: string): string => String(Buffer.byteLength(body));

describe("the PHP SDK (yocto/whatsapp-business-sdk-php: src/Edges/Account.php, src/API.php)", () => {
  // libcurl's CURLOPT_POSTFIELDS with only an Authorization header set: the JSON goes out labelled
  // application/x-www-form-urlencoded, with libcurl's own Accept: */*.
  const curlPost = (path: string, token: string, body: string): Sent => ({
    method: "POST",
    path,
    headers: {
      authorization: `Bearer ${token}`,
      accept: "*/*",
      "content-type": "application/x-www-form-urlencoded",
      "content-length": length(body),
    },
    body,
  });
  let token = "";

  it("logs in with {} labelled application/json and Basic auth: 200 with a token", async () => {
    const body = "{}";
    token = loggedIn(
      await send({
        method: "POST",
        path: "/v1/users/login",
        headers: {
          authorization: BASIC_ADMIN,
          accept: "*/*",
          "content-type": "application/json",
          "content-length": length(body),
        },
        body,
      }),
    );
  });

  it("requests a code with its JSON labelled form-urlencoded, verifies the same way: 202, 201, then 201", async () => {
    const number = freshNumber();
    const cert = encodeCertificate({ vname: "Padaria São João" });
    const registration = json({ cc: number.cc, phone_number: number.phone_number, method: "sms", cert });
    const code = codeSent(await send(curlPost("/v1/account", token, registration)), cert);
    expect(lastReceived("/v1/account").headers["content-type"]).toBe("application/x-www-form-urlencoded");
    registered(await send(curlPost("/v1/account/verify", token, json({ code }))), "verifyAccount");
    expect(lastReceived("/v1/account/verify").headers["content-type"]).toBe(
      "application/x-www-form-urlencoded",
    );
    registered(await send(curlPost("/v1/account", token, registration)));
  });

  it("adds pin only when it is given: with two-step on and the right pin, 201", async () => {
    const number = freshNumber();
    await setUp("two-step-enabled", { ...number, pin: "314159" });
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });
    const body = json({ ...number, method: "sms", cert, pin: "314159" });
    registered(await send(curlPost("/v1/account", token, body)));
  });

  it("removes two-step with a DELETE that has no body and no Content-Type: 200", async () => {
    await setUp("two-step-enabled", { ...freshNumber(), pin: "271828" });
    const answer = await send({
      method: "DELETE",
      path: "/v1/settings/account/two-step",
      headers: { authorization: `Bearer ${token}`, accept: "*/*" },
    });
    conforms(answer, "disableTwoStep", 200);
    const seen = lastReceived("/v1/settings/account/two-step");
    expect(seen.headers["content-type"]).toBeUndefined();
    expect(seen.bodyBytes).toBe(0);
  });
});

describe("the Python client (praekeltfoundation/python-whatsapp-business-client: wabclient/client.py)", () => {
  // requests with Content-Type: application/json set on the session, so every request carries it.
  const session = {
    "user-agent": "python-requests/2.31.0",
    "accept-encoding": "gzip, deflate",
    accept: "*/*",
    connection: "keep-alive",
    "content-type": "application/json",
  };
  const post = (path: string, token: string, body: string): Sent => ({
    method: "POST",
    path,
    headers: { ...session, authorization: `Bearer ${token}`, "content-length": length(body) },
    body,
  });
  let token = "";

  it("logs in with no body under Content-Type application/json: 200, users[0].token, expires_after", async () => {
    token = loggedIn(
      await send({
        method: "POST",
        path: "/v1/users/login",
        headers: { ...session, authorization: BASIC_ADMIN, "content-length": "0" },
      }),
    );
    expect(lastReceived("/v1/users/login").headers["content-type"]).toBe("application/json");
  });

  it.each(["sms", "voice"])(
    "requests a code by %s without pin, then verifies: 202, then 201",
    async (method) => {
      const number = freshNumber();
      const cert = encodeCertificate({ vname: "Kedai Kopi Ñandú 東京" });
      // pin is left out of the body when it is None.
      const body = json({ cc: number.cc, phone_number: number.phone_number, method, cert });
      const code = codeSent(await send(post("/v1/account", token, body)), cert);
      registered(await send(post("/v1/account/verify", token, json({ code }))), "verifyAccount");
    },
  );
});

describe("the generated TypeScript SDK (konfig-sdks/whats-app-business-typescript-sdk)", () => {
  // api/registration-api-generated.ts builds {cc, cert, method, phone_number, pin} in that order and axios sends
  // it as JSON; pin is optional in its model, so JSON.stringify drops it when the caller gives none.
  const axiosPost = (token: string, fields: Record<string, string | undefined>): Sent => {
    const body = JSON.stringify({
      cc: fields.cc,
      cert: fields.cert,
      method: fields.method,
      phone_number: fields.phone_number,
      pin: fields.pin,
    });
    return {
      method: "POST",
      path: "/v1/account",
      headers: {
        accept: "application/json, text/plain, */*",
        "content-type": "application/json",
        "user-agent": "Konfig/1.0.0/typescript",
        authorization: `Bearer ${token}`,
        "content-length": length(body),
      },
      body,
    };
  };
  let token = "";
  beforeAll(async () => {
    token = loggedIn(
      await send({ method: "POST", path: "/v1/users/login", headers: { authorization: BASIC_ADMIN } }),
    );
  });

  it("sends the full field set with Bearer auth: with two-step on and its pin, 201", async () => {
    const number = freshNumber();
    await setUp("two-step-enabled", { ...number, pin: "161803" });
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });
    registered(await send(axiosPost(token, { ...number, method: "sms", cert, pin: "161803" })));
  });

  it("leaves pin out when the caller gives none: 202 with the vname", async () => {
    const cert = encodeCertificate({ vname: "Generated Client Ltd" });
    const sent = axiosPost(token, { ...freshNumber(), method: "voice", cert });
    expect(Object.keys(JSON.parse(sent.body ?? "{}"))).toEqual(["cc", "cert", "method", "phone_number"]);
    codeSent(await send(sent), cert);
  });

  it("sends a pin while two-step is off, which the reference ignores (a MAY of the contract): 202", async () => {
    const cert = encodeCertificate({ vname: "Generated Client Ltd" });
    codeSent(await send(axiosPost(token, { ...freshNumber(), method: "sms", cert, pin: "000000" })), cert);
  });
});

describe("Meta's On-Premises Postman collection (v2.23)", () => {
  const postman = (method: string, path: string, authorization: string, body?: string): Sent => ({
    method,
    path,
    headers: {
      "content-type": "application/json",
      authorization,
      "user-agent": "PostmanRuntime/7.36.0",
      accept: "*/*",
      ...(body === undefined ? {} : { "content-length": length(body) }),
    },
    ...(body === undefined ? {} : { body }),
  });
  let bearer = "";

  it("Login-Admin with an empty raw body under the JSON Content-Type: 200 with a token", async () => {
    bearer = `Bearer ${loggedIn(await send(postman("POST", "/v1/users/login", BASIC_ADMIN, "")))}`;
  });

  it("Request-Code, Register-Account, and Request-Code again: 202 with the vname, 201, 201", async () => {
    const number = freshNumber();
    const cert = encodeCertificate({ vname: "Café Ñandú" });
    const body = postmanJson({ cc: number.cc, phone_number: number.phone_number, method: "sms", cert });
    const code = codeSent(await send(postman("POST", "/v1/account", bearer, body)), cert);
    const verified = await send(postman("POST", "/v1/account/verify", bearer, postmanJson({ code })));
    registered(verified, "verifyAccount");
    // "201 Created with no payload object": the body holds at most meta.
    expect(Object.keys((verified.body ?? {}) as object)).toEqual(["meta"]);
    registered(await send(postman("POST", "/v1/account", bearer, body)));
  });

  it("Enable-Two-Step {pin}, then Disable-Two-Step with the JSON label and no body: 200 each", async () => {
    const number = freshNumber();
    await setUp("number-registered", number);
    const enabled = await send(
      postman("POST", "/v1/settings/account/two-step", bearer, postmanJson({ pin: "123456" })),
    );
    conforms(enabled, "enableTwoStep", 200);
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });
    const withPin = { ...number, method: "sms", cert, pin: "123456" };
    registered(await send(postman("POST", "/v1/account", bearer, postmanJson(withPin))));
    const disabled = await send(postman("DELETE", "/v1/settings/account/two-step", bearer, ""));
    conforms(disabled, "disableTwoStep", 200);
    const withoutPin = { ...number, method: "sms", cert };
    registered(await send(postman("POST", "/v1/account", bearer, postmanJson(withoutPin))));
  });
});
