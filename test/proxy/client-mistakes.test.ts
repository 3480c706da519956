// Planted client mistakes through the proxy: each is reported against the client with the requirement a real server refuses it under, and the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { adminToken, exchange, freshNumber, type Proxied, proxiedReference, type Sent } from "./support.js";

let proxy: Proxied;
let token = "";
beforeAll(async () => {
  proxy = await proxiedReference();
  token = await adminToken(proxy.url);
});
afterAll(() => proxy.close());

const cert = encodeCertificate({ vname: "Acme Plumbing Co" });

interface Mistake {
  name: string;
  request: () => Sent;
  /** The client-side judgements: "LEVEL requirement" and a word of the received text (the field). */
  expected: { level: string; requirement: string; field: RegExp }[];
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}): Sent => ({
  method: "POST",
  path,
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const registration = (fields: Record<string, unknown>) => ({
  ...freshNumber(),
  method: "sms",
  cert,
  ...fields,
});

const MISTAKES: Mistake[] = [
  {
    name: "no token",
    request: () => ({
      ...post("/v1/account", registration({})),
      headers: { "content-type": "application/json" },
    }),
    expected: [
      { level: "MUST", requirement: "missing-or-unknown-token-answers-401", field: /no Authorization/ },
    ],
  },
  {
    name: "Basic credentials where a Bearer token is needed",
    request: () => post("/v1/account", registration({}), { authorization: "Basic YWRtaW46c2VjcmV0" }),
    expected: [
      { level: "MUST", requirement: "missing-or-unknown-token-answers-401", field: /scheme "Basic"/ },
    ],
  },
  {
    name: "cc missing",
    request: () => post("/v1/account", { phone_number: "5550100001", method: "sms", cert }),
    expected: [{ level: "MUST", requirement: "missing-field-rejected-with-1008-or-1009", field: /field cc/ }],
  },
  {
    name: "a + in cc",
    request: () => post("/v1/account", registration({ cc: "+1" })),
    expected: [{ level: "MUST", requirement: "invalid-field-rejected-with-1008-or-1009", field: /field cc/ }],
  },
  {
    name: "a + in phone_number",
    request: () => post("/v1/account", registration({ phone_number: "+15550100001" })),
    expected: [
      { level: "MUST", requirement: "invalid-field-rejected-with-1008-or-1009", field: /field phone_number/ },
    ],
  },
  {
    name: "a method that is neither sms nor voice",
    request: () => post("/v1/account", registration({ method: "fax" })),
    expected: [
      { level: "MUST", requirement: "invalid-field-rejected-with-1008-or-1009", field: /field method/ },
    ],
  },
  {
    name: "a cert that is not base64",
    request: () => post("/v1/account", registration({ cert: "not base64!" })),
    expected: [{ level: "MUST", requirement: "bad-cert-rejected-with-1005-or-1009", field: /field cert/ }],
  },
  {
    name: "a cert that is base64 but no certificate",
    request: () => post("/v1/account", registration({ cert: Buffer.from("hello world").toString("base64") })),
    expected: [{ level: "MUST", requirement: "bad-cert-rejected-with-1005-or-1009", field: /field cert/ }],
  },
  {
    name: "a 5-digit pin",
    request: () => post("/v1/account", registration({ pin: "12345" })),
    expected: [
      { level: "MUST", requirement: "invalid-field-rejected-with-1008-or-1009", field: /field pin/ },
    ],
  },
  {
    name: "form pairs instead of JSON",
    request: () =>
      post("/v1/account", "cc=1&phone_number=5550100001&method=sms", {
        "content-type": "application/x-www-form-urlencoded",
      }),
    expected: [{ level: "MUST", requirement: "malformed-body-rejected", field: /not JSON/ }],
  },
  {
    name: "a JSON array body",
    request: () => post("/v1/account", "[]"),
    expected: [{ level: "MUST", requirement: "malformed-body-rejected", field: /array/ }],
  },
  {
    name: "an empty verification code",
    request: () => post("/v1/account/verify", { code: "" }),
    expected: [{ level: "MUST", requirement: "edge-body-violation-rejected", field: /field code/ }],
  },
  {
    name: "a two-step pin of letters",
    request: () => post("/v1/settings/account/two-step", { pin: "abcdef" }),
    expected: [{ level: "MUST", requirement: "edge-body-violation-rejected", field: /field pin/ }],
  },
  {
    name: "a two-step request with no body",
    request: () => ({ ...post("/v1/settings/account/two-step", ""), body: undefined }),
    expected: [{ level: "MUST", requirement: "malformed-body-rejected", field: /no body/ }],
  },
];

describe("a planted client mistake", () => {
  it.each(MISTAKES)(
    "$name: FAIL for the client, the requirement and the field named; the reference refuses it",
    async (mistake) => {
      const { answer, result } = await exchange(proxy, mistake.request());
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(result.verdict).toBe("FAIL");
      for (const expected of mistake.expected) {
        const found = result.failures.find(
          (failure) =>
            failure.requirement === expected.requirement &&
            failure.level === expected.level &&
            failure.check.startsWith("client:") &&
            expected.field.test(failure.received),
        );
        expect(found, JSON.stringify(result.failures, null, 1)).toBeDefined();
      }
      // The reference refused it, so the server broke nothing.
      expect(result.failures.filter((failure) => failure.check.startsWith("server:"))).toEqual([]);
    },
  );

  it("observes what is the target's choice without failing: SMS in capitals, an unknown field, a number with its country code", async () => {
    const { result } = await exchange(
      proxy,
      post("/v1/account", { cc: "44", phone_number: "447700900123", method: "SMS", cert, referral: "x" }),
    );
    expect(result.observations.map((observation) => observation.requirement).sort()).toEqual([
      "method-case-handling",
      "phone-number-with-country-code-handling",
      "unknown-field-handling",
    ]);
    expect(result.failures.filter((failure) => failure.level === "MUST")).toEqual([]);
  });
});
