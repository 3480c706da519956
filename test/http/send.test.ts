// The HTTP client's own promises: the label it sends is the one asked for, and a close is an answer only when allowed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendRequest, TransportError } from "../../src/http/send.js";

let server: Server;
let url = "";
const seen: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/close") {
      // A refusal by closing: the request's body is never read.
      req.socket.destroy();
      return;
    }
    seen.push(req.headers["content-type"]);
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("sendRequest", () => {
  it("sends a body with no Content-Type when none is given (superagent would label it form-urlencoded)", async () => {
    seen.length = 0;
    await sendRequest(url, { method: "POST", path: "/", headers: {}, body: '{"a":1}' }, { timeoutMs: 2000 });
    await sendRequest(
      url,
      { method: "POST", path: "/", headers: { "content-type": "text/plain" }, body: '{"a":1}' },
      { timeoutMs: 2000 },
    );
    expect(seen).toEqual([undefined, "text/plain"]);
  });

  it("reports a close as a reset, or as the answer when the request allows it", async () => {
    const request = { method: "POST", path: "/close", headers: {}, body: "x".repeat(1 << 20) };
    const error = await sendRequest(url, request, { timeoutMs: 2000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe("reset");
    const { response } = await sendRequest(url, request, { timeoutMs: 2000, closeIsAnswer: true });
    expect(response.status).toBe(0);
    expect(response.closed?.reason).toMatch(/ECONNRESET|EPIPE|socket hang up/);
  });
});
