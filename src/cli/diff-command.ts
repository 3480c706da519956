// `diff`: flags → plan (diff-settings.ts) → the pipeline's diff → the console; returns the exit code.
import { ConfigError } from "../config/config.js";
import {
  formatCaseComparison,
  formatDiffGroups,
  formatDiffHeader,
  formatDiffSummary,
} from "../diff/report.js";
import { parseReporters } from "../pipeline/reporters.js";
import { runDiff } from "../pipeline/run-diff.js";
import { type DiffFlags, resolveDiffPlan } from "./diff-settings.js";
import type { Output } from "./run-command.js";

export type { DiffFlags } from "./diff-settings.js";

export async function diffCommand(flags: DiffFlags, env: NodeJS.ProcessEnv, output: Output): Promise<number> {
  if (flags.reporter !== undefined && flags.reportDir === undefined) {
    throw new ConfigError("--reporter needs --report-dir: the directory the reports are written to");
  }
  const reporters = parseReporters(flags.reporter, "diff");
  const plan = await resolveDiffPlan(flags, env);
  if (flags.includeSecrets === true) {
    output.err(
      "warning: --include-secrets: the console and the reports show passwords, tokens, PINs and certificates; do not share them",
    );
  }
  const outcome = await runDiff({
    plan,
    includeSecrets: flags.includeSecrets === true,
    reporters,
    ...(flags.reportDir === undefined ? {} : { reportDir: flags.reportDir }),
    events: {
      loaded: (contract, cases, { redactor }) => {
        const baseline =
          plan.baseline.kind === "recorded"
            ? {
                role: "baseline" as const,
                name: plan.baseline.recorded.targetName ?? plan.baseline.recorded.file,
                resultsFile: plan.baseline.recorded.file,
              }
            : { role: "baseline" as const, name: plan.baseline.target.name, url: plan.baseline.target.url };
        output.out(
          redactor.text(
            formatDiffHeader({
              profile: plan.profile,
              baseline,
              candidate: { role: "candidate", name: plan.candidate.name, url: plan.candidate.url },
              ...(plan.baseline2
                ? { baseline2: { role: "baseline-2", name: plan.baseline2.name, url: plan.baseline2.url } }
                : {}),
              ruleSources: plan.rules.sources,
            }),
          ),
        );
        output.out(`Contract ${contract.sha256.slice(0, 12)}, ${cases.length} cases of ${plan.profile}.`);
      },
      compared: (comparison) => {
        if (!flags.quiet || comparison.status === "different" || comparison.status === "not-compared") {
          output.out(formatCaseComparison(comparison, output.style));
        }
      },
    },
  });
  const groups = formatDiffGroups(outcome.report, output.style, flags.verbose ?? false);
  if (groups !== "") {
    output.out(groups);
  }
  output.out(formatDiffSummary(outcome.report, output.style));
  if (outcome.reports.length > 0) {
    output.out(`Reports: ${outcome.reports.join(", ")}`);
  }
  return outcome.report.summary.exitCode;
}
