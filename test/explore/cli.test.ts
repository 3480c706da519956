// The explore command: its exit codes, the seed it prints, its reports (redacted) and the differential flags.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { startReference } from "../../src/reference/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "explore-cli-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ["node", "wa-account-conformance", "explore", ...args],
    {},
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      style: { color: false },
    },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("wa-account-conformance explore", () => {
  it("exits 0 on the embedded reference and prints its seed", { timeout: 60_000 }, async () => {
    const { code, out } = await cli("--seed", "42", "--runs", "20");
    expect(code, out).toBe(0);
    expect(out).toContain("explore --seed 42");
    expect(out).toContain("No divergence (seed 42): exit 0");
  });

  it("exits 1 on a planted defect and writes redacted reports with the case", {
    timeout: 120_000,
  }, async () => {
    const password = "Sup3r-Secret-Pw";
    const reference = await startReference({
      tweaks: { skip: ["vname-verbatim"] },
      admin: { username: "admin", password },
    });
    const reports = join(dir, "defect");
    try {
      const { code, out } = await cli(
        "--target",
        reference.url,
        "--state-url",
        reference.stateUrl ?? "",
        "--username",
        "admin",
        "--password",
        password,
        "--seed",
        "1",
        "--runs",
        "300",
        "--report-dir",
        reports,
      );
      expect(code, out).toBe(1);
      expect(out).toContain("MUST register-new-number-answers-202-with-vname");
    } finally {
      await reference.close();
    }
    const files = await readdir(reports);
    expect(files).toEqual(
      expect.arrayContaining(["explore.json", "explore.md", "explore-junit.xml", "explore.har"]),
    );
    expect(files.some((name) => name.endsWith(".yaml"))).toBe(true);
    for (const name of files) {
      const text = await readFile(join(reports, name), "utf8");
      expect(text, name).not.toContain(password);
      expect(text, name).not.toContain(Buffer.from(`admin:${password}`).toString("base64"));
    }
    const document = JSON.parse(await readFile(join(reports, "explore.json"), "utf8"));
    expect(document.verdict).toBe("fail");
    expect(document.seed).toBe(1);
  });

  it("exits 0 for two references and 1 for a reference against a defect (differential)", {
    timeout: 120_000,
  }, async () => {
    const baseline = await startReference();
    const same = await startReference();
    const defect = await startReference({ tweaks: { skip: ["code-single-use"] } });
    const flags = (candidate: typeof same) => [
      "--baseline",
      baseline.url,
      "--baseline-state-url",
      baseline.stateUrl ?? "",
      "--candidate",
      candidate.url,
      "--candidate-state-url",
      candidate.stateUrl ?? "",
      "--username",
      "admin",
      "--password",
      "secret",
      "--seed",
      "1",
    ];
    try {
      expect((await cli(...flags(same), "--runs", "20")).code).toBe(0);
      const found = await cli(...flags(defect), "--runs", "300");
      expect(found.code, found.out).toBe(1);
      expect(found.out).toContain("differs in status");
    } finally {
      await Promise.all([baseline.close(), same.close(), defect.close()]);
    }
  });

  it("exits 2 for --baseline without --candidate", async () => {
    const { code, err } = await cli("--baseline", "http://127.0.0.1:1");
    expect(code).toBe(2);
    expect(err).toContain("--baseline and --candidate go together");
  });

  it("exits 3 when the target is unreachable", { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const { code, err } = await cli(
      "--target",
      `http://127.0.0.1:${port}`,
      "--username",
      "admin",
      "--password",
      "x",
      "--runs",
      "1",
    );
    expect(code, err).toBe(3);
  });
});
