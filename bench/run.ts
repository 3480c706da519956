// `npm run bench`: times the CLI's start-up, the kit cold and warm, its overhead per case, Dredd beside it, and req/s of the reference, Prism's mock and a bare server.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Case } from "../src/cases/case-types.js";
import { loadCases } from "../src/cases/load-cases.js";
import { encodeCertificate } from "../src/cert/certificate.js";
import { type Contract, loadContract, PROFILES, type ProfileName } from "../src/contract/contract.js";
import { CONTRACT_PATH, PACKAGE_ROOT } from "../src/paths.js";
import { createReferenceHandler, DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../src/reference/index.js";
import { startEmbeddedTargets } from "../src/runner/embedded-targets.js";
import { type ProfileRun, summarize } from "../src/runner/results.js";
import { probeTarget, runMatrix } from "../src/runner/run-matrix.js";
import type { TargetConfig } from "../src/runner/target.js";
import { buildDist } from "./lib/build.js";
import { type CannonResult, measure } from "./lib/cannon.js";
import { type CpuPlan, onServerCpu, pinThisProcess, planCpus } from "./lib/cpus.js";
import { type DreddSummary, dreddSummary, writeDreddFiles } from "./lib/dredd.js";
import { adminBearer, basicAuth, call, providerState } from "./lib/http.js";
import { describeMachine, machineMarkdown } from "./lib/machine.js";
import { LoadMix } from "./lib/mix.js";
import {
  cleanEnv,
  freePort,
  type ServerChild,
  startServerChild,
  stopChild,
  type TimedRun,
  timedNode,
  waitForHttp,
} from "./lib/processes.js";
import { writeSection } from "./lib/results-file.js";
import { median, ms, perSecond, ratio, seconds, table } from "./lib/stats.js";

/** Cold runs and start-up runs each count their best of this many (after one unrecorded run). */
const COLD_RUNS = 5;
const WARM_RUNS = 7;
const OVERHEAD_RUNS = 3;
const SIDE_BY_SIDE_RUNS = 5;
/** Equal for every target of the req/s comparison. */
const CONNECTIONS = 10;
const DURATION_SECONDS = 5;
const RATE_ROUNDS = 5;

/** Issue 7's targets, and issue 13's for the start-up and the cold matrix. */
const TARGETS = { coldMs: 450, versionMs: 100, referenceOverPrism: 10, referenceOverBare: 0.5 };

const BIN = join("bin", "wa-account-conformance.js");
const DREDD = join("node_modules", "dredd", "bin", "dredd");
const PRISM = join("node_modules", "@stoplight", "prism-cli", "dist", "index.js");

const log = (text: string) => process.stdout.write(`${text}\n`);

/** Runs one part of the benchmark; a failure is reported and recorded, never the end of the script. */
async function attempt<T>(name: string, work: () => Promise<T>): Promise<T | { failed: string }> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`  ${name} failed: ${message}`);
    return { failed: message };
  }
}

function failed<T>(value: T | { failed: string }): value is { failed: string } {
  return typeof value === "object" && value !== null && "failed" in value;
}

// ---- cold: process start to exit

interface Cold {
  runs: TimedRun[];
  bestMs: number;
  medianMs: number;
}

/** `node bin/... <args>` COLD_RUNS times after one unrecorded run, so the file cache is as warm as any second invocation of a user's would be. */
async function coldRuns(args: string[]): Promise<Cold> {
  await timedNode([BIN, ...args], { timeoutMs: 60_000 });
  const runs: TimedRun[] = [];
  for (let index = 0; index < COLD_RUNS; index++) {
    runs.push(await timedNode([BIN, ...args], { timeoutMs: 60_000 }));
  }
  const times = runs.map((run) => run.ms);
  return { runs, bestMs: Math.min(...times), medianMs: median(times) };
}

const cold = () => coldRuns(["run", "--quiet"]);

/** The CLI's start-up: `--version` (commander and main's leaf modules) and `list` (the contract and the cases). */
interface StartUp {
  nodeMs: number;
  version: Cold;
  list: Cold;
}

async function startUp(): Promise<StartUp> {
  const node: number[] = [];
  for (let index = 0; index < COLD_RUNS; index++) {
    node.push((await timedNode(["-e", "0"], { timeoutMs: 60_000 })).ms);
  }
  return {
    nodeMs: Math.min(...node),
    version: await coldRuns(["--version"]),
    list: await coldRuns(["list"]),
  };
}

function runsText(result: Cold): string {
  const codes = [...new Set(result.runs.map((run) => run.code))].join(", ");
  return `best of ${COLD_RUNS} (median ${seconds(result.medianMs)}); runs ${result.runs.map((run) => Math.round(run.ms)).join(", ")} ms; exit ${codes}`;
}

/** Where a cold run's time goes: Node's start, importing the CLI and what `run` loads, loading the contract and cases; the rest runs. */
interface ColdPhases {
  nodeStartMs: number;
  importMs: number;
  loadMs: number;
}

async function coldPhases(): Promise<ColdPhases> {
  const time = async (args: string[]) => {
    const runs: number[] = [];
    for (let index = 0; index < COLD_RUNS; index++) {
      runs.push((await timedNode(args, { timeoutMs: 60_000 })).ms);
    }
    return Math.min(...runs);
  };
  const script = (body: string) => ["--input-type=module", "-e", body];
  return {
    nodeStartMs: await time(["-e", "0"]),
    importMs: await time(
      script('await import("./dist/cli/main.js"); await import("./dist/cli/run-command.js");'),
    ),
    loadMs: await time(
      script(
        [
          'await import("./dist/cli/main.js"); await import("./dist/cli/run-command.js");',
          'const { loadContract } = await import("./dist/contract/contract.js");',
          'const { loadCases } = await import("./dist/cases/load-cases.js");',
          "await loadCases(await loadContract());",
        ].join(" "),
      ),
    ),
  };
}

// ---- warm: in-process, references already started

interface Warm {
  runsMs: number[];
  medianMs: number;
  exitCodes: number[];
  cases: number;
}

async function warm(contract: Contract, cases: Case[]): Promise<Warm> {
  const runsMs: number[] = [];
  const exitCodes: number[] = [];
  let ran = 0;
  for (let index = 0; index < WARM_RUNS + 2; index++) {
    // Fresh references each time (started before the clock), so no run inherits another's state.
    const embedded = await startEmbeddedTargets(PROFILES);
    try {
      const started = performance.now();
      const runs: ProfileRun[] = [];
      for (const target of embedded.targets) {
        await probeTarget(target);
        runs.push(await runMatrix(contract, cases, target));
      }
      const elapsed = performance.now() - started;
      // The first two runs warm the JIT and are not counted.
      if (index >= 2) {
        runsMs.push(elapsed);
        exitCodes.push(summarize(runs, false).exitCode);
        ran = runs.reduce((sum, run) => sum + run.results.length, 0);
      }
    } finally {
      await embedded.close();
    }
  }
  return { runsMs, medianMs: median(runsMs), exitCodes, cases: ran };
}

// ---- overhead per case beyond the target's own time

interface Overhead {
  wallMs: number;
  serverMs: number;
  requests: number;
  cases: number;
  exchanges: number;
  perCaseMs: number;
  perRequestMs: number;
}

/** A reference whose server measures its own time per request, from the request event to the response's finish. */
async function instrumentedTarget(
  contract: Contract,
  profile: ProfileName,
): Promise<{ target: TargetConfig; server: Server; clock: { ms: number; requests: number } }> {
  const handler = createReferenceHandler(contract, { profile });
  const clock = { ms: 0, requests: 0 };
  const server = createServer((req, res) => {
    const started = performance.now();
    clock.requests += 1;
    res.once("finish", () => {
      clock.ms += performance.now() - started;
    });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    clock,
    target: {
      url,
      profile,
      name: `instrumented reference (${profile})`,
      username: DEFAULT_ADMIN.username,
      password: DEFAULT_ADMIN.password,
      stateUrl: `${url}${PROVIDER_STATE_PATH}`,
      states: {},
      timeoutMs: 5_000,
      insecure: false,
      // One case at a time, so wall time is the sum of the kit's work and the server's, never overlapped.
      concurrency: 1,
      strict: false,
    },
  };
}

async function overhead(contract: Contract, cases: Case[]): Promise<Overhead> {
  const samples: Overhead[] = [];
  for (let index = 0; index < OVERHEAD_RUNS + 1; index++) {
    const started = await Promise.all(PROFILES.map((profile) => instrumentedTarget(contract, profile)));
    try {
      let wallMs = 0;
      let caseCount = 0;
      let exchanges = 0;
      for (const { target } of started) {
        const begin = performance.now();
        await probeTarget(target);
        const run = await runMatrix(contract, cases, target);
        wallMs += performance.now() - begin;
        caseCount += run.results.filter((result) => result.verdict !== "SKIP").length;
        exchanges += run.results.reduce((sum, result) => sum + result.exchanges.length, 0);
      }
      const serverMs = started.reduce((sum, { clock }) => sum + clock.ms, 0);
      const requests = started.reduce((sum, { clock }) => sum + clock.requests, 0);
      if (index > 0) {
        samples.push({
          wallMs,
          serverMs,
          requests,
          cases: caseCount,
          exchanges,
          perCaseMs: (wallMs - serverMs) / caseCount,
          perRequestMs: (wallMs - serverMs) / requests,
        });
      }
    } finally {
      await Promise.all(
        started.map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    }
  }
  const byPerCase = [...samples].sort((a, b) => a.perCaseMs - b.perCaseMs);
  const middle = byPerCase[Math.floor(byPerCase.length / 2)];
  if (middle === undefined) {
    throw new Error("no overhead sample");
  }
  return middle;
}

// ---- Dredd and the kit on the same contract and target

interface SideBySide {
  dredd31: { run: TimedRun; summary: DreddSummary | undefined; unsupported: boolean };
  dreddRuns: TimedRun[];
  dreddSummary: DreddSummary | undefined;
  dreddMedianMs: number;
  kitRuns: TimedRun[];
  kitMedianMs: number;
  kitCases: number;
}

async function sideBySide(reference: ServerChild, bearer: string): Promise<SideBySide> {
  const dir = await mkdtemp(join(tmpdir(), "wa-bench-dredd-"));
  try {
    const stateUrl = `${reference.url}${PROVIDER_STATE_PATH}`;
    const { contract30, hooks } = await writeDreddFiles(dir, await readFile(CONTRACT_PATH, "utf8"));
    const env = cleanEnv({
      BENCH_STATE_URL: stateUrl,
      BENCH_BEARER: bearer,
      BENCH_BASIC: basicAuth(DEFAULT_ADMIN.username, DEFAULT_ADMIN.password),
    });
    const dredd = (contract: string) =>
      timedNode([DREDD, contract, reference.url, "--hookfiles", hooks, "--no-color"], {
        timeoutMs: 120_000,
        env,
      });
    // Once on the 3.1 contract as it is, to record what Dredd makes of it.
    const run31 = await dredd(CONTRACT_PATH);
    const dredd31 = {
      run: run31,
      summary: dreddSummary(run31.stdout + run31.stderr),
      unsupported: /Version '3\.1\.0' is not fully supported/.test(run31.stdout + run31.stderr),
    };
    const dreddRuns: TimedRun[] = [];
    for (let index = 0; index < SIDE_BY_SIDE_RUNS; index++) {
      dreddRuns.push(await dredd(contract30));
    }
    const last = dreddRuns.at(-1);
    const kitArgs = [
      BIN,
      "run",
      "--target",
      reference.url,
      "--profile",
      "registration-open",
      "--username",
      DEFAULT_ADMIN.username,
      "--password",
      DEFAULT_ADMIN.password,
      "--state-url",
      stateUrl,
      "--quiet",
    ];
    const kitRuns: TimedRun[] = [];
    for (let index = 0; index < SIDE_BY_SIDE_RUNS; index++) {
      kitRuns.push(await timedNode(kitArgs, { timeoutMs: 60_000 }));
    }
    const casesLine = /(\d+) cases\./.exec(kitRuns.at(-1)?.stdout ?? "");
    return {
      dredd31,
      dreddRuns,
      dreddSummary: last ? dreddSummary(last.stdout + last.stderr) : undefined,
      dreddMedianMs: median(dreddRuns.map((run) => run.ms)),
      kitRuns,
      kitMedianMs: median(kitRuns.map((run) => run.ms)),
      kitCases: Number(casesLine?.[1] ?? Number.NaN),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- requests per second

/** One target's rounds; the figure is the median round, so one round disturbed by other load does not decide it. */
interface Rate {
  rounds: CannonResult[];
  requestsPerSecond: number;
}

interface Throughput {
  reference201: Rate;
  referenceMix: Rate & { unexpected: string[] };
  prism: Rate | { failed: string };
  bare: Rate;
}

function rate(rounds: CannonResult[]): Rate {
  return { rounds, requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)) };
}

const REGISTERED = { cc: "1", phone_number: "5550100099" };

async function startPrism(cpus: CpuPlan): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // Prism's quietest logging: it formats a log record per request otherwise, which would only slow it down.
  const [command, args] = onServerCpu(cpus, process.execPath, [
    PRISM,
    "mock",
    CONTRACT_PATH,
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "--verboseLevel",
    "error",
  ]);
  const child = spawn(command, args, { cwd: PACKAGE_ROOT, env: cleanEnv(), stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  if (!(await waitForHttp(url, 60_000))) {
    await stopChild(child);
    throw new Error("Prism's mock did not answer within 60 s");
  }
  return { url, child };
}

async function throughput(
  reference: ServerChild,
  bearer: string,
  cert: string,
  cpus: CpuPlan,
): Promise<Throughput> {
  const payload = { ...REGISTERED, method: "sms", cert };
  const body = JSON.stringify(payload);
  const request = {
    connections: CONNECTIONS,
    durationSeconds: DURATION_SECONDS,
    method: "POST" as const,
    path: "/v1/account",
    headers: { "content-type": "application/json", authorization: bearer },
    body,
  };
  // The 201 rate comes from a reference process that serves nothing else, as Prism and the bare server serve only
  // this request; the one that ran Dredd, the kit and the mix would answer from code its JIT tuned to all of them.
  const dedicated = await startServerChild("reference", cpus);
  const dedicatedBearer = await adminBearer(dedicated.url, DEFAULT_ADMIN.username, DEFAULT_ADMIN.password);
  const request201 = { ...request, headers: { ...request.headers, authorization: dedicatedBearer } };
  await providerState(`${dedicated.url}${PROVIDER_STATE_PATH}`, "number-registered", REGISTERED);
  const check = await call(dedicated.url, "POST", "/v1/account", { authorization: dedicatedBearer }, payload);
  if (check.status !== 201) {
    await dedicated.stop();
    throw new Error(`the benchmark request answered ${check.status}, not 201: ${check.text.slice(0, 200)}`);
  }
  const mix = new LoadMix({ bearer, cert, poolSize: 2_000, prefix: "771" });
  const prismServer = await attempt("Prism's start", () => startPrism(cpus));
  const bareServer = await startServerChild("bare", cpus);
  const rounds = {
    reference201: [] as CannonResult[],
    mix: [] as CannonResult[],
    prism: [] as CannonResult[],
  };
  const bare: CannonResult[] = [];
  pinThisProcess(cpus);
  try {
    // Rounds interleave the targets, so a load that comes and goes on the machine touches each of them alike.
    for (let round = 1; round <= RATE_ROUNDS; round++) {
      log(`  round ${round} of ${RATE_ROUNDS}: reference (201), reference (mix), Prism, bare`);
      rounds.reference201.push(await measure({ url: dedicated.url, ...request201 }));
      rounds.mix.push(await measure({ url: reference.url, ...request, requests: mix.requests() }));
      if (!failed(prismServer)) {
        rounds.prism.push(await measure({ url: prismServer.url, ...request }));
      }
      bare.push(await measure({ url: bareServer.url, ...request }));
    }
  } finally {
    pinThisProcess(cpus, true);
    if (!failed(prismServer)) {
      await stopChild(prismServer.child);
    }
    await bareServer.stop();
    await dedicated.stop();
  }
  return {
    reference201: rate(rounds.reference201),
    referenceMix: { ...rate(rounds.mix), unexpected: mix.describeUnexpected() },
    prism: failed(prismServer) ? prismServer : rate(rounds.prism),
    bare: rate(bare),
  };
}

// ---- report

function statusText(rate: Rate): string {
  const statuses: Record<string, number> = {};
  let errors = 0;
  for (const round of rate.rounds) {
    for (const [status, count] of Object.entries(round.statuses)) {
      statuses[status] = (statuses[status] ?? 0) + count;
    }
    errors += round.errors + round.timeouts;
  }
  const rounds = rate.rounds
    .map((round) => Math.round(round.requestsPerSecond).toLocaleString("en-US"))
    .join(", ");
  const counts = Object.entries(statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(", ");
  return `rounds ${rounds}; ${counts}; errors and timeouts ${errors}`;
}

function met(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

async function main(): Promise<void> {
  const machine = describeMachine(["dredd", "@stoplight/prism-cli", "autocannon", "supertest", "typescript"]);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log(`wa-account-conformance benchmarks, ${machine.date}`);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node ${machine.node}`);
  log("\nbuilding the CLI");
  const built = await buildDist();
  log(`  ${built}`);
  const contract = await loadContract();
  const cases = await loadCases(contract);
  const cert = encodeCertificate({ vname: "Acme Plumbing Co" });

  log(`\nstart-up: \`node ${BIN} --version\` and \`list\`, ${COLD_RUNS} runs each`);
  const startUpResult = await attempt("start-up", startUp);
  log(`\ncold: \`node ${BIN} run --quiet\` (both profiles), ${COLD_RUNS} runs`);
  const coldResult = await attempt("cold", cold);
  const phases = await attempt("cold phases", coldPhases);
  log(`\nwarm: runMatrix in-process over both profiles, ${WARM_RUNS} runs`);
  const warmResult = await attempt("warm", () => warm(contract, cases));
  log("\noverhead per case: instrumented reference, one case at a time");
  const overheadResult = await attempt("overhead", () => overhead(contract, cases));

  log("\nstarting the reference (registration-open) in its own process");
  const cpus = planCpus();
  const reference = await startServerChild("reference", cpus);
  let side: SideBySide | { failed: string };
  let rates: Throughput | { failed: string };
  try {
    const bearer = await adminBearer(reference.url, DEFAULT_ADMIN.username, DEFAULT_ADMIN.password);
    log(`\nDredd and the kit on the same contract and target, ${SIDE_BY_SIDE_RUNS} runs each`);
    side = await attempt("side by side", () => sideBySide(reference, bearer));
    log(`\nrequests per second with autocannon`);
    rates = await attempt("throughput", () => throughput(reference, bearer, cert, cpus));
  } finally {
    await reference.stop();
  }

  const lines: string[] = [];
  const rows: string[][] = [];
  if (!failed(startUpResult)) {
    rows.push([
      "start-up: `--version`, bin invoked directly",
      seconds(startUpResult.version.bestMs),
      `${runsText(startUpResult.version)}; bare \`node -e 0\` ${seconds(startUpResult.nodeMs)} (best of ${COLD_RUNS})`,
    ]);
    rows.push([
      "start-up: `list` (contract and cases loaded)",
      seconds(startUpResult.list.bestMs),
      runsText(startUpResult.list),
    ]);
  } else {
    rows.push(["start-up", "failed", startUpResult.failed]);
  }
  if (!failed(coldResult)) {
    rows.push([
      "cold, full matrix (both profiles), bin invoked directly",
      seconds(coldResult.bestMs),
      runsText(coldResult),
    ]);
  } else {
    rows.push(["cold", "failed", coldResult.failed]);
  }
  if (!failed(phases)) {
    rows.push([
      "… of which: Node start / + import the CLI and `run`'s modules / + load contract and cases",
      `${seconds(phases.nodeStartMs)} / ${seconds(phases.importMs)} / ${seconds(phases.loadMs)}`,
      `cumulative, each the best of ${COLD_RUNS} separate processes; the rest of the cold time starts the references and runs the cases`,
    ]);
  }
  if (!failed(warmResult)) {
    rows.push([
      "warm, full matrix in-process (references already started)",
      seconds(warmResult.medianMs),
      `median of ${WARM_RUNS}; ${warmResult.cases} case results; exit ${[...new Set(warmResult.exitCodes)].join(", ")}`,
    ]);
  } else {
    rows.push(["warm", "failed", warmResult.failed]);
  }
  if (!failed(overheadResult)) {
    rows.push([
      "kit overhead per case beyond the target's time",
      ms(overheadResult.perCaseMs),
      `(${Math.round(overheadResult.wallMs)} ms wall − ${Math.round(overheadResult.serverMs)} ms in the server) / ${overheadResult.cases} cases; ${ms(overheadResult.perRequestMs)} per request (${overheadResult.requests} requests, ${overheadResult.exchanges} judged exchanges)`,
    ]);
  } else {
    rows.push(["overhead", "failed", overheadResult.failed]);
  }
  if (!failed(side)) {
    const dredd = side.dreddSummary;
    rows.push([
      "Dredd, the contract's success examples (3.0 copy, hooks)",
      seconds(side.dreddMedianMs),
      `median of ${SIDE_BY_SIDE_RUNS}; ${dredd ? `${dredd.passing} passing, ${dredd.failing} failing, ${dredd.errors} errors, ${dredd.skipped} skipped` : "no summary line"}; exit ${[...new Set(side.dreddRuns.map((run) => run.code))].join(", ")}`,
    ]);
    rows.push([
      "the kit, registration-open matrix, same target",
      seconds(side.kitMedianMs),
      `median of ${SIDE_BY_SIDE_RUNS}; ${side.kitCases} cases; exit ${[...new Set(side.kitRuns.map((run) => run.code))].join(", ")}`,
    ]);
  } else {
    rows.push(["Dredd beside the kit", "failed", side.failed]);
  }
  if (!failed(rates)) {
    rows.push([
      "reference, 201 for a registered number",
      perSecond(rates.reference201.requestsPerSecond),
      statusText(rates.reference201),
    ]);
    rows.push([
      "reference, the load mix",
      perSecond(rates.referenceMix.requestsPerSecond),
      `${statusText(rates.referenceMix)}; unexpected answers: ${rates.referenceMix.unexpected.join("; ") || "none"}`,
    ]);
    rows.push(
      failed(rates.prism)
        ? ["Prism's mock, same request", "failed", rates.prism.failed]
        : ["Prism's mock, same request", perSecond(rates.prism.requestsPerSecond), statusText(rates.prism)],
    );
    rows.push([
      "bare node:http, fixed 202 (the machine's ceiling)",
      perSecond(rates.bare.requestsPerSecond),
      statusText(rates.bare),
    ]);
  } else {
    rows.push(["requests per second", "failed", rates.failed]);
  }
  const figures = table(["measure", "figure", "details"], rows);
  const loadAfter = loadavg()[0] ?? Number.NaN;
  // Other work on the machine slows every figure; the 1-minute load average before and after says how much there was.
  const loadNote = `Load average (1 min) before the run ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${machine.cores} cores (the benchmark itself keeps about 2 busy)${
    loadBefore > machine.cores / 2
      ? "; other work was running before it started, so the figures may be pessimistic"
      : ""
  }.`;

  const verdicts: string[][] = [];
  if (!failed(startUpResult)) {
    verdicts.push([
      `\`--version\` < ${seconds(TARGETS.versionMs)}`,
      seconds(startUpResult.version.bestMs),
      met(startUpResult.version.bestMs < TARGETS.versionMs),
    ]);
  }
  if (!failed(coldResult)) {
    verdicts.push([
      `cold full matrix < ${seconds(TARGETS.coldMs)}`,
      seconds(coldResult.bestMs),
      met(coldResult.bestMs < TARGETS.coldMs),
    ]);
  }
  if (!failed(rates)) {
    const overPrism = failed(rates.prism)
      ? Number.NaN
      : rates.reference201.requestsPerSecond / rates.prism.requestsPerSecond;
    const overBare = rates.reference201.requestsPerSecond / rates.bare.requestsPerSecond;
    verdicts.push([
      `reference ≥ ${TARGETS.referenceOverPrism}x Prism's mock`,
      ratio(overPrism),
      Number.isFinite(overPrism) ? met(overPrism >= TARGETS.referenceOverPrism) : "not measured",
    ]);
    verdicts.push([
      `reference ≥ ${TARGETS.referenceOverBare}x the bare ceiling`,
      ratio(overBare),
      met(overBare >= TARGETS.referenceOverBare),
    ]);
    verdicts.push([
      "reference mix / bare ceiling (no target)",
      ratio(rates.referenceMix.requestsPerSecond / rates.bare.requestsPerSecond),
      "for information",
    ]);
  }
  if (!failed(side)) {
    verdicts.push([
      "kit time / Dredd time, same target (no target)",
      ratio(side.kitMedianMs / side.dreddMedianMs),
      "for information",
    ]);
  }
  const targets = table(["target", "measured", "verdict"], verdicts);

  log(`\n${figures}\n\n${targets}\n\n${loadNote}`);
  if (!failed(side)) {
    const summary31 = side.dredd31.summary;
    lines.push(
      side.dredd31.unsupported
        ? `Dredd ${machine.versions.dredd} warns "Version '3.1.0' is not fully supported" on the contract as it is and ignores much of its schemas; on it (same hooks) it took ${seconds(side.dredd31.run.ms)} with ${summary31 ? `${summary31.passing} passing, ${summary31.failing} failing` : "no summary"}. The timed runs use a copy down-converted to OpenAPI 3.0.3 in a temp dir (bench/lib/dredd.ts).`
        : `Dredd accepted the 3.1 contract without the "not fully supported" warning; the timed runs still use the 3.0.3 copy for stability.`,
    );
    log(`\n${lines.at(-1) ?? ""}`);
  }

  writeSection(
    "run",
    [
      "## npm run bench",
      "",
      machineMarkdown(machine),
      `- Build: ${built}`,
      `- Cores during the req/s measurements: ${cpus.description}.`,
      `- ${loadNote}`,
      "",
      figures,
      "",
      "Targets (from issues 7 and 13; missed ones are shown as missed):",
      "",
      targets,
      "",
      "How each figure is measured:",
      "",
      `- **Start-up**: \`node ${BIN} --version\` and \`node ${BIN} list\`, each spawned ${COLD_RUNS} times after one unrecorded run; the figure is the best run, from spawn to exit. \`--version\` loads commander and main's leaf modules only (each command's module is imported by its action); \`list\` also loads and dereferences the contract and loads and validates the cases (with the validators generated at build).`,
      `- **Cold**: \`node ${BIN} run --quiet\` spawned ${COLD_RUNS} times after one unrecorded run (so the file cache is warm, as for any second invocation); the figure is the best run's wall time from spawn to exit, which includes Node's start-up, loading the contract and cases, starting both embedded references and running all cases of both profiles.`,
      `- **Warm**: \`probeTarget\` + \`runMatrix\` for both profiles in this process, against references started before the clock, ${WARM_RUNS} runs after two unrecorded ones (JIT warm-up).`,
      "- **Overhead per case**: the matrix of both profiles against references whose server adds up its own time per request (from the request event to the response's finish), at concurrency 1 so nothing overlaps; overhead = (wall time − time inside the server) / cases run. It counts everything that is not the target's own work: rendering and validating requests, the checks, supertest/superagent, TCP connects, the state-hook calls' client side, and Node's HTTP parsing on the server side (it happens before the request event). Median of " +
        `${OVERHEAD_RUNS} runs after one unrecorded.`,
      "- **Dredd beside the kit**: both spawned against one reference process (registration-open, with its provider-state hook). Dredd runs the contract's examples; its hooks (written to a temp dir) log in, put the example's number into the state each success needs, and skip the error responses, which Dredd cannot provoke with the example request, and the `default` response it reads as a second 200. The kit runs its whole registration-open matrix. Process start to exit, median of " +
        `${SIDE_BY_SIDE_RUNS} each.`,
      `- **Requests per second**: autocannon ${machine.versions.autocannon} in the benchmark process, ${CONNECTIONS} connections, ${DURATION_SECONDS} s, no pipelining, the same request for each target: \`POST /v1/account\` with a valid body and a Bearer token; the reference answers 201 (the number is registered), Prism answers its 201 example, the bare server a fixed 202. Each server runs in its own process and is loaded alone (the 201 rate from a reference process that serves only that request, as Prism and the bare server do; the mix from the one that served Dredd and the kit); the reference runs compiled from dist/ (built first), as \`serve\` runs it, and does each request's whole work: the token looked up, the body parsed and validated against the contract's schema, the certificate decoded, the number looked up; each measurement follows an unrecorded 2 s warm-up; the targets are measured in ${RATE_ROUNDS} interleaved rounds and the figure is the median round (autocannon's mean of its per-second samples). The load mix is bench/load.ts's (12 requests per number: hook states, registration, verification, errors). Prism runs with \`--verboseLevel error\`.`,
      ...(lines.length > 0 ? ["", ...lines] : []),
    ].join("\n"),
  );
  log("\nwritten to bench/results.md");
}

await main();
// Every server and child this script started is stopped; nothing is left that should keep it alive.
process.exit(0);
