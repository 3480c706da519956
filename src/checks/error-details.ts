// Checks errors[0].details for an exact text or a fragment.
import type { Check } from "./check.js";
import { firstError, show } from "./check.js";

export const checkErrorDetails: Check<{ equals?: string; contains?: string }> = (expected, { response }) => {
  const details = firstError(response)?.details;
  const text = typeof details === "string" ? details : undefined;
  const ok =
    text !== undefined &&
    (expected.equals === undefined || text === expected.equals) &&
    (expected.contains === undefined || text.includes(expected.contains));
  if (ok) {
    return undefined;
  }
  const wanted = [
    expected.equals === undefined ? undefined : `equal to ${show(expected.equals)}`,
    expected.contains === undefined ? undefined : `containing ${show(expected.contains)}`,
  ].filter(Boolean);
  return {
    check: "errorDetails",
    expected: `errors[0].details ${wanted.join(" and ")}`,
    received: text === undefined ? "no errors[0].details" : `errors[0].details ${show(text)}`,
  };
};
