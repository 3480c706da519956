// `proxy`: a transparent judging proxy in front of --upstream; judges every exchange live and reports like `run` when it stops.
import { ConfigError } from "../config-error.js";
import { loadContract, PROFILES, type ProfileName } from "../contract/contract.js";
import { DEFAULT_MAX_BODY_BYTES } from "../http/send.js";
import { parseReporters, prepareReportDir, writeReports } from "../pipeline/reporters.js";
import { startForwarder } from "../proxy/forward.js";
import { sessionDocument, sessionOutcome, summaryLines } from "../proxy/proxy-report.js";
import { ProxySession } from "../proxy/proxy-session.js";
import { upstreamUnreachableAnswer } from "../proxy/unreachable.js";
import { Redactor } from "../report/redact.js";
import type { Output } from "./run-command.js";

export interface ProxyFlags {
  upstream?: string;
  port: number;
  host: string;
  reportDir?: string;
  reporter?: string[];
  /** Seconds, then the proxy stops by itself. */
  duration?: number;
  timeout?: number;
  profile?: string;
  strict?: boolean;
  quiet?: boolean;
  includeSecrets?: boolean;
}

/** The upstream's silence the proxy waits out before its 502, as `run` waits for a target. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;

function upstreamUrl(value: string | undefined): URL {
  if (value === undefined || value === "") {
    throw new ConfigError("proxy needs --upstream <url>, the server to forward to");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--upstream is not a URL: ${value}`);
  }
  if (url.protocol !== "http:") {
    throw new ConfigError(
      `--upstream must be an http:// URL (the proxy relays plain HTTP/1.1), not ${url.protocol}`,
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new ConfigError("--upstream takes a base URL without credentials, query or fragment");
  }
  return url;
}

/**
 * `until`: resolves when the proxy is to stop; default the first SIGINT or SIGTERM, or --duration (tests pass
 * their own, as signals would reach the test runner too).
 */
export async function proxyCommand(
  flags: ProxyFlags,
  output: Output,
  until?: Promise<void>,
): Promise<number> {
  const upstream = upstreamUrl(flags.upstream);
  const profile =
    flags.profile === undefined
      ? undefined
      : (PROFILES as readonly string[]).includes(flags.profile)
        ? (flags.profile as ProfileName)
        : undefined;
  const reporters = parseReporters(flags.reporter);
  if (flags.reporter !== undefined && flags.reportDir === undefined) {
    throw new ConfigError("--reporter needs --report-dir");
  }
  if (flags.reportDir !== undefined) {
    await prepareReportDir(flags.reportDir);
  }
  const contract = await loadContract();
  const redactor = Redactor.forContract(contract, { enabled: flags.includeSecrets !== true });
  const session = new ProxySession({
    contract,
    redactor,
    upstream,
    output: { out: output.out },
    ...(flags.quiet ? { quiet: true } : {}),
    ...(profile === undefined ? {} : { profile }),
  });
  let forwarder: Awaited<ReturnType<typeof startForwarder>>;
  try {
    forwarder = await startForwarder({
      upstream,
      host: flags.host,
      port: flags.port,
      timeoutMs: flags.timeout ?? DEFAULT_UPSTREAM_TIMEOUT_MS,
      maxCopyBytes: DEFAULT_MAX_BODY_BYTES,
      unreachableAnswer: (reason) => upstreamUnreachableAnswer(contract, redactor.text(reason)),
      onExchange: (exchange) => {
        try {
          session.record(exchange);
        } catch (error) {
          // A judge's bug must not stop the traffic: the exchange is reported and the proxy goes on.
          output.err(`internal error judging an exchange (a bug in the kit): ${(error as Error).message}`);
        }
      },
      onRawRelay: (reason) =>
        output.out(
          `RAW   a connection that is not valid HTTP (${reason}) relayed to the upstream as bytes, not judged`,
        ),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new ConfigError(`cannot listen on ${flags.host}:${flags.port} (${code})`);
    }
    throw error;
  }
  output.out(
    redactor.text(
      [
        `wa-account-conformance proxy listening on ${forwarder.url}, forwarding to ${upstream.toString()}`,
        "  Point your client at it; every exchange is judged as it passes. Ctrl-C stops it and prints the summary.",
      ].join("\n"),
    ),
  );
  await (until ?? stopSignal(flags.duration));
  await forwarder.close();
  const outcome = sessionOutcome(contract, session, flags.strict === true);
  output.out(redactor.text(summaryLines(session, outcome).join("\n")));
  if (flags.reportDir !== undefined) {
    const document = sessionDocument(contract, outcome, {
      redactor,
      strict: flags.strict === true,
      endTimes: session.endTimes,
    });
    const written = await writeReports(flags.reportDir, "run", document, reporters);
    output.out(`reports: ${written.join(", ")}`);
  }
  if (outcome.exitCode === 3) {
    output.err(`error: the upstream ${upstream.toString()} could not be reached by any request`);
  }
  return outcome.exitCode;
}

/** The first SIGINT or SIGTERM, or the end of `durationSeconds`. */
function stopSignal(durationSeconds: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      clearTimeout(timer);
      resolve();
    };
    const timer = durationSeconds === undefined ? undefined : setTimeout(stop, durationSeconds * 1000);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
