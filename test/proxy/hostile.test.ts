// Hostile upstreams and clients: the proxy answers 502 only when the upstream cannot answer, keeps bounded copies, never follows a redirect, and writes no secret anywhere.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { writeReports } from "../../src/pipeline/reporters.js";
import { sessionDocument, sessionOutcome } from "../../src/proxy/proxy-report.js";
import { contract, exchange, type Proxied, send, startProxy } from "./support.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await close();
  }
});

async function listen(server: Server | TcpServer): Promise<string> {
  const sockets = new Set<{ destroy(): void }>();
  server.on("connection", (socket: { destroy(): void }) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) {
          socket.destroy();
        }
      }),
  );
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function upstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  return listen(createServer(handler));
}

async function proxyTo(
  url: string,
  options: { timeoutMs?: number; maxCopyBytes?: number } = {},
): Promise<Proxied> {
  const proxy = await startProxy(url, options);
  closers.push(() => proxy.close());
  return proxy;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const login = {
  method: "POST",
  path: "/v1/users/login",
  headers: { authorization: "Basic YWRtaW46c2VjcmV0" },
};

describe("an upstream that cannot answer", () => {
  it("never answers: after the timeout the client gets a 502 in the envelope and the exchange is an ERROR", async () => {
    const url = await upstream(() => {
      // Reads the request and never answers.
    });
    const proxy = await proxyTo(url, { timeoutMs: 200 });
    const { answer, result } = await exchange(proxy, login);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ errors: [{ code: 1011, title: contract.errorTitles.get(1011) }] });
    expect(result.verdict).toBe("ERROR");
    expect(result.reason).toMatch(/timeout/);
  });

  it("is not listening: a 502, and the session's exit code is 3 (never reachable)", async () => {
    const proxy = await proxyTo(await closedPort());
    const { answer, result } = await exchange(proxy, login);
    expect(answer.status).toBe(502);
    expect(result.verdict).toBe("ERROR");
    expect(sessionOutcome(contract, proxy.session, false).exitCode).toBe(3);
  });

  it("answers bytes that are not HTTP: a 502, no crash, and the next request is served", async () => {
    const tcp = createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.end("SSH-2.0-OpenSSH_9.6\r\n");
    });
    const proxy = await proxyTo(await listen(tcp));
    expect((await exchange(proxy, login)).answer.status).toBe(502);
    expect((await exchange(proxy, login)).answer.status).toBe(502);
  });

  it("breaks off mid-answer: the client's connection breaks too (no made-up answer), the exchange is an ERROR", async () => {
    const url = await upstream((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"users":[');
      setImmediate(() => res.socket?.destroy());
    });
    const proxy = await proxyTo(url);
    const judged = proxy.next(1);
    await expect(send(proxy.url, login)).rejects.toThrow();
    const [result] = await judged;
    expect(result?.verdict).toBe("ERROR");
    expect(result?.reason).toMatch(/broke off/);
  });
});

describe("an upstream that answers what a client should see unchanged", () => {
  it("a redirect is relayed, never followed", async () => {
    let requests = 0;
    const url = await upstream((_req, res) => {
      requests += 1;
      res.writeHead(302, { location: "http://192.0.2.1/steal" });
      res.end();
    });
    const proxy = await proxyTo(url);
    const { answer } = await exchange(proxy, login);
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe("http://192.0.2.1/steal");
    expect(requests).toBe(1);
  });

  it("a 5 MiB body reaches the client whole; the proxy keeps 1 MiB of it and judges only the status", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, "a");
    const url = await upstream((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(big);
    });
    const proxy = await proxyTo(url, { maxCopyBytes: 1024 * 1024 });
    const { answer, result } = await exchange(proxy, login);
    expect(Buffer.byteLength(answer.text)).toBe(big.length);
    const kept = result.exchanges[0]?.response;
    expect(kept?.bodyBytes).toBe(big.length);
    expect(kept?.bodyText.length).toBeLessThanOrEqual(1024 * 1024);
    expect(result.requirements.map((requirement) => requirement.id)).not.toContain(
      "responses-match-contract-schema",
    );
  });
});

describe("a hostile client", () => {
  it("a 3 MiB body is relayed whole and judged no further than its size", async () => {
    let received = 0;
    const url = await upstream((req, res) => {
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
      });
      req.on("end", () =>
        res
          .writeHead(413, { "content-type": "application/json" })
          .end('{"errors":[{"code":1009,"title":"Parameter value is not valid"}]}'),
      );
    });
    const proxy = await proxyTo(url, { maxCopyBytes: 1024 * 1024 });
    const body = JSON.stringify({ pad: "x".repeat(3 * 1024 * 1024) });
    const { result } = await exchange(proxy, {
      method: "POST",
      path: "/v1/account",
      headers: {
        authorization: "Bearer abc",
        "content-type": "application/json",
        "content-length": String(body.length),
      },
      body,
    });
    expect(received).toBe(body.length);
    expect(result.failures.map((failure) => failure.requirement)).toContain("oversized-body-not-accepted");
  });

  it("a client that leaves mid-body does not stop the proxy", async () => {
    const url = await upstream((req, res) => {
      req.resume();
      req.on("end", () => res.end("{}"));
    });
    const proxy = await proxyTo(url);
    const { connect } = await import("node:net");
    const { hostname, port } = new URL(proxy.url);
    await new Promise<void>((resolve) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => {
        socket.write('POST /v1/account HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{"cc":', () => {
          socket.destroy();
          resolve();
        });
      });
    });
    expect(
      (await send(proxy.url, { method: "GET", path: "/x", headers: { connection: "close" } })).status,
    ).toBe(200);
  });
});

describe("a client that leaves mid-answer", () => {
  it("is not judged on the part it read, and the proxy goes on", async () => {
    const url = await upstream((req, res) => {
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"users":[');
        // Never ends by itself: the client leaves first.
        return;
      }
      res
        .writeHead(404, { "content-type": "application/json" })
        .end('{"errors":[{"code":1006,"title":"Resource not found"}]}');
    });
    const proxy = await proxyTo(url);
    const { request: httpRequest } = await import("node:http");
    const { hostname, port } = new URL(proxy.url);
    await new Promise<void>((resolve) => {
      const sent = httpRequest(
        { host: hostname, port, method: "POST", path: "/stream", agent: false },
        (answer) => {
          answer.once("data", () => {
            sent.destroy();
            resolve();
          });
        },
      );
      sent.on("error", () => {});
      sent.end();
    });
    const { result } = await exchange(proxy, { method: "GET", path: "/next" });
    expect(proxy.session.results).toEqual([result]);
  });
});

describe("secrets", () => {
  it("a token, a pin and a cert, echoed back by the upstream, appear in no console line and no report", async () => {
    const token = "tok-Secret-Value-0123456789";
    const pin = "918273";
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });
    const url = await upstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        res.writeHead(500, { "content-type": "text/plain", "x-echo": String(req.headers.authorization) });
        res.end(`you sent ${req.headers.authorization} and ${Buffer.concat(chunks).toString()}`);
      });
    });
    const proxy = await proxyTo(url);
    const { answer } = await exchange(proxy, {
      method: "POST",
      path: "/v1/account",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ cc: "1", phone_number: "5550100001", method: "sms", cert, pin }),
    });
    expect(answer.text).toContain(token);
    const dir = await mkdtemp(join(tmpdir(), "wa-proxy-secrets-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const outcome = sessionOutcome(contract, proxy.session, false);
    const document = sessionDocument(contract, outcome, {
      redactor: proxy.redactor,
      strict: false,
      endTimes: proxy.session.endTimes,
    });
    await writeReports(dir, "run", document);
    const files = await readdir(dir);
    expect(files.sort()).toEqual([
      "ctrf.json",
      "exchanges.har",
      "junit.xml",
      "report.html",
      "results.json",
      "summary.md",
    ]);
    const written = [
      proxy.lines.join("\n"),
      ...(await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")))),
    ];
    expect(proxy.lines.join("\n")).toMatch(/no-5xx-for-client-input/);
    for (const text of written) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(pin);
      expect(text).not.toContain(cert);
    }
  });
});
