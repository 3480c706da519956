// Runs one case against one target in one profile: states, requests, checks, verdict. Knows no case by name.
import type { Case, Expectation, RequestSpec, Step } from "../cases/case-types.js";
import {
  type CaseVars,
  initialVars,
  type NumberAllocator,
  render,
  withDerivedVars,
} from "../cases/case-vars.js";
import { firstError } from "../checks/check.js";
import { type ImplicitCheck, runExpectation } from "../checks/index.js";
import type { Contract, Operation, ProfileName } from "../contract/contract.js";
import type { ContractSchemas } from "../contract/schema-validator.js";
import { stateVariables } from "../contract/state-config.js";
import type { Exchange, OutgoingRequest } from "../exchange.js";
import { sendRequest, TransportError } from "../http/send.js";
import type { CaseResult, Failure, Observation, Verdict } from "./results.js";
import type { Session } from "./session.js";
import { defaultStateParams, type StateActions, type StateOutcome, type StateProvider } from "./states.js";
import type { TargetConfig } from "./target.js";

export interface RunContext {
  contract: Contract;
  schemas: ContractSchemas;
  target: TargetConfig;
  session: Session;
  states: StateProvider;
  allocator: NumberAllocator;
  /** Target-wide states are set up once per run and shared by the cases that need them. */
  targetStates: Map<string, Promise<StateOutcome>>;
  /** The checks every exchange gets: each requirement of the contract that names one. */
  implicitChecks: ImplicitCheck[];
  /** Characters of large answer bodies the run may still keep whole once judged (see `retainJudged`). */
  retention: { left: number };
}

/** Characters of large bodies one run keeps whole after judging them; past it, only their start is kept. */
export const BODY_RETENTION_CHARS = 16 * 1024 * 1024;

class Stop extends Error {
  constructor(
    readonly verdict: Verdict,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export async function runCase(
  testCase: Case,
  profile: ProfileName,
  context: RunContext,
): Promise<CaseResult> {
  const started = performance.now();
  const result: CaseResult = {
    id: testCase.id,
    description: testCase.description,
    profile,
    // The requirements this case checks in this profile (a case may carry both profiles' expectations).
    requirements: testCase.requirements
      .map((id) => context.contract.requirementById.get(id))
      .filter((requirement) => requirement !== undefined)
      .filter((requirement) => requirement.profiles.includes(profile) || !testCase.profiles.includes(profile))
      .map((requirement) => ({ id: requirement.id, level: requirement.level })),
    verdict: "PASS",
    failures: [],
    observations: [],
    exchanges: [],
    durationMs: 0,
  };
  const finish = (verdict: Verdict, reason?: string): CaseResult => {
    result.verdict = verdict;
    if (reason !== undefined) {
      result.reason = reason;
    }
    result.durationMs = Math.round(performance.now() - started);
    return result;
  };
  if (!testCase.profiles.includes(profile)) {
    return finish("SKIP", `applies to the ${testCase.profiles.join(" and ")} profile, not ${profile}`);
  }
  const setUp: { name: string; params: Record<string, string> }[] = [];
  try {
    let vars = initialVars(context.allocator, testCase.vars);
    vars = await setUpStates(testCase, vars, context, setUp);
    for (const [index, step] of testCase.steps.entries()) {
      const stepFailures = await runStep(step, index + 1, profile, vars, context, result);
      if (stepFailures.some((failure) => failure.level === "MUST") && index < testCase.steps.length - 1) {
        // Later steps build on this one; what they would show is no longer about their own requirement.
        break;
      }
    }
  } catch (error) {
    if (error instanceof Stop) {
      return finish(error.verdict, error.reason);
    }
    if (error instanceof TransportError) {
      return finish("ERROR", `${error.kind}: ${error.message}`);
    }
    return finish("ERROR", `the kit failed on this case: ${(error as Error).message}`);
  } finally {
    for (const state of setUp.reverse()) {
      await context.states.teardown(state.name, state.params);
    }
  }
  const firstFailure = (level: string) => result.failures.find((failure) => failure.level === level);
  const must = firstFailure("MUST");
  if (must) {
    return finish("FAIL", `${must.requirement}: expected ${must.expected}, received ${must.received}`);
  }
  const should = firstFailure("SHOULD");
  if (should) {
    return finish("WARN", `${should.requirement}: expected ${should.expected}, received ${should.received}`);
  }
  if (result.observations.length > 0) {
    return finish("INFO", result.observations.map((observation) => observation.summary).join("; "));
  }
  return finish("PASS");
}

async function setUpStates(
  testCase: Case,
  initial: CaseVars,
  context: RunContext,
  setUp: { name: string; params: Record<string, string> }[],
): Promise<CaseVars> {
  let vars = initial;
  const actions = stateActions(context);
  for (const ref of testCase.states) {
    const spec = context.contract.providerStates.get(ref.name);
    if (!spec) {
      throw new Stop("ERROR", `unknown provider state ${ref.name}`);
    }
    const params = ref.params ? render(ref.params, vars) : defaultStateParams(spec.params, vars);
    let outcome: StateOutcome;
    if (spec.scope === "target") {
      let shared = context.targetStates.get(ref.name);
      if (!shared) {
        shared = context.states.setup(ref.name, params, vars, actions);
        context.targetStates.set(ref.name, shared);
      }
      outcome = await shared;
    } else {
      outcome = await context.states.setup(ref.name, params, vars, actions);
      if (outcome.kind === "ready") {
        // Teardown names what setup made (the user the hook created), so it cannot undo another case's state.
        setUp.push({ name: ref.name, params: { ...params, ...outcome.values } });
      }
    }
    if (outcome.kind === "unreachable") {
      throw new Stop("SKIP", outcome.reason);
    }
    if (outcome.kind === "error") {
      throw new Stop("ERROR", outcome.reason);
    }
    const settable = stateVariables(spec);
    const answered = Object.fromEntries(
      Object.entries(outcome.values).filter(([key]) => settable.includes(key)),
    );
    vars = withDerivedVars({ ...vars, ...answered });
  }
  return vars;
}

/** Requests a static state sends: an operation of the contract, as the admin, with a JSON body. */
function stateActions(context: RunContext): StateActions {
  return {
    contract: context.contract,
    send: async (operationId, body) => {
      const operation = context.contract.operations.get(operationId);
      if (operation === undefined) {
        throw new Error(`the contract has no operation ${operationId}`);
      }
      const auth = await context.session.authorization("admin", {});
      if (auth.kind === "unavailable") {
        throw new Error(auth.reason);
      }
      const { response } = await sendRequest(
        context.target.url,
        {
          method: operation.method.toUpperCase(),
          path: operation.path,
          headers: {
            "content-type": "application/json",
            ...(auth.value ? { authorization: auth.value } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
        { timeoutMs: context.target.timeoutMs, insecure: context.target.insecure },
      );
      return { status: response.status, headers: response.headers };
    },
  };
}

function resolveRoute(
  spec: RequestSpec,
  contract: Contract,
): { method: string; path: string; operation?: Operation } {
  if (spec.operation !== undefined) {
    const operation = contract.operations.get(spec.operation);
    if (!operation) {
      throw new Stop("ERROR", `unknown operation ${spec.operation}`);
    }
    return { method: operation.method.toUpperCase(), path: operation.path, operation };
  }
  return { method: spec.method ?? "GET", path: spec.path ?? "/" };
}

async function buildRequest(
  spec: RequestSpec,
  vars: CaseVars,
  context: RunContext,
  operation: Operation | undefined,
  route: { method: string; path: string },
): Promise<{ outgoing: OutgoingRequest; body: unknown }> {
  const mode = spec.auth ?? (operation?.security === "basic" ? "basic-admin" : "admin");
  const auth = await context.session.authorization(mode, vars);
  if (auth.kind === "unavailable") {
    throw new Stop("SKIP", auth.reason);
  }
  const headers: Record<string, string> = { accept: "application/json" };
  if (auth.value !== undefined) {
    headers.authorization = auth.value;
  }
  let body: unknown;
  let text: string | undefined;
  if (spec.rawBody !== undefined) {
    text = render(spec.rawBody, vars);
  } else if (spec.body !== undefined) {
    body = render(spec.body, vars);
    text = JSON.stringify(body);
  }
  if (text !== undefined && spec.contentType !== null) {
    headers["content-type"] = spec.contentType ?? "application/json";
  }
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    headers[name.toLowerCase()] = render(value, vars);
  }
  return {
    outgoing: {
      method: route.method,
      path: route.path,
      headers,
      ...(text === undefined ? {} : { body: text }),
    },
    body,
  };
}

/** Whether every status a matcher allows is a success (2xx). */
function onlySuccess(matcher: Expectation["status"]): boolean {
  if (matcher === undefined) {
    return false;
  }
  const options = Array.isArray(matcher) ? matcher : [matcher];
  return options.every((option) =>
    typeof option === "number" ? option >= 200 && option < 300 : option === "2xx",
  );
}

/**
 * The oracle on the case itself: a body meant to be rejected must violate the contract, and a body meant to
 * be accepted (every status expectation is a 2xx) must conform, so a bad case never blames the target.
 */
function verifyBodyIntent(
  step: Step,
  body: unknown,
  applicable: Expectation[],
  context: RunContext,
  operation: Operation | undefined,
): void {
  if (!operation?.requestSchema || step.request.body === undefined) {
    return;
  }
  const statuses = applicable.filter((group) => group.status !== undefined && !group.observe);
  const expectsSuccess = statuses.length > 0 && statuses.every((group) => onlySuccess(group.status));
  const conforms = step.bodyConforms ?? (expectsSuccess ? true : undefined);
  if (conforms === undefined) {
    return;
  }
  const issues = context.schemas.checkRequest(operation, body);
  if (conforms && issues.length > 0) {
    throw new Stop(
      "ERROR",
      `the case sends a body that must be accepted but violates the contract (${issues
        .map((issue) => issue.message)
        .join("; ")}); fix the case or the state data`,
    );
  }
  if (!conforms && issues.length === 0) {
    throw new Stop(
      "ERROR",
      "the case sends a body that must be rejected but conforms to the contract; fix the case",
    );
  }
}

async function runStep(
  step: Step,
  stepNumber: number,
  profile: ProfileName,
  vars: CaseVars,
  context: RunContext,
  result: CaseResult,
): Promise<Failure[]> {
  const route = resolveRoute(step.request, context.contract);
  const applicable = step.expect
    .filter((group) => context.contract.requirementById.get(group.requirement)?.profiles.includes(profile))
    .map((group) => render(group, vars));
  const { outgoing, body } = await buildRequest(step.request, vars, context, route.operation, route);
  verifyBodyIntent(step, body, applicable, context, route.operation);
  const exchange: Exchange = await sendRequest(context.target.url, outgoing, {
    timeoutMs: context.target.timeoutMs,
    insecure: context.target.insecure,
    closeIsAnswer: step.request.refusableByClose === true,
  });
  result.exchanges.push(exchange);
  const checkContext = {
    contract: context.contract,
    schemas: context.schemas,
    operation: route.operation,
    requestBody: body,
    response: exchange.response,
  };
  const failures: Failure[] = [];
  const addFailure = (
    requirement: string,
    failure: { check: string; expected: string; received: string },
  ) => {
    const level = context.contract.requirementById.get(requirement)?.level ?? "MUST";
    failures.push({ requirement, level, ...failure, step: stepNumber });
  };
  for (const group of applicable) {
    if (group.observe) {
      result.observations.push(observe(group.requirement, stepNumber, exchange));
      continue;
    }
    for (const failure of runExpectation(group, checkContext)) {
      addFailure(group.requirement, failure);
    }
  }
  // A closed connection sent no status, header or body for the every-exchange checks to judge.
  for (const implicit of exchange.response.closed ? [] : context.implicitChecks) {
    if (!context.contract.requirementById.get(implicit.requirement)?.profiles.includes(profile)) {
      continue;
    }
    const failure = implicit.run(checkContext);
    if (failure) {
      addFailure(implicit.requirement, failure);
    }
  }
  result.failures.push(...failures);
  retainJudged(exchange, context.retention);
  return failures;
}

/** Past this, a judged body is large: its parsed value is dropped, and its text counts against the budget. */
const LARGE_BODY_CHARS = 64 * 1024;
/**
 * What is kept of a large body once the budget is spent: more than the reports show (64 KiB), so that a secret
 * straddling their cut is still whole in what is kept and gets redacted.
 */
const KEPT_START_CHARS = 128 * 1024;

/**
 * A judged exchange stays in the results until the reports are written, which show at most 64 KiB of a body.
 * Kept whole, a target that answers megabytes to every request would make a run hold hundreds of MB: so a large
 * body loses its parsed value (the checks have used it), and once the run's budget is spent only its start is kept,
 * with its size.
 */
function retainJudged(exchange: Exchange, retention: { left: number }): void {
  const { response } = exchange;
  if (response.bodyText.length <= LARGE_BODY_CHARS) {
    return;
  }
  response.json = undefined;
  if (response.bodyText.length <= retention.left) {
    retention.left -= response.bodyText.length;
    return;
  }
  response.bodyBytes = Buffer.byteLength(response.bodyText);
  response.bodyText = response.bodyText.slice(0, KEPT_START_CHARS);
}

function observe(requirement: string, step: number, exchange: Exchange): Observation {
  const { response } = exchange;
  const code = firstError(response)?.code;
  if (response.closed) {
    return { requirement, step, summary: "the connection closed without an answer" };
  }
  return {
    requirement,
    step,
    summary: `status ${response.status}${code === undefined ? "" : `, errors[0].code ${JSON.stringify(code)}`}`,
  };
}
