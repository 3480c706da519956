// Starts the planted bugs' variants of the reference on loopback and runs the case matrix against them, verdict by case id.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Case } from "../../src/cases/case-types.js";
import {
  type Contract,
  ContractError,
  type ProfileName,
  requireOperation,
} from "../../src/contract/contract.js";
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
import {
  type Delay,
  type PlantedBug,
  PlantedBugError,
  type ReferencePlant,
  type StateChange,
  type StaticPlant,
} from "./planted-bug-data.js";

export type Verdicts = Map<string, Verdict>;

/** Verdicts that mean the suites noticed something: a bug is caught when one of them appears. */
export const ALARMS: ReadonlySet<Verdict> = new Set<Verdict>(["FAIL", "WARN", "ERROR"]);

/** The kit's own default for a loopback reference: generous, since only hang variants ever wait for it. */
export const DEFAULT_RUN_TIMEOUT_MS = 5_000;
const CONCURRENCY = 16;

interface Started {
  url: string;
  stateUrl: string;
  close(): Promise<void>;
}

/** Whether a request is the operation's (its path, and its method unless any method is meant). */
function matcherFor(
  contract: Contract,
  operationId: string | undefined,
): (method: string, path: string) => boolean {
  if (operationId === undefined) {
    return () => true;
  }
  const operation = requireOperation(contract, operationId);
  const method = operation.method.toUpperCase();
  return (requestMethod, path) => requestMethod === method && path === operation.path;
}

/** How many ms later to answer each API request; undefined when the plant answers at once. */
function delayFor(
  contract: Contract,
  delay: Delay | undefined,
): ((method: string, path: string) => number) | undefined {
  if (delay === undefined) {
    return undefined;
  }
  if ("ms" in delay) {
    const applies = matcherFor(contract, delay.operation);
    return (method, path) => (applies(method, path) ? delay.ms : 0);
  }
  // A server whose worker pool is saturated: each request waits longer the more are in flight (itself included).
  let inFlight = 0;
  return () => {
    inFlight += 1;
    const wait = Math.min(delay.perInFlightMs * inFlight, delay.maxMs);
    // Counted until the answer is due: the front hands the request to the reference once the delay is over.
    setTimeout(() => {
      inFlight -= 1;
    }, wait);
    return wait;
  };
}

async function postState(stateUrl: string, change: StateChange): Promise<void> {
  const response = await fetch(stateUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ state: change.state, params: change.params ?? {}, action: "setup" }),
    signal: AbortSignal.timeout(DEFAULT_RUN_TIMEOUT_MS),
  });
  if (!response.ok) {
    throw new Error(`the hook refused ${change.state}: ${response.status} ${await response.text()}`);
  }
}

/**
 * Serves the reference with the plant's options and tweaks on 127.0.0.1, behind a thin front that can hold an
 * API request (`delay`), set up a provider state first (`stateBefore`) or close the connection once answered
 * (`closeAfterAnswer`): what the reference's own tweaks cannot do.
 */
export async function startVariant(
  contract: Contract,
  profile: ProfileName,
  plant: ReferencePlant,
): Promise<Started> {
  const options: ReferenceOptions = {
    ...plant.options,
    profile,
    tweaks: {
      ...(plant.skip === undefined ? {} : { skip: plant.skip }),
      ...(plant.switches === undefined ? {} : { switches: plant.switches }),
      ...(plant.rewrite === undefined ? {} : { rewrite: plant.rewrite }),
    },
  };
  const handle = createReferenceHandler(contract, options);
  const delayOf = delayFor(contract, plant.delay);
  const stateBefore = plant.stateBefore;
  const before = stateBefore === undefined ? undefined : matcherFor(contract, stateBefore.operation);
  const closeAbove = plant.closeAfterAnswer?.contentLengthAbove;
  let stateUrl = "";
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (closeAbove !== undefined && Number(req.headers["content-length"] ?? 0) > closeAbove) {
      // A plain destroy with unread bytes in the socket sends a reset, as such servers do.
      res.once("finish", () => req.socket.destroy());
    }
    const delay = path === PROVIDER_STATE_PATH ? 0 : (delayOf?.(method, path) ?? 0);
    if (stateBefore !== undefined && before?.(method, path)) {
      // The request's body waits unread in the socket while the state changes.
      postState(stateUrl, stateBefore).then(
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

const verdictsOf = (run: Awaited<ReturnType<typeof runMatrix>>): Verdicts =>
  new Map(run.results.map((result) => [result.id, result.verdict]));

/** Runs every case of the profile against a freshly started variant of the reference; the verdict of each case. */
export async function runReferencePlant(
  contract: Contract,
  cases: Case[],
  profile: ProfileName,
  plant: ReferencePlant,
): Promise<Verdicts> {
  const started = await startVariant(contract, profile, plant);
  try {
    const target = targetFor(started.url, profile, {
      stateUrl: started.stateUrl,
      ...(plant.timeoutMs === undefined ? {} : { timeoutMs: plant.timeoutMs }),
    });
    return verdictsOf(await runMatrix(contract, cases, target));
  } finally {
    await started.close();
  }
}

/**
 * Runs the static plant's cases against the reference as a static target: the kit knows no hook and reaches the
 * states from `states`, as for a vendor's server; the harness prepared `setup` beforehand. `planted` false is the
 * control, the reference answering right; true adds the planted response.
 */
export async function runStaticPlant(
  contract: Contract,
  cases: Case[],
  profile: ProfileName,
  plant: StaticPlant,
  planted: boolean,
): Promise<Verdicts> {
  const started = await startVariant(contract, profile, {
    ...(plant.options === undefined ? {} : { options: plant.options }),
    ...(planted ? { rewrite: plant.respond } : {}),
  });
  try {
    for (const change of plant.setup ?? []) {
      await postState(started.stateUrl, change);
    }
    const selected = cases.filter((testCase) => plant.cases.includes(testCase.id));
    const target = targetFor(started.url, profile, {
      states: plant.states ?? {},
      ...(plant.timeoutMs === undefined ? {} : { timeoutMs: plant.timeoutMs }),
    });
    return verdictsOf(await runMatrix(contract, selected, target));
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
    return verdictsOf(await runMatrix(contract, cases, target));
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

export const hasAlarm = (verdicts: Iterable<Verdict>): boolean =>
  [...verdicts].some((verdict) => ALARMS.has(verdict));

/** What one planted bug did to the verdicts. */
export interface Observation {
  /** The cases whose verdict differs from the unmodified reference (static: from the control run). */
  changes: Record<string, Verdict>;
  /** Some case raised an alarm it does not raise without the bug. */
  caught: boolean;
  /** Static bugs: the control run's verdicts, all of which must pass. */
  control?: Record<string, Verdict>;
}

/**
 * Runs one bug (and, static, its control) and compares with the baseline of its profile. A plant the reference
 * refuses (an unknown operation, a bad pointer) is a PlantedBugError naming the bug and its file.
 */
export async function observeBug(
  contract: Contract,
  cases: Case[],
  bug: PlantedBug,
  baseline: (profile: ProfileName) => Promise<Verdicts>,
): Promise<Observation> {
  try {
    return await observePlant(contract, cases, bug, baseline);
  } catch (error) {
    if (error instanceof RangeError || error instanceof ContractError) {
      throw new PlantedBugError(`${bug.id} (${bug.source}): ${error.message}`);
    }
    throw error;
  }
}

async function observePlant(
  contract: Contract,
  cases: Case[],
  bug: PlantedBug,
  baseline: (profile: ProfileName) => Promise<Verdicts>,
): Promise<Observation> {
  if (bug.static !== undefined) {
    const [control, planted] = await Promise.all([
      runStaticPlant(contract, cases, bug.profile, bug.static, false),
      runStaticPlant(contract, cases, bug.profile, bug.static, true),
    ]);
    const changes = differences(control, planted);
    return {
      changes,
      caught: hasAlarm(Object.values(changes)) && !hasAlarm(control.values()),
      control: Object.fromEntries(control),
    };
  }
  const observed = await runReferencePlant(contract, cases, bug.profile, bug.reference ?? {});
  const changes = differences(await baseline(bug.profile), observed);
  return { changes, caught: hasAlarm(Object.values(changes)) };
}
