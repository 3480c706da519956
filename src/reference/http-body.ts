// Bounded request-body reading and strict JSON decoding, so no client body can exhaust memory or reach a handler half-parsed.
import type { IncomingMessage } from "node:http";

export type BodyRead =
  | { kind: "complete"; bytes: Buffer }
  /**
   * The body passed the limit; what was read is dropped and the rest is discarded as it arrives. `close`: the
   * answer must close the connection, because the body is too large even to drain.
   */
  | { kind: "too-large"; close: boolean }
  /** The client went away before the body ended; there is nobody left to answer. */
  | { kind: "aborted" };

/**
 * Bytes of a refused body the reference still reads and throws away after answering 413. Closing at once would
 * make a client that is still writing see EPIPE instead of the 413, so moderate overruns are drained while the
 * answer goes out; past this the socket is destroyed. Nothing is ever buffered beyond `limit`.
 */
export const DISCARD_LIMIT = 16 * 1024 * 1024;

/**
 * Reads the whole body, or stops buffering as soon as it passes `limit` bytes (undefined: no limit), and calls
 * `done` once with the outcome. A callback, not a promise: it runs on every request of the reference.
 */
export function readBody(
  req: IncomingMessage,
  limit: number | undefined,
  done: (read: BodyRead) => void,
): void {
  const declared = Number(req.headers["content-length"]);
  if (limit !== undefined && Number.isFinite(declared) && declared > DISCARD_LIMIT) {
    // Too much to drain: the 413 goes with Connection: close and node discards what still arrives.
    done({ kind: "too-large", close: true });
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
    size += chunk.length;
    if (settled) {
      // Already answered 413: discard, so the client can finish sending and read the answer.
      if (size > DISCARD_LIMIT) {
        req.socket.destroy();
      }
      return;
    }
    if (limit !== undefined && size > limit) {
      chunks = [];
      settle({ kind: "too-large", close: false });
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
