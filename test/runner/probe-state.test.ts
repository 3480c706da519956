// The hook probe sets up and tears down the state the contract marks `probe`, with a fresh case's parameters of that state.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { probeStateHook } from "../../src/runner/states.js";
import type { TargetConfig } from "../../src/runner/target.js";

const posted: unknown[] = [];
let server: Server;
let target: TargetConfig;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posted.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      response.writeHead(200, { "content-type": "application/json", "content-length": 2 });
      response.end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target = {
    url,
    profile: "registration-open",
    name: "hook",
    stateUrl: `${url}/states`,
    states: {},
    timeoutMs: 5000,
    insecure: false,
    concurrency: 1,
    strict: false,
  };
});
afterAll(() => server.close());

const redact = { text: (value: string) => value };

describe("probeStateHook", () => {
  it("probes the kit's contract with its probe state and that state's parameters", async () => {
    posted.length = 0;
    const contract = await loadContract();
    await probeStateHook(target, redact, contract);
    const probe = contract.providerStates.get(contract.probeState ?? "");
    expect(posted).toHaveLength(2);
    expect(posted.map((body) => (body as { action: string }).action)).toEqual(["setup", "teardown"]);
    for (const body of posted as { state: string; params: Record<string, string> }[]) {
      expect(body.state).toBe(probe?.name);
      expect(Object.keys(body.params).sort()).toEqual([...(probe?.params ?? [])].sort());
    }
  });

  it("probes another contract with the state it marks, not the kit's", async () => {
    posted.length = 0;
    const contract = await loadContract(
      join(import.meta.dirname, "..", "fixtures", "second-contract", "openapi.yaml"),
    );
    await probeStateHook(target, redact, contract);
    expect(posted).toEqual([
      { state: "catalogue-open", params: {}, action: "setup" },
      { state: "catalogue-open", params: {}, action: "teardown" },
    ]);
  });

  it("does not probe when the contract marks no probe state", async () => {
    posted.length = 0;
    const contract = await loadContract();
    await probeStateHook(target, redact, { ...contract, probeState: undefined });
    expect(posted).toEqual([]);
  });
});
