// Exercises the seam planted-bug variants are built on: every skippable rule, and the programmatic rewriteAnswer.
import request, { type Response } from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import {
  PROVIDER_STATE_PATH,
  REFERENCE_RULES,
  type ReferenceOptions,
  type ReferenceRequest,
  type ReferenceResponse,
  type ReferenceRule,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

const CERT = encodeCertificate({ vname: "Acme Plumbing Co" });
const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;

let nextNumber = 5_550_200_000;
function freshNumber(): { cc: string; phone_number: string } {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber) };
}

function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...freshNumber(), method: "sms", cert: CERT, ...extra };
}

const running: RunningReference[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((ref) => ref.close()));
});

/** A started reference with the admin's token; closed after each test. */
async function start(options: ReferenceOptions = {}) {
  const ref = await startReference(options);
  running.push(ref);
  const login = await request(ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
  const token = login.body.users[0].token as string;
  return {
    ref,
    token,
    post(
      path: string,
      body: unknown,
      headers: Record<string, string> = { authorization: `Bearer ${token}` },
    ) {
      return request(ref.url)
        .post(path)
        .set(headers)
        .send(body as object);
    },
    async state(state: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
      const res = await request(ref.url).post(PROVIDER_STATE_PATH).send({ state, params });
      expect(res.status).toBe(200);
      return res.body as Record<string, unknown>;
    },
  };
}
type Started = Awaited<ReturnType<typeof start>>;

interface Outcome {
  status: number;
  code?: number;
  vname?: string;
}

function outcome(res: Response, withVname = false): Outcome {
  const code = res.body?.errors?.[0]?.code as number | undefined;
  const seen: Outcome = code === undefined ? { status: res.status } : { status: res.status, code };
  return withVname ? { ...seen, vname: res.body?.account?.[0]?.vname } : seen;
}

/** A cut the rule vname-full-length guards against: longer than the reference's planted cut. */
const LONG_NAME = "Ü".repeat(200);

/** For each rule: a request the rule refuses, what the reference answers, and what it answers with the rule off. */
const skipCases: {
  rule: ReferenceRule;
  options?: ReferenceOptions;
  act: (t: Started) => Promise<Response>;
  /** Compare account[0].vname too (the vname rules). */
  vname?: true;
  enforced: Outcome;
  skipped: Outcome;
}[] = [
  {
    rule: "auth",
    act: (t) => t.post("/v1/account", valid(), {}),
    enforced: { status: 401, code: 1005 },
    skipped: { status: 202 },
  },
  {
    rule: "admin-only",
    act: async (t) => {
      const { username, password } = await t.state("non-admin-user");
      const login = await request(t.ref.url)
        .post("/v1/users/login")
        .set("authorization", `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
      return t.post("/v1/account", valid(), { authorization: `Bearer ${login.body.users[0].token}` });
    },
    enforced: { status: 403, code: 1005 },
    skipped: { status: 202 },
  },
  {
    // With the JSON rule off, an array reaches schema validation, which refuses it as an invalid value instead.
    rule: "json-body",
    act: (t) =>
      t.post("/v1/account", "[]", { authorization: `Bearer ${t.token}`, "content-type": "application/json" }),
    enforced: { status: 400, code: 1025 },
    skipped: { status: 400, code: 1009 },
  },
  {
    rule: "validation",
    act: (t) => t.post("/v1/account", valid({ method: "fax" })),
    enforced: { status: 400, code: 1009 },
    skipped: { status: 202 },
  },
  {
    rule: "cert",
    act: (t) => t.post("/v1/account", valid({ cert: Buffer.from("hello world").toString("base64") })),
    enforced: { status: 400, code: 1009 },
    skipped: { status: 202 },
  },
  {
    rule: "two-step",
    act: async (t) => {
      const number = freshNumber();
      await t.state("two-step-enabled", { ...number, pin: "123456" });
      return t.post("/v1/account", { ...number, method: "sms", cert: CERT });
    },
    enforced: { status: 400, code: 1008 },
    skipped: { status: 201 },
  },
  {
    rule: "sms-limit",
    act: async (t) => {
      const number = freshNumber();
      await t.state("sms-attempts-exhausted", number);
      return t.post("/v1/account", { ...number, method: "sms", cert: CERT });
    },
    enforced: { status: 403, code: 1005 },
    skipped: { status: 202 },
  },
  {
    rule: "verify-code",
    act: async (t) => {
      await t.state("code-sent", freshNumber());
      return t.post("/v1/account/verify", { code: "wrong" });
    },
    enforced: { status: 400, code: 1009 },
    skipped: { status: 201 },
  },
  {
    rule: "sunset-block",
    options: { profile: "sunset" },
    act: (t) => t.post("/v1/account", valid()),
    enforced: { status: 403, code: 1005 },
    skipped: { status: 202 },
  },
  {
    rule: "registered-check",
    act: async (t) => {
      const number = freshNumber();
      await t.state("number-registered", number);
      return t.post("/v1/account", { ...number, method: "sms", cert: CERT });
    },
    enforced: { status: 201 },
    skipped: { status: 202 },
  },
  {
    rule: "body-limit",
    options: { maxBodyBytes: 2048 },
    act: (t) => t.post("/v1/account", valid({ padding: "x".repeat(4096) })),
    enforced: { status: 413, code: 1025 },
    skipped: { status: 202 },
  },
  {
    rule: "code-single-use",
    act: async (t) => {
      const { code } = await t.state("code-sent", freshNumber());
      await t.post("/v1/account/verify", { code });
      return t.post("/v1/account/verify", { code });
    },
    enforced: { status: 400, code: 1009 },
    skipped: { status: 201 },
  },
  {
    rule: "number-key-includes-cc",
    act: async (t) => {
      const number = freshNumber();
      await t.state("number-registered", number);
      return t.post("/v1/account", { ...number, cc: "44", method: "sms", cert: CERT });
    },
    enforced: { status: 202 },
    skipped: { status: 201 },
  },
  {
    rule: "sms-count-survives-voice",
    act: async (t) => {
      const number = freshNumber();
      await t.state("sms-attempts-exhausted", number);
      await t.post("/v1/account", { ...number, method: "voice", cert: CERT });
      return t.post("/v1/account", { ...number, method: "sms", cert: CERT });
    },
    enforced: { status: 403, code: 1005 },
    skipped: { status: 202 },
  },
  {
    rule: "vname-verbatim",
    act: (t) => t.post("/v1/account", valid({ cert: encodeCertificate({ vname: " Cafe\u0301 " }) })),
    vname: true,
    enforced: { status: 202, vname: " Cafe\u0301 " },
    skipped: { status: 202, vname: "Café" },
  },
  {
    rule: "vname-full-length",
    act: (t) => t.post("/v1/account", valid({ cert: encodeCertificate({ vname: LONG_NAME }) })),
    vname: true,
    enforced: { status: 202, vname: LONG_NAME },
    skipped: { status: 202, vname: LONG_NAME.slice(0, 128) },
  },
  {
    rule: "settings-follow-client-account",
    act: async (t) => {
      await t.state("number-registered", freshNumber());
      const number = freshNumber();
      const { code } = await t.state("code-sent", number);
      await t.post("/v1/account/verify", { code });
      await t.post("/v1/settings/account/two-step", { pin: "123456" });
      return t.post("/v1/account", { ...number, method: "sms", cert: CERT });
    },
    enforced: { status: 400, code: 1008 },
    skipped: { status: 201 },
  },
];

describe("tweaks.skip", () => {
  it("has a case for every rule", () => {
    expect(skipCases.map((c) => c.rule).sort()).toEqual([...REFERENCE_RULES].sort());
  });

  it.each(skipCases)("switches off $rule", async ({ rule, options, act, vname, enforced, skipped }) => {
    const reference = await start(options);
    expect(outcome(await act(reference), vname)).toEqual(enforced);
    const variant = await start({ ...options, tweaks: { skip: [rule] } });
    expect(outcome(await act(variant), vname)).toEqual(skipped);
  });

  it("leaves the provider-state hook working whatever is skipped", async () => {
    const variant = await start({ tweaks: { skip: [...REFERENCE_RULES] } });
    const res = await request(variant.ref.url).post(PROVIDER_STATE_PATH).send("[]").type("text/plain");
    expect(res.status).toBe(400);
    expect((await variant.state("code-sent", freshNumber())).code).toMatch(/^[0-9]{6}$/);
  });

  it("refuses a rule it does not know", async () => {
    await expect(startReference({ tweaks: { skip: ["nonsense" as ReferenceRule] } })).rejects.toThrow(
      RangeError,
    );
  });
});

describe("rewriteAnswer, the programmatic rewrite", () => {
  it("sees the request and the response, and what it returns is what the client gets", async () => {
    const seen: [ReferenceRequest, ReferenceResponse][] = [];
    const t = await start({
      rewriteAnswer: (req, res) => {
        if (req.path !== "/v1/account") {
          return undefined;
        }
        seen.push([req, res]);
        return { status: 200, headers: { "content-type": "application/json" }, body: { account: "changed" } };
      },
    });
    const body = valid();
    const res = await t.post("/v1/account?x=1", body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ account: "changed" });
    expect(seen).toHaveLength(1);
    const [[req, original] = []] = seen;
    expect(req).toMatchObject({ method: "POST", path: "/v1/account", body });
    expect(req?.headers.authorization).toBe(`Bearer ${t.token}`);
    expect(original).toMatchObject({ status: 202, body: { account: [{ vname: "Acme Plumbing Co" }] } });
  });

  it("sends a string body verbatim under a non-JSON content type, and JSON otherwise", async () => {
    const t = await start({
      rewriteAnswer: (req, res): ReferenceResponse | undefined => {
        if (req.path === "/v1/account") {
          return { status: 202, headers: { "content-type": "text/plain" }, body: "code sent" };
        }
        return req.path === "/v1/account/verify"
          ? { ...res, headers: {}, body: "no content type" }
          : undefined;
      },
    });
    const text = await t.post("/v1/account", valid());
    expect(text.headers["content-type"]).toBe("text/plain");
    expect(text.text).toBe("code sent");
    const json = await t.post("/v1/account/verify", { code: "x" });
    expect(json.headers["content-type"]).toBeUndefined();
    expect(json.text).toBe('"no content type"');
  });

  it("runs after the tweaks' rules, on what they answered", async () => {
    const t = await start({
      tweaks: { rewrite: [{ when: { operation: "requestCode", status: 202 }, do: { status: 200 } }] },
      rewriteAnswer: (_req, res) => ({
        ...res,
        headers: { ...res.headers, "x-seen-status": String(res.status) },
      }),
    });
    const res = await t.post("/v1/account", valid());
    expect(res.status).toBe(200);
    expect(res.headers["x-seen-status"]).toBe("200");
  });

  it("never touches the provider-state hook", async () => {
    const t = await start({ rewriteAnswer: (_req, res) => ({ ...res, status: 418 }) });
    expect((await t.post("/v1/account", valid())).status).toBe(418);
    expect(await t.state("number-registered", freshNumber())).toHaveProperty("cc", "1");
  });

  it("answers 500/1014 when the rewrite itself throws, as a broken server would", async () => {
    const t = await start({
      rewriteAnswer: (req) => {
        if (req.path === "/v1/account") {
          throw new Error("planted failure");
        }
        return undefined;
      },
    });
    const res = await t.post("/v1/account", valid());
    expect(res.status).toBe(500);
    expect(res.body.errors[0]).toMatchObject({ code: 1014, details: "Internal error: planted failure" });
  });
});
