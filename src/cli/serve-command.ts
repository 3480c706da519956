// `serve`: runs the reference implementation standalone until interrupted, refusing to expose an open state hook.
import { ConfigError, parseProfile } from "../config/config.js";
import { DEFAULT_ADMIN, isLoopbackHost, PROVIDER_STATE_PATH, startReference } from "../reference/index.js";
import type { Output } from "./run-command.js";

export interface ServeFlags {
  port: number;
  host: string;
  profile?: string;
  smsLimit?: number;
  stateHook: boolean;
  /** Bearer token the hook requires; also WA_CONFORMANCE_STATE_HOOK_TOKEN. */
  stateHookToken?: string;
  adminPassword?: string;
  codeHeader?: string;
  user?: string[];
  maxUsers?: number;
  maxSessionsPerUser?: number;
  maxNumbers?: number;
  maxConnections?: number;
  maxFailedLogins?: number;
}

export const STATE_HOOK_TOKEN_ENV = "WA_CONFORMANCE_STATE_HOOK_TOKEN";

/** `name:password` pairs for --user. */
function parseUsers(values: string[] | undefined): { username: string; password: string }[] {
  return (values ?? []).map((value) => {
    const colon = value.indexOf(":");
    if (colon <= 0) {
      throw new ConfigError(`--user takes name:password, not "${value}"`);
    }
    return { username: value.slice(0, colon), password: value.slice(colon + 1) };
  });
}

/** The flag over the environment variable; an empty value is a mistake (an unset CI secret), not "no token". */
function hookToken(flags: ServeFlags, env: NodeJS.ProcessEnv): string | undefined {
  if (flags.stateHookToken !== undefined) {
    if (flags.stateHookToken === "") {
      throw new ConfigError("--state-hook-token is empty");
    }
    return flags.stateHookToken;
  }
  const value = env[STATE_HOOK_TOKEN_ENV];
  if (value === "") {
    throw new ConfigError(`${STATE_HOOK_TOKEN_ENV} is set but empty`);
  }
  return value;
}

/**
 * `env`: where WA_CONFORMANCE_STATE_HOOK_TOKEN is read. `until`: resolves when serve is to stop; default the
 * first SIGINT or SIGTERM (tests pass their own, as signals would reach the test runner too).
 */
export async function serveCommand(
  flags: ServeFlags,
  output: Output,
  env: NodeJS.ProcessEnv = process.env,
  until?: Promise<void>,
): Promise<number> {
  const profile = parseProfile(flags.profile);
  const admin = { username: DEFAULT_ADMIN.username, password: flags.adminPassword ?? DEFAULT_ADMIN.password };
  const token = flags.stateHook ? hookToken(flags, env) : undefined;
  if (flags.stateHook && token === undefined && !isLoopbackHost(flags.host)) {
    throw new ConfigError(
      [
        `refusing to serve the provider-state hook on ${flags.host} without a token.`,
        "  The hook lets anyone who can reach the port create users, read the pending code of any number, wipe a",
        "  registration and its PIN, or block every registration; on loopback (127.0.0.1, ::1, localhost) only",
        "  this machine can reach it, on any other address the network can. Either:",
        `    --state-hook-token TOKEN (or ${STATE_HOOK_TOKEN_ENV}): the hook then needs Authorization: Bearer TOKEN,`,
        "      which `run --state-hook-token TOKEN` sends;",
        "    --no-state-hook: no hook (describe the target in a config file instead);",
        "    --host 127.0.0.1: loopback only.",
        "  serve is a sandbox for conformance runs, not a server to expose.",
      ].join("\n"),
    );
  }
  let reference: Awaited<ReturnType<typeof startReference>>;
  try {
    reference = await startReference({
      profile,
      host: flags.host,
      port: flags.port,
      stateHook: flags.stateHook,
      admin,
      users: parseUsers(flags.user),
      ...(token === undefined ? {} : { stateHookToken: token }),
      ...(flags.codeHeader === undefined ? {} : { codeHeader: flags.codeHeader }),
      ...(flags.smsLimit === undefined ? {} : { smsLimit: flags.smsLimit }),
      ...(flags.maxUsers === undefined ? {} : { maxUsers: flags.maxUsers }),
      ...(flags.maxSessionsPerUser === undefined ? {} : { maxSessionsPerUser: flags.maxSessionsPerUser }),
      ...(flags.maxNumbers === undefined ? {} : { maxNumbers: flags.maxNumbers }),
      ...(flags.maxConnections === undefined ? {} : { maxConnections: flags.maxConnections }),
      ...(flags.maxFailedLogins === undefined ? {} : { maxFailedLogins: flags.maxFailedLogins }),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof RangeError) {
      throw new ConfigError(error.message);
    }
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new ConfigError(`cannot listen on ${flags.host}:${flags.port} (${code})`);
    }
    throw error;
  }
  output.out(
    [
      `wa-account-conformance reference implementation, profile ${profile}, listening on ${reference.url}`,
      `  admin login: ${admin.username} / ${flags.adminPassword === undefined ? admin.password : "(the password given)"}`,
      reference.stateUrl
        ? `  provider-state hook: ${reference.stateUrl} (POST {"state","params","action"}; GET lists states)${
            token === undefined ? "" : "; needs Authorization: Bearer (the token given)"
          }`
        : `  provider-state hook: off (${PROVIDER_STATE_PATH} answers 404)`,
      ...(flags.user ?? []).map((user) => `  non-admin user: ${user.slice(0, user.indexOf(":"))}`),
      ...(flags.codeHeader === undefined
        ? []
        : [`  every 202 carries the pending code in the ${flags.codeHeader} header`]),
      "  A sandbox for conformance runs, not a server to expose. Ctrl-C stops it.",
    ].join("\n"),
  );
  await (until ?? interrupted());
  await reference.close();
  return 0;
}

function interrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
