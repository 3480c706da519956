// wa-account-conformance/vitest: a vitest config that runs the conformance suite against the target it is given.
import { fileURLToPath } from "node:url";
import type { ViteUserConfig } from "vitest/config";
import { type ConformanceSuiteOptions, OPTIONS_KEY } from "./options.js";

// Only the config here: it is loaded by vitest's config loader, where importing vitest's runtime (as the suite
// does) fails.
export type { ConformanceSuiteOptions } from "./options.js";

/** The suite's test file, next to this module in dist/ (or src/ when run from a checkout). */
const SUITE_FILE = fileURLToPath(
  new URL(`./conformance.suite${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url),
);

/**
 * A vitest config whose only test file is the kit's conformance suite, found inside the installed package (vitest
 * skips node_modules unless told otherwise), with the settings `run` would take. Spread it into a project of your
 * own, or export it as is: `export default defineConformanceConfig({ target: "http://127.0.0.1:9090" })`.
 */
export function defineConformanceConfig(options: ConformanceSuiteOptions = {}): ViteUserConfig {
  return {
    test: {
      include: [SUITE_FILE],
      exclude: [],
      // The whole matrix runs while the suite is collected; its tests only report. One file, one worker.
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 30_000,
      provide: { [OPTIONS_KEY]: options },
    },
  };
}
