// A planted-bug target that also leaks secrets, and a CLI run against it that writes reports: shared by report tests.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ReferenceRequest,
  type ReferenceResponse,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

/** An admin password no other text of a report could hold by chance. */
export const ADMIN_PASSWORD = "Planted-Admin-Pw-7c1e";

/**
 * Fields of the contract marked x-sensitive, and the shape of a real value of each: the kit's deliberately
 * invalid values ("abcdef", "not base64!") are named in case descriptions, so they are not secrets to look for.
 */
const SENSITIVE_REQUEST_FIELDS: Record<string, RegExp> = {
  pin: /^[0-9]{6}$/,
  cert: /^[A-Za-z0-9+/]{40,}={0,2}$/,
  code: /^[0-9]{6}$/,
  new_password: /^.{8,}$/,
};

export interface PlantedTarget {
  reference: RunningReference;
  /** Every secret that crossed the wire, with its kind: token, password, pin, cert, code, new_password. */
  secrets: Map<string, string>;
}

const fieldsOf = (body: unknown): Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/**
 * The reference with planted bugs (a new number's code request answers 200 instead of 202; a login answers
 * no expires_after; GET /v1/account answers text/plain) and leaks of every kind the redactor must catch: the
 * token in a failed check's Received body, in a non-JSON body and a Set-Cookie, the admin password in free
 * text, a PIN echoed in error details.
 */
export async function startPlantedTarget(): Promise<PlantedTarget> {
  const secrets = new Map<string, string>([[ADMIN_PASSWORD, "password"]]);
  const remember = (req: ReferenceRequest): string | undefined => {
    const authorization = String(req.headers.authorization ?? "");
    const bearer = /^Bearer (\S+)$/.exec(authorization)?.[1];
    if (bearer && bearer.length >= 16) {
      secrets.set(bearer, "token");
    }
    const basic = /^Basic (\S+)$/.exec(authorization)?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const password = decoded.slice(decoded.indexOf(":") + 1);
      // The kit's deliberately wrong passwords are secrets too, once sent.
      if (password.length >= 6) {
        secrets.set(password, "password");
      }
    }
    for (const [field, shape] of Object.entries(SENSITIVE_REQUEST_FIELDS)) {
      const value = fieldsOf(req.body)[field];
      if (typeof value === "string" && shape.test(value)) {
        secrets.set(value, field);
      }
    }
    return bearer;
  };
  const rewrite = (req: ReferenceRequest, res: ReferenceResponse): ReferenceResponse | undefined => {
    const bearer = remember(req);
    const body = fieldsOf(res.body);
    if (req.path === "/v1/users/login" && res.status === 200) {
      const users = body.users as { token?: string }[] | undefined;
      const token = users?.[0]?.token;
      if (token) {
        secrets.set(token, "token");
        // Planted: no expires_after, so the login case fails and its Received quotes the body, token and all.
        return {
          ...res,
          headers: { ...res.headers, "set-cookie": `session=${token}; Path=/; HttpOnly` },
          body: { ...body, users: [{ token }] },
        };
      }
    }
    if (req.method === "GET" && req.path === "/v1/account") {
      return {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: `debug dump: bearer=${bearer ?? "none"} admin password ${ADMIN_PASSWORD}`,
      };
    }
    if (req.method === "POST" && req.path === "/v1/account" && res.status === 202) {
      return { ...res, status: 200 };
    }
    const pin = fieldsOf(req.body).pin;
    const errors = body.errors as Record<string, unknown>[] | undefined;
    if (typeof pin === "string" && errors?.[0]) {
      const first = { ...errors[0], details: `${String(errors[0].details ?? "")} (the pin sent was ${pin})` };
      return { ...res, body: { ...body, errors: [first, ...errors.slice(1)] } };
    }
    return undefined;
  };
  const reference = await startReference({
    admin: { username: "admin", password: ADMIN_PASSWORD },
    rewriteAnswer: rewrite,
  });
  return { reference, secrets };
}

import { type CliRun, runCli } from "../support/cli.js";

export { type CliRun, runCli };

/** `run` against a started target with its hook, the admin's credentials, and reports into `dir`. */
export function runAgainst(reference: RunningReference, dir: string, extra: string[] = []): Promise<CliRun> {
  return runCli([
    "run",
    "--target",
    reference.url,
    "--username",
    "admin",
    "--password",
    ADMIN_PASSWORD,
    "--state-url",
    reference.stateUrl ?? "",
    "--report-dir",
    dir,
    ...extra,
  ]);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wa-${prefix}-`));
}

/** Every file in a directory, by name, as text. */
export function readAll(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]));
}
