// Runs explore: fast-check generates sequences from a seed, runs each against the target(s) with the model as judge, and shrinks a failure.
import fc from "fast-check";
import { NumberAllocator } from "../cases/case-vars.js";
import { encodeCertificate } from "../cert/certificate.js";
import type { Contract, ProfileName } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import type { TargetConfig } from "../runner/target.js";
import {
  commandArbitraries,
  DivergenceFound,
  type ExploreModelBox,
  type ExploreReal,
  type SlotNumber,
  type StepDifference,
  type StepRecord,
} from "./commands.js";
import { TargetDriver } from "./execute.js";
import { contractLimits, countryCodes, pins } from "./inputs.js";
import { applyNumberState, initialState, NUMBER_STATES, type NumberStateName } from "./model.js";

/**
 * The numbers of a sequence: two of the same digits under two country codes (a target must keep them apart), and
 * a toll-free one. `group` 0 takes the allocator's ordinary number, 1 its toll-free one.
 */
export const SLOTS = [
  { cc: 0, group: 0 },
  { cc: 0, group: 1 },
  { cc: 1, group: 0 },
] as const;

/** Steps per sequence at most, unless asked otherwise. */
export const DEFAULT_MAX_STEPS = 16;

/** How a sequence starts: its country codes, and the provider state each number is put into first. */
export interface SequenceSetup {
  ccs: string[];
  states: NumberStateName[];
  pin: string;
}

export interface ExploreOptions {
  contract: Contract;
  /** One target (judged by the model) or two (baseline then candidate, compared with each other). */
  targets: TargetConfig[];
  seed: number;
  runs: number;
  /**
   * Stop after this long: no new sequence starts, and a failure found is reported shrunk as far as the time
   * allowed (fast-check's interruptAfterTimeLimit). Only a guard: verdicts come from the seed and the runs.
   */
  budgetMs: number;
  /** Steps per sequence at most. */
  maxSteps?: number;
  strict?: boolean;
  /** The target's SMS limit when known; otherwise the model learns what the answers say of it. */
  smsLimit?: number;
  /** Differential mode: how two answers to one step differ. */
  compare?: (baseline: Exchange, candidate: Exchange) => StepDifference[];
  /** After each sequence (progress output). */
  onSequence?: (done: number, steps: number) => void;
}

export interface ExploreFailure {
  setup: SequenceSetup;
  /** The shrunk sequence as it ran: its last step is the one that diverged. */
  trace: StepRecord[];
  shrinks: number;
}

export interface ExploreOutcome {
  mode: "model" | "differential";
  seed: number;
  profile: ProfileName;
  /** Sequences run, shrinking included, and the steps they took. */
  sequences: number;
  steps: number;
  /** Sequences fast-check generated before it stopped (runs asked, or fewer when the budget ran out). */
  generated: number;
  interrupted: boolean;
  durationMs: number;
  failure: ExploreFailure | undefined;
  /** SHOULD divergences of sequences that did not fail (without --strict they warn). */
  warnings: { sequence: number; step: StepRecord }[];
}

/** The number states a target can be put into: all through a hook, what its static data allows otherwise. */
export function reachableNumberStates(target: TargetConfig): NumberStateName[] {
  if (target.profile === "sunset") {
    return ["number-unregistered"];
  }
  if (target.stateUrl !== undefined) {
    return [...NUMBER_STATES];
  }
  const states = target.states;
  const reachable: NumberStateName[] = ["number-unregistered"];
  if (states["code-sent"] !== undefined) {
    reachable.push("code-sent");
    // Only the kit's own numbers: fixed numbers from the config would carry state from one sequence to the next.
    if (states["number-registered"] === undefined) {
      reachable.push("number-registered");
    }
    if (states["two-step-enabled"] === undefined && target.concurrency === 1) {
      reachable.push("two-step-enabled");
    }
  }
  if (states["sms-attempts-exhausted"] !== undefined) {
    reachable.push("sms-attempts-exhausted");
  }
  return reachable;
}

/** A cert for the states that request a code themselves (a static target reaching code-sent). */
const STATE_CERT = encodeCertificate({ vname: "Acme Plumbing Co" });

export async function runExplore(options: ExploreOptions): Promise<ExploreOutcome> {
  const { contract, targets } = options;
  const first = targets[0];
  if (first === undefined) {
    throw new Error("explore needs a target");
  }
  const started = performance.now();
  const limits = contractLimits(contract);
  const drivers = targets.map((target) => new TargetDriver(contract, target));
  for (const driver of drivers) {
    await driver.start();
  }
  if (first.profile === "sunset") {
    for (const driver of drivers) {
      await driver.setup("registration-blocked", {}, []);
    }
  }
  const reachable = targets.map(reachableNumberStates).reduce((a, b) => a.filter((name) => b.includes(name)));
  const allocator = new NumberAllocator();
  const paramsOf = (state: string) => contract.providerStates.get(state)?.params ?? [];

  const setupArbitrary: fc.Arbitrary<SequenceSetup> = fc
    .record({
      ccs: countryCodes(limits, 2),
      states: fc.tuple(
        ...SLOTS.map(() =>
          fc.oneof(
            { arbitrary: fc.constant<NumberStateName>("number-unregistered"), weight: 3 },
            { arbitrary: fc.constantFrom(...reachable), weight: 2 },
          ),
        ),
      ),
      pin: pins(limits),
    })
    // One code-sent and one two-step-enabled per sequence at most: each answers one {{code}} / {{pin}} of a case.
    .filter(({ states }) => count(states, "code-sent") <= 1 && count(states, "two-step-enabled") <= 1);
  const commandsArbitrary = fc.commands(
    commandArbitraries(
      limits,
      SLOTS.length,
      drivers.every((driver) => driver.canLogIn()),
    ),
    { maxCommands: options.maxSteps ?? DEFAULT_MAX_STEPS, size: "+1" },
  );

  let sequences = 0;
  let steps = 0;
  let fatal: unknown;
  let failure: ExploreFailure | undefined;
  const warnings: ExploreOutcome["warnings"] = [];

  const startSequence = async (setup: SequenceSetup) => {
    const real: ExploreReal = {
      contract,
      drivers,
      numbers: [],
      codes: [],
      twins: new Map(),
      trace: [],
      strict: options.strict ?? false,
      compare: options.compare,
    };
    let model = initialState(first.profile, SLOTS.length, options.smsLimit);
    for (const [index, driver] of drivers.entries()) {
      const fresh = allocator.allocate();
      const groups = [fresh.phone_number, fresh.toll_free_number];
      const numbers: SlotNumber[] = SLOTS.map((slot) => ({
        cc: setup.ccs[slot.cc] as string,
        phone_number: groups[slot.group] as string,
      }));
      const codes = new Map<number, string>();
      for (const [slot, state] of setup.states.entries()) {
        if (state === "number-unregistered") {
          continue; // a fresh number is unregistered: the kit's own numbers are never reused
        }
        const number = numbers[slot] as SlotNumber;
        const vars = { ...number, pin: setup.pin, cert: STATE_CERT, method: "voice" };
        const values = await driver.setup(state, vars, paramsOf(state));
        numbers[slot] = {
          cc: values.cc ?? number.cc,
          phone_number: values.phone_number ?? number.phone_number,
        };
        if (values.code !== undefined) {
          codes.set(slot, values.code);
        }
        if (index === 0) {
          model = applyNumberState(model, slot, state, { pin: values.pin ?? setup.pin, code: values.code });
        }
      }
      real.numbers.push(numbers);
      real.codes.push(codes);
    }
    return { model: { state: model } as ExploreModelBox, real };
  };

  const property = fc.asyncProperty(setupArbitrary, commandsArbitrary, async (setup, commands) => {
    if (fatal !== undefined) {
      return;
    }
    let real: ExploreReal | undefined;
    try {
      await fc.asyncModelRun(async () => {
        const started = await startSequence(setup);
        real = started.real;
        return started;
      }, commands);
    } catch (error) {
      if (error instanceof DivergenceFound && real !== undefined) {
        // fast-check reports the last failing run as the counterexample, shrinking included: keep its trace.
        failure = { setup, trace: real.trace, shrinks: 0 };
        throw error;
      }
      fatal = error;
      return;
    } finally {
      sequences += 1;
      steps += real?.trace.length ?? 0;
      options.onSequence?.(sequences, steps);
    }
    for (const step of real?.trace ?? []) {
      if (step.divergences.length > 0) {
        warnings.push({ sequence: sequences, step });
      }
    }
  });

  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    plugins: [fc.interruptAfterTimeLimit(options.budgetMs)],
  });
  if (fatal !== undefined) {
    throw fatal;
  }
  if (failure !== undefined) {
    failure.shrinks = details.numShrinks;
  }
  return {
    mode: targets.length > 1 ? "differential" : "model",
    seed: options.seed,
    profile: first.profile,
    sequences,
    steps,
    generated: details.numRuns,
    interrupted: details.interrupted,
    durationMs: performance.now() - started,
    failure: details.failed ? failure : undefined,
    warnings,
  };
}

function count<T>(items: readonly T[], item: T): number {
  return items.filter((candidate) => candidate === item).length;
}
