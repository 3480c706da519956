// The steps of a sequence as fast-check commands: each predicts with the model, sends to the target(s), judges, and fails the run on a divergence.
import fc from "fast-check";
import { otherSixDigits } from "../cases/case-vars.js";
import { type Contract, requireOperation } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import type { TargetDriver } from "./execute.js";
import { bodyFor } from "./execute.js";
import { type CertInput, type ContractLimits, certInputs, encodeCert, pins } from "./inputs.js";
import {
  type Branch,
  type Fact,
  type ModelState,
  type PinChoice,
  predictDisableTwoStep,
  predictEnableTwoStep,
  predictLogin,
  predictRequestCode,
  predictVerify,
} from "./model.js";
import { type Divergence, judge, levelOf } from "./oracle.js";

/** A code no target issues: letters, where every code issued so far was digits. */
export const WRONG_CODE = "no-such-code";

/** One number of a sequence on one target. */
export interface SlotNumber {
  cc: string;
  phone_number: string;
}

/** A difference between two targets' answers to the same step (differential mode). */
export interface StepDifference {
  aspect: string;
  pointer?: string;
  baseline: string;
  candidate: string;
}

/** One step as it ran: what was sent, what came back from each target, and how it was judged. */
export interface StepRecord {
  index: number;
  title: string;
  operation: string;
  /** The body sent to the first target (the baseline in differential mode). */
  body: Record<string, string> | undefined;
  /** What the body's values stand for, for the written case: "code" of a state, a slot's number. */
  bodyVars: Record<string, string>;
  exchanges: Exchange[];
  /** The model's allowed answers (their facts) and the one the answer matched. */
  branches: Branch[];
  matched: string | undefined;
  /** The branch the step is judged against: the matched one, else the closest (the case file writes its facts). */
  reported: string | undefined;
  divergences: Divergence[];
  differences: StepDifference[];
}

/** The per-run state of the real side: the drivers, the numbers and codes each target gave, the trace. */
export interface ExploreReal {
  contract: Contract;
  drivers: TargetDriver[];
  /** numbers[driver][slot] */
  numbers: SlotNumber[][];
  /** The code-sent state's code per driver (one per sequence at most), by slot. */
  codes: Map<number, string>[];
  /** Codes spent on the first target and their twins on the others. */
  twins: Map<string, string[]>;
  trace: StepRecord[];
  strict: boolean;
  /** Compares two targets' answers; undefined in model mode. */
  compare: ((baseline: Exchange, candidate: Exchange) => StepDifference[]) | undefined;
}

export interface ExploreModelBox {
  state: ModelState;
}

/** A step that broke what the run fails on: its divergences (or differences) are in the trace's last record. */
export class DivergenceFound extends Error {
  override name = "DivergenceFound";
}

type ExploreCommand = fc.AsyncCommand<ExploreModelBox, ExploreReal>;

function failing(record: StepRecord, strict: boolean): boolean {
  return (
    record.differences.length > 0 ||
    record.divergences.some((d) => d.level === "MUST" || (strict && d.level === "SHOULD"))
  );
}

/** Sends the step to every target, judges the first with the model, compares the others with it. */
async function runStep(
  m: ExploreModelBox,
  r: ExploreReal,
  title: string,
  operation: string,
  branches: Branch[],
  bodies: (driver: number) => Record<string, string> | undefined,
  bodyVars: Record<string, string>,
): Promise<void> {
  const exchanges: Exchange[] = [];
  for (const [index, driver] of r.drivers.entries()) {
    exchanges.push(await driver.send(operation, bodies(index)));
  }
  const primary = exchanges[0] as Exchange;
  const judgement = judge(r.contract, branches, primary.response);
  m.state = judgement.next;
  const differences =
    r.compare === undefined
      ? []
      : exchanges
          .slice(1)
          .flatMap((candidate) => (r.compare as NonNullable<ExploreReal["compare"]>)(primary, candidate));
  const record: StepRecord = {
    index: r.trace.length + 1,
    title,
    operation,
    body: bodies(0),
    bodyVars,
    exchanges,
    branches,
    matched: judgement.branch?.label,
    reported: judgement.reported?.label,
    // In differential mode the model only steers the sequence; the targets are judged against each other.
    divergences: r.compare === undefined ? judgement.divergences : [],
    differences,
  };
  r.trace.push(record);
  if (failing(record, r.strict)) {
    throw new DivergenceFound(`step ${record.index} (${title}) diverged`);
  }
}

class RequestCodeCommand implements ExploreCommand {
  constructor(
    readonly slot: number,
    readonly method: string,
    readonly cert: CertInput,
    readonly pin: PinChoice,
  ) {}

  check(): boolean {
    return true;
  }

  async run(m: ExploreModelBox, r: ExploreReal): Promise<void> {
    const state = m.state.slots[this.slot];
    // A pin goes only to a number with two-step on: what a pin does otherwise is the target's choice (a MAY).
    const pin: PinChoice = state?.pin === undefined ? "none" : this.pin;
    const pinValue =
      pin === "none" ? undefined : pin === "right" ? state?.pin : otherSixDigits(state?.pin ?? "");
    const cert = encodeCert(this.cert);
    const branches = predictRequestCode(m.state, {
      slot: this.slot,
      method: this.method,
      pin,
      vname: this.cert.vname,
    });
    const operation = requireOperation(r.contract, "requestCode");
    const bodies = (driver: number) => {
      const number = r.numbers[driver]?.[this.slot] as SlotNumber;
      return bodyFor(operation, { ...number, method: this.method, cert, pin: pinValue });
    };
    const bodyVars: Record<string, string> = { slot: String(this.slot) };
    if (pin === "right") {
      bodyVars.pin = "pin";
    }
    await runStep(m, r, this.toString(), "requestCode", branches, bodies, bodyVars);
  }

  toString(): string {
    return `requestCode(number ${this.slot}, ${this.method}, pin ${this.pin}, ${this.cert.layout} cert of ${JSON.stringify(this.cert.vname).slice(0, 40)})`;
  }
}

/** Which code a verify sends: the pending code of the pick-th number that has one, one already spent, or a wrong one. */
export type CodeChoice = { kind: "own"; pick: number } | { kind: "spent"; index: number } | { kind: "wrong" };

/** The slot of the pick-th number with a known pending code. */
function slotWithCode(state: ModelState, pick: number): number | undefined {
  const slots = state.slots.flatMap((slot, index) => (slot.code === undefined ? [] : [index]));
  return slots.length === 0 ? undefined : slots[pick % slots.length];
}

class VerifyCommand implements ExploreCommand {
  constructor(readonly choice: CodeChoice) {}

  check(m: Readonly<ExploreModelBox>): boolean {
    switch (this.choice.kind) {
      case "own":
        return slotWithCode(m.state, this.choice.pick) !== undefined;
      case "spent":
        return m.state.spent.length > 0;
      case "wrong":
        return true;
    }
  }

  async run(m: ExploreModelBox, r: ExploreReal): Promise<void> {
    const codes = r.drivers.map((_, driver) => this.#code(m, r, driver));
    const code = codes[0] as string;
    const branches = predictVerify(m.state, code);
    const bodyVars: Record<string, string> = this.choice.kind === "wrong" ? {} : { code: "code" };
    await runStep(
      m,
      r,
      this.toString(),
      "verifyAccount",
      branches,
      (driver) => ({ code: codes[driver] as string }),
      bodyVars,
    );
    if (m.state.spent.includes(code) && !r.twins.has(code)) {
      r.twins.set(code, codes.slice(1));
    }
  }

  #code(m: ExploreModelBox, r: ExploreReal, driver: number): string {
    switch (this.choice.kind) {
      case "own": {
        const slot = slotWithCode(m.state, this.choice.pick) as number;
        const value = m.state.slots[slot]?.code?.value as string;
        return driver === 0 ? value : (r.codes[driver]?.get(slot) ?? value);
      }
      case "spent": {
        const value = m.state.spent[this.choice.index % m.state.spent.length] as string;
        return driver === 0 ? value : (r.twins.get(value)?.[driver - 1] ?? value);
      }
      case "wrong":
        return WRONG_CODE;
    }
  }

  toString(): string {
    return this.choice.kind === "own"
      ? "verify(a pending code)"
      : this.choice.kind === "spent"
        ? "verify(a code already used)"
        : "verify(a wrong code)";
  }
}

/** The two-step settings act on the client's account: only sent when the model knows which number that is. */
class EnableTwoStepCommand implements ExploreCommand {
  constructor(readonly pin: string) {}

  check(m: Readonly<ExploreModelBox>): boolean {
    return m.state.profile === "registration-open" && m.state.account !== undefined;
  }

  async run(m: ExploreModelBox, r: ExploreReal): Promise<void> {
    const branches = predictEnableTwoStep(m.state, this.pin);
    const body = bodyFor(requireOperation(r.contract, "enableTwoStep"), { pin: this.pin });
    await runStep(m, r, this.toString(), "enableTwoStep", branches, () => body, {});
  }

  toString(): string {
    return "enableTwoStep(pin)";
  }
}

class DisableTwoStepCommand implements ExploreCommand {
  check(m: Readonly<ExploreModelBox>): boolean {
    return m.state.profile === "registration-open" && m.state.account !== undefined;
  }

  async run(m: ExploreModelBox, r: ExploreReal): Promise<void> {
    await runStep(
      m,
      r,
      this.toString(),
      "disableTwoStep",
      predictDisableTwoStep(m.state),
      () => undefined,
      {},
    );
  }

  toString(): string {
    return "disableTwoStep()";
  }
}

/** A fresh admin login through the runner's Session; later steps use its token. */
class LoginCommand implements ExploreCommand {
  check(): boolean {
    return true;
  }

  async run(m: ExploreModelBox, r: ExploreReal): Promise<void> {
    const branches = predictLogin(m.state);
    const fact = branches[0]?.facts[0] as Fact;
    const outcomes = [];
    for (const driver of r.drivers) {
      outcomes.push(driver.canLogIn() ? await driver.login() : { token: "given", error: undefined });
    }
    const divergences: Divergence[] = [];
    const differences: StepDifference[] = [];
    const primary = outcomes[0];
    if (primary?.error !== undefined && r.compare === undefined) {
      divergences.push({
        requirement: fact.requirement,
        level: levelOf(r.contract, fact.requirement),
        expected: "status 200, users[0].token",
        received: primary.error,
      });
    }
    for (const other of outcomes.slice(1)) {
      if ((other.error === undefined) !== (primary?.error === undefined)) {
        differences.push({
          aspect: "login",
          baseline: primary?.error ?? "logged in",
          candidate: other.error ?? "logged in",
        });
      }
    }
    const record: StepRecord = {
      index: r.trace.length + 1,
      title: this.toString(),
      operation: "login",
      body: undefined,
      bodyVars: {},
      exchanges: [],
      branches,
      matched: divergences.length === 0 ? branches[0]?.label : undefined,
      reported: branches[0]?.label,
      divergences,
      differences,
    };
    r.trace.push(record);
    if (failing(record, r.strict)) {
      throw new DivergenceFound(`step ${record.index} (login) diverged`);
    }
  }

  toString(): string {
    return "login()";
  }
}

/** The arbitraries of every step explore may take, over `slotCount` numbers. */
export function commandArbitraries(
  limits: ContractLimits,
  slotCount: number,
  canLogIn: boolean,
): fc.Arbitrary<ExploreCommand>[] {
  const slot = fc.nat({ max: slotCount - 1 });
  const requestCode = fc
    .record({
      slot,
      method: fc.constantFrom(...limits.methods),
      cert: certInputs(limits),
      pin: fc.constantFrom<PinChoice>("none", "right", "wrong"),
    })
    .map(({ slot: s, method, cert, pin }) => new RequestCodeCommand(s, method, cert, pin) as ExploreCommand);
  const verify = fc
    .oneof(
      { arbitrary: slot.map((pick): CodeChoice => ({ kind: "own", pick })), weight: 3 },
      { arbitrary: fc.nat({ max: 7 }).map((index): CodeChoice => ({ kind: "spent", index })), weight: 1 },
      { arbitrary: fc.constant<CodeChoice>({ kind: "wrong" }), weight: 1 },
    )
    .map((choice) => new VerifyCommand(choice) as ExploreCommand);
  const arbitraries: fc.Arbitrary<ExploreCommand>[] = [
    requestCode,
    requestCode,
    requestCode,
    verify,
    verify,
    pins(limits).map((pin) => new EnableTwoStepCommand(pin) as ExploreCommand),
    fc.constant(new DisableTwoStepCommand() as ExploreCommand),
  ];
  if (canLogIn) {
    arbitraries.push(fc.constant(new LoginCommand() as ExploreCommand));
  }
  return arbitraries;
}
