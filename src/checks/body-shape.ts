// Checks on the top-level shape of a JSON body: meta present, meta only, fields absent.

import { isPlainObject } from "../json-text.js";
import type { Check } from "./check.js";
import { showBody } from "./check.js";

export const checkMeta: Check<true> = (_expected, { response }) =>
  isPlainObject(response.json) && isPlainObject(response.json.meta)
    ? undefined
    : { check: "meta", expected: "a body with a meta object", received: showBody(response) };

/** An empty body, {} or {meta}: a success "with no payload". */
export const checkMetaOnly: Check<true> = (_expected, { response }) => {
  if (response.bodyText.trim() === "") {
    return undefined;
  }
  const body = response.json;
  const extra = isPlainObject(body) ? Object.keys(body).filter((key) => key !== "meta") : undefined;
  return extra !== undefined && extra.length === 0
    ? undefined
    : {
        check: "metaOnly",
        expected: "no payload: an empty body, {} or {meta}",
        received: extra === undefined ? showBody(response) : `a body with ${extra.join(", ")}`,
      };
};

export const checkAbsentFields: Check<string[]> = (expected, { response }) => {
  const body = response.json;
  const present = isPlainObject(body) ? expected.filter((field) => field in body) : [];
  return present.length === 0
    ? undefined
    : {
        check: "absentFields",
        expected: `no ${expected.join(", ")} in the body`,
        received: `a body with ${present.join(", ")}`,
      };
};

/** Applied to every exchange: the SHOULD that a success (2xx) JSON object body carries meta. */
export const checkCarriesMeta: Check<true> = (_expected, context) => {
  const { status, isJson, json } = context.response;
  // Errors are left alone: Meta's own error examples carry no meta, so on an error body it is a MAY.
  if (status < 200 || status > 299) {
    return undefined;
  }
  // Only an object can carry meta: the settings endpoint may answer a bare `null`, as Meta documents.
  if (!isJson || !isPlainObject(json)) {
    return undefined;
  }
  return checkMeta(true, context);
};
