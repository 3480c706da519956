// The kit in this process: the warm full matrix against references started before the clock, and its overhead per case beyond the target's time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Case } from "../../src/cases/case-types.js";
import { type Contract, PROFILES, type ProfileName } from "../../src/contract/contract.js";
import { createReferenceHandler, DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { startEmbeddedTargets } from "../../src/runner/embedded-targets.js";
import { type ProfileRun, summarize } from "../../src/runner/results.js";
import { probeTarget, runMatrix } from "../../src/runner/run-matrix.js";
import type { TargetConfig } from "../../src/runner/target.js";
import type { BenchSection } from "./section.js";
import { median, ms, seconds } from "./stats.js";

const WARM_RUNS = 7;
const OVERHEAD_RUNS = 3;

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

export const warmSection: BenchSection = {
  name: "warm",
  title: `warm: runMatrix in-process over both profiles, ${WARM_RUNS} runs`,
  how: [
    `- **Warm**: \`probeTarget\` + \`runMatrix\` for both profiles in this process, against references started before the clock, ${WARM_RUNS} runs after two unrecorded ones (JIT warm-up).`,
  ],
  async run({ contract, cases }) {
    const result = await warm(contract, cases);
    return {
      rows: [
        [
          "warm, full matrix in-process (references already started)",
          seconds(result.medianMs),
          `median of ${WARM_RUNS}; ${result.cases} case results; exit ${[...new Set(result.exitCodes)].join(", ")}`,
        ],
      ],
      verdicts: [],
      notes: [],
    };
  },
};

export const overheadSection: BenchSection = {
  name: "overhead",
  title: "overhead per case: instrumented reference, one case at a time",
  how: [
    "- **Overhead per case**: the matrix of both profiles against references whose server adds up its own time per request (from the request event to the response's finish), at concurrency 1 so nothing overlaps; overhead = (wall time − time inside the server) / cases run. It counts everything that is not the target's own work: rendering and validating requests, the checks, supertest/superagent, TCP connects, the state-hook calls' client side, and Node's HTTP parsing on the server side (it happens before the request event). Median of " +
      `${OVERHEAD_RUNS} runs after one unrecorded.`,
  ],
  async run({ contract, cases }) {
    const result = await overhead(contract, cases);
    return {
      rows: [
        [
          "kit overhead per case beyond the target's time",
          ms(result.perCaseMs),
          `(${Math.round(result.wallMs)} ms wall − ${Math.round(result.serverMs)} ms in the server) / ${result.cases} cases; ${ms(result.perRequestMs)} per request (${result.requests} requests, ${result.exchanges} judged exchanges)`,
        ],
      ],
      verdicts: [],
      notes: [],
    };
  },
};
