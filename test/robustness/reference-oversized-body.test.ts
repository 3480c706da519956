// The reference's 413 always reaches the client: a refused body is drained (bounded) before the connection closes, even with a busy core.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAIN_LIMIT_MS } from "../../src/reference/http-body.js";
import { type RunningReference, startReference } from "../../src/reference/index.js";

const PACKAGE_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHILDREN = fileURLToPath(new URL("../reference/children/", import.meta.url));
const ADMIN_BASIC = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
const TWO_MIB = 2 * 1024 * 1024;
/** Each exchange below that takes longer is a hang: the test fails rather than waits. */
const EXCHANGE_BOUND_MS = 5_000;
const RUNS = 50;

async function adminToken(url: string): Promise<string> {
  const res = await request(url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
  expect(res.status).toBe(200);
  return res.body.users[0].token as string;
}

interface RawOutcome {
  /** Everything the server sent. */
  received: string;
  /** The first socket error, if any (EPIPE, ECONNRESET: the connection was reset under the client). */
  error: string | undefined;
  /** Milliseconds from the first byte sent to the socket's close. */
  closedAfterMs: number;
}

interface Upload {
  token: string;
  /** The Content-Length sent. */
  declared: number;
  /** Bytes sent right after the head. */
  first: number;
  /** Bytes sent once the answer's head has arrived, as a client still writing when the answer comes. */
  rest?: number;
  /**
   * Then keep sending 16 KiB every 50 ms until the connection closes: a slow client that never stops. It keeps
   * its side open after the server's FIN, and its writes are what notice the server closing.
   */
  trickle?: boolean;
}

/** One upload over a raw socket, the way `Upload` says; rejects if the connection is still open after EXCHANGE_BOUND_MS. */
function rawUpload(url: string, upload: Upload): Promise<RawOutcome> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = connect({
      port: Number(port),
      host: "127.0.0.1",
      allowHalfOpen: upload.trickle === true,
    });
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let answered = false;
    let trickle: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${EXCHANGE_BOUND_MS} ms`));
    }, EXCHANGE_BOUND_MS);
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (!answered && Buffer.concat(chunks).includes("\r\n\r\n")) {
        answered = true;
        if ((upload.rest ?? 0) > 0) {
          socket.write(Buffer.alloc(upload.rest ?? 0, "a"));
        }
      }
    });
    socket.on("error", (cause: NodeJS.ErrnoException) => {
      error ??= cause.code ?? cause.message;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      clearInterval(trickle);
      resolve({
        received: Buffer.concat(chunks).toString("latin1"),
        error,
        closedAfterMs: performance.now() - started,
      });
    });
    socket.write(
      [
        "POST /v1/account HTTP/1.1",
        "Host: 127.0.0.1",
        `Authorization: Bearer ${upload.token}`,
        "Content-Type: application/json",
        `Content-Length: ${upload.declared}`,
        "Connection: close",
        "",
        "",
      ].join("\r\n"),
    );
    socket.write(Buffer.alloc(upload.first, "a"));
    if (upload.trickle) {
      const piece = Buffer.alloc(16 * 1024, "a");
      trickle = setInterval(() => {
        if (!socket.destroyed) {
          socket.write(piece);
        }
      }, 50);
    }
  });
}

describe("a refused body in one process", () => {
  let reference: RunningReference;
  let token: string;
  beforeAll(async () => {
    reference = await startReference({});
    token = await adminToken(reference.url);
  });
  afterAll(async () => {
    await reference.close();
  });

  it("answers 413 with Connection: close, then reads the rest of the body instead of resetting the client", async () => {
    const outcome = await rawUpload(reference.url, {
      token,
      declared: TWO_MIB,
      first: 128 * 1024,
      rest: TWO_MIB - 128 * 1024,
    });
    expect(outcome.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.received.toLowerCase()).toContain("connection: close");
    // Closing over unread bytes makes the kernel reset the connection: the client's late writes would fail.
    expect(outcome.error).toBeUndefined();
  });

  it("closes a connection whose declared 16 MB body comes slowly within the drain bound, not after minutes", async () => {
    const outcome = await rawUpload(reference.url, {
      token,
      declared: 16_000_000,
      first: 100 * 1024,
      trickle: true,
    });
    expect(outcome.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(outcome.closedAfterMs).toBeLessThan(DRAIN_LIMIT_MS + 2_000);
  });

  it("drains a refused body arriving after a 401 too, so the client reads the 401", async () => {
    const outcome = await rawUpload(reference.url, {
      token: "not-a-token",
      declared: 512 * 1024,
      first: 64 * 1024,
      rest: 448 * 1024,
    });
    expect(outcome.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(outcome.error).toBeUndefined();
  });

  it("keeps serving a normal client while slow oversized uploads hold connections", async () => {
    const uploads = Array.from({ length: 20 }, () =>
      rawUpload(reference.url, { token, declared: 16_000_000, first: 100 * 1024, trickle: true }),
    );
    const started = performance.now();
    const login = await request(reference.url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
    expect(login.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);
    for (const outcome of await Promise.all(uploads)) {
      expect(outcome.received).toMatch(/^HTTP\/1\.1 413 /);
    }
  });
});

/** `taskset -c <cpu>` when the machine has two cores or more and taskset exists, else the command as is. */
function onCpu(cpu: number, command: string, args: string[]): [string, string[]] {
  if (availableParallelism() < 2) {
    return [command, args];
  }
  try {
    execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
  } catch {
    return [command, args];
  }
  return ["taskset", ["-c", String(cpu), command, ...args]];
}

function spawnNode(cpu: number, args: string[]): ChildProcess {
  const [command, full] = onCpu(cpu, process.execPath, args);
  return spawn(command, full, { cwd: PACKAGE_ROOT, stdio: ["pipe", "pipe", "inherit"] });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const end = text.indexOf("\n");
      if (end !== -1) {
        resolve(text.slice(0, end));
      }
    });
    child.once("exit", (code) => reject(new Error(`the child exited (${code}) before a line: ${text}`)));
  });
}

describe("a 2 MiB body refused by a reference in its own process, with the client's core kept busy", () => {
  const children: ChildProcess[] = [];
  let url: string;
  let token: string;

  beforeAll(async () => {
    // The reference on one core; the client and a busy loop share the other, as when the kit runs on a loaded
    // machine: the client then reads late, which is when a reset beat the 413 (13 of 20 runs of the README's
    // example). The loop stops by itself after a minute and is killed in afterAll.
    const server = spawnNode(0, ["--import", "tsx", `${CHILDREN}reference-server.ts`, "{}"]);
    children.push(server);
    url = await firstLine(server);
    token = await adminToken(url);
    children.push(spawnNode(1, ["-e", "const end = Date.now() + 60000; while (Date.now() < end) {}"]));
  }, 30_000);

  afterAll(() => {
    for (const child of children) {
      child.kill("SIGKILL");
    }
  });

  it(`answers 413 every time, ${RUNS} times with node:http and ${RUNS} with supertest`, async () => {
    const client = spawnNode(1, [
      "--import",
      "tsx",
      `${CHILDREN}oversized-client.ts`,
      url,
      token,
      String(RUNS),
    ]);
    children.push(client);
    const line = firstLine(client);
    // Meanwhile, a normal client is served.
    for (let index = 0; index < 5; index++) {
      const login = await request(url).post("/v1/users/login").set("authorization", ADMIN_BASIC);
      expect(login.status).toBe(200);
    }
    const results = JSON.parse(await line) as { http: string[]; supertest: string[] };
    expect(results.http).toEqual(Array.from({ length: RUNS }, () => "413"));
    expect(results.supertest).toEqual(Array.from({ length: RUNS }, () => "413"));
  }, 60_000);
});
