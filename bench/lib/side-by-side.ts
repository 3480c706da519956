// Dredd and the kit on the same contract and target: both spawned against one reference process, timed from start to exit.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTRACT_PATH } from "../../src/paths.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { type DreddSummary, dreddSummary, writeDreddFiles } from "./dredd.js";
import { basicAuth } from "./http.js";
import { installedVersion } from "./machine.js";
import { cleanEnv, type ServerChild, type TimedRun, timedNode } from "./processes.js";
import { type BenchSection, BIN } from "./section.js";
import { median, ratio, seconds } from "./stats.js";

const SIDE_BY_SIDE_RUNS = 5;
const DREDD = join("node_modules", "dredd", "bin", "dredd");

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

export const sideBySideSection: BenchSection = {
  name: "dredd",
  title: `Dredd and the kit on the same contract and target, ${SIDE_BY_SIDE_RUNS} runs each`,
  how: [
    "- **Dredd beside the kit**: both spawned against one reference process (registration-open, with its provider-state hook). Dredd runs the contract's examples; its hooks (written to a temp dir) log in, put the example's number into the state each success needs, and skip the error responses, which Dredd cannot provoke with the example request, and the `default` response it reads as a second 200. The kit runs its whole registration-open matrix. Process start to exit, median of " +
      `${SIDE_BY_SIDE_RUNS} each.`,
  ],
  async run(context) {
    const { child, bearer } = await context.reference();
    const side = await sideBySide(child, bearer);
    const dredd = side.dreddSummary;
    const summary31 = side.dredd31.summary;
    return {
      rows: [
        [
          "Dredd, the contract's success examples (3.0 copy, hooks)",
          seconds(side.dreddMedianMs),
          `median of ${SIDE_BY_SIDE_RUNS}; ${dredd ? `${dredd.passing} passing, ${dredd.failing} failing, ${dredd.errors} errors, ${dredd.skipped} skipped` : "no summary line"}; exit ${[...new Set(side.dreddRuns.map((run) => run.code))].join(", ")}`,
        ],
        [
          "the kit, registration-open matrix, same target",
          seconds(side.kitMedianMs),
          `median of ${SIDE_BY_SIDE_RUNS}; ${side.kitCases} cases; exit ${[...new Set(side.kitRuns.map((run) => run.code))].join(", ")}`,
        ],
      ],
      verdicts: [
        [
          "kit time / Dredd time, same target (no target)",
          ratio(side.kitMedianMs / side.dreddMedianMs),
          "for information",
        ],
      ],
      notes: [
        side.dredd31.unsupported
          ? `Dredd ${installedVersion("dredd")} warns "Version '3.1.0' is not fully supported" on the contract as it is and ignores much of its schemas; on it (same hooks) it took ${seconds(side.dredd31.run.ms)} with ${summary31 ? `${summary31.passing} passing, ${summary31.failing} failing` : "no summary"}. The timed runs use a copy down-converted to OpenAPI 3.0.3 in a temp dir (bench/lib/dredd.ts).`
          : `Dredd accepted the 3.1 contract without the "not fully supported" warning; the timed runs still use the 3.0.3 copy for stability.`,
      ],
    };
  },
};
