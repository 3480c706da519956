// Runs the whole matrix (or chosen cases) against one target in its profile, concurrently, and rolls up requirements.
import type { Case } from "../cases/case-types.js";
import { NumberAllocator } from "../cases/case-vars.js";
import { implicitChecks } from "../checks/index.js";
import { type Contract, loadContract, type ProfileName } from "../contract/contract.js";
import { schemasFor } from "../contract/schema-validator.js";
import { sendRequest, TransportError } from "../http/send.js";
import { isPlainObject } from "../json-text.js";
import { TargetUnreachableError } from "./errors.js";
import type { CaseResult, ProfileRun, RequirementOutcome, Verdict } from "./results.js";
import { worstVerdict } from "./results.js";
import { BODY_RETENTION_CHARS, type RunContext, runCase } from "./run-case.js";
import { loginRequest, Session } from "./session.js";
import { HookStateProvider, type StateProvider } from "./states.js";
import { StaticStateProvider } from "./static-states.js";
import type { TargetConfig } from "./target.js";

export { TargetUnreachableError } from "./errors.js";

export interface MatrixOptions {
  /** Called as each case ends (progress output, vitest reporting). */
  onResult?: (result: CaseResult) => void;
  allocator?: NumberAllocator;
  /**
   * Report cases of other profiles as SKIP instead of leaving them out: for cases the user named, whose
   * absence from the results would otherwise go unexplained.
   */
  reportOtherProfiles?: boolean;
  /**
   * Only some cases were chosen (--case): the requirement roll-up covers the requirements those cases name,
   * so requirements no chosen case could exercise do not count as unexercised.
   */
  subset?: boolean;
  /** The budget of large bodies kept whole, shared by every matrix of one run (default: a fresh one). */
  retention?: { left: number };
}

export function stateProviderFor(target: TargetConfig): StateProvider {
  return target.stateUrl
    ? new HookStateProvider(target.stateUrl, target)
    : new StaticStateProvider(target.states, target.concurrency, target.profile);
}

/** Everything a case needs to run against a target; made once per target and profile. */
export function createRunContext(
  contract: Contract,
  target: TargetConfig,
  allocator?: NumberAllocator,
  retention: { left: number } = { left: BODY_RETENTION_CHARS },
): RunContext {
  return {
    contract,
    schemas: schemasFor(contract),
    target,
    session: new Session(target, contract),
    states: stateProviderFor(target),
    implicitChecks: implicitChecks(contract),
    allocator: allocator ?? new NumberAllocator(),
    targetStates: new Map(),
    retention,
  };
}

/**
 * Makes sure something answers at the target's URL before any case runs, so an unreachable target is one
 * clear error (exit 3) rather than a matrix of ERRORs. Any HTTP answer at all counts as reachable: the probe is
 * the contract's login without credentials (`contract` defaults to the kit's own).
 */
export async function probeTarget(
  target: TargetConfig,
  contract?: Pick<Contract, "session" | "operations">,
): Promise<void> {
  const request = loginRequest(contract ?? (await loadContract()));
  try {
    await sendRequest(target.url, request, { timeoutMs: target.timeoutMs, insecure: target.insecure });
  } catch (error) {
    if (error instanceof TransportError) {
      throw new TargetUnreachableError(`the target ${target.url} is unreachable: ${error.message}`);
    }
    throw error;
  }
}

/** Runs `work` over the items with at most `concurrency` at once. */
export async function runPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Runs the cases `concurrency` at once, except those that touch target-wide settings: they run alone, after the
 * others, so they cannot disturb them. A run and a diff both order their cases so.
 */
export async function runExclusiveLast(
  cases: Case[],
  concurrency: number,
  work: (testCase: Case) => Promise<void>,
): Promise<void> {
  await runPool(
    cases.filter((testCase) => !testCase.exclusive),
    concurrency,
    work,
  );
  await runPool(
    cases.filter((testCase) => testCase.exclusive),
    1,
    work,
  );
}

export async function runMatrix(
  contract: Contract,
  cases: Case[],
  target: TargetConfig,
  options: MatrixOptions = {},
): Promise<ProfileRun> {
  const startedAt = new Date().toISOString();
  const context = createRunContext(contract, target, options.allocator, options.retention);
  await logInOnce(context);
  const results = new Map<Case, CaseResult>();
  const record = (testCase: Case, result: CaseResult) => {
    results.set(testCase, result);
    options.onResult?.(result);
  };
  const run = async (testCase: Case) => record(testCase, await runCase(testCase, target.profile, context));
  const selected = options.reportOtherProfiles
    ? cases
    : cases.filter((testCase) => testCase.profiles.includes(target.profile));
  await runExclusiveLast(selected, target.concurrency, run);
  await tearDownTargetStates(context);
  const ordered = cases
    .map((testCase) => results.get(testCase))
    .filter((r): r is CaseResult => r !== undefined);
  return {
    profile: target.profile,
    targetName: target.name,
    targetUrl: target.url,
    targetVersion: reportedVersion(ordered),
    stateAccess: context.states.description,
    results: ordered,
    requirements: rollUpRequirements(contract, target.profile, ordered, options.subset ?? false),
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Logs the admin in before any case, so bad credentials are one clear error instead of a matrix of ERRORs. */
export async function logInOnce(context: RunContext): Promise<void> {
  try {
    await context.session.adminToken();
  } catch (error) {
    if (error instanceof TransportError) {
      throw new TargetUnreachableError(
        `the target ${context.target.url} did not answer the login: ${error.message}`,
      );
    }
    throw error;
  }
}

export async function tearDownTargetStates(context: RunContext): Promise<void> {
  for (const [name, outcome] of context.targetStates) {
    if ((await outcome).kind === "ready") {
      await context.states.teardown(name, {});
    }
  }
}

/** meta.version as the target reported it in the first answer that has one. */
export function reportedVersion(results: CaseResult[]): string | undefined {
  for (const result of results) {
    for (const exchange of result.exchanges) {
      const body = exchange.response.json;
      if (isPlainObject(body) && isPlainObject(body.meta) && typeof body.meta.version === "string") {
        return body.meta.version;
      }
    }
  }
  return undefined;
}

/** The verdict per requirement of the profile: the worst of its cases' outcomes on it, or UNEXERCISED. */
export function rollUpRequirements(
  contract: Contract,
  profile: ProfileName,
  results: CaseResult[],
  subset = false,
): RequirementOutcome[] {
  const ran = results.filter((result) => result.verdict !== "SKIP" && result.verdict !== "ERROR");
  const named = new Set(
    results.flatMap((result) => result.requirements.map((requirement) => requirement.id)),
  );
  const sentAnything = results.some((result) => result.exchanges.length > 0);
  // Requirements every exchange is checked against, whatever case sent it.
  const IMPLICIT_REQUIREMENTS = new Set(implicitChecks(contract).map((check) => check.requirement));
  return contract.requirements
    .filter((requirement) => requirement.profiles.includes(profile))
    .filter(
      (requirement) =>
        !subset || named.has(requirement.id) || (sentAnything && IMPLICIT_REQUIREMENTS.has(requirement.id)),
    )
    .map((requirement) => {
      const implicit = IMPLICIT_REQUIREMENTS.has(requirement.id);
      const names = (result: CaseResult) =>
        implicit ? result.exchanges.length > 0 : result.requirements.some((r) => r.id === requirement.id);
      const exercisedBy = ran.filter(names).map((result) => result.id);
      const notExercisedBy = results
        .filter((result) => !ran.includes(result) && result.requirements.some((r) => r.id === requirement.id))
        .map((result) => result.id);
      const outcomes: Verdict[] = ran.filter(names).map((result) => {
        const failures = result.failures.filter((failure) => failure.requirement === requirement.id);
        if (failures.length > 0) {
          return requirement.level === "MUST" ? "FAIL" : "WARN";
        }
        return result.observations.some((observation) => observation.requirement === requirement.id)
          ? "INFO"
          : "PASS";
      });
      return {
        requirement,
        profile,
        exercisedBy,
        notExercisedBy,
        verdict: worstVerdict(outcomes) ?? "UNEXERCISED",
      };
    });
}
