// The command line: parses arguments with commander, runs one command, maps every outcome to a documented exit code.
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CaseError } from "../cases/load-cases.js";
import { ConfigError } from "../config/config.js";
import { ContractError, PROFILES } from "../contract/contract.js";
import { PACKAGE_JSON_PATH } from "../paths.js";
import { TargetUnreachableError } from "../runner/run-matrix.js";
import { LoginError } from "../runner/session.js";
import { certCommand } from "./cert-command.js";
import { listCommand } from "./list-command.js";
import { type Output, type RunFlags, runCommand } from "./run-command.js";
import { serveCommand } from "./serve-command.js";

/** The exit codes, as the README documents them. */
export const EXIT = { conformant: 0, notConformant: 1, usage: 2, unreachable: 3 } as const;

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
    .addOption(
      new Option("--profile <name>", "profile the target claims (env WA_CONFORMANCE_PROFILE)").choices(
        PROFILES,
      ),
    )
    .option("--token <token>", "admin Bearer token (env WA_CONFORMANCE_TOKEN)")
    .option(
      "--username <name>",
      "admin user, to log in through /v1/users/login (env WA_CONFORMANCE_USERNAME)",
    )
    .option("--password <password>", "admin password (env WA_CONFORMANCE_PASSWORD)")
    .option("--state-url <url>", "the target's provider-state hook (env WA_CONFORMANCE_STATE_URL)")
    .option(
      "--config <file>",
      "YAML or JSON file with any of these settings and static state data (env WA_CONFORMANCE_CONFIG)",
    )
    .option("--case <ids>", "run only these case ids (repeat or comma-separate)", collect)
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
    .option("--quiet", "print only cases that did not pass")
    .option("--verbose", "print every failed check, also of passing cases")
    .action(async (flags: RunFlags) => setExit(await runCommand(flags, env, output)));

  program
    .command("list")
    .description("print every case: id, description, requirements with levels, profiles and states")
    .addOption(new Option("--profile <name>", "only the cases of this profile").choices(PROFILES))
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean; profile?: string }) => setExit(await listCommand(flags, output)));

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
    .action(
      async (flags: {
        port: number;
        host: string;
        profile?: string;
        smsLimit?: number;
        stateHook: boolean;
        adminPassword?: string;
      }) => setExit(await serveCommand(flags, output)),
    );

  program
    .command("cert")
    .description("print an unsigned test certificate for a display name, or decode a certificate")
    .option("--vname <name>", "display name to put in a new certificate")
    .option("--bare", "a bare VerifiedNameCertificate instead of a BizAccountPayload")
    .option("--decode <cert>", "base64 certificate to decode")
    .action((flags: { vname?: string; bare?: boolean; decode?: string }) =>
      setExit(certCommand(flags, output)),
    );

  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output?: Output,
): Promise<number> {
  const out: Output = output ?? {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    style: { color: Boolean(process.stdout.isTTY) && env.NO_COLOR === undefined },
  };
  let exitCode: number = EXIT.conformant;
  const program = buildProgram(out, env, (code) => {
    exitCode = code;
  });
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, out);
  }
}

function reportError(error: unknown, output: Output): number {
  if (error instanceof CommanderError) {
    // Help and version print and exit 0; every other parse problem was already printed by commander.
    return error.exitCode === 0 ? EXIT.conformant : EXIT.usage;
  }
  if (error instanceof TargetUnreachableError) {
    output.err(`error: ${error.message}`);
    return EXIT.unreachable;
  }
  if (
    error instanceof ConfigError ||
    error instanceof CaseError ||
    error instanceof ContractError ||
    error instanceof LoginError
  ) {
    output.err(`error: ${error.message}`);
    return EXIT.usage;
  }
  output.err(`internal error (please report it): ${(error as Error).stack ?? String(error)}`);
  return EXIT.usage;
}
