// Writes one script's section of bench/results.md, keeping the sections other scripts wrote.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/paths.js";

export const RESULTS_PATH = join(PACKAGE_ROOT, "bench", "results.md");

const TITLE = [
  "# Benchmark results",
  "",
  "Written by `npm run bench` (bench/run.ts), `npm run bench:load` (bench/load.ts) and `npm run bench:proxy`",
  "(bench/proxy.ts); each replaces only its own section below, so the file always holds the latest run of each.",
  "Figures are from the machine named in each section; rerun the scripts to get yours.",
].join("\n");

/** Replaces (or appends) the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, "utf8") : `${TITLE}\n`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from !== -1 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_PATH, next);
}
