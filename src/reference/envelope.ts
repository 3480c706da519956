// Builds the On-Premises envelopes ({meta}, {meta, errors}) with every error title read from the contract's catalogue.
import { type Contract, ContractError, type ProfileName } from "../contract/contract.js";
import type { NamedFields, SchemaTypes } from "../contract/contract-types.js";
import type { SchemaIssue } from "../contract/schema-validator.js";
import type { ReferenceResponse } from "./options.js";

/** The catalogue codes the reference answers with; checked against the contract when a handler is built. */
export const ErrorCode = {
  accessDenied: 1005,
  notFound: 1006,
  missingParameter: 1008,
  invalidParameter: 1009,
  internal: 1014,
  tooManyRequests: 1015,
  overloaded: 1016,
  invalidRequest: 1025,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const JSON_CONTENT_TYPE = "application/json";

/** The meta the reference sends: every field of the contract's Meta. */
export type Meta = Required<NamedFields<SchemaTypes["Meta"]>>;

export class Envelope {
  readonly #titles = new Map<number, string>();
  readonly #version: string;
  readonly #apiStatus: Meta["api_status"];

  constructor(contract: Contract, profile: ProfileName, version: string) {
    for (const code of Object.values(ErrorCode)) {
      const title = contract.errorTitles.get(code);
      if (title === undefined) {
        throw new ContractError(
          `the contract's x-error-catalogue has no code ${code}, which the reference answers`,
        );
      }
      this.#titles.set(code, title);
    }
    this.#version = version;
    // Meta marks a retired API as deprecated in every meta it sends.
    this.#apiStatus = profile === "sunset" ? "deprecated" : "stable";
  }

  /** A fresh object each time: a rewrite may mutate what it is handed. */
  meta(): Meta {
    return { version: this.#version, api_status: this.#apiStatus };
  }

  success(status: number, payload?: Record<string, unknown>): ReferenceResponse {
    // A literal when there is no payload: a spread object serializes on a slower path, on every 201 and 200.
    const body = payload === undefined ? { meta: this.meta() } : { meta: this.meta(), ...payload };
    return { status, headers: { "content-type": JSON_CONTENT_TYPE }, body };
  }

  error(
    status: number,
    code: ErrorCode,
    details: string,
    headers?: Record<string, string>,
  ): ReferenceResponse {
    return {
      status,
      headers:
        headers === undefined
          ? { "content-type": JSON_CONTENT_TYPE }
          : { "content-type": JSON_CONTENT_TYPE, ...headers },
      body: {
        meta: this.meta(),
        errors: [{ code, title: this.title(code), details }],
      } satisfies SchemaTypes["ErrorResponse"],
    };
  }

  /** A body that breaks its schema: 1008 when a required field is missing (naming it), else 1009. */
  invalid(issues: SchemaIssue[]): ReferenceResponse {
    const missing = issues.flatMap((issue) =>
      issue.keyword === "required" && issue.missingProperty !== undefined
        ? [fieldName(issue.pointer, issue.missingProperty)]
        : [],
    );
    if (missing.length > 0) {
      return this.error(400, ErrorCode.missingParameter, `Missing required parameter: ${missing.join(", ")}`);
    }
    const problems = [...new Set(issues.map((issue) => issue.message.replace(/^\//, "")))];
    return this.error(400, ErrorCode.invalidParameter, `Invalid parameter: ${problems.join("; ")}`);
  }

  title(code: ErrorCode): string {
    // The constructor filled every ErrorCode, so the fallback is unreachable; it keeps the type honest.
    return this.#titles.get(code) ?? "";
  }
}

function fieldName(pointer: string, property: string): string {
  const parent = pointer.replace(/^\//, "").replaceAll("/", ".");
  return parent.length === 0 ? property : `${parent}.${property}`;
}

/** Longest quote of client input (or of a message that may hold some) an answer carries. */
export const QUOTE_LIMIT = 200;

/** The text cut to QUOTE_LIMIT characters, saying how long it was: no client input comes back unbounded. */
export function clip(text: string): string {
  return text.length <= QUOTE_LIMIT ? text : `${text.slice(0, QUOTE_LIMIT)}... (${text.length} characters)`;
}

/**
 * A client's value as an answer may quote it: a string (clipped) or a number as JSON, anything else by its kind.
 * Never serializes a nested value, so neither its depth nor its size reaches the message.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    return clip(JSON.stringify(value));
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  return Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value;
}

/** A bare JSON answer with no envelope, for the provider-state hook whose 200 body is the state's values. */
export function plainJson(status: number, body: unknown): ReferenceResponse {
  return { status, headers: { "content-type": JSON_CONTENT_TYPE }, body };
}
