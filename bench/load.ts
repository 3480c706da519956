// `npm run bench:load`: holds the reference at its measured peak for 30 s with a mix of registrations, verifications and errors, then checks errors, memory and state.
import { loadavg } from "node:os";
import { encodeCertificate } from "../src/cert/certificate.js";
import { DEFAULT_ADMIN } from "../src/reference/index.js";
import { buildDist } from "./lib/build.js";
import { type CannonResult, runCannon } from "./lib/cannon.js";
import { pinThisProcess, planCpus } from "./lib/cpus.js";
import { adminBearer } from "./lib/http.js";
import { describeMachine, machineMarkdown } from "./lib/machine.js";
import { LoadMix } from "./lib/mix.js";
import { startServerChild } from "./lib/processes.js";
import { writeSection } from "./lib/results-file.js";
import { mean, mib, perSecond, slope, table } from "./lib/stats.js";

/** Connection counts tried to find the peak; each for CALIBRATION_SECONDS after a warm-up. */
const CALIBRATION_CONNECTIONS = [1, 4, 10, 32];
const CALIBRATION_SECONDS = 3;
const CALIBRATION_PASSES = 2;
const HOLD_SECONDS = 30;
/** Numbers each mix cycles through: the state the server holds stays bounded by them, so memory can be flat. */
const POOL = 2_000;
/** Every GC_EVERY-th memory sample is taken after a full GC in the server, to see retained memory. */
const GC_EVERY = 5;
/**
 * Flat: retained heap (after GC) at the end of the hold within this much of its value once the pool is full
 * (at 10 s); heap that keeps growing under a bounded state would be a leak.
 */
const FLAT_TOLERANCE = { fraction: 0.1, bytes: 2 * 1024 * 1024 };
const FULL_POOL_AT_SECONDS = 10;

const log = (text: string) => process.stdout.write(`${text}\n`);
const latency = (value: number) => (value < 1 ? "< 1 ms" : `${value} ms`);

interface Sample {
  second: number;
  gc: boolean;
  usage: NodeJS.MemoryUsage;
}

async function main(): Promise<void> {
  const machine = describeMachine(["autocannon"]);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log(`wa-account-conformance load test, ${machine.date}`);
  log(`  ${await buildDist()}`);
  const cpus = planCpus();
  const server = await startServerChild("reference", cpus);
  pinThisProcess(cpus);
  try {
    const bearer = await adminBearer(server.url, DEFAULT_ADMIN.username, DEFAULT_ADMIN.password);
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });

    log(
      `\ncalibration: the mix at ${CALIBRATION_CONNECTIONS.join(", ")} connections, ${CALIBRATION_SECONDS} s each, ${CALIBRATION_PASSES} passes`,
    );
    const calibration: { connections: number; result: CannonResult }[] = [];
    // Two passes, keeping each level's better one, so a moment of other load on the machine does not pick the peak.
    for (let pass = 0; pass < CALIBRATION_PASSES; pass++) {
      for (const [index, connections] of CALIBRATION_CONNECTIONS.entries()) {
        const mix = new LoadMix({ bearer, cert, poolSize: POOL, prefix: `6${pass}${index}` });
        await runCannon({ url: server.url, connections, durationSeconds: 1, requests: mix.requests() });
        const result = await runCannon({
          url: server.url,
          connections,
          durationSeconds: CALIBRATION_SECONDS,
          requests: mix.requests(),
        });
        log(`  ${String(connections).padStart(2)} connections: ${perSecond(result.requestsPerSecond)}`);
        const known = calibration.find((entry) => entry.connections === connections);
        if (known === undefined) {
          calibration.push({ connections, result });
        } else if (result.requestsPerSecond > known.result.requestsPerSecond) {
          known.result = result;
        }
      }
    }
    const peak = calibration.reduce((best, next) =>
      next.result.requestsPerSecond > best.result.requestsPerSecond ? next : best,
    );
    log(`  peak at ${peak.connections} connections: ${perSecond(peak.result.requestsPerSecond)}`);

    const before = await server.memory(true);
    log(`\nholding the peak for ${HOLD_SECONDS} s (${peak.connections} connections, unthrottled)`);
    const mix = new LoadMix({ bearer, cert, poolSize: POOL, prefix: "69" });
    const samples: Sample[] = [];
    let holding = true;
    const sampler = (async () => {
      // Bounded by count as well as by the hold: it stops when the hold ends or after HOLD_SECONDS + 10 samples.
      for (let second = 1; holding && second <= HOLD_SECONDS + 10; second++) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        if (!holding) {
          break;
        }
        const gc = second % GC_EVERY === 0;
        samples.push({ second, gc, usage: await server.memory(gc) });
      }
    })();
    const hold = await runCannon({
      url: server.url,
      connections: peak.connections,
      durationSeconds: HOLD_SECONDS,
      requests: mix.requests(),
    });
    holding = false;
    await sampler;
    const after = await server.memory(true);

    log("checking the state the server holds");
    const state = await mix.checkState(server.url);

    // ---- judgement
    const statuses = Object.entries(hold.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(", ");
    const fiveHundreds = Object.entries(hold.statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, count]) => sum + count, 0);
    // The sample right after the hold (after GC) closes the series, so the judgement covers the whole 30 s.
    const retained = [
      ...samples.filter((sample) => sample.gc),
      { second: HOLD_SECONDS, gc: true, usage: after },
    ];
    const baseline = retained.find((sample) => sample.second >= FULL_POOL_AT_SECONDS) ?? retained[0];
    const last = retained.at(-1);
    const growth = baseline && last ? last.usage.heapUsed - baseline.usage.heapUsed : Number.NaN;
    const allowed = baseline
      ? Math.max(FLAT_TOLERANCE.bytes, baseline.usage.heapUsed * FLAT_TOLERANCE.fraction)
      : 0;
    const retainedSlope = slope(
      retained
        .filter((sample) => sample.second >= FULL_POOL_AT_SECONDS)
        .map((sample) => ({ x: sample.second, y: sample.usage.heapUsed })),
    );
    const rss = samples.map((sample) => sample.usage.rss);
    const checks: [string, boolean, string][] = [
      [
        "no socket errors or timeouts",
        hold.errors + hold.timeouts === 0,
        `errors ${hold.errors}, timeouts ${hold.timeouts}`,
      ],
      ["no 5xx", fiveHundreds === 0 && mix.serverErrors === 0, `5xx answers ${fiveHundreds}`],
      [
        "every answer the one its step expects",
        mix.unexpectedTotal() === 0,
        mix.describeUnexpected().join("; ") || "none unexpected",
      ],
      [
        "memory flat",
        Number.isFinite(growth) && growth <= allowed,
        `retained heap (after GC) ${mib(baseline?.usage.heapUsed ?? Number.NaN)} at ${baseline?.second ?? "?"} s, ${mib(
          last?.usage.heapUsed ?? Number.NaN,
        )} at ${last?.second ?? "?"} s (growth ${mib(growth)}, allowed ${mib(allowed)}; slope ${(
          retainedSlope / 1024
        ).toFixed(1)} KiB/s); RSS ${mib(Math.min(...rss))}–${mib(Math.max(...rss))}`,
      ],
      [
        "state consistent afterwards",
        state.failures.length === 0 && state.checked > 0,
        `${state.checked} numbers checked (${state.skipped} left out: a request in flight at the stop)${
          state.failures.length > 0 ? `; failures: ${state.failures.slice(0, 5).join("; ")}` : ""
        }`,
      ],
    ];
    const heldRatio = hold.requestsPerSecond / peak.result.requestsPerSecond;
    const loadAfter = loadavg()[0] ?? Number.NaN;

    const figures = table(
      ["measure", "figure"],
      [
        [
          "peak (calibration)",
          `${perSecond(peak.result.requestsPerSecond)} at ${peak.connections} connections`,
        ],
        [
          "calibration",
          calibration
            .map(({ connections, result }) => `${connections}: ${perSecond(result.requestsPerSecond)}`)
            .join("; "),
        ],
        [
          "held for 30 s",
          `${perSecond(hold.requestsPerSecond)} (${(heldRatio * 100).toFixed(0)}% of the peak), ${hold.totalRequests.toLocaleString("en-US")} requests in ${hold.durationSeconds} s`,
        ],
        [
          "latency p50 / p99 (autocannon, whole ms)",
          `${latency(hold.latencyP50Ms)} / ${latency(hold.latencyP99Ms)}`,
        ],
        ["answers", statuses],
        ["heap used before / after (after GC)", `${mib(before.heapUsed)} / ${mib(after.heapUsed)}`],
        [
          "retained heap, every 5 s (after GC)",
          retained.map((sample) => `${sample.second}s ${mib(sample.usage.heapUsed)}`).join(", "),
        ],
        ["RSS mean over the hold", mib(mean(rss))],
      ],
    );
    const verdicts = table(
      ["check", "result", "details"],
      checks.map(([name, ok, details]) => [name, ok ? "pass" : "FAIL", details]),
    );
    const loadNote = `Load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${machine.cores} cores.`;
    log(`\n${figures}\n\n${verdicts}\n\n${loadNote}`);
    writeSection(
      "load",
      [
        "## npm run bench:load",
        "",
        machineMarkdown(machine),
        `- Cores: ${cpus.pinned ? "pinned with taskset: autocannon (this process) on CPU 0, the reference on CPU 1" : cpus.description}.`,
        `- ${loadNote}`,
        "",
        figures,
        "",
        verdicts,
        "",
        "How it is run and judged:",
        "",
        `- The reference runs in its own process (\`bench/server-child.ts\`, with \`--expose-gc\`), compiled from dist/ as \`serve\` runs it; autocannon ${machine.versions.autocannon} runs in this one, so the server's memory is its own.`,
        `- The mix (bench/lib/mix.ts), in a cycle per number: the hook makes the number fresh (200), registration (202), the code from the hook's \`code-sent\` (200), verification with it (201), registration again (201), the spent code (400), an invalid cc (400), no token (401), two-step on through the hook (200), no PIN (400 1008), a wrong PIN (403 1005), the right PIN (201). Every answer is checked against the status its step expects. Each mix cycles through ${POOL} numbers, so the state the server holds is bounded and its memory can be flat.`,
        `- The peak is the best of the mix at ${CALIBRATION_CONNECTIONS.join(", ")} connections (${CALIBRATION_SECONDS} s each after a 1 s warm-up, ${CALIBRATION_PASSES} passes, the better of each level kept); the hold runs unthrottled at the peak's connection count for ${HOLD_SECONDS} s.`,
        `- Memory: \`process.memoryUsage()\` of the server every second, after a full GC every ${GC_EVERY}th second. Flat means the retained heap at the end is within ${FLAT_TOLERANCE.fraction * 100}% (at least ${mib(FLAT_TOLERANCE.bytes)}) of its value at ${FULL_POOL_AT_SECONDS} s, when the pool of numbers is full; RSS is reported, not judged (the allocator keeps pages).`,
        "- State afterwards: every number whose last request was answered is asked again: a registered number answers 201, a number with a PIN 400/1008 without it, 403/1005 with a wrong one and 201 with its own, a fresh or pending one 202 (by voice, so the SMS limit does not interfere). Numbers with a request in flight when the load stopped are left out.",
      ].join("\n"),
    );
    log("\nwritten to bench/results.md");
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    pinThisProcess(cpus, true);
    await server.stop();
  }
}

await main();
