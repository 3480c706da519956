// The reference's provider-state hook over real HTTP: every state set up and torn down, and its refusals.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PROVIDER_STATE_PATH,
  PROVIDER_STATES,
  SUNSET_DETAILS,
  startReference,
} from "../../src/reference/index.js";
import { basic, CERT, contract, freshNumber, Target, valid } from "./reference-target.js";

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
