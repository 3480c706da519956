// Checks a body against the schema the contract declares for the operation and the status received.
import type { Check } from "./check.js";
import { showBody } from "./check.js";

/**
 * `strict`: used when a case asks for it; the body must exist and validate.
 * Implicitly (every exchange), an empty body or an undocumented status is left to the other checks.
 */
export const checkResponseSchema: Check<"strict" | "implicit"> = (mode, { response, operation, schemas }) => {
  if (!operation) {
    return undefined;
  }
  const documented = operation.responses.has(String(response.status));
  const schema = schemas.responseSchema(operation, response.status);
  if (mode === "implicit" && (!documented || response.bodyText.trim() === "")) {
    return undefined;
  }
  if (!schema) {
    return mode === "strict"
      ? {
          check: "responseSchema",
          expected: `a status the contract documents for ${operation.id}`,
          received: `status ${response.status}`,
        }
      : undefined;
  }
  if (response.bodyText.trim() === "" && (schema.required ?? []).length === 0) {
    // "No payload": a schema that requires nothing is met by an absent body as well as by {} or {meta}.
    return undefined;
  }
  if (!response.isJson) {
    return {
      check: "responseSchema",
      expected: `a JSON body matching the contract's ${response.status} response of ${operation.id}`,
      received: showBody(response),
    };
  }
  const issues = schemas.check(schema, response.json);
  return issues.length === 0
    ? undefined
    : {
        check: "responseSchema",
        expected: `a body matching the contract's ${documented ? response.status : "default"} response of ${operation.id}`,
        received: `${showBody(response)}: ${issues
          .slice(0, 3)
          .map((issue) => issue.message)
          .join("; ")}`,
      };
};
