// explore's throughput against the embedded reference: steps and sequences per second, printed and written to bench/results.md.
import { loadavg } from "node:os";
import { loadContract } from "../src/contract/contract.js";
import { runExplore } from "../src/explore/explore.js";
import { DEFAULT_ADMIN, startReference } from "../src/reference/index.js";
import type { TargetConfig } from "../src/runner/target.js";
import { describeMachine, machineMarkdown } from "./lib/machine.js";
import { writeSection } from "./lib/results-file.js";
import { median, table } from "./lib/stats.js";

/** Sequences per round, rounds (the figure is the median round), and the seeds of the rounds. */
const RUNS = 300;
const SEEDS = [101, 102, 103, 104, 105];
/** The aim for explore on this machine. */
const TARGET_STEPS_PER_SECOND = 500;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const machine = describeMachine(["fast-check", "supertest", "typescript"]);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log(`explore throughput, ${machine.date}; ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}`);
  const contract = await loadContract();
  const reference = await startReference();
  const target: TargetConfig = {
    url: reference.url,
    profile: "registration-open",
    name: "embedded reference",
    username: DEFAULT_ADMIN.username,
    password: DEFAULT_ADMIN.password,
    ...(reference.stateUrl === undefined ? {} : { stateUrl: reference.stateUrl }),
    states: {},
    timeoutMs: 5_000,
    insecure: false,
    concurrency: 1,
    strict: false,
  };
  const round = (seed: number, runs: number) =>
    runExplore({ contract, targets: [target], seed, runs, budgetMs: 600_000 });
  try {
    // Unrecorded warm-up: fast-check builds its code point tables, the JIT warms the model and the reference.
    await round(100, 50);
    const rows: { seed: number; steps: number; sequences: number; ms: number }[] = [];
    for (const seed of SEEDS) {
      const outcome = await round(seed, RUNS);
      if (outcome.failure !== undefined) {
        throw new Error(`explore diverged on the reference with seed ${seed}: a kit bug`);
      }
      rows.push({ seed, steps: outcome.steps, sequences: outcome.sequences, ms: outcome.durationMs });
      log(
        `  seed ${seed}: ${outcome.steps} steps, ${outcome.sequences} sequences in ${(outcome.durationMs / 1000).toFixed(2)} s`,
      );
    }
    const loadAfter = loadavg()[0] ?? Number.NaN;
    const stepsPerSecond = median(rows.map((row) => (row.steps / row.ms) * 1000));
    const sequencesPerSecond = median(rows.map((row) => (row.sequences / row.ms) * 1000));
    const met = stepsPerSecond >= TARGET_STEPS_PER_SECOND;
    log(
      `explore: ${stepsPerSecond.toFixed(0)} steps/s, ${sequencesPerSecond.toFixed(1)} sequences/s (median of ${rows.length} rounds; aim ${TARGET_STEPS_PER_SECOND} steps/s: ${met ? "met" : "NOT met"})`,
    );
    writeSection(
      "explore",
      [
        "## npm run bench:explore",
        "",
        machineMarkdown(machine),
        `- Load average (1 min) before the run ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${machine.cores} cores.`,
        `- How: \`runExplore\` in the benchmark process against the embedded reference (started in the same process, its provider-state hook on loopback), one step after another as explore always runs; ${rows.length} rounds of ${RUNS} sequences, each round its own seed, after an unrecorded warm-up round of 50; the figure is the median round. A step is one request of a sequence (requestCode, verify, two-step settings, login); the provider states that start each sequence are not counted as steps but their time is.`,
        "",
        table(
          ["seed", "steps", "sequences", "seconds", "steps/s", "sequences/s"],
          rows.map((row) => [
            String(row.seed),
            String(row.steps),
            String(row.sequences),
            (row.ms / 1000).toFixed(2),
            ((row.steps / row.ms) * 1000).toFixed(0),
            ((row.sequences / row.ms) * 1000).toFixed(1),
          ]),
        ),
        "",
        `- **explore: ${stepsPerSecond.toFixed(0)} steps/s, ${sequencesPerSecond.toFixed(1)} sequences/s** (aim ${TARGET_STEPS_PER_SECOND} steps/s: ${met ? "met" : "not met"}).`,
      ].join("\n"),
    );
  } finally {
    await reference.close();
  }
}

await main();
