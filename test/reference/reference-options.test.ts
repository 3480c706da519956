// The reference's options for hookless runs: the pending code in a response header, and seeded non-admin users.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { type RunningReference, startReference } from "../../src/reference/index.js";

async function token(url: string, user: string, password: string): Promise<string> {
  const res = await request(url).post("/v1/users/login").auth(user, password).send({});
  expect(res.status).toBe(200);
  return (res.body as { users: { token: string }[] }).users[0]?.token ?? "";
}

describe("codeHeader and users", () => {
  let reference: RunningReference;
  beforeAll(async () => {
    reference = await startReference({
      codeHeader: "Verify-Code",
      users: [{ username: "operator", password: "Operator-Pass-1" }],
    });
  });
  afterAll(() => reference.close());

  it("sends the pending code in the header, and that code completes the registration", async () => {
    const admin = await token(reference.url, "admin", "secret");
    const body = {
      cc: "1",
      phone_number: "5550170001",
      method: "sms",
      cert: encodeCertificate({ vname: "Header Co" }),
    };
    const accepted = await request(reference.url)
      .post("/v1/account")
      .auth(admin, { type: "bearer" })
      .send(body);
    expect(accepted.status).toBe(202);
    const code = accepted.headers["verify-code"];
    expect(code).toMatch(/^[0-9]{6}$/);
    const verified = await request(reference.url)
      .post("/v1/account/verify")
      .auth(admin, { type: "bearer" })
      .send({ code });
    expect(verified.status).toBe(201);
    const again = await request(reference.url).post("/v1/account").auth(admin, { type: "bearer" }).send(body);
    expect(again.status).toBe(201);
    expect(again.headers["verify-code"]).toBeUndefined();
  });

  it("lets a seeded user log in without the admin role", async () => {
    const user = await token(reference.url, "operator", "Operator-Pass-1");
    const refused = await request(reference.url)
      .post("/v1/settings/account/two-step")
      .auth(user, { type: "bearer" })
      .send({ pin: "123456" });
    expect(refused.status).toBe(403);
    expect((refused.body as { errors: { code: number }[] }).errors[0]?.code).toBe(1005);
  });

  it("refuses a seeded user named like the admin", async () => {
    await expect(startReference({ users: [{ username: "admin", password: "x" }] })).rejects.toThrow(
      /not the admin/,
    );
  });
});
