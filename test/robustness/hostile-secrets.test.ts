// A target that echoes every secret it is sent, everywhere it can: none of them may reach the console or any report.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli/main.js";
import {
  closeTargets,
  expectJudged,
  type HostileRun,
  readBody,
  runAgainst,
  startTarget,
  TEST_LIMIT_MS,
} from "./hostile-support.js";

afterEach(closeTargets);

const USERNAME = "admin";
const PASSWORD = "Planted-Pa55word!";
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
/** The two-step PIN of the static state data: the kit sends it in the two-step cases. */
const PIN = "904618";

/** The secrets sent to the target, as the target saw them; filled while it runs. */
interface Seen {
  token: string;
  /** Values of the sensitive fields of the bodies the kit sent (PINs, certificates, codes). */
  sent: Set<string>;
}

/** Every way the target can echo what it was sent: in turn, so each appears many times in one run. */
const ECHOES: ((req: IncomingMessage, res: ServerResponse, body: string, seen: Seen) => void)[] = [
  // The error envelope's details.
  (req, res, body) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        errors: [{ code: 1005, title: "Bad", details: `auth=${req.headers.authorization} body=${body}` }],
      }),
    );
  },
  // A text body, with the credentials in every form the kit could know them.
  (req, res, body) => {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end(`${req.headers.authorization} ${BASIC} ${USERNAME}:${PASSWORD} ${body}`);
  },
  // Headers and the status text.
  (req, res, body, seen) => {
    const sent = [...seen.sent].slice(-1)[0] ?? "";
    res.statusMessage = `Echo ${req.headers.authorization ?? ""}`;
    res.writeHead(400, {
      "content-type": "application/json",
      "x-echo-authorization": req.headers.authorization ?? "",
      "x-echo-value": `${sent} ${PASSWORD}`,
      "x-echo-token": seen.token,
    });
    res.end(JSON.stringify({ echo: body.length < 60_000 ? safeParse(body) : null, token: seen.token }));
  },
  // A redirect carrying the credentials in its Location.
  (_req, res, _body, seen) => {
    const sent = [...seen.sent].slice(-1)[0] ?? "";
    res.writeHead(302, {
      location: `http://${USERNAME}:${PASSWORD}@127.0.0.1:9/next?token=${seen.token}&pin=${PIN}&v=${encodeURIComponent(sent)}`,
    });
    res.end();
  },
  // A success whose fields quote what was sent.
  (_req, res, _body, seen) => {
    const sent = [...seen.sent].slice(-1)[0] ?? "";
    res.writeHead(201, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        meta: { version: `v2 ${PASSWORD}` },
        account: [{ vname: sent }],
        note: `${BASIC} ${seen.token} ${PIN}`,
      }),
    );
  },
];

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Collects the values of the sensitive fields of a JSON body at any depth. */
function collect(body: string, into: Set<string>): void {
  const stack = [safeParse(body)];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (["pin", "cert", "code", "new_password", "password"].includes(key) && typeof item === "string") {
          into.add(item);
        }
        stack.push(item);
      }
    }
  }
}

/** A target that logs the admin in with `token`, or refuses with an echo when `refuse` says so. */
async function echoingTarget(token: string): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = { token, sent: new Set() };
  let turn = 0;
  const url = await startTarget(async (req, res) => {
    const body = await readBody(req);
    collect(body, seen.sent);
    if (req.url === "/v1/users/login" && req.headers.authorization === `Basic ${BASIC}`) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ users: [{ token, expires_after: "2030-01-01 00:00:00+00:00" }] }));
      return;
    }
    const echo = ECHOES[turn++ % ECHOES.length];
    echo?.(req, res, body, seen);
  });
  return { url, seen };
}

async function staticStates(): Promise<{ file: string; cleanUp: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "wa-planted-"));
  const file = join(dir, "states.json");
  await writeFile(
    file,
    JSON.stringify({ states: { "two-step-enabled": { cc: "1", phone_number: "5550199001", pin: PIN } } }),
  );
  return { file, cleanUp: () => rm(dir, { recursive: true, force: true }) };
}

/** Each secret, and for long ones a piece of it: a secret cut where a text is cut is as much a leak. */
function expectNoSecret(run: HostileRun, secrets: Iterable<string>): void {
  const where = (needle: string) =>
    [["console", `${run.out}\n${run.err}`] as const, ...run.artifacts]
      .filter(([, text]) => text.includes(needle))
      .map(([name]) => name);
  for (const secret of secrets) {
    const pieces = secret.length > 48 ? [secret.slice(0, 24), secret.slice(-24), secret] : [secret];
    for (const piece of pieces) {
      expect(where(piece), `${piece.slice(0, 40)}… found in`).toEqual([]);
    }
  }
}

describe("a target that echoes every secret it is sent", () => {
  it(
    "echoed in bodies, headers, error details, status text and redirects, no secret reaches the console or a report",
    async () => {
      const token = `tok_${randomBytes(24).toString("base64url")}`;
      const { url, seen } = await echoingTarget(token);
      const { file, cleanUp } = await staticStates();
      try {
        const run = await runAgainst(url, "--username", USERNAME, "--password", PASSWORD, "--config", file);
        expectJudged(run);
        const certificates = [...seen.sent].filter((value) => value.length > 40);
        expect(certificates.length, "the kit sent certificates").toBeGreaterThan(0);
        expect(seen.sent.has(PIN), "the kit sent the two-step PIN").toBe(true);
        expectNoSecret(run, [PASSWORD, BASIC, token, PIN, ...certificates]);
        // Redacted, not dropped: the evidence says where a secret was.
        expect(run.artifacts.get("results.json")).toContain("[REDACTED]");
      } finally {
        await cleanUp();
      }
    },
    TEST_LIMIT_MS,
  );

  it(
    "a login token of 33,000 characters is redacted like any other, and no error quotes it",
    async () => {
      const token = randomBytes(24_750).toString("base64url");
      expect(token.length).toBe(33_000);
      const { url, seen } = await echoingTarget(token);
      const run = await runAgainst(url, "--username", USERNAME, "--password", PASSWORD);
      expectJudged(run);
      expectNoSecret(run, [PASSWORD, BASIC, token, ...[...seen.sent].filter((value) => value.length > 40)]);
    },
    TEST_LIMIT_MS,
  );
});

describe("a target that echoes the login's Authorization header in its refusal", () => {
  it("refuses the run (exit 2) and prints the refusal without the credentials", async () => {
    const url = await startTarget(async (req, res) => {
      await readBody(req);
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          errors: [
            {
              code: 1005,
              title: "Access denied",
              details: `bad ${req.headers.authorization} = ${BASIC} (${USERNAME}:${PASSWORD})`,
            },
          ],
        }),
      );
    });
    const run = await runAgainst(url, "--username", USERNAME, "--password", PASSWORD);
    expect(run.exitCode, run.err).toBe(EXIT.usage);
    expect(run.err).toMatch(/logging in as admin .* answered 401/);
    expectNoSecret(run, [PASSWORD, BASIC]);
  });
});
