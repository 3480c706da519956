// `serve`: runs the reference implementation standalone until interrupted.
import { ConfigError, parseProfile } from "../config/config.js";
import { DEFAULT_ADMIN, PROVIDER_STATE_PATH, startReference } from "../reference/index.js";
import type { Output } from "./run-command.js";

export interface ServeFlags {
  port: number;
  host: string;
  profile?: string;
  smsLimit?: number;
  stateHook: boolean;
  adminPassword?: string;
  codeHeader?: string;
  user?: string[];
}

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

export async function serveCommand(flags: ServeFlags, output: Output): Promise<number> {
  const profile = parseProfile(flags.profile);
  const admin = { username: DEFAULT_ADMIN.username, password: flags.adminPassword ?? DEFAULT_ADMIN.password };
  let reference: Awaited<ReturnType<typeof startReference>>;
  try {
    reference = await startReference({
      profile,
      host: flags.host,
      port: flags.port,
      stateHook: flags.stateHook,
      admin,
      users: parseUsers(flags.user),
      ...(flags.codeHeader === undefined ? {} : { codeHeader: flags.codeHeader }),
      ...(flags.smsLimit === undefined ? {} : { smsLimit: flags.smsLimit }),
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
        ? `  provider-state hook: ${reference.stateUrl} (POST {"state","params","action"}; GET lists states)`
        : `  provider-state hook: off (${PROVIDER_STATE_PATH} answers 404)`,
      ...(flags.user ?? []).map((user) => `  non-admin user: ${user.slice(0, user.indexOf(":"))}`),
      ...(flags.codeHeader === undefined
        ? []
        : [`  every 202 carries the pending code in the ${flags.codeHeader} header`]),
      "  Ctrl-C stops it.",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await reference.close();
  return 0;
}
