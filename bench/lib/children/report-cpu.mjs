// Preload for bench/lib/startup.ts: at exit, writes the process's CPU time (user + system, every thread) to BENCH_CPU_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  writeFileSync(process.env.BENCH_CPU_FILE, String((userCPUTime + systemCPUTime) / 1000));
});
