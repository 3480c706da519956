// vitest globalSetup: resolves the target(s) once (env or config, else the embedded reference) and provides them.
import type { TestProject } from "vitest/node";
import { resolveSettings } from "../src/cli/run-command.js";
import { toTargetConfig } from "../src/config/config.js";
import { type EmbeddedTargets, startEmbeddedTargets } from "../src/runner/embedded-targets.js";
import type { TargetConfig } from "../src/runner/target.js";

declare module "vitest" {
  export interface ProvidedContext {
    conformanceTargets: TargetConfig[];
    conformanceCases: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The same settings as the CLI: WA_CONFORMANCE_* variables and the config file they name.
  const settings = await resolveSettings({}, process.env);
  let embedded: EmbeddedTargets | undefined;
  let targets: TargetConfig[];
  if (settings.target === undefined) {
    embedded = await startEmbeddedTargets();
    targets = embedded.targets;
  } else {
    targets = [toTargetConfig(settings)];
  }
  project.provide("conformanceTargets", targets);
  project.provide("conformanceCases", settings.cases ?? []);
  return async () => {
    await embedded?.close();
  };
}
