// Real clients' request shapes through the proxy against the reference: a valid client breaks no MUST or SHOULD, on either side.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { sessionOutcome } from "../../src/proxy/proxy-report.js";
import { PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import {
  BASIC_ADMIN,
  broken,
  CODE_HEADER,
  contract,
  exchange,
  freshNumber,
  type Proxied,
  proxiedReference,
  type Sent,
} from "./support.js";

// The shapes are those of /work/shared/reference/real-clients.md, as test/reference/real-clients.test.ts writes
// them out (sources named per block there).

let proxy: Proxied;
beforeAll(async () => {
  proxy = await proxiedReference();
});
afterAll(() => proxy.close());

const json = (value: unknown): string => JSON.stringify(value);
const length = (body: string): string => String(Buffer.byteLength(body));

/** Sends through the proxy and returns the answer's status, the code header and what the proxy found. */
async function clean(sent: Sent): Promise<{ status: number; code: string; body: unknown }> {
  const { answer, result } = await exchange(proxy, sent);
  expect(result.failures, `${result.description}: ${JSON.stringify(result.failures)}`).toEqual([]);
  expect(["PASS", "INFO", "SKIP"]).toContain(result.verdict);
  return { status: answer.status, code: String(answer.headers[CODE_HEADER] ?? ""), body: answer.body };
}

async function tokenFrom(sent: Sent): Promise<string> {
  const { status, body } = await clean(sent);
  expect(status).toBe(200);
  return String((body as { users: { token: string }[] }).users[0]?.token);
}

describe("the PHP SDK (JSON labelled form-urlencoded by libcurl)", () => {
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

  it("login, code, verify, code again, two-step removal: no violation; the label is observed (MAY) only", async () => {
    const token = await tokenFrom({
      method: "POST",
      path: "/v1/users/login",
      headers: {
        authorization: BASIC_ADMIN,
        accept: "*/*",
        "content-type": "application/json",
        "content-length": "2",
      },
      body: "{}",
    });
    const number = freshNumber();
    const registration = json({
      ...number,
      method: "sms",
      cert: encodeCertificate({ vname: "Padaria São João" }),
    });
    const { answer, result } = await exchange(proxy, curlPost("/v1/account", token, registration));
    expect(answer.status).toBe(202);
    expect(broken(result)).toEqual(["MAY mislabelled-json-handling (client)"]);
    expect(result.verdict).toBe("INFO");
    const code = String(answer.headers[CODE_HEADER]);
    expect((await clean(curlPost("/v1/account/verify", token, json({ code })))).status).toBe(201);
    expect((await clean(curlPost("/v1/account", token, registration))).status).toBe(201);
    const removal = await clean({
      method: "DELETE",
      path: "/v1/settings/account/two-step",
      headers: { authorization: `Bearer ${token}`, accept: "*/*" },
    });
    expect(removal.status).toBe(200);
  });
});

describe("the Python client (requests, JSON Content-Type on the session)", () => {
  const session = {
    "user-agent": "python-requests/2.31.0",
    "accept-encoding": "gzip, deflate",
    accept: "*/*",
    connection: "keep-alive",
    "content-type": "application/json",
  };

  it.each(["sms", "voice"])(
    "logs in with no body, requests a code by %s, verifies: PASS throughout",
    async (method) => {
      const token = await tokenFrom({
        method: "POST",
        path: "/v1/users/login",
        headers: { ...session, authorization: BASIC_ADMIN, "content-length": "0" },
      });
      const post = (path: string, body: string): Sent => ({
        method: "POST",
        path,
        headers: { ...session, authorization: `Bearer ${token}`, "content-length": length(body) },
        body,
      });
      const cert = encodeCertificate({ vname: "Kedai Kopi Ñandú 東京" });
      const requested = await clean(post("/v1/account", json({ ...freshNumber(), method, cert })));
      expect(requested.status).toBe(202);
      expect((await clean(post("/v1/account/verify", json({ code: requested.code })))).status).toBe(201);
    },
  );
});

describe("the generated TypeScript SDK and Meta's Postman collection", () => {
  it("sends {cc, cert, method, phone_number, pin} with two-step on and its pin: 201, no violation", async () => {
    const token = await tokenFrom({
      method: "POST",
      path: "/v1/users/login",
      headers: { authorization: BASIC_ADMIN },
    });
    const number = freshNumber();
    // The state is set through the reference's hook, passing through the proxy as any other traffic would.
    const hook = await exchange(proxy, {
      method: "POST",
      path: PROVIDER_STATE_PATH,
      headers: { "content-type": "application/json" },
      body: json({ state: "two-step-enabled", params: { ...number, pin: "161803" } }),
    });
    expect(hook.result.verdict).toBe("SKIP");
    const body = JSON.stringify({
      cc: number.cc,
      cert: encodeCertificate({ vname: "Acme Plumbing Co" }),
      method: "sms",
      phone_number: number.phone_number,
      pin: "161803",
    });
    const answer = await clean({
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
    });
    expect(answer.status).toBe(201);
  });

  it("Postman: login with an empty raw body, tab-indented Request-Code, Register-Account, two-step set and removed", async () => {
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
    const token = await tokenFrom(postman("POST", "/v1/users/login", BASIC_ADMIN, ""));
    const bearer = `Bearer ${token}`;
    const registration = JSON.stringify(
      { ...freshNumber(), method: "sms", cert: encodeCertificate({ vname: "Café Ñandú" }) },
      null,
      "\t",
    );
    const requested = await clean(postman("POST", "/v1/account", bearer, registration));
    expect(requested.status).toBe(202);
    expect(
      (await clean(postman("POST", "/v1/account/verify", bearer, json({ code: requested.code })))).status,
    ).toBe(201);
    expect((await clean(postman("POST", "/v1/account", bearer, registration))).status).toBe(201);
    expect(
      (await clean(postman("POST", "/v1/settings/account/two-step", bearer, json({ pin: "123456" })))).status,
    ).toBe(200);
    expect((await clean(postman("DELETE", "/v1/settings/account/two-step", bearer))).status).toBe(200);
  });

  it("the session so far is conformant: exit 0, and the requirements judged include both sides' rules", () => {
    const outcome = sessionOutcome(contract, proxy.session, false);
    expect(outcome.exitCode).toBe(0);
    const judged = outcome.run.requirements.map((requirement) => requirement.requirement.id);
    expect(judged).toEqual(
      expect.arrayContaining([
        "missing-or-unknown-token-answers-401",
        "invalid-field-rejected-with-1008-or-1009",
        "register-new-number-answers-202-with-vname",
        "verified-number-answers-201",
        "responses-match-contract-schema",
      ]),
    );
    expect(outcome.run.requirements.filter((requirement) => requirement.verdict === "FAIL")).toEqual([]);
  });
});
