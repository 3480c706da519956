// Runs the CLI in a process of its own and reports, as its last stderr line, the exit code and the memory it used.
import { main } from "../../../src/cli/main.js";

/** Sampled every few milliseconds: the JavaScript heap and the buffers outside it (response bodies, zlib). */
let peak = 0;
const sample = () => {
  const usage = process.memoryUsage();
  peak = Math.max(peak, usage.heapUsed + usage.external);
};
const timer = setInterval(sample, 5);
const exitCode = await main(["node", "wa-account-conformance", ...process.argv.slice(2)]);
clearInterval(timer);
sample();
process.stderr.write(
  `\n${JSON.stringify({ exitCode, peakBytes: peak, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
process.exitCode = exitCode;
