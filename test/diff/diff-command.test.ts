// Tests `diff` end to end on loopback: the reference against itself, planted changes, noise, rules, recorded baselines.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run-command.js";
import type { Contract } from "../../src/contract/contract.js";
import type { DiffReport } from "../../src/diff/diff-types.js";
import {
  ACCEPTS_UPPER_CASE_SMS,
  BARE_ERRORS,
  combine,
  contractPromise,
  differenceKeys,
  INVALID_AS_MISSING,
  RANDOM_SERVED_BY,
  RANDOM_VERSION,
  type ReferenceTweaks,
  type Running,
  runDiffCommand,
  SHOUTED_DETAILS,
  SWAPPED_201_202,
  startTarget,
} from "./targets.js";

let contract: Contract;
let dir: string;
const started: Running[] = [];

beforeAll(async () => {
  contract = await contractPromise;
  dir = await mkdtemp(join(tmpdir(), "wa-diff-cmd-"));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((target) => target.close()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function target(options: Parameters<typeof startTarget>[1] = {}): Promise<Running> {
  const running = await startTarget(contract, options);
  started.push(running);
  return running;
}

/** The ids of the cases that differ. */
const differing = (report: DiffReport | undefined) =>
  (report?.cases ?? [])
    .filter((comparison) => comparison.status === "different")
    .map((comparison) => comparison.id);

const caseOf = (report: DiffReport | undefined, id: string) =>
  report?.cases.find((comparison) => comparison.id === id);

describe("diff of the reference against itself", () => {
  for (const profile of ["registration-open", "sunset"] as const) {
    it(`finds no difference in ${profile} (exit 0)`, async () => {
      const outcome = await runDiffCommand(
        { baseline: await target({ profile }), candidate: await target({ profile }) },
        { profile },
      );
      expect(outcome.err).toBe("");
      expect(differenceKeys(outcome.report)).toEqual([]);
      expect(outcome.code).toBe(0);
      const summary = outcome.report?.summary;
      // Every case ran on both sides (the hook reaches every state): nothing was left uncompared.
      expect(summary?.notCompared).toBe(0);
      expect(summary?.same).toBe(summary?.cases);
      expect(summary?.cases).toBeGreaterThan(profile === "sunset" ? 10 : 50);
      expect(outcome.out).toContain("No difference remains after the rules: exit 0");
    });
  }
});

describe("diff of the reference against a planted change", () => {
  it("reports 201 and 202 swapped: the status and the vname of every registration, exit 1", async () => {
    const outcome = await runDiffCommand({
      baseline: await target(),
      candidate: await target({ tweaks: SWAPPED_201_202 }),
    });
    expect(outcome.code).toBe(1);
    const keys = differenceKeys(outcome.report);
    expect(keys).toEqual(
      expect.arrayContaining([
        "new-number-answers-202-with-decoded-vname 1 status",
        "new-number-answers-202-with-decoded-vname 1 body /account/0/vname",
        "registered-number-answers-201 1 status",
        "registered-number-answers-201 1 body /account/0/vname",
        "sms-limit-denies-then-voice-answers-202 2 status",
        "verify-right-code-then-request-answers-201 2 status",
      ]),
    );
    // Nothing else changed: every difference is one of those two.
    expect(keys.every((key) => / \d+ (status|body \/account\/0\/vname)$/.test(key))).toBe(true);
    const status = caseOf(outcome.report, "new-number-answers-202-with-decoded-vname")?.differences[0];
    expect(status).toMatchObject({
      baseline: "202",
      candidate: "201",
      level: "MUST",
      requirement: "register-new-number-answers-202-with-vname",
    });
    const registered = caseOf(outcome.report, "registered-number-answers-201")?.differences;
    expect(registered?.map((d) => [d.baseline, d.candidate])).toEqual([
      ["201", "202"],
      ["(absent)", '"Acme Plumbing Co"'],
    ]);
    // The swap repeats in every new-number registration: listed once, with the cases that show it.
    const swapped = outcome.report?.groups.differences.find(
      (group) => group.kind === "status" && group.baseline === "202",
    );
    expect(swapped?.cases).toContain("new-number-answers-202-with-decoded-vname");
    expect(outcome.out).toMatch(
      new RegExp(
        `status\\s+baseline: 202 \\| candidate: 201\\s+\\[MUST register-new-number-answers-202-with-vname.*\\n\\s+in ${swapped?.cases.length} cases: `,
      ),
    );
    expect(outcome.out).toContain("Differences remain: exit 1");
  });

  it("reports errors answered as {error} instead of the envelope in every case answered with an error", async () => {
    const outcome = await runDiffCommand({
      baseline: await target(),
      candidate: await target({ tweaks: BARE_ERRORS }),
    });
    expect(outcome.code).toBe(1);
    const keys = differenceKeys(outcome.report).filter((key) =>
      key.startsWith("request-code-rejects-body-without-cc "),
    );
    expect(keys).toEqual([
      "request-code-rejects-body-without-cc 1 error-code /errors/0/code",
      "request-code-rejects-body-without-cc 1 body /error",
      "request-code-rejects-body-without-cc 1 body /errors/0/details",
      "request-code-rejects-body-without-cc 1 body /errors/0/title",
      "request-code-rejects-body-without-cc 1 body /meta/api_status",
      "request-code-rejects-body-without-cc 1 body /meta/version",
    ]);
    const differences = caseOf(outcome.report, "request-code-rejects-body-without-cc")?.differences ?? [];
    expect(differences[0]).toMatchObject({ baseline: "1008", candidate: "(absent)", level: "MUST" });
    // meta.version is volatile: its value never counts, but its absence does.
    expect(differences[5]).toMatchObject({ baseline: "(volatile)", candidate: "(absent)" });
    // Only cases that got an error differ, and each through its error code.
    for (const comparison of outcome.report?.cases ?? []) {
      if (comparison.status === "different") {
        expect(
          comparison.differences.some((d) => d.kind === "error-code"),
          comparison.id,
        ).toBe(true);
      }
    }
    expect(differing(outcome.report)).toContain("login-with-wrong-password-answers-401");
    expect(differing(outcome.report)).not.toContain("new-number-answers-202-with-decoded-vname");
  });

  it("reports another error code (1008 for 1009) as the error code alone, with the MUST that allows either", async () => {
    const outcome = await runDiffCommand({
      baseline: await target(),
      candidate: await target({ tweaks: INVALID_AS_MISSING }),
    });
    expect(outcome.code).toBe(1);
    const all = outcome.report?.cases.flatMap((comparison) => comparison.differences) ?? [];
    expect(all.length).toBeGreaterThan(10);
    expect(new Set(all.map((d) => `${d.kind} ${d.where} ${d.baseline} ${d.candidate}`))).toEqual(
      new Set(["error-code /errors/0/code 1009 1008"]),
    );
    expect(differing(outcome.report)).toEqual(
      expect.arrayContaining(["request-code-rejects-cc-ab", "cert-of-garbage-bytes-is-rejected"]),
    );
    expect(differing(outcome.report)).not.toContain("request-code-rejects-body-without-cc");
    const code = caseOf(outcome.report, "request-code-rejects-cc-ab")?.differences[0];
    expect(code?.requirement).toBe("invalid-field-rejected-with-1008-or-1009");
    expect(code?.requirements.filter((r) => r.touches).map((r) => `${r.level} ${r.id}`)).toEqual(
      expect.arrayContaining([
        "MUST invalid-field-rejected-with-1008-or-1009",
        "SHOULD invalid-field-answers-400-1009",
      ]),
    );
  });

  it("reports a changed MAY behaviour (upper-case SMS accepted) as MAY, and still exits 1", async () => {
    const outcome = await runDiffCommand({
      baseline: await target(),
      candidate: await target({ tweaks: ACCEPTS_UPPER_CASE_SMS }),
    });
    expect(outcome.code).toBe(1);
    expect(differing(outcome.report)).toEqual(["upper-case-method-is-observed"]);
    const differences = caseOf(outcome.report, "upper-case-method-is-observed")?.differences ?? [];
    expect(differences[0]).toMatchObject({
      kind: "status",
      baseline: "400",
      candidate: "202",
      level: "MAY",
      requirement: "method-case-handling",
    });
    expect(differences.map((d) => d.where ?? d.kind)).toEqual(
      expect.arrayContaining(["/errors/0/code", "/account/0/vname"]),
    );
    expect(outcome.report?.summary.byLevel.MAY).toBeGreaterThan(0);
    expect(outcome.report?.summary.byLevel.MUST).toBe(0);
  });
});

describe("noise", () => {
  it("ignores a random meta.version and a random token format by the default rules, with and without --baseline-2", async () => {
    const noisy = { tweaks: RANDOM_VERSION, wrapTokens: true };
    const alone = await runDiffCommand({ baseline: await target(), candidate: await target(noisy) });
    expect(differenceKeys(alone.report)).toEqual([]);
    expect(alone.code).toBe(0);
    // The versions really differed: the reference reports its own, the candidate a random one.
    expect(alone.report?.baseline.version).toBe("v2.45.1");
    expect(alone.report?.candidate.version).not.toBe("v2.45.1");
    const withSecond = await runDiffCommand({
      baseline: await target(noisy),
      candidate: await target(noisy),
      baseline2: await target(noisy),
    });
    expect(differenceKeys(withSecond.report)).toEqual([]);
    expect(withSecond.report?.summary.noise).toBe(0);
    expect(withSecond.code).toBe(0);
  });

  it("sets aside a random header as noise with --baseline-2, and reports it without", async () => {
    const alone = await runDiffCommand({
      baseline: await target({ tweaks: RANDOM_SERVED_BY }),
      candidate: await target({ tweaks: RANDOM_SERVED_BY }),
    });
    expect(alone.code).toBe(1);
    const keys = differenceKeys(alone.report);
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.every((key) => key.endsWith(" header x-served-by"))).toBe(true);
    expect(alone.report?.summary.byLevel.unchecked).toBe(keys.length);

    const withSecond = await runDiffCommand({
      baseline: await target({ tweaks: RANDOM_SERVED_BY }),
      candidate: await target({ tweaks: RANDOM_SERVED_BY }),
      baseline2: await target({ tweaks: RANDOM_SERVED_BY }),
    });
    expect(differenceKeys(withSecond.report)).toEqual([]);
    expect(withSecond.code).toBe(0);
    expect(withSecond.report?.summary.noise).toBe(keys.length);
    expect(withSecond.report?.summary.noiseOnly).toBe(withSecond.report?.summary.cases);
    expect(withSecond.report?.baseline2?.url).toBeDefined();
  });

  it("still reports a real change when the baselines are noisy", async () => {
    const outcome = await runDiffCommand({
      baseline: await target({ tweaks: RANDOM_SERVED_BY }),
      candidate: await target({ tweaks: combine(RANDOM_SERVED_BY, SWAPPED_201_202) }),
      baseline2: await target({ tweaks: RANDOM_SERVED_BY }),
    });
    expect(outcome.code).toBe(1);
    expect(differenceKeys(outcome.report)).toContain("new-number-answers-202-with-decoded-vname 1 status");
    expect(differenceKeys(outcome.report).some((key) => key.includes("x-served-by"))).toBe(false);
  });
});

describe("rule files", () => {
  it("remove the differences they ignore, by pointer or by header name in any case", async () => {
    const baseline = await target();
    const shouted = await target({ tweaks: SHOUTED_DETAILS });
    const without = await runDiffCommand({ baseline, candidate: shouted });
    expect(without.code).toBe(1);
    expect(differenceKeys(without.report).every((key) => key.endsWith(" body /errors/0/details"))).toBe(true);
    expect(caseOf(without.report, "request-code-rejects-body-without-cc")?.differences[0]).toMatchObject({
      baseline: '"Missing required parameter: cc"',
      candidate: '"MISSING REQUIRED PARAMETER: CC"',
      checked: false,
    });
    const rules = join(dir, "details.yaml");
    await writeFile(rules, "# wording is not behaviour\nignore:\n  pointers: [/errors/*/details]\n");
    const withRules = await runDiffCommand({ baseline, candidate: shouted }, { rules });
    expect(differenceKeys(withRules.report)).toEqual([]);
    expect(withRules.code).toBe(0);
    expect(withRules.report?.rules.sources).toEqual(["default rules", rules]);

    const headerRules = join(dir, "headers.json");
    await writeFile(headerRules, JSON.stringify({ ignore: { headers: ["X-Served-By"] } }));
    const served = await runDiffCommand(
      {
        baseline: await target({ tweaks: RANDOM_SERVED_BY }),
        candidate: await target({ tweaks: RANDOM_SERVED_BY }),
      },
      { rules: headerRules },
    );
    expect(served.code).toBe(0);
  });

  it("refuse a bad rule file with exit 2, naming the key, before any case runs", async () => {
    const rules = join(dir, "bad.yaml");
    await writeFile(rules, "ignore:\n  pointer: [/errors/*/details]\n");
    const outcome = await runDiffCommand({ baseline: await target(), candidate: await target() }, { rules });
    expect(outcome.code).toBe(2);
    expect(outcome.err).toContain(`the rule file ${rules} is invalid`);
    expect(outcome.err).toContain('ignore.pointer: "pointer" is not a known key');
    expect(outcome.out).toBe("");
  });
});

describe("--baseline-results", () => {
  it("compares a live candidate with the results.json of an earlier run", async () => {
    const reference = await target();
    const reportDir = join(dir, "run");
    const code = await runCommand(
      {
        target: reference.url,
        username: "admin",
        password: "secret",
        stateUrl: reference.stateUrl,
        profile: "registration-open",
        reportDir,
        reporter: ["json"],
        quiet: true,
      },
      {},
      { out: () => {}, err: () => {}, style: { color: false } },
    );
    expect(code).toBe(0);
    const results = join(reportDir, "results.json");
    expect(JSON.parse(await readFile(results, "utf8"))).toHaveProperty("runs");

    const same = await runDiffCommand({ candidate: await target() }, { baselineResults: results });
    expect(same.err).toBe("");
    expect(differenceKeys(same.report)).toEqual([]);
    expect(same.code).toBe(0);
    expect(same.report?.baseline.resultsFile).toBe(results);
    expect(same.report?.summary.notCompared).toBe(0);

    const swapped = await runDiffCommand(
      { candidate: await target({ tweaks: SWAPPED_201_202 }) },
      { baselineResults: results },
    );
    expect(swapped.code).toBe(1);
    expect(differenceKeys(swapped.report)).toEqual(
      expect.arrayContaining([
        "new-number-answers-202-with-decoded-vname 1 status",
        "registered-number-answers-201 1 body /account/0/vname",
      ]),
    );
    expect(
      differenceKeys(swapped.report).every((key) => / \d+ (status|body \/account\/0\/vname)$/.test(key)),
    ).toBe(true);
  });

  it("refuses a results file without exchanges, and one combined with a live baseline", async () => {
    const empty = join(dir, "no-exchanges.json");
    await writeFile(
      empty,
      JSON.stringify({ runs: [{ profile: "registration-open", cases: [{ id: "x", verdict: "PASS" }] }] }),
    );
    const outcome = await runDiffCommand({ candidate: await target() }, { baselineResults: empty });
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(/record no exchanges/);

    const broken = join(dir, "broken.json");
    await writeFile(
      broken,
      JSON.stringify({
        runs: [
          {
            profile: "registration-open",
            cases: [
              {
                id: "x",
                verdict: "PASS",
                exchanges: [{ request: { method: "POST", path: "/" }, response: { status: "201" } }],
              },
            ],
          },
        ],
      }),
    );
    const bad = await runDiffCommand({ candidate: await target() }, { baselineResults: broken });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("runs[0].cases[0].exchanges[0].response.status must be a whole number");

    const both = await runDiffCommand(
      { baseline: await target(), candidate: await target() },
      { baselineResults: empty },
    );
    expect(both.code).toBe(2);
    expect(both.err).toContain("either --baseline URL or --baseline-results FILE");
  });
});

describe("settings and reports", () => {
  it("refuses a diff without a candidate or a baseline (exit 2)", async () => {
    const reference = await target();
    const noCandidate = await runDiffCommand(
      { baseline: reference, candidate: reference },
      { candidate: undefined },
    );
    expect(noCandidate.code).toBe(2);
    expect(noCandidate.err).toContain("diff needs --candidate URL");
    const noBaseline = await runDiffCommand({ candidate: await target() });
    expect(noBaseline.code).toBe(2);
    expect(noBaseline.err).toContain("diff needs a baseline");
  });

  it("exits 2 naming the side whose login is refused", async () => {
    const outcome = await runDiffCommand(
      { baseline: await target(), candidate: await target() },
      { candidatePassword: "not-the-password" },
    );
    expect(outcome.code).toBe(2);
    expect(outcome.err).toMatch(
      /^candidate: logging in as admin at http:\/\/127\.0\.0\.1:\d+\/v1\/users\/login answered 401/,
    );
  });

  it("takes each side's password from its own environment variable, below the flags", async () => {
    const sides = { baseline: await target(), candidate: await target() };
    const flags = { candidatePassword: undefined, case: ["login-with-admin-credentials-answers-token"] };
    const fromEnv = await runDiffCommand(sides, flags, { WA_CONFORMANCE_CANDIDATE_PASSWORD: "secret" });
    expect(fromEnv.code).toBe(0);
    const wrong = await runDiffCommand(sides, flags, { WA_CONFORMANCE_CANDIDATE_PASSWORD: "wrong" });
    expect(wrong.code).toBe(2);
    const flagWins = await runDiffCommand(
      sides,
      { ...flags, candidatePassword: "secret" },
      { WA_CONFORMANCE_CANDIDATE_PASSWORD: "wrong" },
    );
    expect(flagWins.code).toBe(0);
  });

  it("exits 3 when the candidate is unreachable", async () => {
    const gone = await startTarget(contract);
    await gone.close();
    const outcome = await runDiffCommand({ baseline: await target(), candidate: gone });
    expect(outcome.code).toBe(3);
    expect(outcome.err).toMatch(/^candidate: /);
  });

  it("exits 3 naming the side whose state hook is unreachable, before any case runs", async () => {
    const gone = await startTarget(contract);
    await gone.close();
    const candidate = await target();
    const outcome = await runDiffCommand(
      { baseline: await target(), candidate },
      { candidateStateUrl: gone.stateUrl },
    );
    expect(outcome.code).toBe(3);
    expect(outcome.err).toMatch(/^candidate: the state hook .+ is unreachable/);
    expect(outcome.report).toBeUndefined();
  });

  it("reads each side from a config file, a second baseline inheriting the first's credentials and hook path", async () => {
    const baseline = await target({ tweaks: RANDOM_SERVED_BY });
    const baseline2 = await target({ tweaks: RANDOM_SERVED_BY });
    const candidate = await target({ tweaks: RANDOM_SERVED_BY });
    const config = join(dir, "diff.yaml");
    await writeFile(
      config,
      [
        "profile: registration-open",
        "cases: [new-number-answers-202-with-decoded-vname, login-with-admin-credentials-answers-token]",
        `baseline: { target: "${baseline.url}", username: admin, password: secret, stateUrl: "${baseline.stateUrl}" }`,
        `baseline2: { target: "${baseline2.url}" }`,
        `candidate: { target: "${candidate.url}", username: admin, password: secret, stateUrl: "${candidate.stateUrl}" }`,
      ].join("\n"),
    );
    const outcome = await runDiffCommand(
      { candidate },
      {
        config,
        candidate: undefined,
        candidateUsername: undefined,
        candidatePassword: undefined,
        candidateStateUrl: undefined,
      },
    );
    expect(outcome.err).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.report?.summary).toMatchObject({ cases: 2, noiseOnly: 2 });

    await writeFile(join(dir, "bad-diff.yaml"), "baseline: { target: x, stateurl: y }\n");
    const bad = await runDiffCommand({ candidate }, { config: join(dir, "bad-diff.yaml") });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('baseline: "stateurl" is not a known key');
  });

  it("redacts credentials a target echoes in what the diff shows, unless --include-secrets", async () => {
    // A careless gateway that echoes the Authorization header it was sent.
    const echo: ReferenceTweaks = {
      rewrite: (req, res) => ({
        ...res,
        headers: { ...res.headers, "x-echo": String(req.headers.authorization ?? "") },
      }),
    };
    const sides = { baseline: await target(), candidate: await target({ tweaks: echo }) };
    const flags = { case: ["request-code-rejects-cc-ab", "login-with-admin-credentials-answers-token"] };
    const redacted = await runDiffCommand(sides, flags);
    expect(redacted.code).toBe(1);
    const shown = JSON.stringify(redacted.report) + redacted.out;
    expect(shown).toContain('"Bearer [REDACTED]"');
    expect(shown).toContain('"Basic [REDACTED]"');
    expect(shown).not.toMatch(/Bearer [A-Za-z0-9_-]{12,}/);
    expect(shown).not.toContain(Buffer.from("admin:secret").toString("base64"));
    const open = await runDiffCommand(sides, { ...flags, includeSecrets: true });
    expect(open.out).toMatch(/Bearer [A-Za-z0-9_-]{12,}/);
    expect(open.err).toContain("--include-secrets");
  });

  it("writes diff.json, diff.md, JUnit and HTML into --report-dir", async () => {
    const reportDir = join(dir, "reports");
    const outcome = await runDiffCommand(
      { baseline: await target(), candidate: await target({ tweaks: ACCEPTS_UPPER_CASE_SMS }) },
      { reportDir },
    );
    expect(outcome.code).toBe(1);
    const markdown = await readFile(join(reportDir, "diff.md"), "utf8");
    expect(markdown).toContain("### `upper-case-method-is-observed`");
    expect(markdown).toContain(
      "| 1 | POST /v1/account | status | `400` | `202` | MAY method-case-handling |",
    );
    const junit = await readFile(join(reportDir, "diff-junit.xml"), "utf8");
    expect(junit).toMatch(/<testcase [^>]*name="upper-case-method-is-observed"[^>]*>\s*<failure/);
    expect(junit).toMatch(/<testsuite [^>]*failures="1"/);
    const html = await readFile(join(reportDir, "diff.html"), "utf8");
    expect(html).toContain("upper-case-method-is-observed");
    expect(html).toMatch(/\d+ difference\(s\) remain/);
    const json = JSON.parse(await readFile(join(reportDir, "diff.json"), "utf8")) as DiffReport;
    expect(json.format).toBe("wa-account-conformance-diff/1");
    expect(json.summary.exitCode).toBe(1);
  });
});
