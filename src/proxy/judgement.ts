// What the proxy finds about one exchange: judgements that each name a requirement of the ledger, at the level the ledger gives it.
import type { CheckFailure } from "../checks/index.js";
import type { Contract, Level } from "../contract/contract.js";

/** Whose conduct a judgement is about: the client's request, or the server's answer. */
export type Side = "client" | "server";

export interface Judgement {
  requirement: string;
  /** Read from the ledger: MUST fails, SHOULD warns, MAY is information. */
  level: Level;
  side: Side;
  /** The check, prefixed with its side ("request.schema", "answer.status", "state.registered"). */
  check: string;
  expected: string;
  received: string;
}

/** The requirements an exchange was judged against and what broke them. */
export class Findings {
  /** Every requirement judged on the exchange, broken or not, in the order first judged. */
  readonly judged = new Set<string>();
  readonly broken: Judgement[] = [];

  constructor(readonly contract: Contract) {}

  /** Records that `requirement` was judged; a failure, when given, broke it. Throws for an id not in the ledger. */
  judge(requirement: string, side: Side, failure: CheckFailure | undefined): void {
    const entry = this.contract.requirementById.get(requirement);
    if (entry === undefined) {
      // A judge naming a requirement the ledger lacks is a bug of the kit, never the traffic's fault.
      throw new Error(`the proxy judges ${requirement}, which is not in the contract's x-requirements`);
    }
    this.judged.add(requirement);
    if (failure !== undefined) {
      this.broken.push({ requirement, level: entry.level, side, ...failure });
    }
  }
}
