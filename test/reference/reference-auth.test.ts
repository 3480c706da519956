// The reference's login and authentication over real HTTP: schemes, tokens, refusals, checked against the contract.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_BASIC, basic, Target, valid } from "./reference-target.js";

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
