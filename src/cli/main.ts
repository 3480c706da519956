// The command line: parses arguments with commander, runs one command, maps every outcome to a documented exit code.
// Only light leaf modules are imported here; each command's module is loaded by its action, so `--version`, `--help`
// and one command load only what they need (test/cli/start-up.test.ts checks what `--version` loads).
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CaseError } from "../cases/case-error.js";
import { ConfigError } from "../config-error.js";
import { ContractError } from "../contract/contract-error.js";
import { PROFILES } from "../contract/profiles.js";
import { PACKAGE_JSON_PATH } from "../paths.js";
import { MAX_REPEAT } from "../pipeline/limits.js";
import { reportersOf, reportFilesHelp } from "../pipeline/reporters.js";
import {
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FAILED_LOGINS,
  DEFAULT_STORE_CAPS,
} from "../reference/defaults.js";
import { SecretScope } from "../report/redact.js";
import { LoginError, TargetUnreachableError } from "../runner/errors.js";
import { colorFor } from "../terminal-style.js";
import type { CompareFlags } from "./compare-command.js";
import type { DiffFlags } from "./diff-command.js";
import type { ExploreFlags } from "./explore-command.js";
import type { ProxyFlags } from "./proxy-command.js";
import type { Output, RunFlags } from "./run-command.js";
import type { ServeFlags } from "./serve-command.js";

/**
 * The exit codes, as the README documents them. `internal` is a bug of the kit (whatever tripped it, the target
 * included): never reported as a usage error, which would send the user to fix a command line that is fine.
 */
export const EXIT = { conformant: 0, notConformant: 1, usage: 2, unreachable: 3, internal: 4 } as const;

/** An internal error's message and stack are cut to this: a message may quote megabytes a target sent. */
const MAX_ERROR_CHARS = 4000;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return number;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  ];
}

function collectRaw(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function version(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON_PATH, "utf8")) as { version: string }).version;
}

function buildProgram(output: Output, env: NodeJS.ProcessEnv, setExit: (code: number) => void): Command {
  const program = new Command("wa-account-conformance")
    .description("Conformance kit for the WhatsApp Business On-Premises API endpoint /v1/account")
    .version(version())
    .showHelpAfterError("(wa-account-conformance --help lists the commands and options)")
    .configureOutput({
      writeOut: (text) => output.out(text.trimEnd()),
      writeErr: (text) => output.err(text.trimEnd()),
    })
    .exitOverride();

  program
    .command("run")
    .description(
      "run the conformance matrix against --target, or against the embedded reference in both profiles",
    )
    .option("--target <url>", "base URL of the implementation under test (env WA_CONFORMANCE_TARGET)")
    .option(
      "--profile <name>",
      `profile the target claims, one of the contract's x-profiles (the kit's: ${PROFILES.join(", ")}; env WA_CONFORMANCE_PROFILE)`,
    )
    .option("--token <token>", "admin Bearer token (env WA_CONFORMANCE_TOKEN)")
    .option(
      "--username <name>",
      "admin user, to log in through /v1/users/login (env WA_CONFORMANCE_USERNAME)",
    )
    .option("--password <password>", "admin password (env WA_CONFORMANCE_PASSWORD)")
    .option("--state-url <url>", "the target's provider-state hook (env WA_CONFORMANCE_STATE_URL)")
    .option(
      "--state-hook-token <token>",
      "Bearer token for the state hook, when it asks for one (env WA_CONFORMANCE_STATE_HOOK_TOKEN)",
    )
    .option(
      "--config <file>",
      "YAML or JSON file with any of these settings and static state data (env WA_CONFORMANCE_CONFIG)",
    )
    .option("--contract <file>", "run another OpenAPI contract with the kit's extensions (default the kit's)")
    .option("--cases <dir>", "read the cases from this folder (default the kit's fixtures/cases)")
    .option(
      "--case <ids>",
      "run only these case ids (repeat or comma-separate); conformance is then not assessed",
      collect,
    )
    .option(
      "--repeat <n>",
      "run the matrix n times; a case whose verdict changes is FLAKY and fails the run (default 1)",
      integer("--repeat", 1, MAX_REPEAT),
    )
    .option(
      "--timeout <ms>",
      "per-request timeout in ms (default 5000; env WA_CONFORMANCE_TIMEOUT_MS)",
      integer("--timeout", 1, 600000),
    )
    .option(
      "--concurrency <n>",
      "cases run at once (default 8; 16 on the embedded reference)",
      integer("--concurrency", 1, 256),
    )
    .option("--insecure", "accept a TLS certificate that does not verify (self-signed)")
    .option("--strict", "SHOULD failures (WARN) fail the run too")
    .addOption(
      new Option(
        "--quiet",
        "print only the summary: the outcome, the counts and what failed the run (no progress, cases or requirement rows)",
      ).conflicts("verbose"),
    )
    .option(
      "--verbose",
      "print every case with each failed check, also of passing cases, and the full requirement tables (by default: a progress line on a terminal, then only what did not pass)",
    )
    .option(
      "--report-dir <dir>",
      `write the reports here: ${reportFilesHelp("run")} (env WA_CONFORMANCE_REPORT_DIR)`,
    )
    .option(
      "--reporter <names>",
      `only these reports, repeat or comma-separate: ${reportersOf("run").join(", ")} (default all; needs --report-dir)`,
      collect,
    )
    .option(
      "--expected-failures <file>",
      "YAML or JSON baseline of the target's known failures (case or requirement, reason, issue, expires): excused failures do not fail the run; stale or expired entries do; an unknown id is exit 2 (env WA_CONFORMANCE_EXPECTED_FAILURES)",
    )
    .option(
      "--include-secrets",
      "do not redact passwords, tokens, PINs, certificates and codes in the reports and on the console (local debugging only)",
    )
    .action(async (flags: RunFlags) => {
      const { runCommand } = await import("./run-command.js");
      setExit(await runCommand(flags, env, output));
    });

  program
    .command("diff")
    .description(
      "run every case on a baseline and a candidate in the same provider states and report every behaviour that differs",
    )
    .option("--baseline <url>", "base URL of the implementation being replaced")
    .option("--candidate <url>", "base URL of the implementation replacing it")
    .option(
      "--baseline-2 <url>",
      "a second instance of the baseline: differences it shows too are reported as noise",
    )
    .option(
      "--baseline-results <file>",
      "results.json of an earlier run (run --report-dir), compared instead of a live baseline",
    )
    .option("--baseline-username <name>", "the baseline's admin user")
    .option(
      "--baseline-password <password>",
      "the baseline's admin password (env WA_CONFORMANCE_BASELINE_PASSWORD)",
    )
    .option(
      "--baseline-token <token>",
      "the baseline's admin Bearer token (env WA_CONFORMANCE_BASELINE_TOKEN)",
    )
    .option("--baseline-state-url <url>", "the baseline's provider-state hook")
    .option("--candidate-username <name>", "the candidate's admin user")
    .option(
      "--candidate-password <password>",
      "the candidate's admin password (env WA_CONFORMANCE_CANDIDATE_PASSWORD)",
    )
    .option(
      "--candidate-token <token>",
      "the candidate's admin Bearer token (env WA_CONFORMANCE_CANDIDATE_TOKEN)",
    )
    .option("--candidate-state-url <url>", "the candidate's provider-state hook")
    .option("--baseline-2-username <name>", "baseline-2's admin user (default: the baseline's)")
    .option(
      "--baseline-2-password <password>",
      "baseline-2's admin password (env WA_CONFORMANCE_BASELINE_2_PASSWORD)",
    )
    .option(
      "--baseline-2-token <token>",
      "baseline-2's admin Bearer token (env WA_CONFORMANCE_BASELINE_2_TOKEN)",
    )
    .option(
      "--baseline-2-state-url <url>",
      "baseline-2's provider-state hook (default: the baseline's hook path on baseline-2's host)",
    )
    .addOption(
      new Option("--profile <name>", "profile both targets claim (env WA_CONFORMANCE_PROFILE)").choices(
        PROFILES,
      ),
    )
    .option(
      "--config <file>",
      "YAML or JSON: baseline, candidate and baseline2 sections (each as run's config file) and shared settings",
    )
    .option(
      "--rules <file>",
      "YAML or JSON rule file adding to the default rules: {ignore, volatile, format: {pointers, headers}}",
    )
    .option("--case <ids>", "compare only these case ids (repeat or comma-separate)", collect)
    .option(
      "--timeout <ms>",
      "per-request timeout in ms (default 5000; env WA_CONFORMANCE_TIMEOUT_MS)",
      integer("--timeout", 1, 600000),
    )
    .option(
      "--concurrency <n>",
      "cases compared at once (default 1, so cases cannot disturb each other on a target)",
      integer("--concurrency", 1, 256),
    )
    .option("--insecure", "accept TLS certificates that do not verify (self-signed)")
    .option("--report-dir <dir>", `write the reports here: ${reportFilesHelp("diff")}`)
    .option(
      "--reporter <names>",
      `only these reports, repeat or comma-separate: ${reportersOf("diff").join(", ")} (default all; needs --report-dir)`,
      collect,
    )
    .option(
      "--include-secrets",
      "do not redact passwords, tokens, PINs, certificates and codes in the reports and on the console (local debugging only)",
    )
    .option("--quiet", "print only cases that differ or could not be compared")
    .option("--verbose", "also print the differences set aside as noise")
    .action(async (flags: DiffFlags) => {
      const { diffCommand } = await import("./diff-command.js");
      setExit(await diffCommand(flags, env, output));
    });

  program
    .command("explore")
    .description(
      "explore: generated sequences of the contract's operations, shrunk on failure, judged by a model of the contract (or --baseline against --candidate); exit 0 no divergence, 1 a MUST divergence (or SHOULD under --strict), 2 usage, 3 unreachable",
    )
    .option("--target <url>", "base URL of the implementation; without it the embedded reference is explored")
    .addOption(new Option("--profile <name>", "profile the target claims").choices(PROFILES))
    .option("--token <token>", "admin Bearer token (env WA_CONFORMANCE_TOKEN)")
    .option("--username <name>", "admin user (env WA_CONFORMANCE_USERNAME)")
    .option("--password <password>", "admin password (env WA_CONFORMANCE_PASSWORD)")
    .option("--state-url <url>", "the target's provider-state hook (env WA_CONFORMANCE_STATE_URL)")
    .option(
      "--state-hook-token <token>",
      "Bearer token for the state hook (env WA_CONFORMANCE_STATE_HOOK_TOKEN)",
    )
    .option(
      "--config <file>",
      "YAML or JSON config file, as for run (static states for a target without a hook)",
    )
    .option(
      "--seed <n>",
      "the seed: the same seed and target give the same sequences (printed on every run)",
      integer("--seed", 0, 0x7fffffff),
    )
    .option("--runs <n>", "sequences to generate (default 100)", integer("--runs", 1, 1_000_000))
    .option(
      "--budget <seconds>",
      "stop generating after this long (default 60)",
      integer("--budget", 1, 86_400),
    )
    .option("--max-steps <n>", "steps per sequence at most (default 16)", integer("--max-steps", 1, 200))
    .option(
      "--sms-limit <n>",
      "the target's SMS limit, when known (otherwise the model learns it from the answers)",
      integer("--sms-limit", 0, 1000),
    )
    .option("--baseline <url>", "differential mode: the implementation to compare against (with --candidate)")
    .option("--candidate <url>", "differential mode: the implementation compared with --baseline")
    .option("--baseline-state-url <url>", "the baseline's provider-state hook")
    .option("--candidate-state-url <url>", "the candidate's provider-state hook")
    .option("--rules <file>", "differential mode: a diff rule file adding to the default rules")
    .option("--timeout <ms>", "per-request timeout in ms (default 5000)", integer("--timeout", 1, 600000))
    .option("--insecure", "accept a TLS certificate that does not verify (self-signed)")
    .option("--strict", "SHOULD divergences fail the run too")
    .option(
      "--report-dir <dir>",
      "write explore.json, explore.md, explore-junit.xml, explore.har and one case file per failure",
    )
    .option(
      "--include-secrets",
      "do not redact passwords, tokens, PINs, certificates and codes (local debugging only)",
    )
    .action(async (flags: ExploreFlags) => {
      const { exploreCommand } = await import("./explore-command.js");
      setExit(await exploreCommand(flags, env, output));
    });

  program
    .command("compare")
    .description(
      "compare implementations: read results.json files of several runs and write compare.html and compare.json, the case x implementation grid requirement by requirement",
    )
    .argument("<results...>", "results.json files written by run --report-dir")
    .option("--out <dir>", "directory for compare.html and compare.json", "reports")
    .action(async (files: string[], flags: CompareFlags) => {
      const { compareCommand } = await import("./compare-command.js");
      setExit(await compareCommand(files, flags, output));
    });

  program
    .command("list")
    .description("print every case: id, description, requirements with levels, profiles and states")
    .addOption(new Option("--profile <name>", "only the cases of this profile").choices(PROFILES))
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; profile?: string }) => {
      const { listCommand } = await import("./list-command.js");
      setExit(await listCommand(flags, output));
    });

  program
    .command("serve")
    .description("run the reference implementation standalone")
    .option("--port <n>", "port (0 picks a free one)", integer("--port", 0, 65535), 9090)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .addOption(
      new Option("--profile <name>", "registration-open, or sunset (every registration gets 1005)").choices(
        PROFILES,
      ),
    )
    .option(
      "--sms-limit <n>",
      "SMS code requests per number before 1005 (default 3)",
      integer("--sms-limit", 0, 1000),
    )
    .option("--admin-password <password>", "the admin's password (default secret)")
    .option("--no-state-hook", "do not serve the provider-state hook")
    .option(
      "--code-header <name>",
      "also send the pending code in this header of every 202 (for runs without a hook)",
    )
    .option("--user <name:password>", "a non-admin user that exists from the start (repeatable)", collectRaw)
    .option(
      "--state-hook-token <token>",
      "the hook then needs Authorization: Bearer <token> (env WA_CONFORMANCE_STATE_HOOK_TOKEN); required off loopback",
    )
    .option(
      "--max-users <n>",
      `users the hook may create (default ${DEFAULT_STORE_CAPS.maxUsers})`,
      integer("--max-users", 1, 1_000_000),
    )
    .option(
      "--max-sessions-per-user <n>",
      `live tokens per user, its oldest dropped first (default ${DEFAULT_STORE_CAPS.maxSessionsPerUser})`,
      integer("--max-sessions-per-user", 1, 1_000_000),
    )
    .option(
      "--max-numbers <n>",
      `numbers held, the oldest forgotten first (default ${DEFAULT_STORE_CAPS.maxNumbers})`,
      integer("--max-numbers", 1, 10_000_000),
    )
    .option(
      "--max-connections <n>",
      `open connections (default ${DEFAULT_MAX_CONNECTIONS})`,
      integer("--max-connections", 1, 100_000),
    )
    .option(
      "--max-failed-logins <n>",
      `failed logins per username per minute before 429 (default ${DEFAULT_MAX_FAILED_LOGINS})`,
      integer("--max-failed-logins", 1, 1_000_000),
    )
    .action(async (flags: ServeFlags) => {
      const { serveCommand } = await import("./serve-command.js");
      setExit(await serveCommand(flags, output, env));
    });

  program
    .command("proxy")
    .description(
      "a transparent proxy in front of --upstream: judges every request (client conformance) and answer (server conformance) that passes, and reports like run when it stops",
    )
    .option("--upstream <url>", "base URL of the server to forward to (http://)")
    .option("--port <n>", "port to listen on (0 picks a free one)", integer("--port", 0, 65535), 9091)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .addOption(
      new Option(
        "--profile <name>",
        "profile the upstream claims, for the reports (default: sunset once the sunset block is seen, else registration-open)",
      ).choices(PROFILES),
    )
    .option(
      "--timeout <ms>",
      "how long the upstream may stay silent before the client gets a 502 (default 5000)",
      integer("--timeout", 1, 600000),
    )
    .option("--duration <s>", "stop by itself after this many seconds", integer("--duration", 1, 31_536_000))
    .option("--strict", "SHOULD failures (WARN) fail the session too")
    .option("--quiet", "print only exchanges that did not pass")
    .option("--report-dir <dir>", `write the reports here when it stops: ${reportFilesHelp("run")}`)
    .option(
      "--reporter <names>",
      `only these reports, repeat or comma-separate: ${reportersOf("run").join(", ")} (default all; needs --report-dir)`,
      collect,
    )
    .option(
      "--include-secrets",
      "do not redact passwords, tokens, PINs, certificates and codes in the reports and on the console (local debugging only)",
    )
    .action(async (flags: ProxyFlags) => {
      const { proxyCommand } = await import("./proxy-command.js");
      setExit(await proxyCommand(flags, output));
    });

  program
    .command("cert")
    .description("print an unsigned test certificate for a display name, or decode a certificate")
    .option("--vname <name>", "display name to put in a new certificate")
    .option("--bare", "a bare VerifiedNameCertificate instead of a BizAccountPayload")
    .option("--decode <cert>", "base64 certificate to decode")
    .action(async (flags: { vname?: string; bare?: boolean; decode?: string }) => {
      const { certCommand } = await import("./cert-command.js");
      setExit(certCommand(flags, output));
    });

  // A usage error points to the help of the command it was made in, which names that command's own options.
  for (const command of program.commands) {
    command.showHelpAfterError(helpHint(command.name()));
  }
  return program;
}

const helpHint = (command: string): string => `(wa-account-conformance ${command} --help shows its options)`;

/** Runs the CLI and returns the exit code; never throws. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output?: Output,
): Promise<number> {
  const given: Output = output ?? {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    style: { color: colorFor(env, Boolean(process.stdout.isTTY)) },
    ...(process.stdout.isTTY ? { live: writeLiveLine } : {}),
  };
  // Every redactor the command makes joins this scope, so what reaches stderr outside them (an error caught here,
  // commander's complaint quoting an argument) is redacted with all they learned and the secrets of the command line.
  const scope = new SecretScope();
  const secrets = commandLineSecrets(argv, env);
  const redact = (text: string) => scope.redact(text, secrets);
  const out: Output = { ...given, err: (text) => given.err(redact(text)) };
  let exitCode: number = EXIT.conformant;
  const program = buildProgram(out, env, (code) => {
    exitCode = code;
  });
  let active: string | undefined;
  program.hook("preAction", (_program, command) => {
    active = command.name();
  });
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await scope.run(() => program.parseAsync(argv));
    return exitCode;
  } catch (error) {
    return reportError(error, out, active);
  }
}

/** Rewrites the terminal's current line, cut to its width so that it never wraps (a wrapped line is not rewritten). */
function writeLiveLine(line: string): void {
  const width = Math.max((process.stdout.columns || 80) - 1, 10);
  process.stdout.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
}

/** Values of the flags and environment variables that carry passwords and tokens. */
function commandLineSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const secret = /^--(?:[a-z0-9-]+-)?(?:password|token)$/;
  const values: string[] = [];
  argv.forEach((arg, index) => {
    const equals = arg.indexOf("=");
    if (equals > 0 && secret.test(arg.slice(0, equals))) {
      values.push(arg.slice(equals + 1));
    } else if (secret.test(arg) && argv[index + 1] !== undefined) {
      values.push(argv[index + 1] as string);
    }
  });
  for (const [name, value] of Object.entries(env)) {
    if (/^WA_CONFORMANCE_\w*(PASSWORD|TOKEN)$/.test(name) && value) {
      values.push(value);
    }
  }
  return values;
}

/** Maps an error to its exit code and prints it; `output.err` redacts (see main). */
function reportError(error: unknown, output: Output, command: string | undefined): number {
  if (error instanceof CommanderError) {
    // Help and version print and exit 0; every other parse problem was already printed by commander.
    return error.exitCode === 0 ? EXIT.conformant : EXIT.usage;
  }
  if (error instanceof TargetUnreachableError) {
    output.err(`error: ${error.message}`);
    return EXIT.unreachable;
  }
  if (error instanceof ConfigError) {
    output.err(`error: ${error.message}`);
    if (command !== undefined) {
      output.err(helpHint(command));
    }
    return EXIT.usage;
  }
  if (error instanceof CaseError || error instanceof ContractError || error instanceof LoginError) {
    output.err(`error: ${error.message}`);
    return EXIT.usage;
  }
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  output.err(
    `internal error: this is a bug in the kit, please report it (exit ${EXIT.internal}):\n${
      detail.length > MAX_ERROR_CHARS ? `${detail.slice(0, MAX_ERROR_CHARS)}…` : detail
    }`,
  );
  return EXIT.internal;
}
