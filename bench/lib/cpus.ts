// Splits the machine's first two cores between the load generator and the server under load, as on two machines.
import { execFileSync, spawnSync } from "node:child_process";
import { availableParallelism, platform } from "node:os";

/**
 * Where the processes of a req/s measurement run. Unpinned, the scheduler at times puts autocannon and the
 * server on one core, and the figures swing with it; pinned, each has a core of its own, for every target alike.
 */
export interface CpuPlan {
  pinned: boolean;
  generatorCpu: number;
  serverCpu: number;
  /** One sentence for bench/results.md. */
  description: string;
}

export function planCpus(): CpuPlan {
  const plan = { generatorCpu: 0, serverCpu: 1 };
  if (platform() !== "linux") {
    return { ...plan, pinned: false, description: "not pinned: taskset is Linux's" };
  }
  if (availableParallelism() < 2) {
    return { ...plan, pinned: false, description: "not pinned: fewer than 2 cores" };
  }
  if (spawnSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" }).status !== 0) {
    return { ...plan, pinned: false, description: "not pinned: taskset (util-linux) is not installed" };
  }
  return {
    ...plan,
    pinned: true,
    description:
      "pinned with taskset: autocannon (the benchmark process) on CPU 0, the server under load on CPU 1, the same for every target",
  };
}

/** The command and arguments that start `command` on the server's core (unchanged when not pinned). */
export function onServerCpu(plan: CpuPlan, command: string, args: readonly string[]): [string, string[]] {
  return plan.pinned ? ["taskset", ["-c", String(plan.serverCpu), command, ...args]] : [command, [...args]];
}

/** Moves every thread of this process to the generator's core, or back to all cores with `release`. */
export function pinThisProcess(plan: CpuPlan, release = false): void {
  if (plan.pinned) {
    const cpus = release ? `0-${availableParallelism() - 1}` : String(plan.generatorCpu);
    execFileSync("taskset", ["-a", "-c", "-p", cpus, String(process.pid)], { stdio: "ignore" });
  }
}
