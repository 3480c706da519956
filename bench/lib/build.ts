// Builds dist/ before a benchmark as `npm run build` does (validators generated, then tsc), so what is timed is the JavaScript users run (bin/ and `serve`), not tsx.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { timedNode } from "./processes.js";

const TSC = join("node_modules", "typescript", "bin", "tsc");
const GENERATE = join("scripts", "generate-validators.ts");

/** The compiled reference, as `serve` loads it; the server child imports it from here. */
export const DIST_REFERENCE_URL = pathToFileURL(join(PACKAGE_ROOT, "dist", "reference", "index.js")).href;

/** Runs the build; a build that reports type errors still emits dist/, which is then what gets timed. */
export async function buildDist(): Promise<string> {
  const generated = await timedNode(["--import", "tsx", GENERATE], { timeoutMs: 120_000 });
  if (generated.code !== 0) {
    throw new Error(`generating the validators failed: ${generated.stderr.slice(-2000)}`);
  }
  const result = await timedNode([TSC, "-p", "tsconfig.build.json"], { timeoutMs: 300_000 });
  const took = `${((generated.ms + result.ms) / 1000).toFixed(3)} s`;
  return result.code === 0
    ? `built dist/ in ${took} (validators generated, then tsc)`
    : `tsc exited ${result.code} (type errors elsewhere in the tree); timing the dist/ it emitted`;
}
