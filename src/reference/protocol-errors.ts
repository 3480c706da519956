// Answers in the error envelope the requests Node itself refuses before any handler runs (bad HTTP, no Host, an unmet Expect).
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type Envelope, ErrorCode } from "./envelope.js";
import { closeAfterDrain } from "./http-body.js";
import type { ReferenceResponse } from "./options.js";

/**
 * Wraps the reference's listener and hooks the server so that no client input gets Node's bare answers (a 400,
 * 417 or 431 with no body), which break the envelope every 4xx must carry. The server must be created with
 * `requireHostHeader: false`, so a request without Host reaches `listener` and is refused here instead.
 */
export function refuseProtocolErrorsInEnvelope(
  server: Server,
  envelope: Envelope,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): ConnectionActivity {
  // The last response on each socket: a parse error behind a response still under way (bytes after a request)
  // can only be answered while that response has written nothing yet, else the error answer would corrupt it.
  // No listener per response: whether it is still under way is read from it when an error comes.
  const latest = new WeakMap<Duplex, ServerResponse>();
  const track = (req: IncomingMessage, res: ServerResponse): void => {
    latest.set(req.socket, res);
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (!req.socket.writable) {
      // The connection's answers are over (refused for the connection cap, or closing after a refused body):
      // nobody could read another one.
      return;
    }
    track(req, res);
    if (req.httpVersion === "1.1" && req.headers.host === undefined) {
      // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without Host.
      answer(
        res,
        envelope.error(400, ErrorCode.invalidRequest, "An HTTP/1.1 request needs a Host header", CLOSE),
      );
      return;
    }
    listener(req, res);
  });

  // Node answers an Expect other than 100-continue with a bare 417 and keeps the connection, so the unread body
  // would then be parsed as the next request; the envelope goes out and the connection closes.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    track(req, res);
    answer(
      res,
      envelope.error(
        417,
        ErrorCode.invalidRequest,
        `Expect: ${req.headers.expect ?? ""} is not supported`,
        CLOSE,
      ),
    );
  });

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const last = latest.get(socket);
    const current = last !== undefined && !last.writableFinished ? last : undefined;
    if (error.code === "ECONNRESET" || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, details] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "The request headers are too large"]
        : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "The request did not arrive in time"]
          : [400, `The request is not valid HTTP (${error.code ?? "parse error"})`];
    const answer = rawResponse(envelope.error(status, ErrorCode.invalidRequest, details, CLOSE));
    if (current === undefined) {
      socket.end(answer);
      return;
    }
    // A response is pending but unwritten (its handler is still running, or its answer waits in the outbox):
    // answer in its place and destroy the socket at once, as Node does, so the pending response's later write
    // finds it gone instead of ended.
    socket.write(answer);
    socket.destroy();
  });

  return {
    busy(socket) {
      const last = latest.get(socket);
      return last !== undefined && !last.writableFinished;
    },
    served(socket) {
      return latest.has(socket);
    },
  };
}

/** What the connection cap needs to know of a socket, read from the responses this module already tracks. */
export interface ConnectionActivity {
  /** A request is under way: its response is not yet written. */
  busy(socket: Duplex): boolean;
  /** The socket has carried a request (else it has sent nothing, or not even a whole head). */
  served(socket: Duplex): boolean;
}

const CLOSE = { connection: "close" };

function answer(res: ServerResponse, response: ReferenceResponse): void {
  const { headers, payload } = framed(response);
  if (!res.req.complete) {
    closeAfterDrain(res.req, res);
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** The whole response as bytes, for a socket that no ServerResponse owns (the parser gave up on the request). */
export function rawResponse(response: ReferenceResponse): string {
  const { headers, payload } = framed(response);
  const head = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${head.join("\r\n")}\r\n\r\n${payload}`;
}

/** The JSON body and the headers with its Content-Length: framed by length like every answer, never chunked. */
function framed(response: ReferenceResponse): { headers: Record<string, string>; payload: string } {
  const payload = JSON.stringify(response.body);
  return { headers: { ...response.headers, "content-length": String(Buffer.byteLength(payload)) }, payload };
}
