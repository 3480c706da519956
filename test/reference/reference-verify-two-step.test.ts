// The reference's verify and two-step settings in registration-open over real HTTP, checked against the contract.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CERT, freshNumber, Target } from "./reference-target.js";

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
