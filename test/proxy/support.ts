// Test support for the proxy: a reference (or any server) behind an in-process proxy, raw HTTP over sockets, and the judged results to assert on.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/http/send.js";
import { startForwarder } from "../../src/proxy/forward.js";
import { ProxySession } from "../../src/proxy/proxy-session.js";
import { upstreamUnreachableAnswer } from "../../src/proxy/unreachable.js";
import { type ReferenceOptions, startReference } from "../../src/reference/index.js";
import { Redactor } from "../../src/report/redact.js";
import type { CaseResult } from "../../src/runner/results.js";

export const contract: Contract = await loadContract();
export const BASIC_ADMIN = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
/** The reference hands the pending code out in this header, standing in for the SMS a real client waits for. */
export const CODE_HEADER = "x-conformance-code";

export interface Proxied {
  /** The proxy's base URL. */
  url: string;
  upstreamUrl: string;
  session: ProxySession;
  lines: string[];
  redactor: Redactor;
  /** Resolves with the result of the next `count` exchanges judged from now on. */
  next(count?: number): Promise<CaseResult[]>;
  close(): Promise<void>;
}

/** A proxy in front of `upstreamUrl`; results are awaited by count, never by time. */
export async function startProxy(
  upstreamUrl: string,
  options: { timeoutMs?: number; maxCopyBytes?: number; closeUpstream?: () => Promise<void> } = {},
): Promise<Proxied> {
  const redactor = Redactor.forContract(contract);
  const lines: string[] = [];
  const upstream = new URL(upstreamUrl);
  const session = new ProxySession({
    contract,
    redactor,
    upstream,
    output: { out: (text) => lines.push(text) },
  });
  let waiting: { count: number; results: CaseResult[]; resolve: (results: CaseResult[]) => void }[] = [];
  const forwarder = await startForwarder({
    upstream,
    host: "127.0.0.1",
    port: 0,
    timeoutMs: options.timeoutMs ?? 5000,
    maxCopyBytes: options.maxCopyBytes ?? DEFAULT_MAX_BODY_BYTES,
    unreachableAnswer: (reason) => upstreamUnreachableAnswer(contract, redactor.text(reason)),
    onExchange: (exchange) => {
      const result = session.record(exchange);
      for (const waiter of waiting) {
        waiter.results.push(result);
        if (waiter.results.length === waiter.count) {
          waiter.resolve(waiter.results);
        }
      }
      waiting = waiting.filter((waiter) => waiter.results.length < waiter.count);
    },
  });
  return {
    url: forwarder.url,
    upstreamUrl,
    session,
    lines,
    redactor,
    next: (count = 1) =>
      new Promise<CaseResult[]>((resolve) => {
        waiting.push({ count, results: [], resolve });
      }),
    close: async () => {
      await forwarder.close();
      await options.closeUpstream?.();
    },
  };
}

/** The reference (with the code header, so a client can verify) behind a proxy. */
export async function proxiedReference(options: ReferenceOptions = {}): Promise<Proxied> {
  const reference = await startReference({ codeHeader: CODE_HEADER, ...options });
  return startProxy(reference.url, { closeUpstream: () => reference.close() });
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: unknown;
}

export interface Sent {
  method: string;
  path: string;
  /** Exactly the headers the client sets; Host is added by node:http. */
  headers?: Record<string, string>;
  body?: string;
}

/** Sends one request with node:http, its headers as given, on a fresh connection. */
export function send(baseUrl: string, { method, path, headers = {}, body }: Sent): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      res.on("error", reject);
      res.on("aborted", () => reject(new Error("the answer broke off")));
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = text === "" ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends one request through the proxy and waits for the proxy's judgement of it. */
export async function exchange(proxy: Proxied, sent: Sent): Promise<{ answer: Answer; result: CaseResult }> {
  const judged = proxy.next(1);
  const answer = await send(proxy.url, sent);
  const [result] = await judged;
  return { answer, result: result as CaseResult };
}

/**
 * Writes raw bytes on a fresh connection and reads everything until the server closes it (the bytes must ask
 * for the close, or be a protocol error a server answers by closing). No half-close: a server that reads the
 * client's end as an abort would answer nothing.
 */
export function rawExchange(baseUrl: string, bytes: string | Buffer): Promise<Buffer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks)));
    socket.write(bytes);
  });
}

/** A login through `baseUrl`; the admin's token. */
export async function adminToken(baseUrl: string): Promise<string> {
  const answer = await send(baseUrl, {
    method: "POST",
    path: "/v1/users/login",
    headers: { authorization: BASIC_ADMIN },
  });
  return String((answer.body as { users: { token: string }[] }).users[0]?.token);
}

let nextNumber = 5_550_400_000 + (process.pid % 1000) * 1000;
export function freshNumber(): { cc: string; phone_number: string } {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber) };
}

/** The requirements the result broke, as "LEVEL id (side)" strings, in order. */
export function broken(result: CaseResult): string[] {
  return [
    ...result.failures.map(
      (failure) => `${failure.level} ${failure.requirement} (${failure.check.split(":")[0]})`,
    ),
    ...result.observations.map(
      (observation) => `MAY ${observation.requirement} (${observation.summary.split(":")[0]})`,
    ),
  ];
}
