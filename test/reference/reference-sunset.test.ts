// The reference in profile sunset over real HTTP: registration and verify blocked with 403/1005, the rest as in registration-open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUNSET_DETAILS } from "../../src/reference/index.js";
import { basic, CERT, freshNumber, Target, valid } from "./reference-target.js";

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
