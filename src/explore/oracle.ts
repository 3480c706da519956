// Judges one answer against the model's branches: MUST facts pick the branch, SHOULD facts of it are then checked; levels come from the ledger.
import type { Contract, Level } from "../contract/contract.js";
import type { IncomingResponse } from "../exchange.js";
import { isPlainObject } from "../json-text.js";
import type { Branch, Fact, ModelState, StatusRule } from "./model.js";

export interface Divergence {
  requirement: string;
  level: Level;
  expected: string;
  received: string;
}

export interface Judgement {
  /** The branch the answer matched on its MUST facts; undefined when it matched none. */
  branch: Branch | undefined;
  /** The branch the divergences are reported against (the matched one, or the closest when none matched). */
  reported: Branch | undefined;
  divergences: Divergence[];
  next: ModelState;
}

/** The requirement's level in the ledger; a model naming an id the ledger lacks is a bug of explore. */
export function levelOf(contract: Contract, requirement: string): Level {
  const found = contract.requirementById.get(requirement);
  if (found === undefined) {
    throw new Error(`explore's model names requirement ${requirement}, which the contract's ledger lacks`);
  }
  return found.level;
}

function statusHolds(rule: StatusRule, status: number): boolean {
  const rules = Array.isArray(rule) ? rule : [rule];
  return rules.some((item) =>
    item === "4xx"
      ? status >= 400 && status < 500
      : item === "2xx"
        ? status >= 200 && status < 300
        : item === status,
  );
}

const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : undefined);
const field = (value: unknown, name: string): unknown => (isPlainObject(value) ? value[name] : undefined);

function describe(fact: Fact): string {
  const parts: string[] = [];
  if (fact.status !== undefined) {
    parts.push(`status ${Array.isArray(fact.status) ? fact.status.join(" or ") : fact.status}`);
  }
  if (fact.errorCodes !== undefined) {
    parts.push(`errors[0].code ${fact.errorCodes.join(" or ")}`);
  }
  if (fact.vname !== undefined) {
    parts.push(`account[0].vname ${JSON.stringify(fact.vname)}`);
  }
  if (fact.token) {
    parts.push("users[0].token");
  }
  return parts.join(", ");
}

/** What of the answer the fact looks at, for the report. */
function received(fact: Fact, response: IncomingResponse): string {
  const parts = [`status ${response.status}`];
  const json = response.json;
  if (fact.errorCodes !== undefined) {
    parts.push(`errors[0].code ${JSON.stringify(field(first(field(json, "errors")), "code")) ?? "absent"}`);
  }
  if (fact.vname !== undefined) {
    const vname = field(first(field(json, "account")), "vname");
    parts.push(`account[0].vname ${vname === undefined ? "absent" : JSON.stringify(vname)}`);
  }
  if (fact.token) {
    parts.push(
      `users[0].token ${typeof field(first(field(json, "users")), "token") === "string" ? "present" : "absent"}`,
    );
  }
  return parts.join(", ");
}

/** Whether the answer shows the fact: status, errors[0].code, account[0].vname compared code point for code point. */
export function factHolds(fact: Fact, response: IncomingResponse): boolean {
  const json = response.json;
  if (fact.status !== undefined && !statusHolds(fact.status, response.status)) {
    return false;
  }
  if (fact.errorCodes !== undefined) {
    const code = field(first(field(json, "errors")), "code");
    if (typeof code !== "number" || !fact.errorCodes.includes(code)) {
      return false;
    }
  }
  if (fact.vname !== undefined && field(first(field(json, "account")), "vname") !== fact.vname) {
    return false;
  }
  if (fact.token) {
    const token = field(first(field(json, "users")), "token");
    if (typeof token !== "string" || token === "") {
      return false;
    }
  }
  return true;
}

const NO_5XX = "no-5xx-for-client-input";

/** Judges an answer. MAY facts are never judged; a 5xx always breaks no-5xx-for-client-input. */
export function judge(contract: Contract, branches: Branch[], response: IncomingResponse): Judgement {
  const divergenceOf = (fact: Fact): Divergence => ({
    requirement: fact.requirement,
    level: levelOf(contract, fact.requirement),
    expected: describe(fact),
    received: received(fact, response),
  });
  const server = response.status >= 500 ? [divergenceOf({ requirement: NO_5XX, status: "4xx" })] : [];
  const scored = branches.map((branch) => {
    const broken = branch.facts.filter((fact) => !factHolds(fact, response));
    return {
      branch,
      must: broken.filter((fact) => levelOf(contract, fact.requirement) === "MUST"),
      should: broken.filter((fact) => levelOf(contract, fact.requirement) === "SHOULD"),
    };
  });
  const matched = scored.find((entry) => entry.must.length === 0);
  if (matched !== undefined) {
    return {
      branch: matched.branch,
      reported: matched.branch,
      divergences: [...server, ...matched.should.map(divergenceOf)],
      next: matched.branch.next,
    };
  }
  // No branch holds: report the first whose status held (it broke on a code or the vname), else the first the
  // model lists, which is the answer it expects most.
  const statusHeld = scored.find((entry) =>
    entry.must.every((fact) => fact.status === undefined || statusHolds(fact.status, response.status)),
  );
  const closest = statusHeld ?? (scored[0] as (typeof scored)[number]);
  return {
    branch: undefined,
    reported: closest.branch,
    divergences: [...server, ...closest.must.map(divergenceOf)],
    next: closest.branch.next,
  };
}
