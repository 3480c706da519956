// Tests the HAR files `diff` writes: one valid HAR 1.2 log per side, every case's exchanges, and no secret inside.
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Entry, Har } from "har-format";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DiffFlags } from "../../src/cli/diff-command.js";
import { runCommand } from "../../src/cli/run-command.js";
import type { Contract } from "../../src/contract/contract.js";
import type { DiffReport } from "../../src/diff/diff-types.js";
import { DIFF_HAR_FILES } from "../../src/diff/har.js";
import type { ReferenceRequest, ReferenceResponse } from "../../src/reference/index.js";
import {
  contractPromise,
  type ReferenceTweaks,
  type Running,
  runDiffCommand,
  startTarget,
} from "./targets.js";

/** An admin password no other text of a HAR could hold by chance. */
const ADMIN_PASSWORD = "Planted-Diff-Pw-4b9d";

/** A login, a generated negative case, a registration (cert), verify (code) and two-step (PIN): every kind of secret. */
const CASES = [
  "login-with-admin-credentials-answers-token",
  "request-code-rejects-cc-ab",
  "new-number-answers-202-with-decoded-vname",
  "verify-right-code-then-request-answers-201",
  "two-step-right-pin-registers",
];

let contract: Contract;
let dir: string;
const started: Running[] = [];

beforeAll(async () => {
  contract = await contractPromise;
  dir = await mkdtemp(join(tmpdir(), "wa-diff-har-"));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((target) => target.close()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fieldsOf = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/**
 * The reference with the planted admin password, leaking what the redactor must catch: the Authorization header
 * echoed in a plain header, the login token in a Set-Cookie, the admin password in error details. Every secret
 * that crosses the wire is remembered in `secrets`.
 */
async function leakyTarget(secrets: Set<string>): Promise<Running> {
  const remember = (req: ReferenceRequest) => {
    const authorization = String(req.headers.authorization ?? "");
    const [, scheme, credentials] = /^(\w+) (\S+)$/.exec(authorization) ?? [];
    if (credentials !== undefined) {
      secrets.add(credentials);
      if (scheme === "Basic") {
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        secrets.add(decoded.slice(decoded.indexOf(":") + 1));
      }
    }
    const body = fieldsOf(req.body);
    for (const field of ["pin", "code", "cert"]) {
      const value = body[field];
      if (typeof value === "string" && /^([0-9]{6}|[A-Za-z0-9+/]{40,}={0,2})$/.test(value)) {
        secrets.add(value);
      }
    }
  };
  const rewrite = (req: ReferenceRequest, res: ReferenceResponse): ReferenceResponse => {
    remember(req);
    const body = fieldsOf(res.body);
    const headers = { ...res.headers, "x-echo": String(req.headers.authorization ?? "") };
    const token = (body.users as { token?: string }[] | undefined)?.[0]?.token;
    if (token !== undefined) {
      secrets.add(token);
      return { ...res, headers: { ...headers, "set-cookie": `session=${token}; Path=/` } };
    }
    const errors = body.errors as Record<string, unknown>[] | undefined;
    if (errors?.[0]) {
      const first = {
        ...errors[0],
        details: `${String(errors[0].details)} (admin password ${ADMIN_PASSWORD})`,
      };
      return { ...res, headers, body: { ...body, errors: [first, ...errors.slice(1)] } };
    }
    return { ...res, headers };
  };
  const tweaks: ReferenceTweaks = { rewrite };
  const running = await startTarget(contract, {
    tweaks,
    admin: { username: "admin", password: ADMIN_PASSWORD },
  });
  started.push(running);
  return running;
}

const PASSWORDS: DiffFlags = { baselinePassword: ADMIN_PASSWORD, candidatePassword: ADMIN_PASSWORD };

/** A secret found as a whole value: a digits-only secret (PIN, code) must not match inside a longer number. */
function contains(text: string, secret: string): boolean {
  return /^[0-9]+$/.test(secret)
    ? new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text)
    : text.includes(secret);
}

async function readHar(
  reportDir: string,
  role: keyof typeof DIFF_HAR_FILES,
): Promise<{ text: string; har: Har }> {
  const text = await readFile(join(reportDir, DIFF_HAR_FILES[role]), "utf8");
  return { text, har: JSON.parse(text) as Har };
}

const isDate = (value: unknown) => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isNumber = (value: unknown) => typeof value === "number" && Number.isFinite(value);
const isPairs = (value: unknown) =>
  Array.isArray(value) &&
  value.every(
    (pair: unknown) => typeof fieldsOf(pair).name === "string" && typeof fieldsOf(pair).value === "string",
  );

/** What HAR 1.2 requires of a log, its pages and entries (the @types/har-format types hold only at compile time). */
function harProblems(har: Har): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) {
      problems.push(what);
    }
  };
  const { log } = har;
  need(log.version === "1.2", "log.version is 1.2");
  need(typeof log.creator?.name === "string" && typeof log.creator?.version === "string", "log.creator");
  need(Array.isArray(log.entries), "log.entries is a list");
  const pageIds = new Set((log.pages ?? []).map((page) => page.id));
  for (const [index, page] of (log.pages ?? []).entries()) {
    need(
      typeof page.id === "string" && typeof page.title === "string" && isDate(page.startedDateTime),
      `pages[${index}]: id, title, startedDateTime`,
    );
    need(typeof page.pageTimings === "object" && page.pageTimings !== null, `pages[${index}].pageTimings`);
  }
  for (const [index, entry] of log.entries.entries()) {
    const at = `entries[${index}]`;
    const { request, response, timings } = entry;
    need(entry.pageref === undefined || pageIds.has(entry.pageref), `${at}.pageref names a page`);
    need(
      isDate(entry.startedDateTime) && isNumber(entry.time) && entry.time >= 0,
      `${at}: startedDateTime, time`,
    );
    need(typeof entry.cache === "object" && entry.cache !== null, `${at}.cache`);
    need(
      typeof request.method === "string" &&
        URL.canParse(request.url) &&
        typeof request.httpVersion === "string" &&
        Array.isArray(request.cookies) &&
        isPairs(request.headers) &&
        isPairs(request.queryString) &&
        isNumber(request.headersSize) &&
        isNumber(request.bodySize),
      `${at}.request`,
    );
    need(
      request.postData === undefined ||
        (typeof request.postData.mimeType === "string" && typeof request.postData.text === "string"),
      `${at}.request.postData`,
    );
    need(
      Number.isInteger(response.status) &&
        typeof response.statusText === "string" &&
        typeof response.httpVersion === "string" &&
        Array.isArray(response.cookies) &&
        isPairs(response.headers) &&
        isNumber(response.content?.size) &&
        typeof response.content?.mimeType === "string" &&
        typeof response.redirectURL === "string" &&
        isNumber(response.headersSize) &&
        isNumber(response.bodySize),
      `${at}.response`,
    );
    need(isNumber(timings?.send) && isNumber(timings?.wait) && isNumber(timings?.receive), `${at}.timings`);
  }
  return problems;
}

/** The case id an entry's comment names ("<case> step <n> on <side>: ..."). */
const caseOfEntry = (entry: Entry) => /^(\S+) step \d+ on /.exec(entry.comment ?? "")?.[1];

describe("the HAR files of a diff", () => {
  it("are one valid HAR 1.2 log per side, with every exchange of every case, lined up across sides", async () => {
    const secrets = new Set<string>();
    const sides = {
      baseline: await leakyTarget(secrets),
      candidate: await leakyTarget(secrets),
      baseline2: await leakyTarget(secrets),
    };
    const reportDir = join(dir, "three-sides");
    const outcome = await runDiffCommand(sides, {
      ...PASSWORDS,
      baseline2Password: ADMIN_PASSWORD,
      case: CASES,
      reportDir,
    });
    expect(outcome.err).toBe("");
    const report = JSON.parse(await readFile(join(reportDir, "diff.json"), "utf8")) as DiffReport;
    expect(report.summary.cases).toBe(CASES.length);
    expect(report.summary.notCompared).toBe(0);
    expect((await readdir(reportDir)).filter((name) => name.endsWith(".har")).sort()).toEqual([
      "diff-baseline-2.har",
      "diff-baseline.har",
      "diff-candidate.har",
    ]);
    expect(outcome.out).toContain(join(reportDir, "diff-candidate.har"));

    const urls = {
      baseline: sides.baseline.url,
      candidate: sides.candidate.url,
      "baseline-2": sides.baseline2.url,
    };
    const routes: Record<string, string[]> = {};
    for (const role of ["baseline", "candidate", "baseline-2"] as const) {
      const { har } = await readHar(reportDir, role);
      expect(harProblems(har), role).toEqual([]);
      expect(har.log.creator.name).toBe("wa-account-conformance");
      expect(har.log.pages?.map((page) => page.title)).toEqual([`${role}: ${urls[role]}`]);
      expect(har.log.entries.every((entry) => entry.request.url.startsWith(urls[role]))).toBe(true);
      expect(
        har.log.entries.every((entry) => (entry.comment ?? "").includes(` on ${role}: PASS, diff `)),
      ).toBe(true);
      // Every case ran on every side, so each one is in every file, in diff.json's order.
      expect([...new Set(har.log.entries.map(caseOfEntry))]).toEqual(report.cases.map((c) => c.id));
      routes[role] = har.log.entries.map(
        (entry) => `${entry.request.method} ${new URL(entry.request.url).pathname}`,
      );
    }
    expect(routes.candidate).toEqual(routes.baseline);
    expect(routes["baseline-2"]).toEqual(routes.baseline);
    expect(routes.baseline).toEqual(expect.arrayContaining(["POST /v1/account", "POST /v1/account/verify"]));
  });

  it("hold no password, token, PIN, code or certificate, unless --include-secrets", async () => {
    const secrets = new Set<string>();
    const sides = { baseline: await leakyTarget(secrets), candidate: await leakyTarget(secrets) };
    const reportDir = join(dir, "redacted");
    const outcome = await runDiffCommand(sides, { ...PASSWORDS, case: CASES, reportDir });
    expect(outcome.err).toBe("");
    expect(secrets).toContain(ADMIN_PASSWORD);
    expect(secrets).toContain(Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64"));
    expect(secrets.size).toBeGreaterThan(6);
    for (const role of ["baseline", "candidate"] as const) {
      const { text, har } = await readHar(reportDir, role);
      expect(
        [...secrets].filter((secret) => contains(text, secret)),
        role,
      ).toEqual([]);
      expect(text).toContain('"Bearer [REDACTED]"');
      expect(text).toContain("(admin password [REDACTED])");
      expect(har.log.comment).toContain("replaced by [REDACTED]");
    }

    const openDir = join(dir, "open");
    const open = await runDiffCommand(sides, {
      ...PASSWORDS,
      case: CASES,
      reportDir: openDir,
      includeSecrets: true,
    });
    expect(open.err).toContain("--include-secrets");
    const { text, har } = await readHar(openDir, "candidate");
    expect(text).toContain(ADMIN_PASSWORD);
    expect(text).toMatch(/"Bearer [A-Za-z0-9._-]{12,}"/);
    expect(har.log.comment).toContain("--include-secrets");
  });

  it("follow --reporter: har alone writes only the HAR files, json alone none", async () => {
    const sides = { baseline: await startTarget(contract), candidate: await startTarget(contract) };
    started.push(sides.baseline, sides.candidate);
    const onlyHar = join(dir, "only-har");
    const harOutcome = await runDiffCommand(sides, {
      case: CASES.slice(0, 2),
      reportDir: onlyHar,
      reporter: ["har"],
    });
    expect(harOutcome.code).toBe(0);
    expect((await readdir(onlyHar)).sort()).toEqual(["diff-baseline.har", "diff-candidate.har"]);
    const onlyJson = join(dir, "only-json");
    await runDiffCommand(sides, { case: CASES.slice(0, 2), reportDir: onlyJson, reporter: ["json"] });
    expect(await readdir(onlyJson)).toEqual(["diff.json"]);
    const unknown = await runDiffCommand(sides, { reportDir: onlyJson, reporter: ["pdf"] });
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("choose from junit, json, html, har, markdown");
  });

  it("of a recorded baseline hold the exchanges of its results file, dated as recorded, redacted", async () => {
    const reference = await startTarget(contract);
    started.push(reference);
    const runDir = join(dir, "earlier-run");
    const code = await runCommand(
      {
        target: reference.url,
        username: "admin",
        password: "secret",
        stateUrl: reference.stateUrl,
        profile: "registration-open",
        case: CASES,
        reportDir: runDir,
        reporter: ["json"],
        // The earlier run kept its secrets: the diff's HAR of it must redact them all the same.
        includeSecrets: true,
        quiet: true,
      },
      {},
      { out: () => {}, err: () => {}, style: { color: false } },
    );
    expect(code).toBe(0);
    const results = join(runDir, "results.json");
    const recorded = JSON.parse(await readFile(results, "utf8")) as {
      runs: {
        cases: {
          id: string;
          exchanges: { startedAt: string; request: { url: string; headers: Record<string, string> } }[];
        }[];
      }[];
    };
    const recordedExchanges = (recorded.runs[0]?.cases ?? []).flatMap((testCase) => testCase.exchanges);
    const credentials = recordedExchanges.flatMap((exchange) => {
      const value = /^\w+ (\S{12,})$/.exec(exchange.request.headers.authorization ?? "")?.[1];
      return value === undefined ? [] : [value];
    });
    expect(credentials).toContain(Buffer.from("admin:secret").toString("base64"));
    expect(credentials.length).toBeGreaterThan(2);

    const candidate = await startTarget(contract);
    started.push(candidate);
    const reportDir = join(dir, "recorded");
    const outcome = await runDiffCommand({ candidate }, { baselineResults: results, case: CASES, reportDir });
    expect(outcome.err).toBe("");
    expect(outcome.code).toBe(0);
    const { text, har } = await readHar(reportDir, "baseline");
    expect(harProblems(har)).toEqual([]);
    expect(credentials.filter((secret) => text.includes(secret))).toEqual([]);
    expect(har.log.comment).toContain("replaced by [REDACTED]");
    expect(har.log.pages?.[0]?.title).toContain(`recorded in ${results}`);
    expect(har.log.entries.map((entry) => entry.request.url)).toEqual(
      recordedExchanges.map((exchange) => exchange.request.url),
    );
    // Re-dated from each case's start and the rounded durations of the steps before: within a millisecond or two.
    har.log.entries.forEach((entry, index) => {
      const at = Date.parse(recordedExchanges[index]?.startedAt ?? "");
      expect(Math.abs(Date.parse(entry.startedDateTime) - at)).toBeLessThanOrEqual(2);
    });
    expect(
      har.log.entries.every((entry) => entry.comment?.endsWith("(recorded earlier, not sent by this diff)")),
    ).toBe(true);
    const live = await readHar(reportDir, "candidate");
    expect([...new Set(live.har.log.entries.map(caseOfEntry))]).toEqual(
      (recorded.runs[0]?.cases ?? []).map((testCase) => testCase.id),
    );
    expect(existsSync(join(reportDir, "diff-baseline-2.har"))).toBe(false);
  });
});
