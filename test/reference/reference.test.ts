// Drives the reference over real HTTP through every row of contract-decisions.md, checking each answer against the contract.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import request, { type Response } from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { type JsonSchema, loadContract, requireOperation } from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";
import { CONTRACT_PATH } from "../../src/paths.js";
import {
  createReferenceHandler,
  mountReference,
  PROVIDER_STATE_PATH,
  PROVIDER_STATES,
  type ReferenceOptions,
  type RunningReference,
  SUNSET_DETAILS,
  startReference,
} from "../../src/reference/index.js";

const contract = await loadContract();
const schemas = schemasFor(contract);
const errorResponseSchema = contract.document.components?.schemas?.ErrorResponse as JsonSchema;
const VNAME = "Acme Plumbing Co";
const CERT = encodeCertificate({ vname: VNAME });
const ADMIN_BASIC = basic("admin", "secret");

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

let nextNumber = 5_550_100_000;
function freshNumber(): { cc: string; phone_number: string } {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber) };
}

/** What the assertions read from an answer, from supertest or from a raw node:http exchange. */
type Answer = Pick<Response, "status" | "headers" | "body">;

/** Sends bytes exactly as given (supertest re-serializes a Buffer under a JSON content type). */
function rawPost(url: string, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url);
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A started reference with the admin's token, and the assertions every answer must pass. */
class Target {
  token = "";
  private constructor(
    readonly ref: RunningReference,
    readonly apiStatus: "stable" | "deprecated",
  ) {}

  static async start(options: ReferenceOptions = {}): Promise<Target> {
    const ref = await startReference(options);
    const target = new Target(ref, ref.profile === "sunset" ? "deprecated" : "stable");
    target.token = await target.login();
    return target;
  }

  async login(authorization = ADMIN_BASIC): Promise<string> {
    const res = await request(this.ref.url).post("/v1/users/login").set("authorization", authorization);
    this.conforms(res, "login");
    expect(res.status).toBe(200);
    return res.body.users[0].token as string;
  }

  account(body: unknown, token = this.token): Promise<Response> {
    return request(this.ref.url)
      .post("/v1/account")
      .set("authorization", `Bearer ${token}`)
      .send(body as object);
  }

  verify(body: unknown, token = this.token): Promise<Response> {
    return request(this.ref.url)
      .post("/v1/account/verify")
      .set("authorization", `Bearer ${token}`)
      .send(body as object);
  }

  twoStep(method: "post" | "delete", body?: unknown, token = this.token): Promise<Response> {
    const call = request(this.ref.url)
      [method]("/v1/settings/account/two-step")
      .set("authorization", `Bearer ${token}`);
    return body === undefined ? call : call.send(body as object);
  }

  async state(state: string, params: Record<string, unknown> = {}, action?: string): Promise<Response> {
    return request(this.ref.url)
      .post(PROVIDER_STATE_PATH)
      .send({ state, params, ...(action === undefined ? {} : { action }) });
  }

  async setup(state: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const res = await this.state(state, params);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Record<string, unknown>;
  }

  /** JSON content type, the profile's meta, and a body matching the contract's schema for the status. */
  conforms(res: Answer, operationId?: string): void {
    expect(res.status).toBeLessThan(500);
    expect(res.headers["content-type"]).toMatch(/^application\/json(;|$)/);
    expect(res.body.meta).toEqual({ version: "v2.45.1", api_status: this.apiStatus });
    const schema =
      operationId === undefined
        ? errorResponseSchema
        : schemas.responseSchema(requireOperation(contract, operationId), res.status);
    if (schema === undefined) {
      throw new Error(`the contract declares no schema for ${operationId} ${res.status}`);
    }
    expect(schemas.check(schema, res.body)).toEqual([]);
  }

  error(res: Answer, status: number, code: number, operationId?: string): { details: string } {
    expect({ status: res.status, code: res.body.errors?.[0]?.code }, JSON.stringify(res.body)).toEqual({
      status,
      code,
    });
    expect(res.body.errors[0].title).toBe(contract.errorTitles.get(code));
    this.conforms(res, operationId);
    return res.body.errors[0] as { details: string };
  }

  /** 202 with the decoded vname, as requestCode promises for a number not registered. */
  codeSent(res: Response, vname = VNAME): void {
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.account).toEqual([{ vname }]);
    this.conforms(res, "requestCode");
  }

  /** 201 whose body is {meta} only. */
  registered(res: Response, operationId = "requestCode"): void {
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Object.keys(res.body)).toEqual(["meta"]);
    this.conforms(res, operationId);
  }

  close(): Promise<void> {
    return this.ref.close();
  }
}

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...freshNumber(), method: "sms", cert: CERT, ...extra };
}

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

describe("registration-open: verify and two-step settings", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  it("answers 400/1009 while nothing is pending, and the two-step routes refuse with nothing registered", async () => {
    t.error(await t.verify({ code: "123456" }), 400, 1009, "verifyAccount");
    t.error(await t.twoStep("post", { pin: "123456" }), 400, 1009, "enableTwoStep");
    t.error(await t.twoStep("delete"), 400, 1009, "disableTwoStep");
  });

  it("completes a registration with the right code: 201 {meta}, then the number answers 201", async () => {
    const number = freshNumber();
    const { code } = await t.setup("code-sent", number);
    expect(code).toMatch(/^[0-9]{6}$/);
    // A second request re-sends the pending code rather than invalidating the one the client holds.
    t.codeSent(await t.account({ ...number, method: "voice", cert: CERT }));
    t.registered(await t.verify({ code }), "verifyAccount");
    t.registered(await t.account({ ...number, method: "sms", cert: CERT }));
    // The code is spent once used.
    t.error(await t.verify({ code }), 400, 1009, "verifyAccount");
  });

  it("answers 400/1009 for a wrong code and validates the body (1008 missing, 1009 invalid)", async () => {
    await t.setup("code-sent", freshNumber());
    t.error(await t.verify({ code: "not-the-code" }), 400, 1009, "verifyAccount");
    expect(t.error(await t.verify({}), 400, 1008, "verifyAccount").details).toContain("code");
    t.error(await t.verify({ code: "" }), 400, 1009, "verifyAccount");
    t.error(await t.verify({ code: 123456 }), 400, 1009, "verifyAccount");
  });

  it("sets and clears the PIN of the number registered last", async () => {
    const first = freshNumber();
    const last = freshNumber();
    await t.setup("number-registered", first);
    await t.setup("number-registered", last);
    const enabled = await t.twoStep("post", { pin: "112233" });
    expect(enabled.status).toBe(200);
    t.conforms(enabled, "enableTwoStep");
    t.registered(await t.account({ ...first, method: "sms", cert: CERT }));
    t.error(await t.account({ ...last, method: "sms", cert: CERT }), 400, 1008, "requestCode");
    t.error(await t.account({ ...last, method: "sms", cert: CERT, pin: "000000" }), 403, 1005, "requestCode");
    t.registered(await t.account({ ...last, method: "sms", cert: CERT, pin: "112233" }));
    const disabled = await t.twoStep("delete");
    expect(disabled.status).toBe(200);
    t.conforms(disabled, "disableTwoStep");
    t.registered(await t.account({ ...last, method: "sms", cert: CERT }));
  });

  it("two-step-enabled makes its number the account: DELETE clears its PIN, not another number's", async () => {
    const pinned = freshNumber();
    const other = freshNumber();
    await t.setup("two-step-enabled", { ...other, pin: "424242" });
    await t.setup("two-step-enabled", { ...pinned, pin: "135790" });
    expect((await t.twoStep("delete")).status).toBe(200);
    t.registered(await t.account({ ...pinned, method: "sms", cert: CERT }));
    t.error(await t.account({ ...other, method: "sms", cert: CERT }), 400, 1008, "requestCode");
  });

  it("leaves no account once the account's state is torn down, rather than falling back to another number", async () => {
    const earlier = freshNumber();
    const account = freshNumber();
    await t.setup("number-registered", earlier);
    await t.setup("two-step-enabled", { ...account, pin: "975310" });
    await t.state("two-step-enabled", account, "teardown");
    t.error(await t.twoStep("post", { pin: "112233" }), 400, 1009, "enableTwoStep");
    t.error(await t.twoStep("delete"), 400, 1009, "disableTwoStep");
    t.registered(await t.account({ ...earlier, method: "sms", cert: CERT }));
    await t.setup("number-registered", earlier);
    expect((await t.twoStep("post", { pin: "112233" })).status).toBe(200);
    t.error(await t.account({ ...earlier, method: "sms", cert: CERT }), 400, 1008, "requestCode");
  });

  it("validates the two-step body: 1008 without pin, 1009 for a pin that is not 6 digits", async () => {
    await t.setup("number-registered", freshNumber());
    t.error(await t.twoStep("post", {}), 400, 1008, "enableTwoStep");
    for (const pin of ["12345", "1234567", "abcdef", 123456]) {
      t.error(await t.twoStep("post", { pin }), 400, 1009, "enableTwoStep");
    }
  });
});

describe("auth and login", () => {
  let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
  let t: Target;
  beforeAll(async () => {
    t = await Target.start({ tokenTtlSeconds: 60, now: () => clock });
  });
  afterAll(() => t.close());

  it("answers the admin's Basic login with a token and expires_after in Meta's format", async () => {
    const res = await request(t.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
    expect(res.status).toBe(200);
    t.conforms(res, "login");
    expect(res.body.users[0].expires_after).toBe("2026-01-02 03:05:05+00:00");
    const again = await request(t.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
    expect(again.body.users[0].token).not.toBe(res.body.users[0].token);
  });

  it("accepts a login with a JSON body and refuses a body that is not JSON", async () => {
    const ok = await request(t.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC).send({});
    expect(ok.status).toBe(200);
    const bad = await request(t.ref.url)
      .post("/v1/users/login")
      .set("authorization", ADMIN_BASIC)
      .set("content-type", "application/json")
      .send("{");
    t.error(bad, 400, 1025, "login");
  });

  it.each([
    ["a wrong password", basic("admin", "wrong")],
    ["an unknown user", basic("nobody", "secret")],
    ["no colon", `Basic ${Buffer.from("admin").toString("base64")}`],
    ["a Bearer header", "Bearer abc"],
    ["no credentials", undefined],
  ])("answers 401/1005 to a login with %s", async (_label, authorization) => {
    const call = request(t.ref.url).post("/v1/users/login");
    const res = await (authorization === undefined ? call : call.set("authorization", authorization));
    t.error(res, 401, 1005, "login");
    expect(res.headers["www-authenticate"]).toMatch(/^Basic/);
  });

  it.each([
    ["no Authorization header", undefined],
    ["another scheme", "Token abc"],
    ["Bearer without a token", "Bearer"],
    ["an unknown token", "Bearer 0123456789abcdef"],
    ["Basic credentials", ADMIN_BASIC],
  ])("answers 401/1005 with %s on every admin route", async (_label, authorization) => {
    const calls = [
      ["requestCode", request(t.ref.url).post("/v1/account").send(valid())],
      ["verifyAccount", request(t.ref.url).post("/v1/account/verify").send({ code: "123456" })],
      ["enableTwoStep", request(t.ref.url).post("/v1/settings/account/two-step").send({ pin: "123456" })],
      ["disableTwoStep", request(t.ref.url).delete("/v1/settings/account/two-step")],
    ] as const;
    for (const [operationId, call] of calls) {
      const res = await (authorization === undefined ? call : call.set("authorization", authorization));
      t.error(res, 401, 1005, operationId);
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    }
  });

  it("accepts the Bearer scheme in any case", async () => {
    t.codeSent(
      await request(t.ref.url).post("/v1/account").set("authorization", `bearer ${t.token}`).send(valid()),
    );
  });

  it("refuses a valid non-admin token with 403/1005 on every admin route", async () => {
    const user = await t.setup("non-admin-user", { username: "operator", password: "op-pass" });
    expect(user).toEqual({ username: "operator", password: "op-pass" });
    const token = await t.login(basic("operator", "op-pass"));
    t.error(await t.account(valid(), token), 403, 1005, "requestCode");
    t.error(await t.verify({ code: "123456" }, token), 403, 1005, "verifyAccount");
    t.error(await t.twoStep("post", { pin: "123456" }, token), 403, 1005, "enableTwoStep");
    t.error(await t.twoStep("delete", undefined, token), 403, 1005, "disableTwoStep");
  });

  it("expires a token after tokenTtlSeconds", async () => {
    const token = await t.login();
    clock += 59_999;
    t.codeSent(await t.account(valid(), token));
    clock += 1;
    t.error(await t.account(valid(), token), 401, 1005, "requestCode");
    t.token = await t.login();
    t.codeSent(await t.account(valid()));
  });
});

describe("bodies, routing and connections", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  const raw = (body: string, type: string | undefined): Promise<Response> => {
    const call = request(t.ref.url).post("/v1/account").set("authorization", `Bearer ${t.token}`).send(body);
    // superagent picks a content type for a string body; unset it to send none at all.
    return type === undefined ? call.unset("content-type") : call.set("content-type", type);
  };

  it.each([
    ["not JSON", "{not json", "application/json"],
    ["an array", "[]", "application/json"],
    ["a string", '"cc"', "application/json"],
    ["null", "null", "application/json"],
    ["empty", "", "application/json"],
    [
      "form pairs labelled form-encoded",
      "cc=1&phone_number=5550100001&method=sms",
      "application/x-www-form-urlencoded",
    ],
    ["form pairs labelled JSON", "cc=1&phone_number=5550100001&method=sms", "application/json"],
    ["not JSON labelled text/plain", "{not json", "text/plain"],
    ["an array with no Content-Type", "[]", undefined],
  ])("answers 400/1025 to a body that is %s", async (_label, body, type) => {
    t.error(await raw(body, type), 400, 1025, "requestCode");
  });

  // Mislabelled JSON is a MAY of the contract; real clients send it (a PHP SDK's JSON goes out form-encoded).
  it.each([
    ["text/plain", "text/plain"],
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
    ["application/json in a non-UTF-8 charset", "application/json; charset=latin1"],
    ["no Content-Type", undefined],
  ])("serves a JSON object body labelled %s by what it is: 202", async (_label, type) => {
    t.codeSent(await raw(JSON.stringify(valid()), type));
  });

  it("with requireJsonContentType, answers 400/1025 to JSON labelled otherwise, and serves JSON", async () => {
    const strict = await Target.start({ requireJsonContentType: true });
    try {
      const send = (type: string | undefined) => {
        const call = request(strict.ref.url)
          .post("/v1/account")
          .set("authorization", `Bearer ${strict.token}`)
          .send(JSON.stringify(valid()));
        return type === undefined ? call.unset("content-type") : call.set("content-type", type);
      };
      for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
        strict.error(await send(type), 400, 1025, "requestCode");
      }
      strict.codeSent(await send("application/json"));
    } finally {
      await strict.close();
    }
  });

  it("answers 400/1025 to bytes that are not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"cc":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const headers = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
    const res = await rawPost(t.ref.url, "/v1/account", headers, bytes);
    expect(t.error(res, 400, 1025, "requestCode").details).toMatch(/not valid JSON/);
  });

  it("accepts application/json with a UTF-8 charset parameter", async () => {
    t.codeSent(await raw(JSON.stringify(valid()), "application/json; charset=UTF-8"));
  });

  it("answers 413 to a body over the limit, closes that connection, and answers the next request", async () => {
    const res = await t.account(valid({ padding: "x".repeat(100_000) }));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    t.error(res, 413, 1025, "requestCode");
    t.codeSent(await t.account(valid()));
  });

  it("answers 413 to a chunked body that passes the limit while streaming", async () => {
    const small = await Target.start({ maxBodyBytes: 1024 });
    try {
      const { port } = new URL(small.ref.url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/v1/account",
            method: "POST",
            headers: { authorization: `Bearer ${small.token}`, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.write(`{"cc":"${"1".repeat(600)}`);
        req.write(`${"2".repeat(600)}"`);
      });
      expect(status).toBe(413);
      small.codeSent(await small.account(valid()));
    } finally {
      await small.close();
    }
  });

  it("frames every answer with Content-Length, never chunked", async () => {
    const answers = [
      await t.account(valid()),
      await raw("{not json", "application/json"),
      await request(t.ref.url).post("/v1/nothing"),
      await request(t.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC),
    ];
    for (const res of answers) {
      expect(res.headers["transfer-encoding"]).toBeUndefined();
      expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.text));
    }
  });

  it("answers pipelined requests on one connection in their order", async () => {
    const { port } = new URL(t.ref.url);
    const body = JSON.stringify(valid());
    const post = (path: string): string =>
      [
        `POST ${path} HTTP/1.1`,
        "Host: 127.0.0.1",
        `Authorization: Bearer ${t.token}`,
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n");
    const text = await new Promise<string>((resolve, reject) => {
      let received = "";
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(post("/v1/nothing") + post("/v1/account") + post("/v1/nothing"));
      });
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
        if ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === 3) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on("error", reject);
    });
    expect(text.match(/HTTP\/1\.1 (\d{3})/g)).toEqual(["HTTP/1.1 404", "HTTP/1.1 202", "HTTP/1.1 404"]);
  });

  it("survives a client that goes away halfway through its body, and answers the next request", async () => {
    const { port } = new URL(t.ref.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          [
            "POST /v1/account HTTP/1.1",
            "Host: 127.0.0.1",
            `Authorization: Bearer ${t.token}`,
            "Content-Type: application/json",
            "Content-Length: 500",
            "",
            '{"cc":"1","phone_',
          ].join("\r\n"),
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
      socket.on("error", reject);
    });
    t.codeSent(await t.account(valid()));
  });

  it("answers 404/1006 to an unknown path, and ignores a query string on a known one", async () => {
    for (const path of ["/v1/nothing", "/v1/account/", "/"]) {
      const res = await request(t.ref.url).post(path).set("authorization", `Bearer ${t.token}`).send(valid());
      t.error(res, 404, 1006);
    }
    const withQuery = await request(t.ref.url)
      .post("/v1/account?trace=1")
      .set("authorization", `Bearer ${t.token}`)
      .send(valid());
    t.codeSent(withQuery);
  });

  it("answers 405/1025 with an Allow header to another method on a known path", async () => {
    const get = await request(t.ref.url).get("/v1/account").set("authorization", `Bearer ${t.token}`);
    t.error(get, 405, 1025);
    expect(get.headers.allow).toBe("POST");
    const put = await request(t.ref.url).put("/v1/settings/account/two-step").send({ pin: "123456" });
    t.error(put, 405, 1025);
    expect(put.headers.allow?.split(", ").sort()).toEqual(["DELETE", "POST"]);
    const loginGet = await request(t.ref.url).get("/v1/users/login");
    t.error(loginGet, 405, 1025);
  });

  it("close() ends keep-alive connections at once, and can be called twice", async () => {
    const other = await Target.start();
    const started = Date.now();
    await other.close();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(
      request(other.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC),
    ).rejects.toThrow();
  });

  it("serves a fresh, independent state per createReferenceHandler, on any node:http server", async () => {
    const servers = [
      createServer(createReferenceHandler(contract)),
      createServer(createReferenceHandler(contract)),
    ];
    const urls = await Promise.all(
      servers.map(
        (server) =>
          new Promise<string>((resolve) =>
            server.listen(0, "127.0.0.1", () =>
              resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
            ),
          ),
      ),
    );
    try {
      const number = freshNumber();
      const [first = "", second = ""] = urls;
      expect(
        (await request(first).post(PROVIDER_STATE_PATH).send({ state: "number-registered", params: number }))
          .status,
      ).toBe(200);
      const tokens = await Promise.all(
        urls.map(
          async (url) =>
            (await request(url).post("/v1/users/login").set("authorization", ADMIN_BASIC)).body.users[0]
              .token as string,
        ),
      );
      const body = { ...number, method: "sms", cert: CERT };
      const registered = await request(first)
        .post("/v1/account")
        .set("authorization", `Bearer ${tokens[0]}`)
        .send(body);
      const fresh = await request(second)
        .post("/v1/account")
        .set("authorization", `Bearer ${tokens[1]}`)
        .send(body);
      expect([registered.status, fresh.status]).toEqual([201, 202]);
    } finally {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    }
  });

  it("mountReference serves it on a caller's server, with the envelope for what Node itself refuses", async () => {
    const server = createServer({ requireHostHeader: false });
    mountReference(server, contract);
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    const rawAnswer = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        let received = "";
        const socket = connect(port, "127.0.0.1", () => socket.write(text));
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          received += chunk;
        });
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
      });
    try {
      const login = await request(`http://127.0.0.1:${port}`)
        .post("/v1/users/login")
        .set("authorization", ADMIN_BASIC);
      expect(login.status).toBe(200);
      for (const text of [
        "NOT HTTP AT ALL\r\n\r\n",
        "POST /v1/users/login HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      ]) {
        const answer = await rawAnswer(text);
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
        const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as {
          errors: { code: number }[];
        };
        expect(body.errors[0]?.code).toBe(1025);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("takes every error title from the contract's catalogue", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wa-reference-"));
    const path = join(dir, "openapi.yaml");
    const text = await readFile(CONTRACT_PATH, "utf8");
    await writeFile(
      path,
      text.replace("{ code: 1005, title: Access denied }", "{ code: 1005, title: Refused here }"),
    );
    const renamed = await startReference({ contractPath: path });
    try {
      const res = await request(renamed.url).post("/v1/account").send(valid());
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ code: 1005, title: "Refused here" });
    } finally {
      await renamed.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses options that cannot describe a target", async () => {
    await expect(startReference({ smsLimit: -1 })).rejects.toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { maxBodyBytes: 0 })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { tokenTtlSeconds: 0 })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { profile: "closed" as "sunset" })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { admin: { username: "a:b", password: "x" } })).toThrow(
      RangeError,
    );
  });
});

describe("profile sunset", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start({ profile: "sunset" });
  });
  afterAll(() => t.close());

  it("blocks a valid registration with 403/1005 and Meta's exact details; meta says deprecated", async () => {
    const details = t.error(await t.account(valid()), 403, 1005, "requestCode").details;
    expect(details).toBe(SUNSET_DETAILS);
    expect(details).toBe("Unknown error: biz_link_on_prem_reg_blocked");
    const registered = freshNumber();
    await t.setup("number-registered", registered);
    t.error(await t.account({ ...registered, method: "voice", cert: CERT }), 403, 1005, "requestCode");
  });

  it("refuses verify with 403/1005, even for a pending code", async () => {
    const { code } = await t.setup("code-sent", freshNumber());
    expect(t.error(await t.verify({ code }), 403, 1005, "verifyAccount").details).toBe(SUNSET_DETAILS);
  });

  it("still validates, authenticates and logs in as in registration-open", async () => {
    t.error(await t.account({}), 400, 1008, "requestCode");
    t.error(await t.account(valid({ method: "fax" })), 400, 1009, "requestCode");
    t.error(await t.account(valid({ cert: "abcde" })), 400, 1009, "requestCode");
    t.error(await t.verify({}), 400, 1008, "verifyAccount");
    t.error(await t.account(valid(), "unknown"), 401, 1005, "requestCode");
    await t.setup("non-admin-user", { username: "sunset-user", password: "pw" });
    t.error(await t.account(valid(), await t.login(basic("sunset-user", "pw"))), 403, 1005, "requestCode");
  });

  it("keeps the block after a registration-blocked teardown, since the profile blocks by default", async () => {
    expect((await t.state("registration-blocked", {}, "teardown")).status).toBe(200);
    expect(t.error(await t.account(valid()), 403, 1005, "requestCode").details).toBe(SUNSET_DETAILS);
  });
});

describe("provider-state hook", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  it("lists exactly the contract's provider states and the profile", async () => {
    const res = await request(t.ref.url).get(PROVIDER_STATE_PATH);
    expect(res.status).toBe(200);
    expect(res.body.profile).toBe("registration-open");
    expect([...res.body.states].sort()).toEqual([...contract.providerStates.keys()].sort());
    expect([...PROVIDER_STATES].sort()).toEqual([...contract.providerStates.keys()].sort());
  });

  it("number-unregistered forgets a registered number", async () => {
    const number = freshNumber();
    await t.setup("number-registered", number);
    expect(await t.setup("number-unregistered", number)).toEqual({});
    t.codeSent(await t.account({ ...number, method: "sms", cert: CERT }));
  });

  it("number-registered answers the number, and its teardown forgets it", async () => {
    const number = freshNumber();
    expect(await t.setup("number-registered", number)).toEqual(number);
    t.registered(await t.account({ ...number, method: "sms", cert: CERT }));
    expect((await t.state("number-registered", number, "teardown")).body).toEqual({});
    t.codeSent(await t.account({ ...number, method: "sms", cert: CERT }));
  });

  it("two-step-enabled answers its params, and its teardown forgets the number and PIN", async () => {
    const number = freshNumber();
    expect(await t.setup("two-step-enabled", { ...number, pin: "975310" })).toEqual({
      ...number,
      pin: "975310",
    });
    t.error(await t.account({ ...number, method: "sms", cert: CERT }), 400, 1008, "requestCode");
    await t.state("two-step-enabled", number, "teardown");
    t.codeSent(await t.account({ ...number, method: "sms", cert: CERT }));
  });

  it("code-sent answers a pending code, the number stays unregistered, and teardown drops the code", async () => {
    const number = freshNumber();
    await t.setup("number-registered", number);
    const { code } = await t.setup("code-sent", number);
    t.codeSent(await t.account({ ...number, method: "voice", cert: CERT }));
    await t.state("code-sent", number, "teardown");
    t.error(await t.verify({ code }), 400, 1009, "verifyAccount");
  });

  it("gives unique codes to numbers pending at once", async () => {
    const codes = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      codes.add((await t.setup("code-sent", freshNumber())).code);
    }
    expect(codes.size).toBe(20);
  });

  it("sms-attempts-exhausted denies SMS but not voice, and teardown restores the attempts", async () => {
    const number = freshNumber();
    expect(await t.setup("sms-attempts-exhausted", number)).toEqual({});
    t.error(await t.account({ ...number, method: "sms", cert: CERT }), 403, 1005, "requestCode");
    t.codeSent(await t.account({ ...number, method: "voice", cert: CERT }));
    await t.state("sms-attempts-exhausted", number, "teardown");
    t.codeSent(await t.account({ ...number, method: "sms", cert: CERT }));
  });

  it("non-admin-user makes up credentials when none are given, and teardown deletes the user and tokens", async () => {
    const { username, password } = (await t.setup("non-admin-user")) as {
      username: string;
      password: string;
    };
    expect(username).toMatch(/\S/);
    expect(password.length).toBeGreaterThanOrEqual(8);
    const token = await t.login(basic(username, password));
    t.error(await t.account(valid(), token), 403, 1005, "requestCode");
    expect((await t.state("non-admin-user", { username }, "teardown")).status).toBe(200);
    t.error(await t.account(valid(), token), 401, 1005, "requestCode");
    const login = await request(t.ref.url)
      .post("/v1/users/login")
      .set("authorization", basic(username, password));
    t.error(login, 401, 1005, "login");
  });

  it("registration-blocked blocks as under sunset, and teardown reopens registration", async () => {
    expect(await t.setup("registration-blocked")).toEqual({});
    expect(t.error(await t.account(valid()), 403, 1005, "requestCode").details).toBe(SUNSET_DETAILS);
    expect((await t.state("registration-blocked", {}, "teardown")).status).toBe(200);
    t.codeSent(await t.account(valid()));
  });

  it.each([
    ["an unknown state", { state: "number-haunted", params: {} }, 1009],
    ["no state", { params: {} }, 1008],
    ["a bad action", { state: "number-registered", params: freshNumber(), action: "undo" }, 1009],
    ["params that are not an object", { state: "number-registered", params: [] }, 1009],
    ["a missing number param", { state: "number-registered", params: { cc: "1" } }, 1008],
    [
      "an invalid number param",
      { state: "number-registered", params: { cc: "+1", phone_number: "5" } },
      1009,
    ],
    [
      "a PIN that is not 6 digits",
      { state: "two-step-enabled", params: { ...freshNumber(), pin: "12" } },
      1009,
    ],
    ["the admin as non-admin user", { state: "non-admin-user", params: { username: "admin" } }, 1009],
    ["a body that is an array", [], 1025],
  ])("answers 400 {errors} to %s", async (_label, body, code) => {
    const res = await request(t.ref.url).post(PROVIDER_STATE_PATH).send(body);
    t.error(res, 400, code);
  });

  it("answers 400 to a body that is not JSON, whatever its content type", async () => {
    const res = await request(t.ref.url)
      .post(PROVIDER_STATE_PATH)
      .set("content-type", "text/plain")
      .send("{");
    t.error(res, 400, 1025);
  });

  it("is absent with stateHook: false", async () => {
    const hookless = await startReference({ stateHook: false });
    try {
      expect(hookless.stateUrl).toBeUndefined();
      const res = await request(hookless.url)
        .post(PROVIDER_STATE_PATH)
        .send({ state: "registration-blocked" });
      expect(res.status).toBe(404);
      expect(res.body.errors[0].code).toBe(1006);
    } finally {
      await hookless.close();
    }
  });
});
