// Requests per second with autocannon: the reference (201 and the load mix), Prism's mock and a bare node:http server.
import { type ChildProcess, spawn } from "node:child_process";
import { CONTRACT_PATH, PACKAGE_ROOT } from "../../src/paths.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { type CannonResult, measure } from "./cannon.js";
import { type CpuPlan, onServerCpu, pinThisProcess } from "./cpus.js";
import { adminBearer, call, providerState } from "./http.js";
import { installedVersion } from "./machine.js";
import { LoadMix } from "./mix.js";
import {
  cleanEnv,
  freePort,
  type ServerChild,
  startServerChild,
  stopChild,
  waitForHttp,
} from "./processes.js";
import { attempt, type BenchSection, failed, log, met } from "./section.js";
import { median, perSecond, ratio } from "./stats.js";

/** Equal for every target of the req/s comparison. */
const CONNECTIONS = 10;
const DURATION_SECONDS = 5;
const RATE_ROUNDS = 5;
/** Issue 7's targets. */
const TARGETS = { referenceOverPrism: 10, referenceOverBare: 0.5 };
const PRISM = "node_modules/@stoplight/prism-cli/dist/index.js";

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

export const throughputSection: BenchSection = {
  name: "throughput",
  title: "requests per second with autocannon",
  how: [
    `- **Requests per second**: autocannon ${installedVersion("autocannon")} in the benchmark process, ${CONNECTIONS} connections, ${DURATION_SECONDS} s, no pipelining, the same request for each target: \`POST /v1/account\` with a valid body and a Bearer token; the reference answers 201 (the number is registered), Prism answers its 201 example, the bare server a fixed 202. Each server runs in its own process and is loaded alone (the 201 rate from a reference process that serves only that request, as Prism and the bare server do; the mix from the one that served Dredd and the kit); the reference runs compiled from dist/ (built first), as \`serve\` runs it, and does each request's whole work: the token looked up, the body parsed and validated against the contract's schema, the certificate decoded, the number looked up; each measurement follows an unrecorded 2 s warm-up; the targets are measured in ${RATE_ROUNDS} interleaved rounds and the figure is the median round (autocannon's mean of its per-second samples). The load mix is bench/load.ts's (12 requests per number: hook states, registration, verification, errors). Prism runs with \`--verboseLevel error\`.`,
  ],
  async run(context) {
    const { child, bearer } = await context.reference();
    const rates = await throughput(child, bearer, context.cert, context.cpus);
    const overPrism = failed(rates.prism)
      ? Number.NaN
      : rates.reference201.requestsPerSecond / rates.prism.requestsPerSecond;
    const overBare = rates.reference201.requestsPerSecond / rates.bare.requestsPerSecond;
    return {
      rows: [
        [
          "reference, 201 for a registered number",
          perSecond(rates.reference201.requestsPerSecond),
          statusText(rates.reference201),
        ],
        [
          "reference, the load mix",
          perSecond(rates.referenceMix.requestsPerSecond),
          `${statusText(rates.referenceMix)}; unexpected answers: ${rates.referenceMix.unexpected.join("; ") || "none"}`,
        ],
        failed(rates.prism)
          ? ["Prism's mock, same request", "failed", rates.prism.failed]
          : ["Prism's mock, same request", perSecond(rates.prism.requestsPerSecond), statusText(rates.prism)],
        [
          "bare node:http, fixed 202 (the machine's ceiling)",
          perSecond(rates.bare.requestsPerSecond),
          statusText(rates.bare),
        ],
      ],
      verdicts: [
        [
          `reference ≥ ${TARGETS.referenceOverPrism}x Prism's mock`,
          ratio(overPrism),
          Number.isFinite(overPrism) ? met(overPrism >= TARGETS.referenceOverPrism) : "not measured",
        ],
        [
          `reference ≥ ${TARGETS.referenceOverBare}x the bare ceiling`,
          ratio(overBare),
          met(overBare >= TARGETS.referenceOverBare),
        ],
        [
          "reference mix / bare ceiling (no target)",
          ratio(rates.referenceMix.requestsPerSecond / rates.bare.requestsPerSecond),
          "for information",
        ],
      ],
      notes: [],
    };
  },
};
