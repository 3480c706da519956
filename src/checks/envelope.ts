// Checks that an error body is the contract's envelope: {errors: [{code, title, ...}], meta?}.
import type { Check } from "./check.js";
import { showBody } from "./check.js";

export const checkEnvelope: Check<true> = (_expected, { response, schemas, contract }) => {
  const schema = contract.document.components?.schemas?.ErrorResponse;
  if (!response.isJson || !schema) {
    return {
      check: "envelope",
      expected: 'the error envelope {"errors":[{"code":…,"title":…}]}',
      received: showBody(response),
    };
  }
  const issues = schemas.check(schema, response.json);
  return issues.length === 0
    ? undefined
    : {
        check: "envelope",
        expected: 'the error envelope {"errors":[{"code":…,"title":…}]}',
        received: `${showBody(response)} (${issues.map((issue) => issue.message).join("; ")})`,
      };
};
