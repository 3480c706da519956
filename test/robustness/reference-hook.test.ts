// The provider-state hook under attack: deep and huge JSON get a bounded 4xx, a token guards it, and `serve` never exposes it open.

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServeFlags, serveCommand } from "../../src/cli/serve-command.js";
import { ConfigError } from "../../src/config/config.js";
import {
  isLoopbackHost,
  PROVIDER_STATE_PATH,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

function postHook(url: string, text: string, authorization?: string) {
  const call = request(url).post(PROVIDER_STATE_PATH).set("content-type", "application/json");
  return (authorization === undefined ? call : call.set("authorization", authorization)).send(text);
}

function expectEnvelope(res: request.Response, status: number): void {
  expect(res.status, res.text.slice(0, 300)).toBe(status);
  expect(res.body.errors[0].code).toEqual(expect.any(Number));
  expect(res.body.errors[0].title).toEqual(expect.any(String));
}

describe("deep and huge JSON", () => {
  let reference: RunningReference;
  beforeAll(async () => {
    reference = await startReference({});
  });
  afterAll(async () => {
    await reference.close();
  });

  it.each([
    ["state", (value: string) => `{"state":${value}}`],
    ["action", (value: string) => `{"state":"number-unregistered","action":${value}}`],
    ["params", (value: string) => `{"state":"number-unregistered","params":${value}}`],
    [
      "params.cc",
      (value: string) => `{"state":"number-registered","params":{"cc":${value},"phone_number":"1"}}`,
    ],
    ["params.username", (value: string) => `{"state":"non-admin-user","params":{"username":${value}}}`],
    [
      "a teardown's params.username",
      (value: string) => `{"state":"non-admin-user","action":"teardown","params":{"username":${value}}}`,
    ],
  ])("answers 400 in the envelope to an array 4,500 deep in %s, never 500", async (_where, body) => {
    const res = await postHook(reference.url, body(deep(4_500)));
    expectEnvelope(res, 400);
    // The message names the kind of value, never its serialization.
    expect(res.text.length).toBeLessThan(1_000);
  });

  it("quotes a huge string state only clipped", async () => {
    const res = await postHook(reference.url, JSON.stringify({ state: "x".repeat(60_000) }));
    expectEnvelope(res, 400);
    expect(res.text.length).toBeLessThan(1_500);
    expect(res.body.errors[0].details).toMatch(/60002 characters/);
  });

  it("refuses a username or password too long to echo", async () => {
    const res = await postHook(
      reference.url,
      JSON.stringify({ state: "non-admin-user", params: { username: "u".repeat(10_000) } }),
    );
    expectEnvelope(res, 400);
    expect(res.text.length).toBeLessThan(1_000);
  });

  it("keeps serving a normal client after the attack", async () => {
    const login = await request(reference.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
    expect(login.status).toBe(200);
    const list = await request(reference.url).get(PROVIDER_STATE_PATH);
    expect(list.status).toBe(200);
  });
});

describe("a hook with a token", () => {
  const TOKEN = "hook-token-1234";
  let reference: RunningReference;
  beforeAll(async () => {
    reference = await startReference({ stateHookToken: TOKEN });
  });
  afterAll(async () => {
    await reference.close();
  });

  const setup = JSON.stringify({ state: "registration-blocked", action: "teardown" });

  it.each([
    ["no Authorization", undefined],
    ["a wrong token", "Bearer hook-token-1235"],
    ["a prefix of the token", "Bearer hook-token-123"],
    ["the token with Basic", `Basic ${TOKEN}`],
    ["the admin's Basic credentials", ADMIN_BASIC],
  ])("answers 401 in the envelope to %s, on POST and GET", async (_label, authorization) => {
    const res = await postHook(reference.url, setup, authorization);
    expectEnvelope(res, 401);
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer /);
    const list = request(reference.url).get(PROVIDER_STATE_PATH);
    const listed = await (authorization === undefined ? list : list.set("authorization", authorization));
    expectEnvelope(listed, 401);
  });

  it("serves Authorization: Bearer <token>", async () => {
    expect((await postHook(reference.url, setup, `Bearer ${TOKEN}`)).status).toBe(200);
    const list = await request(reference.url)
      .get(PROVIDER_STATE_PATH)
      .set("authorization", `Bearer ${TOKEN}`);
    expect(list.status).toBe(200);
  });

  it("leaves the API's own auth alone", async () => {
    const login = await request(reference.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
    expect(login.status).toBe(200);
  });

  it("refuses a token that could not be sent as a Bearer token", async () => {
    await expect(startReference({ stateHookToken: "" })).rejects.toThrow(/stateHookToken/);
    await expect(startReference({ stateHookToken: "two words" })).rejects.toThrow(/stateHookToken/);
  });
});

describe("the hook is on only where only this machine can reach it", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["::ffff:10.0.0.1", false],
    ["example.com", false],
    ["", false],
  ])("%s is loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("startReference refuses a tokenless hook on 0.0.0.0, and starts with a token or without the hook", async () => {
    await expect(startReference({ host: "0.0.0.0" })).rejects.toThrow(/not a loopback address/);
    for (const options of [{ stateHookToken: "t0ken" }, { stateHook: false }]) {
      const reference = await startReference({ host: "0.0.0.0", ...options });
      const { port } = new URL(reference.url);
      const login = await request(`http://127.0.0.1:${port}`)
        .post("/v1/users/login")
        .set("authorization", ADMIN_BASIC);
      expect(login.status).toBe(200);
      await reference.close();
    }
  });

  const flags: ServeFlags = { port: 0, host: "0.0.0.0", stateHook: true };
  const output = { out: () => {}, err: () => {}, style: { color: false } };

  it("serve refuses a tokenless hook on 0.0.0.0 with a usage error that says why and what to do", async () => {
    const refusal = serveCommand(flags, output, {});
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(serveCommand(flags, output, {})).rejects.toThrow(
      /without a token[\s\S]*create users[\s\S]*--state-hook-token TOKEN[\s\S]*--no-state-hook[\s\S]*not a server to expose/,
    );
  });

  it("serve refuses an empty token, from the flag or the environment", async () => {
    await expect(serveCommand({ ...flags, stateHookToken: "" }, output, {})).rejects.toThrow(/empty/);
    await expect(serveCommand(flags, output, { WA_CONFORMANCE_STATE_HOOK_TOKEN: "" })).rejects.toThrow(
      /WA_CONFORMANCE_STATE_HOOK_TOKEN is set but empty/,
    );
  });
});

describe("serve with a token on a non-loopback address", () => {
  it("starts with the token from WA_CONFORMANCE_STATE_HOOK_TOKEN, and its hook asks for it", async () => {
    let stop = (): void => {};
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let banner = "";
    let serving: Promise<number> | undefined;
    const started = new Promise<void>((resolve) => {
      const output = {
        out: (text: string) => {
          banner += text;
          resolve();
        },
        err: () => {},
        style: { color: false },
      };
      serving = serveCommand(
        { port: 0, host: "0.0.0.0", stateHook: true },
        output,
        { WA_CONFORMANCE_STATE_HOOK_TOKEN: "env-t0ken" },
        until,
      );
    });
    await started;
    try {
      // The banner says a token is needed but never prints it.
      expect(banner).toMatch(/needs Authorization: Bearer/);
      expect(banner).not.toContain("env-t0ken");
      const port = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(banner)?.[1];
      const local = `http://127.0.0.1:${port}`;
      expect((await request(local).get(PROVIDER_STATE_PATH)).status).toBe(401);
      const listed = await request(local).get(PROVIDER_STATE_PATH).set("authorization", "Bearer env-t0ken");
      expect(listed.status).toBe(200);
    } finally {
      stop();
    }
    expect(await serving).toBe(0);
  });
});
