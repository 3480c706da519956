// When the kit itself fails mid-run, the evidence so far is written to the reports, never called conformant, and the error goes on.
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../src/pipeline/run-conformance.js";

describe("an internal error during the matrix", () => {
  it("writes partial reports, outcome not-conformant, and rethrows", async () => {
    const reportDir = join(await mkdtemp(join(tmpdir(), "wa-internal-")), "reports");
    let seen = 0;
    const bug = new Error("a bug in a console renderer");
    const outcome = runConformance({
      settings: { profile: "registration-open", reportDir, concurrency: 1 },
      events: {
        result: () => {
          seen += 1;
          if (seen === 5) {
            throw bug;
          }
        },
      },
    });
    await expect(outcome).rejects.toBe(bug);
    expect(existsSync(join(reportDir, "junit.xml"))).toBe(true);
    const results = JSON.parse(await readFile(join(reportDir, "results.json"), "utf8")) as {
      summary: { outcome: string; exitCode: number };
      runs: { cases: unknown[] }[];
    };
    expect(results.summary).toMatchObject({ outcome: "not-conformant", exitCode: 1 });
    expect(results.runs).toHaveLength(1);
    expect(results.runs[0]?.cases).toHaveLength(5);
  });
});
