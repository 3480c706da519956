// Starts the reference on a plain node:http server and stops it without leaving a connection (or a hung request) open.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Contract, loadContract } from "../contract/contract.js";
import { Envelope } from "./envelope.js";
import { createReferenceHandler } from "./handler.js";
import {
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type RunningReference,
  resolveOptions,
} from "./options.js";
import { refuseProtocolErrorsInEnvelope } from "./protocol-errors.js";

/**
 * Serves the reference on a node:http (or https) server of the caller's, with the error envelope also on the
 * requests Node refuses before any handler runs (bad HTTP, an unmet Expect). Create the server with
 * `requireHostHeader: false`, so a request without Host is answered in the envelope too rather than by Node.
 */
export function mountReference(server: Server, contract: Contract, options: ReferenceOptions = {}): void {
  const { profile, version } = resolveOptions(options);
  refuseProtocolErrorsInEnvelope(
    server,
    new Envelope(contract, profile, version),
    createReferenceHandler(contract, options),
  );
}

export async function startReference(options: ReferenceOptions = {}): Promise<RunningReference> {
  const { profile, stateHook } = resolveOptions(options);
  const contract = await loadContract(options.contractPath);
  // Without Host, Node would answer a bare 400 itself; mountReference answers it in the envelope instead.
  const server = createServer({ requireHostHeader: false });
  mountReference(server, contract, options);
  const host = options.host ?? "127.0.0.1";
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
