// The reference's routing, mounting and error catalogue over real HTTP: unknown paths and methods, close(), mountReference, options.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT_PATH } from "../../src/paths.js";
import {
  createReferenceHandler,
  mountReference,
  PROVIDER_STATE_PATH,
  startReference,
} from "../../src/reference/index.js";
import { ADMIN_BASIC, CERT, contract, freshNumber, Target, valid } from "./reference-target.js";

describe("bodies, routing and connections", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  it("answers 404/1006 to an unknown path, and ignores a query string on a known one", async () => {
    for (const path of ["/v1/nothing", "/v1/account/", "/"]) {
      const res = await request(t.ref.url).post(path).set("authorization", `Bearer ${t.token}`).send(valid());
      t.error(res, 404, 1006);
    }
    const withQuery = await request(t.ref.url)
      .post("/v1/account?trace=1")
      .set("authorization", `Bearer ${t.token}`)
      .send(valid());
    t.codeSent(withQuery);
  });

  it("answers 405/1025 with an Allow header to another method on a known path", async () => {
    const get = await request(t.ref.url).get("/v1/account").set("authorization", `Bearer ${t.token}`);
    t.error(get, 405, 1025);
    expect(get.headers.allow).toBe("POST");
    const put = await request(t.ref.url).put("/v1/settings/account/two-step").send({ pin: "123456" });
    t.error(put, 405, 1025);
    expect(put.headers.allow?.split(", ").sort()).toEqual(["DELETE", "POST"]);
    const loginGet = await request(t.ref.url).get("/v1/users/login");
    t.error(loginGet, 405, 1025);
  });

  it("close() ends keep-alive connections at once, and can be called twice", async () => {
    const other = await Target.start();
    const started = Date.now();
    await other.close();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(
      request(other.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC),
    ).rejects.toThrow();
  });

  it("serves a fresh, independent state per createReferenceHandler, on any node:http server", async () => {
    const servers = [
      createServer(createReferenceHandler(contract)),
      createServer(createReferenceHandler(contract)),
    ];
    const urls = await Promise.all(
      servers.map(
        (server) =>
          new Promise<string>((resolve) =>
            server.listen(0, "127.0.0.1", () =>
              resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
            ),
          ),
      ),
    );
    try {
      const number = freshNumber();
      const [first = "", second = ""] = urls;
      expect(
        (await request(first).post(PROVIDER_STATE_PATH).send({ state: "number-registered", params: number }))
          .status,
      ).toBe(200);
      const tokens = await Promise.all(
        urls.map(
          async (url) =>
            (await request(url).post("/v1/users/login").set("authorization", ADMIN_BASIC)).body.users[0]
              .token as string,
        ),
      );
      const body = { ...number, method: "sms", cert: CERT };
      const registered = await request(first)
        .post("/v1/account")
        .set("authorization", `Bearer ${tokens[0]}`)
        .send(body);
      const fresh = await request(second)
        .post("/v1/account")
        .set("authorization", `Bearer ${tokens[1]}`)
        .send(body);
      expect([registered.status, fresh.status]).toEqual([201, 202]);
    } finally {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    }
  });

  it("mountReference serves it on a caller's server, with the envelope for what Node itself refuses", async () => {
    const server = createServer({ requireHostHeader: false });
    mountReference(server, contract);
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
    const rawAnswer = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        let received = "";
        const socket = connect(port, "127.0.0.1", () => socket.write(text));
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          received += chunk;
        });
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
      });
    try {
      const login = await request(`http://127.0.0.1:${port}`)
        .post("/v1/users/login")
        .set("authorization", ADMIN_BASIC);
      expect(login.status).toBe(200);
      for (const text of [
        "NOT HTTP AT ALL\r\n\r\n",
        "POST /v1/users/login HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
      ]) {
        const answer = await rawAnswer(text);
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
        const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as {
          errors: { code: number }[];
        };
        expect(body.errors[0]?.code).toBe(1025);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("takes every error title from the contract's catalogue", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wa-reference-"));
    const path = join(dir, "openapi.yaml");
    const text = await readFile(CONTRACT_PATH, "utf8");
    await writeFile(
      path,
      text.replace("{ code: 1005, title: Access denied }", "{ code: 1005, title: Refused here }"),
    );
    const renamed = await startReference({ contractPath: path });
    try {
      const res = await request(renamed.url).post("/v1/account").send(valid());
      expect(res.status).toBe(401);
      expect(res.body.errors[0]).toMatchObject({ code: 1005, title: "Refused here" });
    } finally {
      await renamed.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses options that cannot describe a target", async () => {
    await expect(startReference({ smsLimit: -1 })).rejects.toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { maxBodyBytes: 0 })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { tokenTtlSeconds: 0 })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { profile: "closed" as "sunset" })).toThrow(RangeError);
    expect(() => createReferenceHandler(contract, { admin: { username: "a:b", password: "x" } })).toThrow(
      RangeError,
    );
  });
});
