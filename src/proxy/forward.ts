// The transparent forwarder: relays each request's bytes and headers to the upstream and its answer back unchanged, keeping a bounded copy of both for the judges.
import {
  Agent,
  type ClientRequest,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** At most `limit` bytes of a body kept for judging, and the body's whole size. */
export class BodyCopy {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  size = 0;

  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.#kept < this.limit) {
      const part =
        chunk.length <= this.limit - this.#kept ? chunk : chunk.subarray(0, this.limit - this.#kept);
      this.#chunks.push(part);
      this.#kept += part.length;
    }
  }

  /** Whether the copy holds the whole body. */
  get complete(): boolean {
    return this.size <= this.limit;
  }

  bytes(): Buffer {
    return this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
  }
}

export type ForwardFailureKind = "unreachable" | "timeout" | "reset";

/** One request and what the upstream answered, as seen by the proxy. */
export interface ForwardedExchange {
  /** Milliseconds since the epoch when the request's head arrived. */
  startedAt: number;
  durationMs: number;
  request: {
    method: string;
    /** The request-target exactly as the client sent it. */
    url: string;
    rawHeaders: string[];
    body: BodyCopy;
  };
  /** Undefined when the upstream gave no answer (see `failure`). */
  response?: {
    status: number;
    statusMessage: string;
    rawHeaders: string[];
    body: BodyCopy;
  };
  /**
   * The upstream could not be reached or timed out before answering (the client got the proxy's 502), or the
   * connection broke while the answer was being relayed (the client's connection was then broken too).
   */
  failure?: { kind: ForwardFailureKind; reason: string };
}

export interface ForwarderOptions {
  upstream: URL;
  host: string;
  port: number;
  /** Time the upstream may stay silent, for its answer's head and between its body's chunks. */
  timeoutMs: number;
  /** Bytes of each body kept for judging; the body itself is always relayed whole. */
  maxCopyBytes: number;
  /** The proxy's own answer when the upstream cannot be reached or times out. */
  unreachableAnswer: (reason: string) => { status: number; headers: Record<string, string>; body: string };
  onExchange: (exchange: ForwardedExchange) => void;
  /** A connection that is not valid HTTP, relayed as bytes to the upstream (nothing of it can be judged). */
  onRawRelay?: (reason: string) => void;
}

export interface RunningForwarder {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Hop-by-hop fields (RFC 9110 7.6.1): they describe one connection, not the message, so a proxy must not relay
 * them; the connection to each side frames and keeps itself alive on its own terms. Content-Length is end to
 * end and stays. Transfer-Encoding is removed because Node decodes it and frames the relayed body itself.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "transfer-encoding",
  "upgrade",
  "trailer",
]);

/** The methods whose requests Node sends without chunked framing unless told otherwise (its ClientRequest). */
const UNFRAMED_BY_DEFAULT = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"]);

/**
 * A raw header list as the object form Node takes, names as sent and in order of first appearance; a repeated
 * field keeps each value, as a list.
 */
function headerObject(rawHeaders: readonly string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const nameOf = new Map<string, string>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const value = rawHeaders[index + 1] as string;
    const known = nameOf.get(name.toLowerCase());
    if (known === undefined) {
      nameOf.set(name.toLowerCase(), name);
      headers[name] = value;
    } else {
      const before = headers[known] as string | string[];
      headers[known] = [...(Array.isArray(before) ? before : [before]), value];
    }
  }
  return headers;
}

/** The raw header list without the hop-by-hop fields and those the Connection field names, order kept. */
export function endToEndHeaders(rawHeaders: readonly string[]): string[] {
  const named = new Set<string>();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if ((rawHeaders[index] as string).toLowerCase() === "connection") {
      for (const token of (rawHeaders[index + 1] as string).split(",")) {
        named.add(token.trim().toLowerCase());
      }
    }
  }
  const kept: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !named.has(lower)) {
      kept.push(name, rawHeaders[index + 1] as string);
    }
  }
  return kept;
}

/**
 * The answer's headers for the client: its end-to-end fields, and its `Connection: close` where it stood. The
 * close is the proxy's own to send as well (it closes the client's connection after such an answer, as the
 * upstream closes its own), so it is sent as the upstream wrote it rather than as Node would add it.
 */
export function relayedAnswerHeaders(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  const endToEnd = new Set(endToEndHeaders(rawHeaders).filter((_, index) => index % 2 === 0));
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const value = rawHeaders[index + 1] as string;
    if (name.toLowerCase() === "connection" ? /(^|,)\s*close\s*(,|$)/i.test(value) : endToEnd.has(name)) {
      kept.push(name, name.toLowerCase() === "connection" ? "close" : value);
    }
  }
  return kept;
}

/**
 * Bytes of a request body the proxy still reads after the upstream answered early (a 413) before it answers and
 * closes: a client still writing then reads the answer instead of a reset, as with the upstream directly.
 */
export const DRAIN_LIMIT_BYTES = 4 * 1024 * 1024;

/** Client connections open at once. */
export const MAX_CLIENT_CONNECTIONS = 1000;

class UpstreamTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`the upstream sent nothing for ${timeoutMs} ms`);
  }
}

function failureKind(error: unknown, answered: boolean): ForwardFailureKind {
  if (error instanceof UpstreamTimeout) {
    return "timeout";
  }
  return answered ? "reset" : "unreachable";
}

/** Starts the forwarder on host:port (0 picks a free port). */
export async function startForwarder(options: ForwarderOptions): Promise<RunningForwarder> {
  const { upstream } = options;
  // Connections to the upstream are kept alive and reused, as a client's own would be.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  const basePath = upstream.pathname.replace(/\/+$/, "");
  const upstreamPort = Number(upstream.port || 80);
  /** Client connections that carried a request: a protocol error on one is not relayed raw. */
  const served = new WeakSet<Duplex>();

  const server = createServer({ requireHostHeader: false }, (req, res) => relay(req, res));
  // Bounded like the reference's: past it a new connection is dropped, so no client can exhaust descriptors.
  server.maxConnections = MAX_CLIENT_CONNECTIONS;
  // Expect is the upstream's to answer (100 or a final status), so Node must not answer it itself.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => relay(req, res));
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => relay(req, res));
  server.on("clientError", (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) =>
    relayRaw(error, socket),
  );

  function relay(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = Date.now();
    const started = performance.now();
    served.add(req.socket);
    const requestBody = new BodyCopy(options.maxCopyBytes);
    const exchange: ForwardedExchange = {
      startedAt,
      durationMs: 0,
      request: {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        rawHeaders: req.rawHeaders,
        body: requestBody,
      },
    };
    let reported = false;
    const report = () => {
      if (!reported) {
        reported = true;
        exchange.durationMs = performance.now() - started;
        options.onExchange(exchange);
      }
    };
    const expectsContinue = /100-continue/i.test(String(req.headers.expect ?? ""));
    let continued = false;
    let clientLeft = false;
    let requestEnded = false;
    req.on("data", (chunk: Buffer) => requestBody.push(chunk));
    req.once("end", () => {
      requestEnded = true;
    });

    // Neither Content-Length nor Transfer-Encoding: the request has no body (RFC 9112 6.3). Only for the methods Node
    // frames as chunked by default does that need the object form of the headers (which groups a repeated field's
    // values where a list keeps them interleaved); the others keep the list.
    const bodiless =
      req.headers["content-length"] === undefined &&
      req.headers["transfer-encoding"] === undefined &&
      !UNFRAMED_BY_DEFAULT.has(req.method ?? "GET");
    const send = (retry: boolean): ClientRequest => {
      const outgoing = httpRequest({
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstreamPort,
        method: req.method,
        path: `${basePath}${req.url ?? "/"}`,
        headers: bodiless ? headerObject(endToEndHeaders(req.rawHeaders)) : endToEndHeaders(req.rawHeaders),
        // The client's Host goes through as it was sent (or absent), as everything else does.
        setHost: false,
        agent,
      });
      if (bodiless) {
        // Node frames a POST with no length as chunked, which the upstream reads as a body (an empty one) where the
        // client sent none. Its header is written at the first write when given as an object (at once when given as
        // a list), so this still applies: no framing is sent, as none came.
        outgoing.useChunkedEncodingByDefault = false;
      }
      outgoing.setTimeout(options.timeoutMs, () => outgoing.destroy(new UpstreamTimeout(options.timeoutMs)));
      outgoing.on("continue", () => {
        continued = true;
        res.writeContinue();
      });
      outgoing.on("response", (answer) => forwardAnswer(outgoing, answer));
      outgoing.on("error", (error) => {
        if (exchange.response !== undefined) {
          return;
        }
        // A kept-alive connection the upstream closed just as it was reused: the request never reached it
        // (Node's documented race, `request.reusedSocket`). Sent again once on a fresh connection, when the
        // whole body is in hand to resend.
        if (
          !retry &&
          outgoing.reusedSocket &&
          (error as NodeJS.ErrnoException).code === "ECONNRESET" &&
          requestEnded &&
          requestBody.complete
        ) {
          current = send(true);
          current.end(requestBody.bytes());
          return;
        }
        if (clientLeft) {
          return;
        }
        const reason = error.message;
        exchange.failure = { kind: failureKind(error, false), reason };
        if (!res.headersSent && !res.destroyed) {
          const answer = options.unreachableAnswer(reason);
          res.writeHead(answer.status, {
            ...answer.headers,
            "content-length": Buffer.byteLength(answer.body),
          });
          res.end(answer.body);
        }
        req.resume();
        report();
      });
      return outgoing;
    };

    const forwardAnswer = (outgoing: ClientRequest, answer: IncomingMessage) => {
      const responseBody = new BodyCopy(options.maxCopyBytes);
      exchange.response = {
        status: answer.statusCode ?? 0,
        statusMessage: answer.statusMessage ?? "",
        rawHeaders: answer.rawHeaders,
        body: responseBody,
      };
      const headers = relayedAnswerHeaders(answer.rawHeaders);
      answer.once("end", report);
      answer.once("aborted", () => {
        exchange.failure = { kind: "reset", reason: "the upstream closed the connection mid-answer" };
      });
      answer.once("error", (error) => {
        exchange.failure ??= { kind: failureKind(error, true), reason: error.message };
        res.destroy();
        report();
      });
      res.once("close", () => {
        if (!res.writableFinished) {
          // The client left mid-answer: the answer has nobody to go to, and a part of it cannot be judged as
          // a whole (its body would fail every schema), so the exchange is not reported.
          reported = true;
          outgoing.destroy();
        }
      });
      const write = () => {
        if (res.destroyed) {
          return;
        }
        // Node adds a Date when none was set: the upstream's is relayed, and none is made up.
        res.sendDate = false;
        try {
          res.writeHead(exchange.response?.status ?? 502, exchange.response?.statusMessage, headers);
        } catch (error) {
          // Node's parser let through what its writer refuses (a status or header it will not send): the
          // answer cannot be relayed unchanged, and a changed one would not be the upstream's.
          exchange.failure = {
            kind: "reset",
            reason: `the upstream's answer cannot be relayed as it came: ${(error as Error).message}`,
          };
          answer.destroy();
          res.destroy();
          report();
          return;
        }
        // Read only from here: a listener attached earlier would let the body flow past before the pipe.
        answer.on("data", (chunk: Buffer) => responseBody.push(chunk));
        answer.pipe(res);
      };
      // An answer to a body still arriving (a 413 before the body ended) waits for the rest of it, read and
      // dropped up to DRAIN_LIMIT_BYTES, so that a client still writing reads it instead of a reset.
      const bodyStillComing = !requestEnded && (!expectsContinue || continued);
      if (!bodyStillComing) {
        write();
        return;
      }
      req.unpipe(outgoing);
      req.resume();
      const drained = () => {
        req.off("data", overDrain);
        write();
      };
      const overDrain = () => {
        if (requestBody.size > DRAIN_LIMIT_BYTES) {
          req.off("end", drained);
          req.off("data", overDrain);
          write();
        }
      };
      req.once("end", drained);
      req.on("data", overDrain);
    };

    let current = send(false);
    req.pipe(current);
    res.once("close", () => {
      if (!res.writableFinished && exchange.response === undefined) {
        // The client left before any answer: there is nothing to relay or judge.
        clientLeft = true;
        current.destroy();
      }
    });
  }

  /**
   * Bytes Node could not parse as HTTP (the packet that failed): sent to the upstream as they came, so the client
   * gets the upstream's own answer to them, and the connection ends after it (a server answers a protocol error
   * and closes). On a connection that already carried a request, the failed packet may hold the end of that
   * request too, and relaying it would send it twice: the connection is closed, as Node does.
   */
  function relayRaw(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
    if (
      error.code === "ECONNRESET" ||
      !socket.writable ||
      served.has(socket) ||
      error.rawPacket === undefined
    ) {
      socket.destroy();
      return;
    }
    options.onRawRelay?.(error.code ?? error.message);
    const upstreamSocket: Socket = connect({ host: upstream.hostname, port: upstreamPort });
    upstreamSocket.setTimeout(options.timeoutMs, () => upstreamSocket.destroy());
    upstreamSocket.on("error", () => socket.destroy());
    socket.on("error", () => upstreamSocket.destroy());
    socket.once("close", () => upstreamSocket.destroy());
    upstreamSocket.pipe(socket);
    upstreamSocket.end(error.rawPacket);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
