// What the hostile-answer tests share: a loopback target that logs in like the reference and then misbehaves, a run of
// the CLI against it with every report written, and the bounds every such run must keep.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import { loadContract } from "../../src/contract/contract.js";
import { createReferenceHandler, DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { type CliRun, runCli } from "../support/cli.js";

/** Every hostile target's run ends within this (the bound), whatever it answers. */
export const RUN_BOUND_MS = 30_000;
/** vitest's limit per test: above the run's bound, so a slow run fails on the bound with its figures. */
export const TEST_LIMIT_MS = 60_000;
/** No report may be larger than this, whatever the target sends. */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let reference: Handler | undefined;

export async function referenceHandler(): Promise<Handler> {
  reference ??= createReferenceHandler(await loadContract());
  return reference;
}

/** Reads a request's body (bounded: the kit's own requests are at most a few MiB). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

const servers: { close: () => Promise<void> }[] = [];

/** A loopback server with `handler`; closed by closeTargets(). */
export async function startTarget(handler: Handler): Promise<string> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeTargets(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

/**
 * A target that is the reference for the probe, the admin's login and the provider-state hook (so the run gets
 * going and reaches every state), and answers every other request with `misbehave`.
 */
export async function hostileAfterLogin(misbehave: Handler): Promise<string> {
  const ref = await referenceHandler();
  return startTarget((req, res) => {
    const isAdminLogin =
      req.url === "/v1/users/login" && (req.headers.authorization ?? "").startsWith("Basic ");
    const isStateHook = (req.url ?? "").startsWith(PROVIDER_STATE_PATH);
    if (
      isStateHook ||
      (req.url === "/v1/users/login" && (isAdminLogin || req.headers.authorization === undefined))
    ) {
      ref(req, res);
      return;
    }
    misbehave(req, res);
  });
}

export interface HostileRun extends CliRun {
  /** Every file the run wrote into --report-dir, by name. */
  artifacts: Map<string, string>;
  /** Everything a user or a CI log could see: the console and every artifact. */
  everything: string;
}

/** `run` against `url` as the admin (unless `args` say otherwise), with every report written to a fresh directory. */
export async function runAgainst(url: string, ...args: string[]): Promise<HostileRun> {
  const dir = await mkdtemp(join(tmpdir(), "wa-hostile-"));
  try {
    const credentials = args.includes("--password")
      ? []
      : ["--username", DEFAULT_ADMIN.username, "--password", DEFAULT_ADMIN.password];
    const run = await runCli(["run", "--target", url, ...credentials, "--report-dir", dir, ...args]);
    const artifacts = new Map<string, string>();
    for (const name of await readdir(dir)) {
      artifacts.set(name, await readFile(join(dir, name), "utf8"));
    }
    return {
      ...run,
      artifacts,
      everything: [run.out, run.err, ...artifacts.values()].join("\n"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What every run against a hostile target keeps: a verdict (not a crash), every report, bounded size and time. */
export function expectJudged(run: HostileRun): void {
  expect(run.err, run.err.slice(0, 2000)).not.toMatch(
    /internal error|RangeError|SyntaxError|Maximum call stack/,
  );
  expect(run.exitCode, run.err.slice(0, 2000)).toBe(EXIT.notConformant);
  expect([...run.artifacts.keys()].sort()).toEqual([
    "ctrf.json",
    "exchanges.har",
    "junit.xml",
    "report.html",
    "results.json",
    "summary.md",
  ]);
  for (const [name, text] of run.artifacts) {
    expect(Buffer.byteLength(text), `${name} size`).toBeLessThan(MAX_REPORT_BYTES);
  }
  expect(run.ms).toBeLessThan(RUN_BOUND_MS);
}
