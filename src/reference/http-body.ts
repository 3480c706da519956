// Bounded request-body reading and strict JSON decoding, so no client body can exhaust memory or reach a handler half-parsed.
import type { IncomingMessage, ServerResponse } from "node:http";

export type BodyRead =
  | { kind: "complete"; bytes: Buffer }
  /** The body passed the limit (or declared it would); what was read is dropped, the rest is never buffered. */
  | { kind: "too-large" }
  /** The client went away before the body ended; there is nobody left to answer. */
  | { kind: "aborted" };

/**
 * After an answer sent before its request's body ended, the reference still reads and throws away this many
 * bytes, for at most DRAIN_LIMIT_MS, so that a client still writing its body can finish and read the answer;
 * then it closes. Enough for the kit's 2 MiB oversized case with room to spare; bounded so a client sending a
 * huge body slowly holds its connection for at most two seconds.
 */
export const DRAIN_LIMIT_BYTES = 4 * 1024 * 1024;
export const DRAIN_LIMIT_MS = 2_000;

/**
 * Reads the whole body, or stops buffering as soon as it passes `limit` bytes (undefined: no limit), and calls
 * `done` once with the outcome. A callback, not a promise: it runs on every request of the reference.
 */
export function readBody(
  req: IncomingMessage,
  limit: number | undefined,
  done: (read: BodyRead) => void,
): void {
  if (limit !== undefined && Number(req.headers["content-length"]) > limit) {
    // Declared too large: refused before a byte is read.
    done({ kind: "too-large" });
    return;
  }
  let chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (read: BodyRead): void => {
    if (!settled) {
      settled = true;
      done(read);
    }
  };
  req.on("data", (chunk: Buffer) => {
    if (settled) {
      // Refused already: closeAfterDrain reads (and bounds) the rest.
      return;
    }
    size += chunk.length;
    if (limit !== undefined && size > limit) {
      chunks = [];
      settle({ kind: "too-large" });
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () =>
    settle({
      kind: "complete",
      bytes: chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
    }),
  );
  // A request destroyed before its end (the client went away) emits "close"; Node emits its "error" only to
  // listeners, and there is nothing to do with one that "close" does not already do.
  req.on("close", () => settle({ kind: "aborted" }));
}

/**
 * Makes the answer to a request whose body has not ended the connection's last, and closes that connection
 * only once the client has had the chance to read it. Call it before the answer is written.
 *
 * Why: Node ends a connection's last response with `socket.destroySoon()`, which closes the descriptor as soon
 * as the answer is written. A socket closed with unread bytes in its receive queue (the rest of the body, still
 * arriving) makes the kernel send a reset, not a FIN (RFC 1122 4.2.2.13; Linux does so); the client, still
 * writing, gets EPIPE or ECONNRESET on its next write, and whether it had read the answer first is a race it
 * loses when its core is busy. So here the socket only half-closes after the answer (the FIN follows it) and
 * keeps reading and discarding until the body ends, DRAIN_LIMIT_BYTES more arrive, or DRAIN_LIMIT_MS pass.
 */
export function closeAfterDrain(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader("connection", "close");
  const socket = req.socket;
  let drained = 0;
  let bodyEnded = false;
  let closing = false;
  const close = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, DRAIN_LIMIT_MS);
  const closeWhenDone = (): void => {
    if (!(closing && bodyEnded)) {
      return;
    }
    // Every byte of the body is read, so closing now sends a FIN, never a reset.
    if (socket.writableFinished) {
      close();
    } else {
      socket.once("finish", close);
    }
  };
  socket.once("close", () => clearTimeout(timer));
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) {
      close();
    }
  });
  req.once("end", () => {
    bodyEnded = true;
    if (!closing) {
      // Not closing yet (the answer is still going out, or a rewrite kept the connection): nothing to bound.
      clearTimeout(timer);
    }
    closeWhenDone();
  });
  // Node calls this once the last response is written. An own property shadows net.Socket's for this socket
  // only: end (the answer, then a FIN) and let the drain above decide when to destroy.
  socket.destroySoon = () => {
    closing = true;
    if (socket.writable) {
      socket.end();
    }
    closeWhenDone();
  };
}

/** Fatal decoding: bytes that are not UTF-8 are not JSON (RFC 8259 8.1), rather than silently becoming U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

export type JsonRead = { kind: "json"; value: unknown } | { kind: "not-json"; text: string };

export function decodeJson(bytes: Buffer): JsonRead {
  // The lenient decoder is the fast one; only a body where it had to substitute U+FFFD (or that holds one) needs
  // the fatal decoder's verdict. Both drop a leading BOM, as the fatal decoder alone did.
  let text = bytes.toString("utf8");
  if (text.includes("\uFFFD")) {
    try {
      text = utf8.decode(bytes);
    } catch {
      return { kind: "not-json", text: bytes.toString("latin1") };
    }
  } else if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "not-json", text };
  }
}

/** True for application/json, with a UTF-8 charset or none (other parameters are ignored). */
export function isJsonRequestType(header: string | undefined): boolean {
  if (header === undefined) {
    return false;
  }
  if (header === "application/json") {
    // What nearly every client sends; skip the parsing below.
    return true;
  }
  const [type = "", ...parameters] = header.split(";");
  if (type.trim().toLowerCase() !== "application/json") {
    return false;
  }
  for (const parameter of parameters) {
    const [name = "", value = ""] = parameter.split("=");
    if (name.trim().toLowerCase() === "charset") {
      const charset = value.trim().replace(/^"|"$/g, "").toLowerCase();
      if (charset !== "utf-8" && charset !== "utf8") {
        return false;
      }
    }
  }
  return true;
}

/** True for a media type whose body is JSON text (application/json or any +json suffix). */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) {
    return false;
  }
  const type = (header.split(";")[0] ?? "").trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

/** Whether the request carries a body at all (RFC 9112 6.3: a length or a transfer coding announces one). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}
