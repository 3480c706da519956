// Checks that error titles are the canonical titles of their codes in the contract's error catalogue.

import { isPlainObject } from "../json-text.js";
import type { Check } from "./check.js";
import { firstError, show, showBody } from "./check.js";

/** errors[0].title must be the catalogue's title for errors[0].code. */
export const checkCanonicalTitle: Check<true> = (_expected, { response, contract }) => {
  const error = firstError(response);
  const code = error?.code;
  const title = typeof code === "number" ? contract.errorTitles.get(code) : undefined;
  if (title !== undefined && error?.title === title) {
    return undefined;
  }
  return {
    check: "canonicalTitle",
    expected:
      title === undefined ? "errors[0] with a code of the error catalogue" : `errors[0].title ${show(title)}`,
    received: error === undefined ? showBody(response) : `errors[0] ${show(error)}`,
  };
};

/** Every error whose code is in the catalogue carries that code's title (applies to every response). */
export const checkAllTitlesCanonical: Check<true> = (_expected, { response, contract }) => {
  const errors = isPlainObject(response.json) ? response.json.errors : undefined;
  if (!Array.isArray(errors)) {
    return undefined;
  }
  for (const [index, error] of errors.entries()) {
    if (!isPlainObject(error) || typeof error.code !== "number") {
      continue;
    }
    const title = contract.errorTitles.get(error.code);
    if (title !== undefined && error.title !== title) {
      return {
        check: "canonicalTitle",
        expected: `errors[${index}].title ${show(title)} for code ${error.code}`,
        received: `errors[${index}].title ${show(error.title)}`,
      };
    }
  }
  return undefined;
};
