// Guessing a password at full speed is throttled per username (429 in the envelope), while a conformance run, a normal client and other users are never held back.

import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { loadContract } from "../../src/contract/contract.js";
import { LOGIN_THROTTLE_WINDOW_MS } from "../../src/reference/auth.js";
import { PROVIDER_STATE_PATH, type RunningReference, startReference } from "../../src/reference/index.js";
import { DEFAULT_MAX_FAILED_LOGINS } from "../../src/reference/options.js";

const CERT = encodeCertificate({ vname: "Acme Plumbing Co" });
const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

let reference: RunningReference | undefined;
afterEach(async () => {
  await reference?.close();
  reference = undefined;
});

function login(url: string, username: string, password: string) {
  return request(url).post("/v1/users/login").set("authorization", basic(username, password));
}

describe("login throttling", () => {
  it("answers 429 in the envelope to every login of a username past its failures, until the window ends", async () => {
    let now = 1_800_000_000_000;
    reference = await startReference({ now: () => now });
    const { url } = reference;
    const token = (await login(url, "admin", "secret")).body.users[0].token as string;
    expect(
      (
        await request(url)
          .post(PROVIDER_STATE_PATH)
          .send({ state: "non-admin-user", params: { username: "u1", password: "p1" } })
      ).status,
    ).toBe(200);
    for (let index = 0; index < DEFAULT_MAX_FAILED_LOGINS; index++) {
      expect((await login(url, "admin", `guess-${index}`)).status).toBe(401);
    }
    for (const password of ["guess-x", "secret"]) {
      // The right password too: a guess must learn nothing while the username is throttled.
      const res = await login(url, "admin", password);
      expect(res.status).toBe(429);
      expect(res.body.errors[0]).toMatchObject({ code: 1015, title: "Too many requests" });
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      expect(res.body.meta).toBeDefined();
    }
    // A normal client keeps being served: its token works, and another user logs in.
    const registration = await request(url)
      .post("/v1/account")
      .set("authorization", `Bearer ${token}`)
      .send({ cc: "1", phone_number: "5550400001", method: "voice", cert: CERT });
    expect(registration.status).toBe(202);
    expect((await login(url, "u1", "p1")).status).toBe(200);
    now += LOGIN_THROTTLE_WINDOW_MS;
    expect((await login(url, "admin", "secret")).status).toBe(200);
  });

  it("is never tripped by twenty conformance runs in a row against one reference", async () => {
    const contract = await loadContract();
    const cases = await loadCases(contract);
    const wrongPasswords = cases.filter((testCase) =>
      testCase.steps.some((step) => step.request.auth === "basic-wrong-password"),
    ).length;
    expect(wrongPasswords).toBeGreaterThan(0);
    // Both profiles, twenty repetitions (run --repeat 20), with room to spare.
    expect(wrongPasswords * 2 * 20).toBeLessThan(DEFAULT_MAX_FAILED_LOGINS);
    reference = await startReference({});
    for (let index = 0; index < wrongPasswords * 2 * 20; index++) {
      expect((await login(reference.url, "admin", "wrong")).status).toBe(401);
    }
    expect((await login(reference.url, "admin", "secret")).status).toBe(200);
  });

  it("refuses a maxFailedLogins that is not a positive integer", async () => {
    await expect(startReference({ maxFailedLogins: 0 })).rejects.toThrow(/maxFailedLogins/);
  });
});
