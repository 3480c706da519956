// Reference variants for the diff tests (each one declared change or noise) and a runner of `diff` against them.
import { randomBytes, randomInt } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifiedNameOf } from "../../src/cert/certificate.js";
import { type DiffFlags, diffCommand } from "../../src/cli/diff-command.js";
import type { Output } from "../../src/cli/run-command.js";
import { ConfigError } from "../../src/config/config.js";
import { type Contract, loadContract, type ProfileName } from "../../src/contract/contract.js";
import type { DiffReport } from "../../src/diff/diff-types.js";
import {
  createReferenceHandler,
  PROVIDER_STATE_PATH,
  type ReferenceRequest,
  type ReferenceResponse,
  type ReferenceRewrite,
} from "../../src/reference/index.js";
import { TargetUnreachableError } from "../../src/runner/run-matrix.js";
import { LoginError } from "../../src/runner/session.js";

export interface Running {
  url: string;
  stateUrl: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;

/** A change of the reference for the diff tests: a programmatic rewrite, since noise needs randomness. */
export interface ReferenceTweaks {
  rewrite?: ReferenceRewrite;
}

const bodyOf = (res: ReferenceResponse): Body =>
  typeof res.body === "object" && res.body !== null && !Array.isArray(res.body) ? (res.body as Body) : {};
const isRegistration = (req: ReferenceRequest) => req.method === "POST" && req.path === "/v1/account";
const errorsOf = (res: ReferenceResponse): Body[] => {
  const errors = bodyOf(res).errors;
  return Array.isArray(errors) ? (errors as Body[]) : [];
};

/** A token the reference issued, wrapped in a random prefix: another format on every login. */
const WRAPPED_TOKEN = /^Bearer [0-9a-f]+\.(.+)$/;

/**
 * Serves the reference on 127.0.0.1 with tweaks. With `wrapTokens`, login answers a token in a new random format
 * each time (`<random hex>.<token>`), which the server unwraps on the way in, so the format changes and the
 * token still works, as a target with another token scheme would.
 */
export async function startTarget(
  contract: Contract,
  options: {
    profile?: ProfileName;
    tweaks?: ReferenceTweaks;
    wrapTokens?: boolean;
    admin?: { username: string; password: string };
  } = {},
): Promise<Running> {
  const rewrite = options.tweaks?.rewrite;
  const tweaks: Required<ReferenceTweaks> = {
    rewrite: (req, res) => {
      let changed = rewrite?.(req, res);
      if (options.wrapTokens && req.path === "/v1/users/login") {
        const base = changed && typeof changed === "object" ? changed : res;
        const users = bodyOf(base).users;
        if (Array.isArray(users)) {
          changed = {
            ...base,
            body: {
              ...bodyOf(base),
              users: (users as Body[]).map((user) => ({
                ...user,
                token: `${randomBytes(randomInt(2, 12)).toString("hex")}.${String(user.token)}`,
              })),
            },
          };
        }
      }
      return changed;
    },
  };
  const handle = createReferenceHandler(contract, {
    profile: options.profile ?? "registration-open",
    rewriteAnswer: tweaks.rewrite,
    ...(options.admin ? { admin: options.admin } : {}),
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const match = WRAPPED_TOKEN.exec(req.headers.authorization ?? "");
    if (options.wrapTokens && match) {
      req.headers.authorization = `Bearer ${match[1]}`;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stateUrl: `${url}${PROVIDER_STATE_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Answers 201 to a new number and 202 (with the account) to a registered one. */
export const SWAPPED_201_202: ReferenceTweaks = {
  rewrite: (req, res) => {
    if (!isRegistration(req)) {
      return undefined;
    }
    if (res.status === 202) {
      return { ...res, status: 201, body: { meta: bodyOf(res).meta } };
    }
    if (res.status === 201) {
      const cert = (req.body as Body | undefined)?.cert;
      return {
        ...res,
        status: 202,
        body: { ...bodyOf(res), account: [{ vname: verifiedNameOf(String(cert)) ?? "" }] },
      };
    }
    return undefined;
  },
};

/** Errors as a bare {"error": "<details>"} instead of the envelope. */
export const BARE_ERRORS: ReferenceTweaks = {
  rewrite: (_req, res) => {
    const first = errorsOf(res)[0];
    return first ? { ...res, body: { error: String(first.details) } } : undefined;
  },
};

/** 1008 (missing) where the reference says 1009 (invalid), title and all else unchanged. */
export const INVALID_AS_MISSING: ReferenceTweaks = {
  rewrite: (_req, res) =>
    errorsOf(res)[0]?.code === 1009
      ? { ...res, body: { ...bodyOf(res), errors: errorsOf(res).map((error) => ({ ...error, code: 1008 })) } }
      : undefined,
};

/** A MAY behaviour changed: method "SMS" in upper case is accepted like "sms". */
export const ACCEPTS_UPPER_CASE_SMS: ReferenceTweaks = {
  rewrite: (req, res) => {
    const body = req.body as Body | undefined;
    if (!isRegistration(req) || body?.method !== "SMS" || res.status !== 400) {
      return undefined;
    }
    return {
      status: 202,
      headers: res.headers,
      body: { meta: bodyOf(res).meta, account: [{ vname: verifiedNameOf(String(body.cert)) ?? "" }] },
    };
  },
};

/** The details of every error in upper case: a wording change no requirement checks. */
export const SHOUTED_DETAILS: ReferenceTweaks = {
  rewrite: (_req, res) =>
    errorsOf(res).length > 0
      ? {
          ...res,
          body: {
            ...bodyOf(res),
            errors: errorsOf(res).map((error) => ({
              ...error,
              details: String(error.details).toUpperCase(),
            })),
          },
        }
      : undefined,
};

/** A new random meta.version on every response (with wrapTokens, a new token format on every login). */
export const RANDOM_VERSION: ReferenceTweaks = {
  rewrite: (_req, res) => {
    const meta = bodyOf(res).meta;
    return typeof meta === "object" && meta !== null
      ? {
          ...res,
          body: {
            ...bodyOf(res),
            meta: { ...meta, version: `v${randomInt(1, 9)}.${randomInt(0, 99)}.${randomInt(0, 9)}` },
          },
        }
      : undefined;
  },
};

/** meta.api_status "deprecated" on every response: one difference that repeats in every case. */
export const DEPRECATED_API_STATUS: ReferenceTweaks = {
  rewrite: (_req, res) => {
    const meta = bodyOf(res).meta;
    return typeof meta === "object" && meta !== null
      ? { ...res, body: { ...bodyOf(res), meta: { ...meta, api_status: "deprecated" } } }
      : undefined;
  },
};

/** A random value in a header no default rule knows: noise only a second baseline (or a rule) can tell. */
export const RANDOM_SERVED_BY: ReferenceTweaks = {
  rewrite: (_req, res) => ({
    ...res,
    headers: { ...res.headers, "x-served-by": `node-${randomInt(0, 1_000_000)}` },
  }),
};

/** Several changes at once: each rewrite applied to what the previous one answered. */
export function combine(...all: ReferenceTweaks[]): ReferenceTweaks {
  return {
    rewrite: (req, res) => {
      let current = res;
      for (const tweaks of all) {
        const next = tweaks.rewrite?.(req, current);
        if (next === "drop" || next === "hang") {
          return next;
        }
        current = next ?? current;
      }
      return current;
    },
  };
}

export interface DiffOutcome {
  code: number;
  out: string;
  err: string;
  report: DiffReport | undefined;
  /** The other text reports written (diff.md, diff.html, diff-junit.xml), by file name. */
  files: Record<string, string>;
}

/** main's mapping of errors to exit codes (src/cli/main.ts), for a command not yet wired there. */
function exitCodeFor(error: unknown): number {
  if (error instanceof TargetUnreachableError) {
    return 3;
  }
  if (error instanceof ConfigError || error instanceof LoginError) {
    return 2;
  }
  throw error;
}

const credentials = (role: "baseline" | "candidate" | "baseline2", target: Running): Partial<DiffFlags> => ({
  [role]: target.url,
  [`${role}Username`]: "admin",
  [`${role}Password`]: "secret",
  [`${role}StateUrl`]: target.stateUrl,
});

/** Runs `diff` in-process (admin/secret and the hook on every side), with diff.json written and read back. */
export async function runDiffCommand(
  sides: { baseline?: Running; candidate: Running; baseline2?: Running },
  flags: DiffFlags = {},
  env: NodeJS.ProcessEnv = {},
): Promise<DiffOutcome> {
  const dir = await mkdtemp(join(tmpdir(), "wa-diff-"));
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    style: { color: false },
  };
  try {
    let code: number;
    try {
      code = await diffCommand(
        {
          ...(sides.baseline ? credentials("baseline", sides.baseline) : {}),
          ...credentials("candidate", sides.candidate),
          ...(sides.baseline2 ? credentials("baseline2", sides.baseline2) : {}),
          reportDir: dir,
          ...flags,
        },
        env,
        output,
      );
    } catch (error) {
      code = exitCodeFor(error);
      err.push((error as Error).message);
    }
    let report: DiffReport | undefined;
    try {
      report = JSON.parse(await readFile(join(dir, "diff.json"), "utf8")) as DiffReport;
    } catch {
      report = undefined;
    }
    const files: Record<string, string> = {};
    for (const name of ["diff.md", "diff.html", "diff-junit.xml"]) {
      try {
        files[name] = await readFile(join(dir, name), "utf8");
      } catch {
        // Not written under this --reporter.
      }
    }
    return { code, out: out.join("\n"), err: err.join("\n"), report, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every remaining difference as "case-id step kind where", for exact assertions. */
export function differenceKeys(report: DiffReport | undefined): string[] {
  return (report?.cases ?? []).flatMap((comparison) =>
    comparison.differences.map(
      (difference) =>
        `${comparison.id} ${difference.step ?? "-"} ${difference.kind}${difference.where === undefined ? "" : ` ${difference.where}`}`,
    ),
  );
}

export const contractPromise: Promise<Contract> = loadContract();
