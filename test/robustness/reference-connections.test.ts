// Connections that send nothing, or hold a request open, cannot lock a normal client out of the reference: a cap below the descriptor limit, idle ones reclaimed, a 503 when all are busy.

import { type ChildProcess, spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningReference, startReference } from "../../src/reference/index.js";
import { DEFAULT_MAX_CONNECTIONS } from "../../src/reference/options.js";

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER_CHILD = fileURLToPath(new URL("../reference/children/reference-server.ts", import.meta.url));
const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
/** A normal client's exchange must end within this; it is a bound on failure, not a wait. */
const SERVED_WITHIN_MS = 3_000;

const sockets: Socket[] = [];
let child: ChildProcess | undefined;
let reference: RunningReference | undefined;

afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    socket.destroy();
  }
  child?.kill("SIGKILL");
  child = undefined;
  await reference?.close();
  reference = undefined;
});

/** Opens a connection and resolves once it is established; it then sends nothing unless told to. */
function open(url: string): Promise<Socket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    sockets.push(socket);
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("close", () => reject(new Error("closed before it connected")));
  });
}

function login(url: string) {
  return request(url).post("/v1/users/login").set("authorization", ADMIN_BASIC).timeout(SERVED_WITHIN_MS);
}

/** The reference in a child whose descriptor limit is `ulimit -n 256`, with the JSON options given. */
function startChild(options: object): Promise<string> {
  const script = `ulimit -n 256 && exec "${process.execPath}" --import tsx "${SERVER_CHILD}" '${JSON.stringify(options)}'`;
  const started = spawn("sh", ["-c", script], { cwd: PACKAGE_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  child = started;
  return new Promise((resolve, reject) => {
    let text = "";
    started.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\n");
      if (end !== -1) {
        resolve(text.slice(0, end));
      }
    });
    started.once("exit", (code) => reject(new Error(`the reference exited (${code}): ${text}`)));
  });
}

describe("the connection cap", () => {
  it("is below the usual ulimit -n of 1024 by default", () => {
    expect(DEFAULT_MAX_CONNECTIONS).toBeLessThan(1024);
  });

  it("keeps serving a normal client while 300 connections that send nothing sit on a 256-descriptor reference", async () => {
    const url = await startChild({ maxConnections: 200 });
    // Before the cap, each of these would take a descriptor until the headers timeout swept it; past the
    // descriptor limit every new client, the normal one too, would be reset.
    for (let index = 0; index < 300; index++) {
      await open(url);
    }
    const started = performance.now();
    for (let index = 0; index < 3; index++) {
      const res = await login(url);
      expect(res.status).toBe(200);
    }
    expect(performance.now() - started).toBeLessThan(SERVED_WITHIN_MS);
  }, 30_000);

  it("answers 503 in the envelope past the cap when every connection has a request under way", async () => {
    reference = await startReference({ maxConnections: 5 });
    const { url } = reference;
    const token = (await login(url)).body.users[0].token as string;
    const busy: Socket[] = [];
    for (let index = 0; index < 5; index++) {
      const socket = await open(url);
      // Expect: 100-continue makes the server say when it has the head: from then the request is under way.
      const continued = new Promise<void>((resolve) => {
        socket.once("data", () => resolve());
      });
      socket.write(
        [
          "POST /v1/account HTTP/1.1",
          "Host: 127.0.0.1",
          `Authorization: Bearer ${token}`,
          "Content-Type: application/json",
          "Content-Length: 2",
          "Expect: 100-continue",
          "",
          "",
        ].join("\r\n"),
      );
      await continued;
      busy.push(socket);
    }
    const refused = await login(url);
    expect(refused.status).toBe(503);
    expect(refused.body.errors[0].code).toBe(1016);
    expect(refused.body.errors[0].details).toMatch(/5 connections/);
    expect(refused.headers["retry-after"]).toBe("1");
    // One request ends; its connection closes (Connection: close is not sent, but the socket goes), room again.
    const first = busy[0];
    const answered = new Promise<string>((resolve) => {
      let text = "";
      first?.on("data", (chunk: Buffer) => {
        text += chunk.toString("latin1");
        if (text.includes("\r\n\r\n")) {
          resolve(text);
        }
      });
    });
    first?.end("{}");
    expect(await answered).toMatch(/HTTP\/1\.1 400 /);
    await new Promise<void>((resolve) => first?.once("close", () => resolve()));
    expect((await login(url)).status).toBe(200);
  });
});
