// The CLI's start-up and the cold full matrix: `--version`, `list` and `run --quiet` spawned from the bin, and where a cold run's time goes.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, type TimedRun, timedNode } from "./processes.js";
import { type BenchSection, BIN, COLD_RUNS, met } from "./section.js";
import { median, seconds } from "./stats.js";

/** Issue 13's targets for the start-up and the cold matrix. */
const TARGETS = { coldMs: 450, versionMs: 100 };

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

/** The best of COLD_RUNS processes of `node <args>`. */
async function bestOf(args: string[]): Promise<number> {
  const runs: number[] = [];
  for (let index = 0; index < COLD_RUNS; index++) {
    runs.push((await timedNode(args, { timeoutMs: 60_000 })).ms);
  }
  return Math.min(...runs);
}

const CPU_PRELOAD = fileURLToPath(new URL("./children/report-cpu.mjs", import.meta.url));

/**
 * The least CPU time (user + system, all threads) of COLD_RUNS processes of `node <args>`: other work on a busy
 * machine stretches wall time far more than it adds to a process's own CPU time, so this says what the kit costs.
 */
async function leastCpu(args: string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "wa-bench-cpu-"));
  try {
    const file = join(dir, "cpu");
    const times: number[] = [];
    for (let index = 0; index < COLD_RUNS; index++) {
      await timedNode(["--import", CPU_PRELOAD, ...args], {
        timeoutMs: 60_000,
        env: cleanEnv({ BENCH_CPU_FILE: file }),
      });
      times.push(Number(await readFile(file, "utf8")));
    }
    return Math.min(...times);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runsText(result: Cold): string {
  const codes = [...new Set(result.runs.map((run) => run.code))].join(", ");
  return `best of ${COLD_RUNS} (median ${seconds(result.medianMs)}); runs ${result.runs.map((run) => Math.round(run.ms)).join(", ")} ms; exit ${codes}`;
}

/** Where a cold run's time goes: Node's start, importing the CLI and what `run` loads, loading the contract and cases; the rest runs. */
async function coldPhases(): Promise<{ nodeStartMs: number; importMs: number; loadMs: number }> {
  const script = (body: string) => ["--input-type=module", "-e", body];
  const imports = 'await import("./dist/cli/main.js"); await import("./dist/cli/run-command.js");';
  return {
    nodeStartMs: await bestOf(["-e", "0"]),
    importMs: await bestOf(script(imports)),
    loadMs: await bestOf(
      script(
        [
          imports,
          'const { loadContract } = await import("./dist/contract/contract.js");',
          'const { loadCases } = await import("./dist/cases/load-cases.js");',
          "await loadCases(await loadContract());",
        ].join(" "),
      ),
    ),
  };
}

export const startUpSection: BenchSection = {
  name: "startup",
  title: `start-up: \`node ${BIN} --version\`, \`list\` and \`run --quiet\` (both profiles), ${COLD_RUNS} runs each`,
  how: [
    `- **Start-up**: \`node ${BIN} --version\` and \`node ${BIN} list\`, each spawned ${COLD_RUNS} times after one unrecorded run; the figure is the best run, from spawn to exit. \`--version\` loads commander and main's leaf modules only (each command's module is imported by its action); \`list\` also loads and dereferences the contract and loads and validates the cases (with the validators generated at build).`,
    `- **CPU time**: the same commands spawned ${COLD_RUNS} more times each with a preload (bench/lib/children/report-cpu.mjs) that writes \`process.resourceUsage()\`'s user + system time at exit; the figure is the least.`,
    `- **Cold**: \`node ${BIN} run --quiet\` spawned ${COLD_RUNS} times after one unrecorded run (so the file cache is warm, as for any second invocation); the figure is the best run's wall time from spawn to exit, which includes Node's start-up, loading the contract and cases, starting both embedded references and running all cases of both profiles.`,
  ],
  async run() {
    const nodeMs = await bestOf(["-e", "0"]);
    const version = await coldRuns(["--version"]);
    const list = await coldRuns(["list"]);
    const cold = await coldRuns(["run", "--quiet"]);
    const phases = await coldPhases();
    const cpu = {
      node: await leastCpu(["-e", "0"]),
      version: await leastCpu([BIN, "--version"]),
      cold: await leastCpu([BIN, "run", "--quiet"]),
    };
    return {
      rows: [
        [
          "start-up: `--version`, bin invoked directly",
          seconds(version.bestMs),
          `${runsText(version)}; bare \`node -e 0\` ${seconds(nodeMs)} (best of ${COLD_RUNS})`,
        ],
        ["start-up: `list` (contract and cases loaded)", seconds(list.bestMs), runsText(list)],
        ["cold, full matrix (both profiles), bin invoked directly", seconds(cold.bestMs), runsText(cold)],
        [
          "… of which: Node start / + import the CLI and `run`'s modules / + load contract and cases",
          `${seconds(phases.nodeStartMs)} / ${seconds(phases.importMs)} / ${seconds(phases.loadMs)}`,
          `cumulative, each the best of ${COLD_RUNS} separate processes; the rest of the cold time starts the references and runs the cases`,
        ],
        [
          "CPU time (user + system): `node -e 0` / `--version` / cold full matrix",
          `${seconds(cpu.node)} / ${seconds(cpu.version)} / ${seconds(cpu.cold)}`,
          `the least of ${COLD_RUNS} processes each, read by a preload at exit; less swayed by other load than wall time`,
        ],
      ],
      verdicts: [
        [
          `\`--version\` < ${seconds(TARGETS.versionMs)}`,
          seconds(version.bestMs),
          met(version.bestMs < TARGETS.versionMs),
        ],
        [
          `cold full matrix < ${seconds(TARGETS.coldMs)}`,
          seconds(cold.bestMs),
          met(cold.bestMs < TARGETS.coldMs),
        ],
      ],
      notes: [],
    };
  },
};
