// `explore`: generated, shrunk sequences against a target judged by the model of the contract, or between two targets; returns the exit code.
import { readFileSync } from "node:fs";
import { ConfigError, type TargetSettings, toTargetConfig } from "../config/config.js";
import { loadContract } from "../contract/contract.js";
import { loadRules } from "../diff/rules.js";
import { compareAnswers } from "../explore/differential.js";
import { StateSetupError } from "../explore/execute.js";
import { type ExploreOutcome, runExplore } from "../explore/explore.js";
import { describeFailure, writeExploreReports } from "../explore/explore-report.js";
import { TransportError } from "../http/send.js";
import { PACKAGE_JSON_PATH } from "../paths.js";
import { type RunningReference, startReference } from "../reference/index.js";
import { Redactor } from "../report/redact.js";
import { TargetUnreachableError } from "../runner/errors.js";
import { type TargetConfig, targetSecrets } from "../runner/target.js";
import { type Output, resolveSettings } from "./run-command.js";

export interface ExploreFlags {
  target?: string;
  profile?: string;
  token?: string;
  username?: string;
  password?: string;
  stateUrl?: string;
  stateHookToken?: string;
  config?: string;
  timeout?: number;
  insecure?: boolean;
  strict?: boolean;
  reportDir?: string;
  seed?: number;
  runs?: number;
  budget?: number;
  maxSteps?: number;
  smsLimit?: number;
  baseline?: string;
  candidate?: string;
  baselineStateUrl?: string;
  candidateStateUrl?: string;
  rules?: string;
  includeSecrets?: boolean;
}

export const DEFAULT_RUNS = 100;
export const DEFAULT_BUDGET_SECONDS = 60;

/** A fresh seed when none is given; printed, so the run can be repeated. */
function pickSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

async function exploreTargets(
  flags: ExploreFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ targets: TargetConfig[]; references: RunningReference[]; embedded: boolean }> {
  const settings = await resolveSettings(
    {
      target: flags.target,
      profile: flags.profile,
      token: flags.token,
      username: flags.username,
      password: flags.password,
      stateUrl: flags.stateUrl,
      stateHookToken: flags.stateHookToken,
      config: flags.config,
      timeout: flags.timeout,
      insecure: flags.insecure,
      strict: flags.strict,
    },
    env,
  );
  // One target at a time: explore's sequences move one account, so they run one step after another.
  const one = (extra: TargetSettings) => ({ ...toTargetConfig({ ...settings, ...extra }), concurrency: 1 });
  if (flags.baseline !== undefined || flags.candidate !== undefined) {
    if (flags.baseline === undefined || flags.candidate === undefined) {
      throw new ConfigError("--baseline and --candidate go together: explore compares the two targets");
    }
    return {
      targets: [
        one({ target: flags.baseline, stateUrl: flags.baselineStateUrl ?? settings.stateUrl }),
        one({ target: flags.candidate, stateUrl: flags.candidateStateUrl ?? settings.stateUrl }),
      ],
      references: [],
      embedded: false,
    };
  }
  if (settings.target !== undefined) {
    return { targets: [one({})], references: [], embedded: false };
  }
  const reference = await startReference({
    profile: settings.profile === "sunset" ? "sunset" : "registration-open",
    ...(flags.smsLimit === undefined ? {} : { smsLimit: flags.smsLimit }),
  });
  const target = one({
    target: reference.url,
    stateUrl: reference.stateUrl,
    username: settings.username ?? "admin",
    password: settings.password ?? "secret",
  });
  return {
    targets: [{ ...target, name: `embedded reference (${reference.profile})` }],
    references: [reference],
    embedded: true,
  };
}

export async function exploreCommand(
  flags: ExploreFlags,
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  const contract = await loadContract();
  const { targets, references, embedded } = await exploreTargets(flags, env);
  try {
    const secrets = targetSecrets(targets, contract);
    const enabled = flags.includeSecrets !== true;
    const redactor = Redactor.forContract(contract, {
      enabled,
      secrets: secrets.values,
      headers: secrets.headers,
    });
    const caseRedactor = new Redactor({
      enabled,
      fields: [],
      secrets: secrets.values,
      headers: secrets.headers,
    });
    const seed = flags.seed ?? pickSeed();
    const runs = flags.runs ?? DEFAULT_RUNS;
    const budget = flags.budget ?? DEFAULT_BUDGET_SECONDS;
    const differential = targets.length > 1;
    if (embedded) {
      output.out("No --target given: exploring the embedded reference implementation.");
    }
    output.out(
      redactor.text(
        `explore --seed ${seed} --runs ${runs} --budget ${budget}: ${
          differential
            ? `comparing ${targets[0]?.url} (baseline) with ${targets[1]?.url} (candidate)`
            : `${targets[0]?.url} (${targets[0]?.profile}), judged by the model of the contract`
        }`,
      ),
    );
    const progress = Boolean(process.stderr.isTTY);
    let outcome: ExploreOutcome;
    try {
      outcome = await runExplore({
        contract,
        targets,
        seed,
        runs,
        budgetMs: budget * 1000,
        ...(flags.maxSteps === undefined ? {} : { maxSteps: flags.maxSteps }),
        strict: flags.strict ?? false,
        ...(flags.smsLimit === undefined ? {} : { smsLimit: flags.smsLimit }),
        ...(differential ? { compare: compareAnswers(await loadRules(flags.rules)) } : {}),
        onSequence: (done, steps) => {
          if (progress && done % 25 === 0) {
            process.stderr.write(`\r  ${done} sequences, ${steps} steps`);
          }
        },
      });
    } catch (error) {
      if (error instanceof TransportError) {
        throw new TargetUnreachableError(
          `the target stopped answering during explore: ${redactor.text(error.message)}`,
        );
      }
      if (error instanceof StateSetupError) {
        throw new ConfigError(redactor.text(error.message));
      }
      throw error;
    } finally {
      if (progress) {
        process.stderr.write("\r\x1b[K");
      }
    }
    for (const step of outcome.warnings.slice(0, 5)) {
      for (const d of step.step.divergences) {
        output.out(
          redactor.text(`  WARN ${d.requirement} (${d.level}) at step ${step.step.index}: ${d.received}`),
        );
      }
    }
    output.out(
      `${outcome.sequences} sequences (${outcome.generated} generated${outcome.interrupted ? ", stopped by the budget" : ""}), ${outcome.steps} steps, ${(outcome.durationMs / 1000).toFixed(1)} s, ${outcome.warnings.length} SHOULD warnings`,
    );
    for (const line of describeFailure(outcome, redactor)) {
      output.out(line);
    }
    if (flags.reportDir !== undefined) {
      const version = (JSON.parse(readFileSync(PACKAGE_JSON_PATH, "utf8")) as { version: string }).version;
      const written = await writeExploreReports(flags.reportDir, outcome, {
        contract,
        targets: targets.map((target) => target.url),
        redactor,
        caseRedactor,
        version,
      });
      output.out(`Reports: ${written.join(", ")}`);
    }
    const failed = outcome.failure !== undefined;
    output.out(
      failed
        ? `${differential ? "The targets answer differently" : "Divergence from the contract"} (seed ${seed}): exit 1`
        : `No divergence (seed ${seed}): exit 0`,
    );
    return failed ? 1 : 0;
  } finally {
    for (const reference of references) {
      await reference.close();
    }
  }
}
