// The kit's own matrix sent through the proxy to the reference: the proxy changes nothing (the run stays conformant) and finds no server fault in it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_STATE_PATH } from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";
import { type Proxied, proxiedReference } from "./support.js";

let proxy: Proxied;
beforeAll(async () => {
  proxy = await proxiedReference();
});
afterAll(() => proxy.close());

describe("run --target <proxy>, the reference behind it", () => {
  it("is conformant, as against the reference directly; every server-side judgement passes", async () => {
    const run = await runCli([
      "run",
      "--target",
      proxy.url,
      "--profile",
      "registration-open",
      "--username",
      "admin",
      "--password",
      "secret",
      "--state-url",
      `${proxy.url}${PROVIDER_STATE_PATH}`,
      "--quiet",
    ]);
    expect(run.exitCode, `${run.out}\n${run.err}`).toBe(0);
    const results = proxy.session.results;
    expect(results.length).toBeGreaterThan(100);
    const serverFaults = results.flatMap((result) =>
      result.failures
        .filter((failure) => failure.check.startsWith("server:"))
        .map((failure) => `${result.description}: ${failure.requirement}: ${failure.received}`),
    );
    expect(serverFaults).toEqual([]);
    // The matrix sends every mistake on purpose: the proxy reports them against the client.
    expect(
      results.some((result) => result.failures.some((failure) => failure.check.startsWith("client:"))),
    ).toBe(true);
  });
});
