// Sends one HTTP request to a target with supertest and returns what came back, bounded in time and size.
import type { IncomingMessage } from "node:http";
import request from "supertest";
import type { Exchange, OutgoingRequest } from "../exchange.js";

export interface SendOptions {
  timeoutMs: number;
  /** Accept a certificate that does not verify (self-signed); only when the user asked. */
  insecure?: boolean;
  maxBodyBytes?: number;
  /**
   * A connection closed before a complete answer is the answer (an IncomingResponse with `closed`), not a
   * TransportError: for requests the target may refuse by closing (RFC 9110 15.5.14).
   */
  closeIsAnswer?: boolean;
}

export type TransportErrorKind = "timeout" | "refused" | "reset" | "tls" | "too-large" | "dns" | "other";

/** The target could not be talked to: no response to judge. The runner reports it as ERROR. */
export class TransportError extends Error {
  override name = "TransportError";
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
  }
}

/** A body as the checks see it: parsed when it is JSON text, and whether it was. */
export function parseBodyText(bodyText: string): { json: unknown; isJson: boolean } {
  if (bodyText.trim() === "") {
    return { json: undefined, isJson: false };
  }
  try {
    return { json: JSON.parse(bodyText), isJson: true };
  } catch {
    return { json: undefined, isJson: false };
  }
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Method = "get" | "post" | "put" | "patch" | "delete" | "head" | "options";
const METHODS = new Set<string>(["get", "post", "put", "patch", "delete", "head", "options"]);

export async function sendRequest(
  baseUrl: string,
  outgoing: OutgoingRequest,
  options: SendOptions,
): Promise<Exchange> {
  const method = outgoing.method.toLowerCase();
  if (!METHODS.has(method)) {
    throw new TransportError("other", `unsupported method ${outgoing.method}`, 0);
  }
  const url = new URL(outgoing.path, baseUrl).toString();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const started = performance.now();
  const agent = request(baseUrl.replace(/\/+$/, ""));
  let test = agent[method as Method](outgoing.path)
    // Never follow a redirect: it could carry the admin token to another host.
    .redirects(0)
    .timeout({ deadline: options.timeoutMs, response: options.timeoutMs })
    // superagent counts decoded bytes and stops its decompressor at this limit, so a small compressed body
    // cannot inflate past it.
    .maxResponseSize(maxBodyBytes)
    .buffer(true)
    .parse((response, done) => {
      // superagent hands the raw IncomingMessage to a custom parser; its type says Response.
      const res = response as unknown as IncomingMessage;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          res.destroy();
          done(new TransportError("too-large", `the response body exceeds ${maxBodyBytes} bytes`, 0), null);
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => done(null, Buffer.concat(chunks).toString("utf8")));
      res.on("error", (error: Error) => done(error, null));
    });
  ignoreRepeatedReports(test);
  if (options.insecure) {
    test = test.disableTLSCerts();
  }
  for (const [name, value] of Object.entries(outgoing.headers)) {
    test = test.set(name, value);
  }
  if (outgoing.body !== undefined) {
    test = test.send(outgoing.body);
    if (!Object.keys(outgoing.headers).some((name) => name.toLowerCase() === "content-type")) {
      // superagent labels a string body form-urlencoded by itself; a request sent without a label stays so.
      test = test.unset("Content-Type");
    }
  }
  let res: { status: number; headers: Record<string, string | string[] | undefined>; body: unknown };
  try {
    res = await test;
  } catch (error) {
    const elapsed = performance.now() - started;
    const failure = classify(error, elapsed, options.timeoutMs, maxBodyBytes);
    // An answer that arrived whole before the close is already the outcome (superagent completes a response
    // whose connection then aborts); what is left here is a close with no answer.
    if (failure.kind === "reset" && options.closeIsAnswer) {
      return {
        request: { ...outgoing, url },
        response: {
          status: 0,
          headers: {},
          bodyText: "",
          json: undefined,
          isJson: false,
          durationMs: elapsed,
          closed: { reason: (error as Error).message ?? String(error) },
        },
      };
    }
    throw failure;
  }
  const durationMs = performance.now() - started;
  const bodyText = typeof res.body === "string" ? res.body : "";
  const { json, isJson } = parseBodyText(bodyText);
  return {
    request: { ...outgoing, url },
    response: {
      status: res.status,
      headers: flattenHeaders(res.headers),
      bodyText,
      json,
      isJson,
      durationMs,
    },
  };
}

/** The part of superagent's request (which supertest's Test extends) that reports the outcome; untyped upstream. */
interface OutcomeReporter {
  callback(error: unknown, response: unknown): void;
  called?: boolean;
}

/**
 * A target that resets the connection mid-body makes superagent report twice: the request's ECONNRESET, then
 * the response's "aborted". The first is the outcome (the promise has settled on it); the second only prints
 * "superagent: double callback bug" to the user's stderr, so it is dropped here.
 */
function ignoreRepeatedReports(test: object): void {
  const reporter = test as OutcomeReporter;
  const report = reporter.callback;
  reporter.callback = function (this: OutcomeReporter, error: unknown, response: unknown) {
    if (this.called) {
      return;
    }
    report.call(this, error, response);
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) {
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
  }
  return flat;
}

function classify(
  error: unknown,
  durationMs: number,
  timeoutMs: number,
  maxBodyBytes: number,
): TransportError {
  if (error instanceof TransportError) {
    return new TransportError(error.kind, error.message, durationMs);
  }
  const err = error as { code?: string; timeout?: number; message?: string; response?: unknown };
  const code = err.code ?? "";
  const message = err.message ?? String(error);
  if (code === "ETOOLARGE") {
    return new TransportError("too-large", `the response body exceeds ${maxBodyBytes} bytes`, durationMs);
  }
  if (code === "ECONNABORTED" || err.timeout !== undefined) {
    return new TransportError("timeout", `no complete answer within ${timeoutMs} ms`, durationMs);
  }
  if (code === "ECONNREFUSED") {
    return new TransportError("refused", `connection refused (${message})`, durationMs);
  }
  // A reset seen on the read side reaches superagent as an Error with no code, only the message.
  if (
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    /^(ECONNRESET|EPIPE)\b/.test(message) ||
    message.includes("socket hang up")
  ) {
    return new TransportError(
      "reset",
      `the connection was closed before a complete answer (${message})`,
      durationMs,
    );
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new TransportError("dns", `the host name does not resolve (${message})`, durationMs);
  }
  if (/CERT|SELF_SIGNED|TLS|SSL/i.test(code) || /certificate/i.test(message)) {
    return new TransportError(
      "tls",
      `the TLS certificate was refused (${code || message}); pass --insecure to accept it`,
      durationMs,
    );
  }
  return new TransportError("other", message, durationMs);
}
