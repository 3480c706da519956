// Checks the response's media type, ignoring parameters such as charset and letter case.
import type { Check } from "./check.js";

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export const checkContentType: Check<string> = (expected, { response }) => {
  const received = mediaType(response.headers["content-type"]);
  return received === expected.toLowerCase()
    ? undefined
    : {
        check: "contentType",
        expected: `Content-Type ${expected}`,
        received: received === "" ? "no Content-Type" : `Content-Type ${response.headers["content-type"]}`,
      };
};

/** A body that parses as JSON must be labelled application/json (or a +json type). */
export const checkJsonBodyLabelled: Check<true> = (_expected, { response }) => {
  if (!response.isJson) {
    return undefined;
  }
  const received = mediaType(response.headers["content-type"]);
  return received === "application/json" || received.endsWith("+json")
    ? undefined
    : {
        check: "jsonContentType",
        expected: "Content-Type application/json on a JSON body",
        received: received === "" ? "no Content-Type" : `Content-Type ${response.headers["content-type"]}`,
      };
};
