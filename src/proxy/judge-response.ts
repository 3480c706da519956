// Server conformance: judges an answer with the kit's pure checks (status, envelope, schema, titles, meta, vname) and the refusal a faulty request is owed.

import type { CheckContext } from "../checks/check.js";
import { type ImplicitCheck, implicitChecks } from "../checks/index.js";
import { checkResponseSchema } from "../checks/response-schema.js";
import { checkRefused } from "../checks/status.js";
import { checkVnameMatchesCert } from "../checks/vname.js";
import type { Contract } from "../contract/contract.js";
import type { ResponseBody, Unvalidated } from "../contract/contract-types.js";
import { isPlainObject } from "../json-text.js";
import type { JudgedRequest } from "./judge-request.js";
import type { Findings } from "./judgement.js";

/** The requirement whose 202 carries the vname decoded from the cert sent. */
const VNAME_REQUIREMENT = "register-new-number-answers-202-with-vname";

/** The every-exchange checks the contract names, resolved once per contract rather than per exchange. */
const checksByContract = new WeakMap<Contract, ImplicitCheck[]>();
function everyExchangeChecks(contract: Contract): ImplicitCheck[] {
  let checks = checksByContract.get(contract);
  if (checks === undefined) {
    checks = implicitChecks(contract);
    checksByContract.set(contract, checks);
  }
  return checks;
}

const prefixed = <T extends { check: string }>(failure: T | undefined): T | undefined =>
  failure === undefined ? undefined : { ...failure, check: `answer.${failure.check}` };

/** Judges the answer; `context.operation` is undefined for a path outside the contract. */
export function judgeAnswer(findings: Findings, context: CheckContext, request: JudgedRequest): void {
  const { operation, response } = context;
  const bodyKnown = response.bodyBytes === undefined;
  for (const check of everyExchangeChecks(context.contract)) {
    if (!bodyKnown && check.requirement !== "no-5xx-for-client-input") {
      // Past the copy kept only the status can be judged: a cut body would fail every body check.
      continue;
    }
    findings.judge(check.requirement, "server", prefixed(check.run(context)));
  }
  if (operation === undefined) {
    return;
  }
  if (bodyKnown && !operation.responses.has(String(response.status))) {
    // A status the operation does not name must be an error in its `default` envelope: a success the
    // contract does not document is a body no client was built to read.
    findings.judge(
      "responses-match-contract-schema",
      "server",
      prefixed(checkResponseSchema("strict", context)),
    );
  }
  for (const requirement of request.refusedUnder) {
    findings.judge(requirement, "server", prefixed(checkRefused(true, context)));
  }
  const vnameOperation = findings.contract.requirementById.get(VNAME_REQUIREMENT)?.operation;
  const answered: Unvalidated<ResponseBody<"requestCode", 202>> | undefined = isPlainObject(response.json)
    ? response.json
    : undefined;
  if (
    operation.id === vnameOperation &&
    request.refusedUnder.length === 0 &&
    request.body !== undefined &&
    response.status >= 200 &&
    response.status <= 299 &&
    answered?.account !== undefined
  ) {
    findings.judge(VNAME_REQUIREMENT, "server", prefixed(checkVnameMatchesCert(true, context)));
  }
}
