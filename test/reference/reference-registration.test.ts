// The reference's POST /v1/account in registration-open over real HTTP: each row of contract-decisions.md, checked against the contract.
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { requireOperation } from "../../src/contract/contract.js";
import { CERT, contract, freshNumber, Target, valid } from "./reference-target.js";

describe("registration-open: POST /v1/account", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  it("answers 202 with the vname decoded from the cert, for both certificate layouts", async () => {
    t.codeSent(await t.account(valid()));
    const bare = encodeCertificate({ vname: "Bare Layout Ltd", layout: "bare" });
    t.codeSent(await t.account(valid({ cert: bare, method: "voice" })), "Bare Layout Ltd");
  });

  it("accepts a toll-free number given with its country code", async () => {
    t.codeSent(await t.account({ cc: "1", phone_number: "8005550199", method: "voice", cert: CERT }));
  });

  it("answers 201 with {meta} only for a registered number", async () => {
    const number = freshNumber();
    await t.setup("number-registered", number);
    t.registered(await t.account({ ...number, method: "sms", cert: CERT }));
  });

  it("with two-step on: missing pin 400/1008, wrong pin 403/1005, right pin 201", async () => {
    const number = freshNumber();
    await t.setup("two-step-enabled", { ...number, pin: "246810" });
    const body = { ...number, method: "sms", cert: CERT };
    expect(t.error(await t.account(body), 400, 1008, "requestCode").details).toContain("pin");
    t.error(await t.account({ ...body, pin: "135791" }), 403, 1005, "requestCode");
    t.registered(await t.account({ ...body, pin: "246810" }));
  });

  it.each(["cc", "phone_number", "method", "cert"])(
    "answers 400/1008 naming %s when it is missing",
    async (field) => {
      const body = valid();
      delete body[field];
      expect(t.error(await t.account(body), 400, 1008, "requestCode").details).toContain(field);
    },
  );

  it("answers 400/1008 for an empty object", async () => {
    t.error(await t.account({}), 400, 1008, "requestCode");
  });

  const requestProperties = requireOperation(contract, "requestCode").requestSchema?.properties ?? {};
  const invalidValues = Object.entries(requestProperties).flatMap(([field, schema]) =>
    (((schema as Record<string, unknown>)["x-invalid-examples"] ?? []) as unknown[]).map(
      (value) => [field, value] as const,
    ),
  );
  it("finds invalid examples for every request field in the contract", () => {
    expect(new Set(invalidValues.map(([field]) => field))).toEqual(
      new Set(["cc", "phone_number", "method", "cert", "pin"]),
    );
  });
  it.each(invalidValues)(
    "answers 400/1009 when %s is %j (the contract's invalid examples)",
    async (field, value) => {
      t.error(await t.account(valid({ [field]: value })), 400, 1009, "requestCode");
    },
  );

  it.each([
    ["cc", 1],
    ["phone_number", 5550100001],
    ["method", null],
    ["cert", ["a"]],
    ["pin", 123456],
  ])("answers 400/1009 when %s has the wrong type (%j)", async (field, value) => {
    t.error(await t.account(valid({ [field]: value })), 400, 1009, "requestCode");
  });

  it.each([
    ["not-base64", "abcde"],
    ["not-certificate", Buffer.from("hello world").toString("base64")],
    ["no-verified-name", encodeCertificate({ vname: "" })],
  ])("answers 400/1009 for a cert that is %s", async (kind, cert) => {
    expect(t.error(await t.account(valid({ cert })), 400, 1009, "requestCode").details).toContain(kind);
  });

  it("denies SMS past the limit with 403/1005 while voice still answers 202", async () => {
    const number = freshNumber();
    for (let attempt = 0; attempt < 3; attempt++) {
      t.codeSent(await t.account({ ...number, method: "sms", cert: CERT }));
    }
    const denied = t.error(
      await t.account({ ...number, method: "sms", cert: CERT }),
      403,
      1005,
      "requestCode",
    );
    expect(denied.details).toMatch(/SMS/);
    expect(denied.details).toMatch(/voice/);
    t.codeSent(await t.account({ ...number, method: "voice", cert: CERT }));
    t.codeSent(await t.account({ ...number, method: "voice", cert: CERT }));
  });

  it("MAY rows: an unknown field and a pin while two-step is off are ignored; SMS upper case is 1009", async () => {
    t.codeSent(await t.account(valid({ shards: 4 })));
    t.codeSent(await t.account(valid({ pin: "123456" })));
    t.error(await t.account(valid({ method: "SMS" })), 400, 1009, "requestCode");
  });

  it("never answers 5xx, and every answer matches the contract, for arbitrary bodies", async () => {
    const field = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null), fc.constant("1"));
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          cc: field,
          phone_number: fc.oneof(field, fc.stringMatching(/^[0-9]{1,15}$/)),
          method: fc.constantFrom("sms", "voice", "SMS", "fax", 7),
          cert: fc.oneof(fc.constant(CERT), fc.base64String({ maxLength: 24 }), fc.string({ maxLength: 8 })),
          pin: fc.oneof(field, fc.stringMatching(/^[0-9]{6}$/)),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const res = await request(t.ref.url)
          .post("/v1/account")
          .set("authorization", `Bearer ${t.token}`)
          .set("content-type", "application/json")
          .send(JSON.stringify(value));
        t.conforms(res, "requestCode");
        expect([201, 202, 400, 403]).toContain(res.status);
      }),
      { numRuns: 80 },
    );
  });
});
