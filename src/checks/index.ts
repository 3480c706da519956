// Maps each expectation key of a case to its check, and lists the checks applied to every exchange.
import type { Expectation, ExpectationCheckKey } from "../cases/case-types.js";
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

/** Checks every exchange gets, whatever the case, each tied to its requirement in the contract. */
export const IMPLICIT_CHECKS: {
  requirement: string;
  run: (context: CheckContext) => CheckFailure | undefined;
}[] = [
  { requirement: "no-5xx-for-client-input", run: (context) => checkNoServerError(true, context) },
  { requirement: "json-body-has-json-content-type", run: (context) => checkJsonBodyLabelled(true, context) },
  {
    requirement: "responses-match-contract-schema",
    run: (context) => checkResponseSchema("implicit", context),
  },
  { requirement: "responses-carry-meta", run: (context) => checkCarriesMeta(true, context) },
  { requirement: "error-titles-are-canonical", run: (context) => checkAllTitlesCanonical(true, context) },
];
