// Runs the kit's CLI against hostile and broken loopback targets: it must end in bounded time with a clear ERROR, FAIL or exit 3.

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from "node:net";
import { Readable } from "node:stream";
import { generate } from "selfsigned";
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { loadContract } from "../../src/contract/contract.js";
import { createReferenceHandler, DEFAULT_ADMIN } from "../../src/reference/index.js";
import { type CliRun, runCli } from "../support/cli.js";

/** Every request the kit makes gets this long; the bounds below are a few of these plus the kit's start-up. */
const TIMEOUT_MS = 500;
/** A run over the few cases below ends well within this, whatever the target does. */
const RUN_BOUND_MS = 6_000;
/** vitest's own limit per test, so a hang fails the test instead of the suite. */
const HARD_LIMIT_MS = 20_000;

/** A case that sends only a login (passes against the embedded handler), and two that reach /v1/account. */
const LOGIN_CASE = "login-with-admin-credentials-answers-token";
const REGISTER_CASE = "new-number-answers-202-with-decoded-vname";
const NO_TOKEN_CASE = "request-without-token-answers-401";
const CASES = [LOGIN_CASE, REGISTER_CASE, NO_TOKEN_CASE].join(",");

/** `run` in-process against a hostile target. */
function cli(...args: string[]): Promise<CliRun> {
  return runCli(["run", ...args]);
}

/** The verdict line of one case and its indented detail lines, as the CLI prints them. */
function caseBlock(out: string, id: string): { verdict: string; text: string } | undefined {
  const lines = out.split("\n");
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const head = new RegExp(`^\\s+(PASS|FAIL|WARN|INFO|SKIP|ERROR)\\s+${escaped}(\\s|$)`);
  const index = lines.findIndex((line) => head.test(line));
  const line = lines[index];
  if (index === -1 || line === undefined) {
    return undefined;
  }
  const detail: string[] = [];
  for (const next of lines.slice(index + 1)) {
    if (!/^ {6,}\S/.test(next)) {
      break;
    }
    detail.push(next.trim());
  }
  return { verdict: head.exec(line)?.[1] ?? "", text: [line, ...detail].join("\n") };
}

/** Servers a test started, closed after it; each with the sockets still open, so the test can see what the kit left. */
const started: { server: Server; sockets: Set<Socket> }[] = [];

/** Listens on host:0 and remembers every socket (for http, https and net servers alike: all are net servers). */
async function listen(server: Server, host = "127.0.0.1"): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  started.push({ server, sockets });
  return { port: (server.address() as AddressInfo).port, sockets };
}

async function stop({ server, sockets }: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const socket of sockets) {
    socket.destroy();
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * The HTTP client writes its own complaints to console.warn (e.g. "superagent: double callback bug" when a
 * response is reported twice); a user would see them as noise on stderr, so any of them fails the test.
 */
let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});

afterEach(async () => {
  await Promise.all(started.splice(0).map(stop));
  // A late report arrives a tick or two after the run has settled (e.g. a response's "aborted" after a reset).
  await new Promise((resolve) => setTimeout(resolve, 100));
  const warnings = warn.mock.calls.map((args) => args.map(String).join(" "));
  warn.mockRestore();
  expect(warnings, "the kit's HTTP client printed warnings").toEqual([]);
});

/** Waits (bounded) until the predicate holds; false when it never did. */
async function eventually(predicate: () => boolean, withinMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (predicate()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return predicate();
}

let reference: (req: IncomingMessage, res: ServerResponse) => void;
beforeAll(async () => {
  reference = createReferenceHandler(await loadContract());
});

/**
 * A target that is the reference everywhere (so the probe, the login and the login case work) except under
 * /v1/account, where `misbehave` answers: this shows the kit reports the broken route and still judges the rest.
 */
function hostileUnderAccount(
  misbehave: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if ((req.url ?? "").startsWith("/v1/account")) {
      misbehave(req, res);
      return;
    }
    reference(req, res);
  };
}

/** Flags for a run against `url` as the admin, with the static states a hook-less target gets. */
function runArgs(url: string, ...extra: string[]): string[] {
  return [
    "--target",
    url,
    "--username",
    DEFAULT_ADMIN.username,
    "--password",
    DEFAULT_ADMIN.password,
    "--timeout",
    String(TIMEOUT_MS),
    "--case",
    CASES,
    ...extra,
  ];
}

function expectLoginCasePassed(run: CliRun): void {
  // The control: the same run judged the healthy route, so the ERRORs below are about the hostile one.
  expect(caseBlock(run.out, LOGIN_CASE)?.verdict, run.out).toBe("PASS");
}

describe("a target that never answers", () => {
  it(
    "exits 3 within its budget when even the probe gets no answer, and leaves no socket open",
    async () => {
      const server = createNetServer((socket) => {
        socket.resume();
      });
      const { port, sockets } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.err).toBe(EXIT.unreachable);
      expect(run.err).toMatch(/unreachable/);
      expect(run.err).toContain(`no complete answer within ${TIMEOUT_MS} ms`);
      expect(run.out).not.toMatch(/\b(PASS|FAIL|ERROR)\s+\S/);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
      expect(await eventually(() => sockets.size === 0), "the kit left a connection open").toBe(true);
    },
    HARD_LIMIT_MS,
  );

  it(
    "reports ERROR (timeout) for the cases whose route hangs, and judges the others",
    async () => {
      const server = createHttpServer(
        hostileUnderAccount((req) => {
          req.resume();
        }),
      );
      const { port, sockets } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      for (const id of [REGISTER_CASE, NO_TOKEN_CASE]) {
        const block = caseBlock(run.out, id);
        expect(block?.verdict, run.out).toBe("ERROR");
        expect(block?.text).toMatch(/timeout/);
      }
      expectLoginCasePassed(run);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
      expect(await eventually(() => sockets.size === 0), "the kit left a connection open").toBe(true);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target that answers one byte a second", () => {
  /** Writes `text` one byte per second until done or the socket closes; returns a stop function. */
  function drip(socket: Socket, text: string): () => void {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || sent >= text.length) {
        clearInterval(timer);
        return;
      }
      socket.write(text.slice(sent, sent + 1));
      sent += 1;
    }, 1_000);
    socket.once("close", () => clearInterval(timer));
    return () => clearInterval(timer);
  }
  const answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";

  it(
    "exits 3 when the probe's answer trickles in slower than the timeout",
    async () => {
      const server = createNetServer((socket) => {
        socket.resume();
        drip(socket, answer);
      });
      const { port, sockets } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.err).toBe(EXIT.unreachable);
      expect(run.err).toContain(`no complete answer within ${TIMEOUT_MS} ms`);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
      expect(await eventually(() => sockets.size === 0), "the kit left a connection open").toBe(true);
    },
    HARD_LIMIT_MS,
  );

  it(
    "reports ERROR (timeout) when headers come at once and the body one byte a second",
    async () => {
      const body = JSON.stringify({ meta: { version: "v2.45.1" }, account: [{ vname: "Acme Plumbing Co" }] });
      const server = createHttpServer(
        hostileUnderAccount((req, res) => {
          req.resume();
          res.writeHead(202, { "content-type": "application/json", "content-length": String(body.length) });
          res.flushHeaders();
          drip(req.socket, body);
        }),
      );
      const { port, sockets } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      const block = caseBlock(run.out, REGISTER_CASE);
      expect(block?.verdict, run.out).toBe("ERROR");
      expect(block?.text).toContain(`no complete answer within ${TIMEOUT_MS} ms`);
      expectLoginCasePassed(run);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
      expect(await eventually(() => sockets.size === 0), "the kit left a connection open").toBe(true);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target that sends a 50 MB body", () => {
  const FIFTY_MB = 50 * 1024 * 1024;

  it(
    "stops reading past its limit (ERROR: exceeds) and closes the socket long before 50 MB",
    async () => {
      let written = 0;
      let closedEarly = false;
      let finished = false;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const server = createHttpServer(
        hostileUnderAccount((req, res) => {
          req.resume();
          res.writeHead(202, { "content-type": "application/json", "content-length": String(FIFTY_MB) });
          // Produced lazily, one 64 KiB chunk per read, so the server holds at most a few chunks at a time.
          const body = new Readable({
            read() {
              if (written >= FIFTY_MB) {
                this.push(null);
                return;
              }
              written += chunk.length;
              this.push(chunk);
            },
          });
          res.on("finish", () => {
            finished = true;
          });
          res.on("close", () => {
            closedEarly = !finished;
            body.destroy();
          });
          body.pipe(res);
        }),
      );
      const { port } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      for (const id of [REGISTER_CASE, NO_TOKEN_CASE]) {
        const block = caseBlock(run.out, id);
        expect(block?.verdict, run.out).toBe("ERROR");
        expect(block?.text).toMatch(/exceeds 1048576 bytes/);
      }
      expectLoginCasePassed(run);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
      expect(await eventually(() => closedEarly), "the server never saw the kit close the socket").toBe(true);
      expect(finished).toBe(false);
      // Two requests reached the route; what they could push before the kit hung up is socket buffers, not 50 MB.
      expect(written).toBeLessThan(FIFTY_MB / 2);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target that answers invalid JSON with a JSON content type", () => {
  it(
    "fails the JSON checks (FAIL, not a crash) and names what it received",
    async () => {
      const server = createHttpServer(
        hostileUnderAccount((req, res) => {
          req.resume();
          res.writeHead(202, { "content-type": "application/json" });
          res.end('{"meta": {"version": "v2.45.1"}, "account": [{"vname": "Acme');
        }),
      );
      const { port } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      const block = caseBlock(run.out, REGISTER_CASE);
      expect(block?.verdict, run.out).toBe("FAIL");
      expect(block?.text).toMatch(/JSON/);
      expectLoginCasePassed(run);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target that resets the connection", () => {
  it(
    "exits 3 when the probe's connection is reset",
    async () => {
      const server = createNetServer((socket) => {
        socket.once("data", () => socket.resetAndDestroy());
      });
      const { port } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.err).toBe(EXIT.unreachable);
      expect(run.err).toMatch(/closed before a complete answer/);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );

  it(
    "reports ERROR (reset) for the cases whose connection is reset mid-answer",
    async () => {
      const server = createHttpServer(
        hostileUnderAccount((req, res) => {
          req.resume();
          // Half an answer, then an RST: the kit must not take the half for a response.
          res.writeHead(202, { "content-type": "application/json", "content-length": "100" });
          res.write('{"meta":');
          setTimeout(() => req.socket.resetAndDestroy(), 20);
        }),
      );
      const { port } = await listen(server);
      const run = await cli(...runArgs(`http://127.0.0.1:${port}`));
      expect(run.exitCode, run.out).toBe(EXIT.notConformant);
      for (const id of [REGISTER_CASE, NO_TOKEN_CASE]) {
        const block = caseBlock(run.out, id);
        expect(block?.verdict, run.out).toBe("ERROR");
        expect(block?.text).toMatch(/reset: the connection was closed before a complete answer/);
      }
      expectLoginCasePassed(run);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target that redirects to another host", () => {
  /**
   * The target answers every request with a 307 to the same path on 127.0.0.2 (loopback too, but another host
   * than the target's 127.0.0.1), where a second server records whatever reaches it.
   */
  async function redirecting(): Promise<{
    url: string;
    seenByTarget: (string | undefined)[];
    reached: { method: string; url: string; authorization: string | undefined }[];
  }> {
    const reached: { method: string; url: string; authorization: string | undefined }[] = [];
    const elsewhere = createHttpServer((req, res) => {
      reached.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
      });
      req.resume();
      res.writeHead(202, { "content-type": "application/json" });
      res.end('{"meta":{"version":"v2.45.1"},"account":[{"vname":"Acme Plumbing Co"}]}');
    });
    const other = await listen(elsewhere, "127.0.0.2");
    const seenByTarget: (string | undefined)[] = [];
    const target = createHttpServer((req, res) => {
      seenByTarget.push(req.headers.authorization);
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.2:${other.port}${req.url ?? "/"}` });
      res.end();
    });
    const { port } = await listen(target);
    return { url: `http://127.0.0.1:${port}`, seenByTarget, reached };
  }

  it(
    "never follows it with the admin token: the cases FAIL on the 307 and the other host sees nothing",
    async () => {
      const { url, seenByTarget, reached } = await redirecting();
      const run = await cli(
        "--target",
        url,
        "--token",
        "t",
        "--timeout",
        String(TIMEOUT_MS),
        "--case",
        [REGISTER_CASE, NO_TOKEN_CASE].join(","),
      );
      expect(run.exitCode, run.out + run.err).toBe(EXIT.notConformant);
      const block = caseBlock(run.out, REGISTER_CASE);
      expect(block?.verdict, run.out).toBe("FAIL");
      expect(block?.text).toMatch(/307/);
      // The token went to the target (so the check below could see it forwarded), and nowhere else.
      expect(seenByTarget).toContain("Bearer t");
      expect(reached.filter((request) => request.authorization !== undefined)).toEqual([]);
      expect(reached).toEqual([]);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );

  it(
    "never follows it with the admin's password: the login is refused (exit 2) and the other host sees nothing",
    async () => {
      const { url, seenByTarget, reached } = await redirecting();
      const run = await cli(...runArgs(url));
      expect(run.exitCode, run.out + run.err).toBe(EXIT.usage);
      expect(run.err).toMatch(/login/);
      expect(run.err).toContain("307");
      expect(seenByTarget.some((header) => header?.startsWith("Basic "))).toBe(true);
      expect(reached).toEqual([]);
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );
});

describe("a target with a self-signed certificate", () => {
  let url = "";
  /** Started in beforeAll and kept for both tests, so afterEach (which stops per-test servers) does not see it. */
  let tls: { server: Server; sockets: Set<Socket> } | undefined;
  beforeAll(async () => {
    // Made at test time for 127.0.0.1 (as IP SAN), so only the missing trust can make a client refuse it.
    const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
      keySize: 2048,
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
    });
    const server = createHttpsServer({ key: pems.private, cert: pems.cert }, (req, res) =>
      reference(req, res),
    );
    const { port } = await listen(server);
    const entry = started.pop();
    tls = entry;
    url = `https://127.0.0.1:${port}`;
  }, HARD_LIMIT_MS);
  afterAll(async () => {
    if (tls) {
      await stop(tls);
    }
  });

  it(
    "refuses it without --insecure: exit 3 with a TLS reason that names --insecure",
    async () => {
      const run = await cli(...runArgs(url));
      expect(run.exitCode, run.err).toBe(EXIT.unreachable);
      expect(run.err).toMatch(/TLS certificate was refused/);
      expect(run.err).toMatch(/SELF_SIGNED/);
      expect(run.err).toContain("--insecure");
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );

  it(
    "talks to it with --insecure: the same cases are judged and pass",
    async () => {
      const run = await cli(
        ...runArgs(url, "--insecure", "--state-url", `${url}/_conformance/provider-states`),
      );
      expect(run.err).not.toMatch(/TLS|certificate/);
      for (const id of [LOGIN_CASE, REGISTER_CASE, NO_TOKEN_CASE]) {
        expect(caseBlock(run.out, id)?.verdict, run.out).toBe("PASS");
      }
      expect(run.ms).toBeLessThan(RUN_BOUND_MS);
    },
    HARD_LIMIT_MS,
  );
});
