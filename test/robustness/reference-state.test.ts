// The reference's state stays bounded and its users its own: caps on users, sessions and numbers, per-user eviction, cheap teardown, no takeover.

import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import {
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";
import { ReferenceStore } from "../../src/reference/store.js";

const CERT = encodeCertificate({ vname: "Acme Plumbing Co" });
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

let running: RunningReference | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(options: ReferenceOptions = {}): Promise<RunningReference> {
  running = await startReference(options);
  return running;
}

function hook(url: string, body: unknown) {
  return request(url)
    .post(PROVIDER_STATE_PATH)
    .send(body as object);
}

async function login(url: string, username: string, password: string): Promise<string> {
  const res = await request(url).post("/v1/users/login").set("authorization", basic(username, password));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.users[0].token as string;
}

/** A request a normal client makes: a registration with the admin's token, which must keep answering 202. */
async function expectServed(url: string, token: string, phone: string): Promise<void> {
  const res = await request(url)
    .post("/v1/account")
    .set("authorization", `Bearer ${token}`)
    .send({ cc: "1", phone_number: phone, method: "voice", cert: CERT });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

function store(settings: Partial<ConstructorParameters<typeof ReferenceStore>[0]> = {}): ReferenceStore {
  return new ReferenceStore({
    admin: { username: "admin", password: "secret" },
    tokenTtlMs: 3_600_000,
    now: Date.now,
    blockedByDefault: false,
    ...settings,
  });
}

describe("users given on the command line and the admin cannot be taken over through the hook", () => {
  it("refuses to re-create a --user or the admin with a new password; both keep their password", async () => {
    const ref = await start({ users: [{ username: "operator", password: "Operator-Pass-1" }] });
    const operatorToken = await login(ref.url, "operator", "Operator-Pass-1");
    for (const username of ["operator", "admin"]) {
      const res = await hook(ref.url, {
        state: "non-admin-user",
        params: { username, password: "attacker" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors[0].code).toBe(1009);
      const stolen = await request(ref.url)
        .post("/v1/users/login")
        .set("authorization", basic(username, "attacker"));
      expect(stolen.status).toBe(401);
    }
    await login(ref.url, "operator", "Operator-Pass-1");
    // The operator's live token survives the attempt, and a teardown of every hook-made user.
    expect((await hook(ref.url, { state: "non-admin-user", action: "teardown" })).status).toBe(200);
    const remove = await hook(ref.url, {
      state: "non-admin-user",
      action: "teardown",
      params: { username: "operator" },
    });
    expect(remove.status).toBe(400);
    const still = await request(ref.url)
      .post("/v1/settings/account/two-step")
      .set("authorization", `Bearer ${operatorToken}`)
      .send({ pin: "123456" });
    // Not the admin, so 403 (not 401): the token is still known.
    expect(still.status).toBe(403);
  });
});

describe("sessions", () => {
  it("evicts only the logging-in user's own oldest sessions, never the admin's live token", async () => {
    const ref = await start({ maxSessionsPerUser: 5 });
    const adminToken = await login(ref.url, "admin", "secret");
    const made = await hook(ref.url, { state: "non-admin-user", params: { username: "u1", password: "p1" } });
    expect(made.status).toBe(200);
    const first = await login(ref.url, "u1", "p1");
    for (let index = 0; index < 20; index++) {
      await login(ref.url, "u1", "p1");
    }
    await expectServed(ref.url, adminToken, "5550200001");
    // The user's first token went: its own oldest, evicted by its own logins.
    const gone = await request(ref.url)
      .post("/v1/account")
      .set("authorization", `Bearer ${first}`)
      .send({ cc: "1", phone_number: "5550200002", method: "voice", cert: CERT });
    expect(gone.status).toBe(401);
  });

  it("keeps the admin's token through 50,000 logins of another user (default caps)", () => {
    const state = store();
    const admin = state.issueToken("admin", "admin").token;
    expect(state.putHookUser("u1", "p1")).toBe("created");
    for (let index = 0; index < 50_000; index++) {
      state.issueToken("u1", "user");
    }
    expect(state.session(admin)?.username).toBe("admin");
  });

  it("tears down every hook-made user cheaply after 1,000 users and 100,000 sessions", () => {
    const state = store({ caps: { maxUsers: 1_000, maxSessionsPerUser: 100 } });
    for (let user = 0; user < 1_000; user++) {
      expect(state.putHookUser(`u${user}`, "p")).toBe("created");
      for (let index = 0; index < 100; index++) {
        state.issueToken(`u${user}`, "user");
      }
    }
    const admin = state.issueToken("admin", "admin").token;
    const started = performance.now();
    state.removeHookUsers();
    const elapsed = performance.now() - started;
    // O(users x sessions) took seconds here; linear in what is removed it is a few milliseconds.
    expect(elapsed).toBeLessThan(1_000);
    expect(state.hasUser("u0")).toBe(false);
    expect(state.session(admin)?.username).toBe("admin");
  });
});

describe("caps", () => {
  it("answers 503 in the envelope to a user past the cap, and a teardown frees room", async () => {
    const ref = await start({ maxUsers: 3 });
    const adminToken = await login(ref.url, "admin", "secret");
    for (let index = 0; index < 3; index++) {
      expect((await hook(ref.url, { state: "non-admin-user" })).status).toBe(200);
    }
    const full = await hook(ref.url, { state: "non-admin-user" });
    expect(full.status).toBe(503);
    expect(full.body.errors[0].code).toBe(1016);
    expect(full.body.errors[0].details).toMatch(/3 users/);
    await expectServed(ref.url, adminToken, "5550200101");
    expect((await hook(ref.url, { state: "non-admin-user", action: "teardown" })).status).toBe(200);
    expect((await hook(ref.url, { state: "non-admin-user" })).status).toBe(200);
  });

  it("holds at most maxNumbers numbers, the oldest forgotten first, and keeps serving new ones", async () => {
    const ref = await start({ maxNumbers: 50 });
    const adminToken = await login(ref.url, "admin", "secret");
    for (let index = 0; index < 120; index++) {
      const res = await hook(ref.url, {
        state: "number-registered",
        params: { cc: "1", phone_number: String(5_550_300_000 + index) },
      });
      expect(res.status).toBe(200);
    }
    // The oldest number was forgotten (a new registration: 202), the latest is still registered (201).
    await expectServed(ref.url, adminToken, "5550300000");
    const latest = await request(ref.url)
      .post("/v1/account")
      .set("authorization", `Bearer ${adminToken}`)
      .send({ cc: "1", phone_number: "5550300119", method: "voice", cert: CERT });
    expect(latest.status).toBe(201);
  });

  it("bounds numbers in the store whatever creates them", () => {
    const state = store({ caps: { maxNumbers: 1_000 } });
    for (let index = 0; index < 100_000; index++) {
      state.register(ReferenceStore.numberKey("1", String(index)));
    }
    expect(state.numberCount()).toBe(1_000);
    expect(state.number(ReferenceStore.numberKey("1", "99999"))?.registered).toBe(true);
    expect(state.number(ReferenceStore.numberKey("1", "0"))).toBeUndefined();
  });

  it("refuses caps that are not positive integers", async () => {
    await expect(startReference({ maxUsers: 0 })).rejects.toThrow(/maxUsers/);
    await expect(startReference({ maxSessionsPerUser: 1.5 })).rejects.toThrow(/maxSessionsPerUser/);
    await expect(startReference({ maxNumbers: -1 })).rejects.toThrow(/maxNumbers/);
  });
});
