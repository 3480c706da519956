// The explore and proxy benchmarks as parts of `npm run bench`: each runs its own script, which writes its own section.
import { spawn } from "node:child_process";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { BenchSection, SectionOutcome } from "./section.js";

/**
 * Runs `bench/<script>.ts` in a process of its own (as `npm run bench:<script>` does: its figures must not share a
 * heap or an event loop with the other parts), echoes what it prints, and keeps the lines `pick` selects as rows.
 */
function runScript(script: string, pick: RegExp): Promise<SectionOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `bench/${script}.ts`], {
      cwd: PACKAGE_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      out += text;
      process.stdout.write(text);
    });
    child.once("error", reject);
    child.once("close", (code) => {
      if (code !== 0) {
        reject(new Error(`bench/${script}.ts exited ${code}`));
        return;
      }
      const rows = out
        .split("\n")
        .filter((line) => pick.test(line))
        .map((line) => [
          `${script}: ${line.trim()}`,
          "see its row",
          `bench/results.md, section bench:${script}`,
        ]);
      resolve({ rows, verdicts: [], notes: [] });
    });
  });
}

export const exploreSection: BenchSection = {
  name: "explore",
  title: "explore's throughput against the reference (bench/explore.ts)",
  how: [
    "- **explore**: `bench/explore.ts` in its own process (also `npm run bench:explore`); its section of this file says how.",
  ],
  run: () => runScript("explore", /^explore: \d+ steps\/s/),
};

export const proxySection: BenchSection = {
  name: "proxy",
  title: "the proxy's overhead against the reference (bench/proxy.ts)",
  how: [
    "- **proxy**: `bench/proxy.ts` in its own process (also `npm run bench:proxy`); its section of this file says how.",
  ],
  run: () => runScript("proxy", /^ {2}(throughput through the proxy|added median latency)/),
};
