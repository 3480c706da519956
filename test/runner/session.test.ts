// The session logs in as the contract's x-session says, and logs in again once the admin's token expired (by an injected clock).
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { Session } from "../../src/runner/session.js";
import type { TargetConfig } from "../../src/runner/target.js";

const START = Date.parse("2026-12-01T12:00:00Z");
/** What the login answers: a new token per login, each valid for `ttlSeconds` from START, as the reference formats it. */
let ttlSeconds = 60;
let logins = 0;
let server: Server;
let target: TargetConfig;

function expiresAfter(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "+00:00");
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      logins++;
      const body = JSON.stringify({
        users: [{ token: `token-${logins}`, expires_after: expiresAfter(START + ttlSeconds * 1000) }],
      });
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    profile: "registration-open",
    name: "login",
    username: "admin",
    password: "secret",
    states: {},
    timeoutMs: 5000,
    insecure: false,
    concurrency: 1,
    strict: false,
  };
});
afterAll(() => server.close());

describe("Session", () => {
  it("keeps the admin's token until its expiry, then logs in again", async () => {
    logins = 0;
    ttlSeconds = 60;
    let now = START;
    const session = new Session(target, await loadContract(), () => now);
    expect(await session.adminToken()).toBe("token-1");
    now = START + 59_000;
    expect(await session.adminToken()).toBe("token-1");
    now = START + 60_000;
    expect(await session.adminToken()).toBe("token-2");
    expect(logins).toBe(2);
  });

  it("does not log in on every call when the expiry it was given had already passed (a skewed clock)", async () => {
    logins = 0;
    ttlSeconds = -60;
    const session = new Session(target, await loadContract(), () => START);
    expect(await session.adminToken()).toBe("token-1");
    expect(await session.adminToken()).toBe("token-1");
    expect(logins).toBe(1);
  });

  it("keeps a token for the whole run when the contract declares no expiry", async () => {
    logins = 0;
    ttlSeconds = 60;
    const contract = await loadContract();
    const { expiry: _ignored, ...withoutExpiry } = contract.session;
    let now = START;
    const session = new Session(target, { ...contract, session: withoutExpiry }, () => now);
    expect(await session.adminToken()).toBe("token-1");
    now = START + 3_600_000;
    expect(await session.adminToken()).toBe("token-1");
    expect(logins).toBe(1);
  });
});
