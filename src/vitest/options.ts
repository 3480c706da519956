// What a user's vitest config passes to the conformance suite: the same settings `run` takes, by the same names.
import type { TargetSettings } from "../config/config.js";

export interface ConformanceSuiteOptions extends TargetSettings {
  /** A config file, as `run --config` (the environment's WA_CONFORMANCE_CONFIG otherwise). */
  config?: string;
  /** Run the matrix this many times; a case whose verdict changes fails as FLAKY. */
  repeat?: number;
}

/** The key under which the options travel from the config to the suite (vitest's `provide`/`inject`). */
export const OPTIONS_KEY = "waAccountConformance";
