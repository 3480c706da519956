// Maps each expectation key of a case to its check, and each every-exchange check to the requirements naming it.
import type { Expectation, ExpectationCheckKey } from "../cases/case-types.js";
import { type Contract, ContractError } from "../contract/contract.js";
import { checkAbsentFields, checkCarriesMeta, checkMeta, checkMetaOnly } from "./body-shape.js";
import { type Check, type CheckContext, type CheckFailure, showAnswer } from "./check.js";
import { checkContentType, checkJsonBodyLabelled } from "./content-type.js";
import { checkEnvelope } from "./envelope.js";
import { checkErrorCode } from "./error-code.js";
import { checkErrorDetails } from "./error-details.js";
import { checkAllTitlesCanonical, checkCanonicalTitle } from "./error-title.js";
import { checkNoServerError } from "./no-server-error.js";
import { checkResponseSchema } from "./response-schema.js";
import { checkRefused, checkStatus } from "./status.js";
import { checkVname, checkVnameMatchesCert } from "./vname.js";

export type { CheckContext, CheckFailure } from "./check.js";

type CheckedKey = ExpectationCheckKey;

/** One check per expectation key; the order is the order failures are reported in. */
const EXPECTATION_CHECKS: { [K in CheckedKey]-?: Check<NonNullable<Expectation[K]>> } = {
  status: checkStatus,
  refused: checkRefused,
  contentType: checkContentType,
  envelope: checkEnvelope,
  errorCode: checkErrorCode,
  canonicalTitle: checkCanonicalTitle,
  errorDetails: checkErrorDetails,
  vnameMatchesCert: checkVnameMatchesCert,
  vname: checkVname,
  meta: checkMeta,
  metaOnly: checkMetaOnly,
  absentFields: checkAbsentFields,
  responseSchema: (_expected, context) => checkResponseSchema("strict", context),
};

/** The expectation keys that are checks, in the order failures are reported in. */
export const EXPECTATION_KEYS = Object.keys(EXPECTATION_CHECKS) as readonly ExpectationCheckKey[];

/**
 * Runs every check an expectation group names; returns the failures. A closed connection has no status, header
 * or body to judge: only a refusal check can hold, and the first other check reports the close once.
 */
export function runExpectation(expectation: Expectation, context: CheckContext): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(EXPECTATION_CHECKS) as CheckedKey[]) {
    const expected = expectation[key];
    if (expected === undefined) {
      continue;
    }
    const check = EXPECTATION_CHECKS[key] as Check<typeof expected>;
    const failure = check(expected, context);
    if (failure && context.response.closed) {
      failures.push({ ...failure, received: showAnswer(context.response) });
      break;
    }
    if (failure) {
      failures.push(failure);
    }
  }
  return failures;
}

/** One check applied to every exchange, whatever the case. */
export type EveryExchangeCheck = (context: CheckContext) => CheckFailure | undefined;

/**
 * The every-exchange checks by the name a requirement of the contract gives in `check` (x-requirements); the
 * order is the order failures are reported in. The ids they judge are the contract's, never restated here.
 */
export const EVERY_EXCHANGE_CHECKS: Readonly<Record<string, EveryExchangeCheck>> = {
  noServerError: (context) => checkNoServerError(true, context),
  jsonBodyLabelled: (context) => checkJsonBodyLabelled(true, context),
  responseSchema: (context) => checkResponseSchema("implicit", context),
  carriesMeta: (context) => checkCarriesMeta(true, context),
  allTitlesCanonical: (context) => checkAllTitlesCanonical(true, context),
};

/** An every-exchange check tied to the requirement of the contract that names it. */
export interface ImplicitCheck {
  requirement: string;
  run: EveryExchangeCheck;
}

/**
 * The checks every exchange gets under a contract: each requirement that names a check, in the order of
 * EVERY_EXCHANGE_CHECKS. A requirement naming no check of the kit is an error of the contract, not a check skipped.
 */
export function implicitChecks(contract: Pick<Contract, "requirements">): ImplicitCheck[] {
  const unknown = contract.requirements.filter(
    (requirement) =>
      requirement.check !== undefined && !Object.hasOwn(EVERY_EXCHANGE_CHECKS, requirement.check),
  );
  if (unknown.length > 0) {
    throw new ContractError(
      unknown
        .map(
          (requirement) =>
            `requirement ${requirement.id} names the check ${requirement.check}, which the kit does not have (it has ${Object.keys(EVERY_EXCHANGE_CHECKS).join(", ")})`,
        )
        .join("; "),
    );
  }
  return Object.entries(EVERY_EXCHANGE_CHECKS).flatMap(([name, run]) =>
    contract.requirements
      .filter((requirement) => requirement.check === name)
      .map((requirement) => ({ requirement: requirement.id, run })),
  );
}
