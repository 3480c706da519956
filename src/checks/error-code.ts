// Checks errors[0].code against one code or a set of allowed codes.
import type { Check } from "./check.js";
import { firstError, showBody } from "./check.js";

export const checkErrorCode: Check<number | number[]> = (expected, { response }) => {
  const allowed = Array.isArray(expected) ? expected : [expected];
  const code = firstError(response)?.code;
  if (typeof code === "number" && allowed.includes(code)) {
    return undefined;
  }
  return {
    check: "errorCode",
    expected: `errors[0].code ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`}`,
    received:
      code === undefined
        ? `no errors[0].code in ${showBody(response)}`
        : `errors[0].code ${JSON.stringify(code)}`,
  };
};
