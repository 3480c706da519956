// `npm run bench:proxy`: the judging proxy's overhead against the reference: autocannon directly and through `proxy`, the added median latency and the throughput share.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { encodeCertificate } from "../src/cert/certificate.js";
import { PACKAGE_ROOT } from "../src/paths.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../src/reference/index.js";
import { buildDist } from "./lib/build.js";
import { type CannonOptions, type CannonResult, runCannon } from "./lib/cannon.js";
import { onServerCpu, pinThisProcess, planCpus } from "./lib/cpus.js";
import { adminBearer, call, providerState } from "./lib/http.js";
import { describeMachine, machineMarkdown } from "./lib/machine.js";
import { cleanEnv, freePort, startServerChild, stopChild, waitForHttp } from "./lib/processes.js";
import { writeSection } from "./lib/results-file.js";
import { median, ms, perSecond, ratio, table } from "./lib/stats.js";

/** The throughput run: as many connections as bench/run.ts loads every target with. */
const CONNECTIONS = 10;
/**
 * The latency runs: one request at a time on one kept-alive connection, so the median is one request's path and
 * not the queue in front of it; timed here with performance.now(), as autocannon's latencies are whole
 * milliseconds. Direct and proxied blocks alternate, so load that comes and goes on the machine meets both.
 */
const LATENCY_BLOCKS = 4;
const LATENCY_REQUESTS_PER_BLOCK = 500;
const DURATION_SECONDS = 5;
/** Issue 15's aims. */
const AIMS = { addedLatencyMs: 1, throughputShare: 0.5 };

const BIN = join("bin", "wa-account-conformance.js");
const REGISTERED = { cc: "1", phone_number: "5550100099" };
const log = (text: string) => process.stdout.write(`${text}\n`);

/** The built bin's `proxy` on the server's core, beside the server it fronts, as it would be deployed. */
async function startProxy(
  upstream: string,
  cpus: ReturnType<typeof planCpus>,
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const [command, args] = onServerCpu(cpus, process.execPath, [
    BIN,
    "proxy",
    "--upstream",
    upstream,
    "--port",
    String(port),
    "--quiet",
  ]);
  const child = spawn(command, args, {
    cwd: PACKAGE_ROOT,
    env: cleanEnv(),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitForHttp(url, 30_000))) {
    await stopChild(child);
    throw new Error("the proxy did not start within 30 s");
  }
  return { url, child };
}

/** One request at a time on a kept-alive connection; the time of each, in ms. */
async function sequentialTimes(
  url: string,
  request: { path: string; headers: Record<string, string>; body: string },
  count: number,
  agent: Agent,
): Promise<number[]> {
  const { hostname, port } = new URL(url);
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    times.push(
      await new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const sent = httpRequest(
          {
            host: hostname,
            port,
            method: "POST",
            path: request.path,
            agent,
            headers: { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
            timeout: 5_000,
          },
          (answer) => {
            answer.resume();
            answer.on("end", () => resolve(performance.now() - started));
            answer.on("error", reject);
          },
        );
        sent.on("timeout", () => sent.destroy(new Error(`${url} did not answer within 5 s`)));
        sent.on("error", reject);
        sent.end(request.body);
      }),
    );
  }
  return times;
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined off Linux. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) {
    return undefined;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * An autocannon run after an unrecorded 2 s warm-up, with the CPU time each process used during the measured
 * part: CPU per request does not depend on what else loads the machine, as requests per second do.
 */
async function measured(
  options: CannonOptions,
  pids: Record<string, number | undefined>,
): Promise<{ result: CannonResult; cpuUsPerRequest: Record<string, number | undefined> }> {
  await runCannon({ ...options, durationSeconds: 2 });
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const result = await runCannon(options);
  const cpuUsPerRequest = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => {
      const start = before[name];
      const end = cpuMs(pid);
      return [
        name,
        start === undefined || end === undefined || result.totalRequests === 0
          ? undefined
          : ((end - start) * 1000) / result.totalRequests,
      ];
    }),
  );
  return { result, cpuUsPerRequest };
}

const us = (value: number | undefined) => (value === undefined ? "n/a" : `${value.toFixed(0)} µs`);

function statuses(result: CannonResult): string {
  const counts = Object.entries(result.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(", ");
  return `${counts}; errors ${result.errors}, timeouts ${result.timeouts}`;
}

async function main(): Promise<void> {
  const machine = describeMachine(["autocannon"]);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log("building dist/");
  const build = await buildDist();
  const cpus = planCpus();
  const reference = await startServerChild("reference", cpus);
  const proxy = await startProxy(reference.url, cpus);
  try {
    const bearer = await adminBearer(reference.url, DEFAULT_ADMIN.username, DEFAULT_ADMIN.password);
    await providerState(`${reference.url}${PROVIDER_STATE_PATH}`, "number-registered", REGISTERED);
    const payload = { ...REGISTERED, method: "sms", cert: encodeCertificate({ vname: "Acme Plumbing Co" }) };
    for (const url of [reference.url, proxy.url]) {
      const check = await call(url, "POST", "/v1/account", { authorization: bearer }, payload);
      if (check.status !== 201) {
        throw new Error(`the benchmark request answered ${check.status} at ${url}, not 201`);
      }
    }
    const request = {
      durationSeconds: DURATION_SECONDS,
      method: "POST" as const,
      path: "/v1/account",
      headers: { "content-type": "application/json", authorization: bearer },
      body: JSON.stringify(payload),
    };
    pinThisProcess(cpus);
    let direct: CannonResult;
    let proxied: CannonResult;
    let cpu: { direct: number | undefined; reference: number | undefined; proxy: number | undefined };
    const directTimes: number[] = [];
    const proxiedTimes: number[] = [];
    try {
      log(
        `throughput: ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, directly then through the proxy`,
      );
      const pids = { reference: reference.pid, proxy: proxy.child.pid };
      const directRun = await measured({ url: reference.url, connections: CONNECTIONS, ...request }, pids);
      const proxiedRun = await measured({ url: proxy.url, connections: CONNECTIONS, ...request }, pids);
      direct = directRun.result;
      proxied = proxiedRun.result;
      cpu = {
        direct: directRun.cpuUsPerRequest.reference,
        reference: proxiedRun.cpuUsPerRequest.reference,
        proxy: proxiedRun.cpuUsPerRequest.proxy,
      };
      log(
        `latency: ${LATENCY_BLOCKS} alternating blocks of ${LATENCY_REQUESTS_PER_BLOCK} requests, one at a time`,
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        // Unrecorded: the connections open and both sides' JIT settle.
        await sequentialTimes(reference.url, request, 200, agent);
        await sequentialTimes(proxy.url, request, 200, agent);
        for (let block = 0; block < LATENCY_BLOCKS; block++) {
          directTimes.push(
            ...(await sequentialTimes(reference.url, request, LATENCY_REQUESTS_PER_BLOCK, agent)),
          );
          proxiedTimes.push(
            ...(await sequentialTimes(proxy.url, request, LATENCY_REQUESTS_PER_BLOCK, agent)),
          );
        }
      } finally {
        agent.destroy();
      }
    } finally {
      pinThisProcess(cpus, true);
    }
    const loadAfter = loadavg()[0] ?? Number.NaN;
    const share = proxied.requestsPerSecond / direct.requestsPerSecond;
    const directMedian = median(directTimes);
    const proxiedMedian = median(proxiedTimes);
    const added = proxiedMedian - directMedian;
    const cpuShare =
      cpu.direct === undefined || cpu.reference === undefined || cpu.proxy === undefined
        ? undefined
        : cpu.direct / (cpu.reference + cpu.proxy);
    const rows = [
      [
        "reference directly",
        perSecond(direct.requestsPerSecond),
        `autocannon p50 ${ms(direct.latencyP50Ms)}, p99 ${ms(direct.latencyP99Ms)}; ${statuses(direct)}`,
      ],
      [
        "through the proxy",
        perSecond(proxied.requestsPerSecond),
        `autocannon p50 ${ms(proxied.latencyP50Ms)}, p99 ${ms(proxied.latencyP99Ms)}; ${statuses(proxied)}`,
      ],
      [
        "throughput through the proxy / direct",
        ratio(share),
        `aim at least ${ratio(AIMS.throughputShare)}: ${share >= AIMS.throughputShare ? "met" : "NOT met"}`,
      ],
      [
        "CPU per request: the reference alone / through the proxy, the proxy + the reference",
        `${us(cpu.direct)} / ${us(cpu.proxy)} + ${us(cpu.reference)}`,
        `from /proc CPU times over the measured runs; on a quiet machine, with the proxy beside the server on one core, the throughput share would be about ${cpuShare === undefined ? "n/a" : ratio(cpuShare)} (the reference's time over both)`,
      ],
      [
        "added median latency, one request at a time",
        ms(added),
        `median of ${proxiedTimes.length} requests ${ms(proxiedMedian)} through the proxy − ${ms(directMedian)} directly; aim under ${ms(AIMS.addedLatencyMs)}: ${added < AIMS.addedLatencyMs ? "met" : "NOT met"}`,
      ],
    ];
    for (const row of rows) {
      log(`  ${row[0]}: ${row[1]} (${row[2]})`);
    }
    writeSection(
      "proxy",
      [
        "## npm run bench:proxy",
        "",
        machineMarkdown(machine),
        `- Build: ${build}`,
        `- Cores: ${cpus.pinned ? "pinned with taskset: autocannon (the benchmark process) on CPU 0, the reference and the proxy on CPU 1, as a proxy deployed beside the server it fronts" : cpus.description}`,
        `- Load average (1 min) before the run ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${machine.cores} cores (the benchmark itself keeps about 2 busy; other work may have been running).`,
        "",
        table(["measure", "figure", "details"], rows),
        "",
        `How it is measured: the same request for both (\`POST /v1/account\` for a registered number with a Bearer token: the reference answers 201), directly against the reference (bench/server-child.ts, compiled from dist/) and through the built bin's \`proxy --quiet\` in front of it (each exchange judged as in use: request schema, certificate, answer checks, state; the PASS lines not printed). Throughput: autocannon in the benchmark process, ${CONNECTIONS} connections, one run of ${DURATION_SECONDS} s each after an unrecorded 2 s warm-up. Added latency: the same request one at a time on one kept-alive connection, timed in the benchmark process with performance.now() (autocannon's latencies are whole milliseconds), ${LATENCY_BLOCKS} alternating blocks of ${LATENCY_REQUESTS_PER_BLOCK} per side after 200 unrecorded each; the figure is the difference of the medians. With 2 cores the proxy's own work (a second HTTP parse and write each way, and the judging) shares a core with the reference, so the share is bounded by how that work compares with the reference's own.`,
      ].join("\n"),
    );
  } finally {
    await stopChild(proxy.child);
    await reference.stop();
  }
}

await main();
