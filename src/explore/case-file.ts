// Writes a shrunk failing sequence as a ready case file in the fixtures format, to add to the matrix as a regression case.

import { CORE_SCHEMA, dump } from "js-yaml";
import type { Contract } from "../contract/contract.js";
import { type StepRecord, WRONG_CODE } from "./commands.js";
import type { ExploreFailure, SequenceSetup } from "./explore.js";
import { SLOTS } from "./explore.js";
import type { Fact, StatusRule } from "./model.js";

type Expectation = Record<string, unknown> & { requirement: string };

/** The number template of a slot: the case's fresh ordinary number, or its toll-free one. */
const numberTemplate = (slot: number): string =>
  SLOTS[slot]?.group === 1 ? "{{toll_free_number}}" : "{{phone_number}}";

function expectationOf(fact: Fact): Expectation {
  const expectation: Expectation = { requirement: fact.requirement };
  if (fact.status !== undefined) {
    expectation.status = fact.status;
  }
  if (fact.errorCodes !== undefined) {
    expectation.errorCode = fact.errorCodes.length === 1 ? fact.errorCodes[0] : fact.errorCodes;
  }
  if (fact.vname !== undefined) {
    // The cert var decodes to exactly this name: the check compares code point for code point.
    expectation.vnameMatchesCert = true;
  }
  return expectation;
}

const statuses = (rule: StatusRule | undefined): (number | string)[] =>
  rule === undefined ? [] : Array.isArray(rule) ? rule : [rule];

/**
 * The expectations of a step: the facts of the branch it was judged against (the answer the contract allowed
 * that the target gave, or the closest one where it diverged). A step the model could not judge by itself (its
 * answer matched no single branch) keeps only what all allowed answers share: a status among theirs.
 */
function expectationsOf(step: StepRecord): Expectation[] {
  const branch = step.branches.find((candidate) => candidate.label === step.reported);
  if (branch !== undefined) {
    return branch.facts.filter((fact) => Object.keys(expectationOf(fact)).length > 1).map(expectationOf);
  }
  const requirement = step.branches[0]?.facts[0]?.requirement;
  if (requirement === undefined) {
    return [];
  }
  const union = [...new Set(step.branches.flatMap((candidate) => statuses(candidate.facts[0]?.status)))];
  return [{ requirement, status: union.length === 1 ? union[0] : union }];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The case's id: the requirement broken, the seed, the length; at most 80 characters like every case id. */
function caseId(requirement: string, seed: number, length: number): string {
  const tail = `explored-${seed}-${length}`;
  return `${slug(requirement).slice(0, 80 - tail.length - 1)}-${tail}`.replace(/^-/, "");
}

/** A failure as a case document (`{cases: [case]}`) the kit's loader reads. */
export function failureCase(
  contract: Contract,
  failure: ExploreFailure,
  seed: number,
  profile: string,
): { cases: Record<string, unknown>[] } {
  const setup: SequenceSetup = failure.setup;
  const last = failure.trace[failure.trace.length - 1];
  const broken = last?.divergences[0]?.requirement ?? last?.branches[0]?.facts[0]?.requirement ?? "explore";
  if (!contract.requirementById.has(broken)) {
    throw new Error(`a written case would name requirement ${broken}, which the ledger lacks`);
  }
  const vars: Record<string, string> = { cc: setup.ccs[0] as string };
  const states = setup.states.flatMap((name, slot) =>
    name === "number-unregistered"
      ? []
      : [
          {
            name,
            params: {
              cc: setup.ccs[SLOTS[slot]?.cc ?? 0] as string,
              phone_number: numberTemplate(slot),
              ...(name === "two-step-enabled" ? { pin: setup.pin } : {}),
            },
          },
        ],
  );
  const steps = failure.trace.map((step) => {
    const request: Record<string, unknown> = { operation: step.operation };
    if (step.operation === "login") {
      request.auth = "basic-admin";
    } else if (step.body !== undefined) {
      const body: Record<string, string> = { ...step.body };
      if (step.operation === "requestCode") {
        const slot = Number(step.bodyVars.slot);
        body.phone_number = numberTemplate(slot);
        const certVar = `cert_${step.index}`;
        vars[certVar] = step.body.cert as string;
        body.cert = `{{${certVar}}}`;
      }
      if (step.operation === "verifyAccount" && step.body.code !== WRONG_CODE) {
        body.code = "{{code}}";
      }
      request.body = body;
    }
    const expect = expectationsOf(step);
    return {
      title: step.title.slice(0, 200),
      request,
      expect:
        expect.length > 0 ? expect : [{ requirement: "no-5xx-for-client-input", status: ["2xx", "4xx"] }],
    };
  });
  const description = `keeps ${broken} after a ${steps.length}-step sequence`.slice(0, 80);
  return {
    cases: [
      {
        id: caseId(broken, seed, steps.length),
        description: description.length >= 10 ? description : `${description} (explored)`,
        comment: `Found by explore --seed ${seed} and shrunk to ${steps.length} steps (${failure.shrinks} shrinks).`,
        profiles: [profile],
        vars,
        ...(states.length > 0 ? { states } : {}),
        exclusive: true,
        steps,
      },
    ],
  };
}

/** The case document as YAML text. */
export function failureCaseYaml(document: { cases: Record<string, unknown>[] }): string {
  // Long lines kept whole (a cert folded over lines still reads back, but a reviewer cannot grep it).
  return dump(document, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true });
}
