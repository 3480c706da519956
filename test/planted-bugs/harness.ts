// Starts reference variants on loopback and runs the case matrix against them or a nock host, verdict by case id.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Case } from "../../src/cases/case-types.js";
import type { Contract, ProfileName } from "../../src/contract/contract.js";
import {
  createReferenceHandler,
  DEFAULT_ADMIN,
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  startReference,
} from "../../src/reference/index.js";
import type { Verdict } from "../../src/runner/results.js";
import { runMatrix } from "../../src/runner/run-matrix.js";
import type { StaticStates, TargetConfig } from "../../src/runner/target.js";
import { answerLogin, defaultLoginUser, type NockVariant } from "./nock-variants.js";
import type { ReferenceVariant } from "./reference-variants.js";

export type Verdicts = Map<string, Verdict>;

/** Verdicts that mean the suites noticed something: a variant is caught when one of them appears. */
export const ALARMS: ReadonlySet<Verdict> = new Set<Verdict>(["FAIL", "WARN", "ERROR"]);

/** The kit's own default for a loopback reference: generous, since only hang variants ever wait for it. */
export const DEFAULT_RUN_TIMEOUT_MS = 5_000;
/** nock answers in-process, so a fake host needs far less. */
const NOCK_TIMEOUT_MS = 2_000;
const CONCURRENCY = 16;

interface Started {
  url: string;
  stateUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the reference's handler on 127.0.0.1 behind a thin front that can hold an API request (`delayMs`), set
 * up a provider state first (`stateBefore`) or close the connection once answered (`closeAfterAnswer`): what the
 * reference's own tweaks cannot do.
 */
export async function startVariant(
  contract: Contract,
  variant: Pick<
    ReferenceVariant,
    "profile" | "tweaks" | "referenceOptions" | "delayMs" | "stateBefore" | "closeAfterAnswer"
  >,
): Promise<Started> {
  const options: ReferenceOptions = {
    ...variant.referenceOptions,
    profile: variant.profile,
    tweaks: variant.tweaks,
  };
  const handle = createReferenceHandler(contract, options);
  let stateUrl = "";
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (variant.closeAfterAnswer?.(req)) {
      // A plain destroy with unread bytes in the socket sends a reset, as such servers do.
      res.once("finish", () => req.socket.destroy());
    }
    const change = variant.stateBefore?.(method, path);
    const delay = path === PROVIDER_STATE_PATH ? 0 : (variant.delayMs?.(method, path) ?? 0);
    if (change !== undefined) {
      // The request's body waits unread in the socket while the state changes.
      fetch(stateUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...change, action: "setup" }),
      }).then(
        () => handle(req, res),
        () => res.destroy(),
      );
    } else if (delay > 0) {
      setTimeout(() => handle(req, res), delay);
    } else {
      handle(req, res);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stateUrl = `${url}${PROVIDER_STATE_PATH}`;
  return {
    url,
    stateUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // A "hang" variant leaves requests open; close must not wait for them.
        server.closeAllConnections();
      }),
  };
}

export function targetFor(
  url: string,
  profile: ProfileName,
  extra: { stateUrl?: string; states?: StaticStates; timeoutMs?: number; name?: string } = {},
): TargetConfig {
  return {
    url,
    profile,
    name: extra.name ?? url,
    username: DEFAULT_ADMIN.username,
    password: DEFAULT_ADMIN.password,
    ...(extra.stateUrl === undefined ? {} : { stateUrl: extra.stateUrl }),
    states: extra.states ?? {},
    timeoutMs: extra.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
    insecure: false,
    concurrency: CONCURRENCY,
    strict: false,
  };
}

/** Runs every case of the variant's profile against a freshly started variant; the verdict of each case by id. */
export async function runReferenceVariant(
  contract: Contract,
  cases: Case[],
  variant: Pick<
    ReferenceVariant,
    "profile" | "tweaks" | "referenceOptions" | "delayMs" | "stateBefore" | "closeAfterAnswer" | "timeoutMs"
  >,
): Promise<Verdicts> {
  const started = await startVariant(contract, variant);
  try {
    const target = targetFor(started.url, variant.profile, {
      stateUrl: started.stateUrl,
      ...(variant.timeoutMs === undefined ? {} : { timeoutMs: variant.timeoutMs }),
    });
    const run = await runMatrix(contract, cases, target);
    return new Map(run.results.map((result) => [result.id, result.verdict]));
  } finally {
    await started.close();
  }
}

/** The verdicts of the unmodified reference, started exactly as the kit's embedded target is. */
export async function runBaseline(
  contract: Contract,
  cases: Case[],
  profile: ProfileName,
): Promise<Verdicts> {
  const reference = await startReference({ profile });
  try {
    const target = targetFor(reference.url, profile, {
      ...(reference.stateUrl === undefined ? {} : { stateUrl: reference.stateUrl }),
    });
    const run = await runMatrix(contract, cases, target);
    return new Map(run.results.map((result) => [result.id, result.verdict]));
  } finally {
    await reference.close();
  }
}

/** The cases whose verdict differs from the baseline, with the verdict they got. */
export function differences(baseline: Verdicts, observed: Verdicts): Record<string, Verdict> {
  const diff: Record<string, Verdict> = {};
  for (const id of new Set([...baseline.keys(), ...observed.keys()])) {
    const verdict = observed.get(id);
    if (verdict !== baseline.get(id)) {
      // A case that vanished from the run would be a harness bug; report it as an ERROR so it shows.
      diff[id] = verdict ?? "ERROR";
    }
  }
  return diff;
}

/** Caught: at least one case raised an alarm it does not raise against the unmodified reference. */
export function isCaught(diff: Record<string, Verdict>): boolean {
  return Object.values(diff).some((verdict) => ALARMS.has(verdict));
}

/** Runs a nock variant's cases against its fake host, with the defect planted or (the control) answered right. */
export async function runNockVariant(
  contract: Contract,
  cases: Case[],
  variant: NockVariant,
  planted: boolean,
): Promise<Verdicts> {
  // One host per variant and mode, so concurrent runs never share an interceptor.
  const url = `http://${variant.name}${planted ? "" : "-control"}.planted-bug.test`;
  variant.intercept(url, planted);
  answerLogin(url, variant.loginUser?.(planted) ?? defaultLoginUser());
  const selected = cases.filter((testCase) => testCase.id in variant.expect);
  const target = targetFor(url, variant.profile, {
    ...(variant.states === undefined ? {} : { states: variant.states }),
    timeoutMs: variant.timeoutMs ?? NOCK_TIMEOUT_MS,
  });
  const run = await runMatrix(contract, selected, target);
  return new Map(run.results.map((result) => [result.id, result.verdict]));
}
