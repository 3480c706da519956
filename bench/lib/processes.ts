// Child processes for the benchmarks: timed runs from spawn to exit, and loopback servers started and stopped by their own pid.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { type CpuPlan, onServerCpu } from "./cpus.js";
import { call } from "./http.js";

/** The environment of a child: the caller's, without the kit's own settings (they would change what is run). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("WA_CONFORMANCE_") && name !== "NODE_OPTIONS") {
      env[name] = value;
    }
  }
  return { ...env, NO_COLOR: "1", FORCE_COLOR: "0", ...extra };
}

export interface TimedRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Keeps the last `limit` characters of a stream, so a chatty child cannot grow the benchmark's memory. */
function tail(limit: number): { push(chunk: Buffer): void; text(): string } {
  let kept = "";
  return {
    push(chunk) {
      kept = (kept + chunk.toString("utf8")).slice(-limit);
    },
    text: () => kept,
  };
}

/** Runs `node <args>` and times it from spawn to exit; killed (SIGKILL, by pid) past `timeoutMs`. */
export function timedNode(
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: PACKAGE_ROOT,
      env: options.env ?? cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout = tail(64 * 1024);
    const stderr = tail(64 * 1024);
    child.stdout.on("data", stdout.push);
    child.stderr.on("data", stderr.push);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        ms: performance.now() - started,
        code,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
      });
    });
  });
}

/** A port free on 127.0.0.1 right now (bound once, then released) for a server that cannot pick its own. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Stops a child we started: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export interface ServerChild {
  url: string;
  /** The server's process id (taskset execs the server, so it is the server's own when pinned). */
  pid: number | undefined;
  /** process.memoryUsage() of the child, after a full GC when `gc` (the child runs with --expose-gc). */
  memory(gc: boolean): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

interface ChildMessage {
  type: string;
  url?: string;
  id?: number;
  usage?: NodeJS.MemoryUsage;
}

function isChildMessage(value: unknown): value is ChildMessage {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "type") === "string";
}

/**
 * Starts bench/server-child.ts (the reference, or a bare fixed-202 server) in its own process, so the load
 * generator and the server do not share an event loop and the server's memory can be measured alone.
 */
export function startServerChild(
  mode: "reference" | "bare",
  cpus: CpuPlan,
  timeoutMs = 30_000,
): Promise<ServerChild> {
  const [command, args] = onServerCpu(cpus, process.execPath, [
    "--expose-gc",
    "--import",
    "tsx",
    join("bench", "server-child.ts"),
    mode,
  ]);
  const child = spawn(command, args, {
    cwd: PACKAGE_ROOT,
    env: cleanEnv(),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, (usage: NodeJS.MemoryUsage) => void>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the ${mode} server did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${mode} server exited (${code}) before it was ready`));
    });
    child.on("message", (message: unknown) => {
      if (!isChildMessage(message)) {
        return;
      }
      if (message.type === "ready" && message.url !== undefined) {
        clearTimeout(timer);
        const url = message.url;
        resolve({
          url,
          pid: child.pid,
          memory(gc) {
            const id = nextId++;
            return new Promise((answer, fail) => {
              const guard = setTimeout(() => {
                waiting.delete(id);
                fail(new Error("the server did not report its memory within 10 s"));
              }, 10_000);
              waiting.set(id, (usage) => {
                clearTimeout(guard);
                answer(usage);
              });
              child.send({ type: "memory", id, gc });
            });
          },
          stop: () => stopChild(child),
        });
      } else if (message.type === "memory" && message.id !== undefined && message.usage !== undefined) {
        waiting.get(message.id)?.(message.usage);
        waiting.delete(message.id);
      }
    });
  });
}

/** Waits until something answers HTTP at `url` (any status), polling; false if nothing did within the time. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await call(url, "GET", "/", {});
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return false;
}
