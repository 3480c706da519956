// Proves "adding a case touches only fixtures/": in a copy of the fixtures, a new case and its planted bug need planted:update, no TypeScript.
import { execFile } from "node:child_process";
import { appendFile, cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR } from "./planted-bug-data.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/** `npm run planted:update` on the copy, as a user runs it; its exit code and output. */
async function plantedUpdate(fixtures: string, ...flags: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "scripts/planted-update.ts", "--fixtures", fixtures, ...flags],
      { cwd: ROOT, timeout: 240_000 },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** An ordinary case: a toll-free number registered by SMS (the kit has it by voice only). */
const NEW_CASE = `
  - id: toll-free-number-by-sms-answers-202
    description: registers a toll-free number whose code is requested by SMS
    profiles: [registration-open]
    states: [{ name: number-unregistered, params: { cc: "{{cc}}", phone_number: "{{toll_free_number}}" } }]
    request:
      operation: requestCode
      body: { cc: "{{cc}}", phone_number: "{{toll_free_number}}", method: sms, cert: "{{cert}}" }
    expect:
      - requirement: toll-free-number-accepted
        status: 202
        vnameMatchesCert: true
`;

/** The bug the case exists for, which no other case catches. */
const ITS_BUG = `
  - id: toll-free-sms-refused
    defect: refuses a toll-free number when its code is requested by SMS
    profile: registration-open
    reference:
      rewrite:
        - when:
            operation: requestCode
            status: 202
            request: { /phone_number: { startsWith: "800" }, /method: { equals: sms } }
          do: { template: { name: invalid, details: Invalid phone_number } }
`;

let fixtures = "";
beforeAll(async () => {
  fixtures = await mkdtemp(join(tmpdir(), "wa-planted-"));
  // The whole of fixtures/: the cases, the negative matrix's rules beside them, the planted bugs and the schemas.
  await cp(FIXTURES_DIR, fixtures, { recursive: true });
});
afterAll(async () => {
  await rm(fixtures, { recursive: true, force: true });
});

describe("adding a case", { timeout: 600_000 }, () => {
  it("is write the case, plant its bug, run planted:update, read the diff: then the check passes", async () => {
    await appendFile(join(fixtures, "cases", "registration.yaml"), NEW_CASE);
    await appendFile(join(fixtures, "planted-bugs", "registration.yaml"), ITS_BUG);

    const update = await plantedUpdate(fixtures);
    expect(update.code, update.out).toBe(0);
    // The diff to review: the verdicts the new case gets under the bugs that already break it, and its own bug.
    expect(update.out).toContain("+ registration-answers-200: toll-free-number-by-sms-answers-202 FAIL");
    expect(update.out).toContain("+ toll-free-sms-refused (new bug)");
    expect(update.out).toContain("+ toll-free-sms-refused: toll-free-number-by-sms-answers-202 FAIL");
    expect(update.out).not.toContain("npm test will fail on");
    const verdicts = await readFile(join(fixtures, "planted-bugs", "verdicts.yaml"), "utf8");
    expect(verdicts).toContain("toll-free-sms-refused:\n    toll-free-number-by-sms-answers-202: FAIL");

    const check = await plantedUpdate(fixtures, "--check");
    expect(check.code, check.out).toBe(0);
    expect(check.out).toMatch(/planted bugs caught: (\d+)\/\1 \(100%\)/);
  });
});
