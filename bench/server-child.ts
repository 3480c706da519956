// The server process of the benchmarks: the reference (or, with "bare", a fixed-202 node:http server) on 127.0.0.1, reporting over IPC.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DIST_REFERENCE_URL } from "./lib/build.js";

/** The compiled reference (the benchmark builds it first), as `serve` runs it: not the TypeScript through tsx. */
async function startCompiledReference() {
  const reference = (await import(DIST_REFERENCE_URL)) as typeof import("../src/reference/index.js");
  return reference.startReference({ host: "127.0.0.1", port: 0 });
}

interface Request {
  type: string;
  id?: number;
  gc?: boolean;
}

/** The ceiling of this machine: a server that does nothing but answer the same 202 JSON. */
async function startBare(): Promise<{ url: string; close(): Promise<void> }> {
  const body = JSON.stringify({
    meta: { version: "v2.45.1", api_status: "stable" },
    account: [{ vname: "Acme" }],
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const running = process.argv[2] === "bare" ? await startBare() : await startCompiledReference();
const gc = (globalThis as { gc?: () => void }).gc;

const stop = async (): Promise<void> => {
  await running.close();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
// The benchmark that started this process is gone: stop by ourselves rather than linger.
process.on("disconnect", () => void stop());
process.on("message", (message: Request) => {
  if (message.type === "memory") {
    if (message.gc && gc) {
      gc();
    }
    process.send?.({ type: "memory", id: message.id, usage: process.memoryUsage() });
  }
});
process.send?.({ type: "ready", url: running.url });
