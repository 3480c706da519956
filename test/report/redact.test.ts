// The redactor: headers, sensitive fields at any depth, non-JSON text, learned secrets, and switched off.
import { describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import type { Exchange } from "../../src/exchange.js";
import { REDACTED, Redactor, sensitiveFieldsOf } from "../../src/report/redact.js";

const TOKEN = "tok_9sd8f7g6h5j4k3l2m1n0";
const PASSWORD = "Admin-Pass-42";
const PIN = "482913";
const CERT = "CmQKIAiY2v2Lz0sQBiIGZW50OnJlZ0FjbWUgUGx1bWJpbmcgQ28=";

function exchange(overrides: { requestBody?: string; responseBody?: string; url?: string } = {}): Exchange {
  const responseBody = overrides.responseBody ?? "";
  let json: unknown;
  try {
    json = JSON.parse(responseBody);
  } catch {
    json = undefined;
  }
  return {
    request: {
      method: "POST",
      path: "/v1/account",
      url: overrides.url ?? "http://127.0.0.1:9090/v1/account",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      ...(overrides.requestBody === undefined ? {} : { body: overrides.requestBody }),
    },
    response: {
      status: 400,
      headers: { "content-type": "application/json", "set-cookie": `sid=${TOKEN}; Path=/` },
      bodyText: responseBody,
      json,
      isJson: json !== undefined,
      durationMs: 3,
    },
  };
}

describe("sensitiveFieldsOf", () => {
  it("finds every request property the contract marks x-sensitive", async () => {
    const fields = sensitiveFieldsOf(await loadContract());
    expect([...fields].sort()).toEqual(["cert", "code", "new_password", "pin"]);
  });
});

describe("Redactor", () => {
  it("keeps the scheme of an Authorization header and hides its credentials, and hides Set-Cookie whole", () => {
    const redactor = new Redactor();
    expect(redactor.header("Authorization", `Bearer ${TOKEN}`)).toBe(`Bearer ${REDACTED}`);
    expect(redactor.header("authorization", "Basic YWRtaW46c2VjcmV0")).toBe(`Basic ${REDACTED}`);
    expect(redactor.header("set-cookie", "sid=abc; Path=/")).toBe(REDACTED);
    expect(redactor.header("x-auth-token", "abc")).toBe(REDACTED);
    expect(redactor.header("content-type", "application/json")).toBe("application/json");
  });

  it("redacts sensitive fields at any depth (login answers carry users[].token) and keeps numeric error codes", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const body = {
      users: [{ token: TOKEN, expires_after: "2030-01-01 00:00:00+00:00" }],
      errors: [{ code: 1005, title: "Access denied" }],
      nested: { pin: PIN, cert: CERT, code: "123456", new_password: PASSWORD, password: PASSWORD },
    };
    expect(redactor.json(body)).toEqual({
      users: [{ token: REDACTED, expires_after: "2030-01-01 00:00:00+00:00" }],
      errors: [{ code: 1005, title: "Access denied" }],
      nested: { pin: REDACTED, cert: REDACTED, code: REDACTED, new_password: REDACTED, password: REDACTED },
    });
  });

  it("redacts a JSON body field by field and keeps a clean body byte for byte", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const clean = '{ "cc": "1",  "phone_number": "5550100001" }';
    expect(redactor.body(clean)).toBe(clean);
    expect(JSON.parse(redactor.body(JSON.stringify({ cc: "1", pin: PIN })))).toEqual({
      cc: "1",
      pin: REDACTED,
    });
  });

  it("redacts sensitive fields in malformed JSON, truncated strings, and form or query text", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const malformed = `{"cc":"1","pin":"${PIN}",`;
    expect(redactor.body(malformed)).not.toContain(PIN);
    expect(redactor.body(`{"cert":"${CERT}`)).not.toContain(CERT);
    expect(redactor.text(`pin=${PIN}&cc=1`)).toBe(`pin=${REDACTED}&cc=1`);
    expect(redactor.text(`http://127.0.0.1/v1/x?token=${TOKEN}&a=1`)).toBe(
      `http://127.0.0.1/v1/x?token=${REDACTED}&a=1`,
    );
    expect(redactor.text(`http://admin:${PASSWORD}@127.0.0.1:9090/`)).toBe(
      `http://admin:${REDACTED}@127.0.0.1:9090/`,
    );
  });

  it("learns secrets from exchanges and replaces them in any text, also JSON-escaped", async () => {
    const redactor = Redactor.forContract(await loadContract(), { secrets: [PASSWORD] });
    const seen = exchange({
      requestBody: JSON.stringify({ cc: "1", pin: PIN }),
      responseBody: JSON.stringify({ users: [{ token: "other_token_value_77" }] }),
    });
    redactor.learnFromExchange(seen);
    const text = `echo ${TOKEN} ${PIN} other_token_value_77 ${PASSWORD} ${JSON.stringify(`a"${PASSWORD}`)}`;
    const redacted = redactor.text(text);
    for (const secret of [TOKEN, PIN, "other_token_value_77", PASSWORD]) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted.startsWith(`echo ${REDACTED}`)).toBe(true);
  });

  it("learns the password of a Basic header and a cookie's value", () => {
    const redactor = new Redactor();
    const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;
    const seen = exchange();
    seen.request.headers.authorization = basic;
    redactor.learnFromExchange(seen);
    expect(redactor.text(`the password ${PASSWORD} and cookie ${TOKEN}`)).toBe(
      `the password ${REDACTED} and cookie ${REDACTED}`,
    );
  });

  it("redacts a whole exchange, and a case result's free text", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const raw = exchange({
      requestBody: JSON.stringify({ cc: "1", cert: CERT }),
      responseBody: `not json: token ${TOKEN}`,
    });
    redactor.learnFromExchange(raw);
    const shown = redactor.exchange(raw);
    expect(JSON.stringify(shown)).not.toContain(TOKEN);
    expect(JSON.stringify(shown)).not.toContain(CERT);
    expect(shown.request.headers.authorization).toBe(`Bearer ${REDACTED}`);
    expect(raw.request.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("does nothing when switched off (--include-secrets)", async () => {
    const redactor = Redactor.forContract(await loadContract(), { enabled: false, secrets: [PASSWORD] });
    const raw = exchange({ requestBody: JSON.stringify({ pin: PIN }) });
    expect(redactor.exchange(raw)).toBe(raw);
    expect(redactor.text(`${PASSWORD} pin=${PIN}`)).toBe(`${PASSWORD} pin=${PIN}`);
    expect(redactor.header("authorization", `Bearer ${TOKEN}`)).toBe(`Bearer ${TOKEN}`);
  });

  it("does not search free text for very short learned values, which would wreck the evidence", () => {
    const redactor = new Redactor({ secrets: ["1", "abc"] });
    expect(redactor.text("status 1 abc")).toBe("status 1 abc");
  });

  it("shares learned secrets with a copy that uses another marker", () => {
    const redactor = new Redactor();
    const marked = redactor.withMarker((name) => `<${name}>`);
    redactor.learn(TOKEN);
    expect(marked.text(`x ${TOKEN}`)).toBe("x <secret>");
    expect(marked.json({ pin: PIN, password: PASSWORD })).toEqual({ pin: PIN, password: "<password>" });
  });
});
