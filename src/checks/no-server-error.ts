// Checks that the target did not answer a 5xx, which client input must never cause.
import type { Check } from "./check.js";
import { showBody } from "./check.js";

export const checkNoServerError: Check<true> = (_expected, { response }) =>
  response.status < 500
    ? undefined
    : {
        check: "noServerError",
        expected: "a status below 500",
        received: `status ${response.status} with ${showBody(response)}`,
      };
