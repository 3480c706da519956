// Exercises the tweaks as data: each rewrite predicate and action, the switches, and the refusals at start.
import request, { type Response } from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { loadContract } from "../../src/contract/contract.js";
import {
  createReferenceHandler,
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type ReferenceTweaks,
  type RewriteRule,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

const contract = await loadContract();
const CERT = encodeCertificate({ vname: "Acme Plumbing Co" });
const BARE_CERT = encodeCertificate({ vname: "Acme Plumbing Co", layout: "bare" });
/** A cert whose base64 ends in padding, so that stripping it leaves an unpadded one. */
const PADDED_CERT = ["Padding Free Co", "Bob", "AB"]
  .map((vname) => encodeCertificate({ vname }))
  .find((cert) => cert.endsWith("="));
const UNICODE_CERT = encodeCertificate({ vname: "Café Zoë" });
const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;

let nextNumber = 5_550_300_000;
function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber), method: "sms", cert: CERT, ...extra };
}

const running: RunningReference[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((ref) => ref.close()));
});

/** A reference with these rules (or tweaks), logged in as the admin. */
async function start(tweaks: RewriteRule[] | ReferenceTweaks, options: ReferenceOptions = {}) {
  const ref = await startReference({
    ...options,
    tweaks: Array.isArray(tweaks) ? { rewrite: tweaks } : tweaks,
  });
  running.push(ref);
  const login = await request(ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
  const token = String(login.body.users?.[0]?.token);
  const auth = { authorization: `Bearer ${token}` };
  return {
    ref,
    login,
    register: (body: unknown, headers: Record<string, string> = auth): Promise<Response> =>
      request(ref.url)
        .post("/v1/account")
        .set(headers)
        .send(body as object),
    verify: (body: unknown) =>
      request(ref.url)
        .post("/v1/account/verify")
        .set(auth)
        .send(body as object),
    raw: (method: "get" | "delete", path: string) => request(ref.url)[method](path).set(auth),
  };
}

describe("when", () => {
  it("matches an operation by its operationId, not by a path", async () => {
    const t = await start([{ when: { operation: "verifyAccount" }, do: { status: 418 } }]);
    expect((await t.register(valid())).status).toBe(202);
    expect((await t.verify({ code: "x" })).status).toBe(418);
  });

  it("matches another method on an operation's path with pathOf and method", async () => {
    const t = await start([{ when: { pathOf: "requestCode", method: "GET" }, do: { status: 418 } }]);
    expect((await t.raw("get", "/v1/account")).status).toBe(418);
    expect((await t.register(valid())).status).toBe(202);
  });

  it.each([
    [{ "/method": { equals: "voice" } }, { method: "voice" }, { method: "sms" }],
    [{ "/cc": { present: false } }, { cc: undefined }, {}],
    [{ "/phone_number": { startsWith: "+" } }, { phone_number: "+15550100001" }, {}],
    [{ "/phone_number": { includes: "-" } }, { phone_number: "555-0100" }, {}],
    [{ "/method": { notIn: ["sms", "voice"] } }, { method: "fax" }, { method: "voice" }],
    [{ "/method": { matches: "^F" } }, { method: "FAX" }, {}],
    [{ "/method": { not: { equals: "sms" } } }, { method: "voice" }, {}],
    [{ "": { equals: {} } }, "{}", {}],
  ])("tests request fields by JSON pointer: %j", async (tests, hit, miss) => {
    const t = await start([{ when: { operation: "requestCode", request: tests }, do: { status: 418 } }]);
    const body = (extra: unknown) =>
      typeof extra === "string" ? {} : valid(extra as Record<string, unknown>);
    expect((await t.register(body(hit))).status).toBe(418);
    expect((await t.register(body(miss))).status).not.toBe(418);
  });

  it("tests the body kind and the media type", async () => {
    const t = await start([
      { when: { bodyKind: "text", mediaType: { equals: "text/plain" } }, do: { status: 418 } },
      { when: { bodyKind: "json", mediaType: { notIn: ["application/json"] } }, do: { status: 419 } },
    ]);
    const token = (await t.login).body.users[0].token as string;
    const send = (type: string, body: string) =>
      request(t.ref.url)
        .post("/v1/account")
        .set({ authorization: `Bearer ${token}`, "content-type": type })
        .send(body);
    expect((await send("text/plain", "not json")).status).toBe(418);
    expect((await send("text/plain", JSON.stringify(valid()))).status).toBe(419);
    expect((await send("application/json", JSON.stringify(valid()))).status).toBe(202);
  });

  it("tests the cert's layout and padding", async () => {
    const t = await start([
      { when: { facts: { certLayout: "bare" } }, do: { status: 418 } },
      { when: { facts: { certPadded: false } }, do: { status: 419 } },
    ]);
    expect((await t.register(valid({ cert: BARE_CERT }))).status).toBe(418);
    expect(PADDED_CERT).toBeDefined();
    expect((await t.register(valid({ cert: PADDED_CERT }))).status).toBe(202);
    expect((await t.register(valid({ cert: PADDED_CERT?.replace(/=+$/, "") }))).status).toBe(419);
    expect((await t.register(valid())).status).toBe(202);
  });

  it("tests the answer's status, errors[0].code, details and any pointer", async () => {
    const t = await start([
      { when: { status: [401], details: { startsWith: "The token" } }, do: { status: 418 } },
      { when: { code: { equals: 1009 } }, do: { status: 419 } },
      { when: { answer: { "/account/0/vname": { equals: "Acme Plumbing Co" } } }, do: { status: 420 } },
    ]);
    expect((await t.register(valid(), { authorization: "Bearer unknown-token-0123456789" })).status).toBe(
      418,
    );
    expect((await t.register(valid({ method: "fax" }))).status).toBe(419);
    expect((await t.register(valid())).status).toBe(420);
  });

  it("applies the first rule that holds, and no rule to what none holds for", async () => {
    const t = await start([
      { when: { status: 202 }, do: { status: 200 } },
      { when: { status: 202 }, do: { status: 418 } },
    ]);
    expect((await t.register(valid())).status).toBe(200);
    expect((await t.verify({ code: "x" })).status).toBe(400);
  });
});

describe("do", () => {
  it("answers a template: code-sent with the vname decoded from the cert sent, keeping meta", async () => {
    const t = await start([{ when: { code: { equals: 1009 } }, do: { template: "code-sent" } }]);
    const res = await t.register(valid({ method: "fax" }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      meta: expect.objectContaining({ version: "v2.45.1" }),
      account: [{ vname: "Acme Plumbing Co" }],
    });
  });

  it("answers success, invalid and error templates with the catalogue's titles", async () => {
    const t = await start([
      { when: { operation: "verifyAccount" }, do: { template: { name: "success", status: 201 } } },
      {
        when: { request: { "/method": { equals: "voice" } } },
        do: { template: { name: "invalid", details: "no voice" } },
      },
      { when: { operation: "requestCode" }, do: { template: { name: "error", status: 503, code: 1016 } } },
    ]);
    const verified = await t.verify({ code: "wrong" });
    expect(verified.status).toBe(201);
    expect(Object.keys(verified.body)).toEqual(["meta"]);
    const invalid = await t.register(valid({ method: "voice" }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([
      { code: 1009, title: "Parameter value is not valid", details: "no voice" },
    ]);
    const error = await t.register(valid());
    expect(error.status).toBe(503);
    expect(error.body.errors).toEqual([{ code: 1016, title: "System overloaded" }]);
  });

  it("maps every error item: a code takes its catalogue title, details may name {code}, only replaces", async () => {
    const t = await start([
      {
        when: { request: { "/method": { equals: "fax" } } },
        do: { eachError: { code: 1000, details: "was {code}" } },
      },
      { when: { code: { equals: 1009 } }, do: { status: 500, eachError: { code: 1014, only: true } } },
    ]);
    expect((await t.register(valid({ method: "fax" }))).body.errors[0]).toEqual({
      code: 1000,
      title: "Generic error",
      details: "was 1000",
    });
    const replaced = await t.register(valid({ cc: "ab" }));
    expect(replaced.status).toBe(500);
    expect(replaced.body.errors).toEqual([{ code: 1014, title: "Internal error" }]);
  });

  it("sets and removes JSON pointers, merges into each item, sets headers", async () => {
    const t = await start([
      { when: { operation: "login" }, do: { each: { at: "/users", merge: { expires_after: "never" } } } },
      {
        when: { status: 202 },
        do: {
          set: { "/account/0/vname": "Other", "/extra": [1] },
          remove: ["/meta"],
          headers: { "X-Seen": "yes" },
        },
      },
    ]);
    expect(t.login.body.users[0].expires_after).toBe("never");
    const res = await t.register(valid());
    expect(res.body).toEqual({ account: [{ vname: "Other" }], extra: [1] });
    expect(res.headers["x-seen"]).toBe("yes");
  });

  it("empties the body and headers, replaces the whole body with set '', reverses keys", async () => {
    const t = await start([
      { when: { operation: "verifyAccount" }, do: { status: 204, emptyBody: true } },
      { when: { request: { "/method": { equals: "voice" } } }, do: { set: { "": null } } },
      { when: { operation: "requestCode" }, do: { reverseKeys: true } },
    ]);
    const empty = await t.verify({ code: "x" });
    expect(empty.status).toBe(204);
    expect(empty.text).toBe("");
    expect((await t.register(valid({ method: "voice" }))).text).toBe("null");
    expect(Object.keys((await t.register(valid())).body)).toEqual(["account", "meta"]);
  });

  it('"drop" destroys the socket without an answer, and the server keeps serving', async () => {
    const t = await start([{ when: { operation: "requestCode" }, do: "drop" }]);
    await expect(t.register(valid())).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await t.verify({ code: "x" })).status).toBe(400);
  });

  it('"hang" never answers, and close() still ends the hung connection at once', async () => {
    const t = await start([{ when: { operation: "requestCode" }, do: "hang" }]);
    const pending = t.register(valid()).then(
      () => "answered",
      () => "cut",
    );
    // Answered after the hung request reached the server (one connection each, but the server is idle otherwise).
    expect((await t.verify({ code: "x" })).status).toBe(400);
    const raced = await Promise.race([
      pending,
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 150)),
    ]);
    expect(raced).toBe("waiting");
    const started = Date.now();
    await t.ref.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe("cut");
  });

  it("never touches the provider-state hook", async () => {
    const t = await start([{ do: { status: 418 } }]);
    const res = await request(t.ref.url)
      .post(PROVIDER_STATE_PATH)
      .send({ state: "code-sent", params: { cc: "1", phone_number: "5550300999" } });
    expect(res.status).toBe(200);
  });
});

describe("switches", () => {
  it.each([
    ["echo-cert" as const, CERT, CERT],
    [{ constant: "Constant Name" }, CERT, "Constant Name"],
    ["latin1" as const, UNICODE_CERT, Buffer.from("Café Zoë", "utf8").toString("latin1")],
  ])("vname %j answers the vname it names", async (vname, cert, answered) => {
    const t = await start({ switches: { vname } });
    expect((await t.register(valid({ cert }))).body.account).toEqual([{ vname: answered }]);
  });

  it("formFields shows the rules a form body as its fields", async () => {
    const rules: RewriteRule[] = [
      { when: { request: { "/cc": { equals: "1" } }, bodyKind: "text" }, do: { status: 418 } },
    ];
    const send = async (tweaks: ReferenceTweaks) => {
      const t = await start(tweaks);
      const token = t.login.body.users[0].token as string;
      return request(t.ref.url)
        .post("/v1/account")
        .set({ authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" })
        .send("cc=1&phone_number=5550300001&method=sms");
    };
    expect((await send({ rewrite: rules, switches: { formFields: true } })).status).toBe(418);
    expect((await send({ rewrite: rules })).status).toBe(400);
  });
});

describe("refused at start, with a message naming the tweak", () => {
  it.each([
    [{ skip: ["nonsense"] }, /tweaks\.skip: unknown rule nonsense/],
    [
      { rewrite: [{ when: { operation: "noSuchOperation" }, do: "drop" }] },
      /rewrite\[0\]\.when\.operation: unknown operation "noSuchOperation"/,
    ],
    [
      { rewrite: [{ when: { request: { cc: { present: true } } }, do: "drop" }] },
      /must be "" or start with "\/"/,
    ],
    [{ rewrite: [{ do: { remove: ["/a~2"] } }] }, /"~" not followed by 0 or 1/],
    [{ rewrite: [{ when: { colour: "red" }, do: "drop" }] }, /rewrite\[0\]\.when: unknown key colour/],
    [{ rewrite: [{ do: { template: "teapot" } }] }, /unknown template "teapot"/],
    [
      { rewrite: [{ do: { eachError: { code: 400 } } }] },
      /code 400 is not in the contract's x-error-catalogue/,
    ],
    [{ rewrite: [{ do: "explode" }] }, /must be drop, hang or an object/],
    [{ rewrite: [{ when: { request: { "/a": { matches: "(" } } }, do: "drop" }] }, /matches/],
    [{ switches: { vname: "upper" } }, /switches\.vname: must be echo-cert, latin1/],
    [{ switches: { colour: true } }, /switches: unknown key colour/],
  ])("%j", (tweaks, message) => {
    expect(() => createReferenceHandler(contract, { tweaks: tweaks as ReferenceTweaks })).toThrow(message);
  });
});
