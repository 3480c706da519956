// Starts the reference on a plain node:http server with bounded connections and timeouts, and stops it without leaving a connection (or a hung request) open.
import { createServer, type Server } from "node:http";
import { type AddressInfo, BlockList, isIP, type Socket } from "node:net";
import { type Contract, loadContract } from "../contract/contract.js";
import { Envelope, ErrorCode } from "./envelope.js";
import { createReferenceHandler } from "./handler.js";
import {
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type RunningReference,
  resolveOptions,
} from "./options.js";
import { type ConnectionActivity, rawResponse, refuseProtocolErrorsInEnvelope } from "./protocol-errors.js";

/**
 * Time a client has to send a whole request head, and a whole request. Node's defaults (60 s and 300 s, swept
 * every 30 s) let about a thousand connections that send nothing hold every descriptor for some 90 s.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
/** How long an idle keep-alive connection stays open (Node's default), and how often the timeouts are swept. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
const TIMEOUT_SWEEP_MS = 1_000;
/** How long a connection refused for the cap stays half-closed, so its client can read the 503. */
const REFUSED_LINGER_MS = 1_000;

/**
 * Serves the reference on a node:http (or https) server of the caller's, with the error envelope also on the
 * requests Node refuses before any handler runs (bad HTTP, an unmet Expect). Create the server with
 * `requireHostHeader: false`, so a request without Host is answered in the envelope too rather than by Node.
 * The caller's server keeps its own connection limits and timeouts; startReference sets the reference's.
 */
export function mountReference(server: Server, contract: Contract, options: ReferenceOptions = {}): void {
  mount(server, contract, options);
}

function mount(server: Server, contract: Contract, options: ReferenceOptions): ConnectionActivity {
  const { profile, version } = resolveOptions(options);
  return refuseProtocolErrorsInEnvelope(
    server,
    new Envelope(contract, profile, version),
    createReferenceHandler(contract, options),
  );
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** 127.0.0.0/8, ::1 (in any spelling, IPv4-mapped too) and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) {
    return true;
  }
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? "ipv4" : "ipv6");
}

export async function startReference(options: ReferenceOptions = {}): Promise<RunningReference> {
  const { profile, stateHook, stateHookToken, maxConnections, version } = resolveOptions(options);
  const host = options.host ?? "127.0.0.1";
  if (stateHook && stateHookToken === undefined && !isLoopbackHost(host)) {
    throw new RangeError(
      `the provider-state hook lets anyone who reaches it create users, read any number's pending code and wipe registrations, so on ${host}, which is not a loopback address, it needs stateHookToken (or stateHook: false)`,
    );
  }
  const contract = await loadContract(options.contractPath);
  // Without Host, Node would answer a bare 400 itself; mountReference answers it in the envelope instead.
  const server = createServer({
    requireHostHeader: false,
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_SWEEP_MS,
  });
  const activity = mount(server, contract, options);
  capConnections(server, maxConnections, activity, new Envelope(contract, profile, version));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    stateUrl: stateHook ? `${url}${PROVIDER_STATE_PATH}` : undefined,
    profile,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for keep-alive and hung ("hang") requests; the reference must stop at once.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Holds at most `max` connections. A connection past it first makes room by closing the oldest one that has
 * sent nothing yet, then the oldest idle one (no request under way); when every connection is busy it is
 * answered 503 in the envelope and closed. Node's own `maxConnections` drops the socket without a word, and a
 * reference at the descriptor limit resets every client instead.
 */
function capConnections(server: Server, max: number, activity: ConnectionActivity, envelope: Envelope): void {
  // Insertion order is age order, so the first match of a scan is the oldest.
  const open = new Set<Socket>();
  const busyAnswer = rawResponse(
    envelope.error(
      503,
      ErrorCode.overloaded,
      `The reference is serving its ${max} connections (maxConnections, serve --max-connections), each with a request under way; try again shortly`,
      { connection: "close", "retry-after": "1" },
    ),
  );
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    if (open.size <= max) {
      return;
    }
    const victim =
      first(open, (other) => other !== socket && !activity.served(other)) ??
      first(open, (other) => other !== socket && !activity.busy(other));
    if (victim !== undefined) {
      open.delete(victim);
      victim.destroy();
      return;
    }
    open.delete(socket);
    // The answer, then a FIN; a request the client still sends finds the socket ended and is not served. The
    // socket closes when the client closes, or after a second: destroying it at once over an unread request
    // head would reset the connection before the client read the 503.
    socket.end(busyAnswer);
    const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
    socket.once("close", () => clearTimeout(timer));
  });
}

function first<T>(items: Iterable<T>, test: (item: T) => boolean): T | undefined {
  for (const item of items) {
    if (test(item)) {
      return item;
    }
  }
  return undefined;
}
