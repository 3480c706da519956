// The one signature every check shares, and the failure it returns.
import type { Contract, Operation } from "../contract/contract.js";
import type { SchemaTypes, Unvalidated } from "../contract/contract-types.js";
import type { ContractSchemas } from "../contract/schema-validator.js";
import type { IncomingResponse } from "../exchange.js";
import { stringifyJson } from "../json-text.js";

export interface CheckContext {
  contract: Contract;
  schemas: ContractSchemas;
  /** The contract operation the request was sent to; undefined for paths outside the contract. */
  operation: Operation | undefined;
  /** The JSON body that was sent, if any. */
  requestBody: unknown;
  response: IncomingResponse;
}

/** What a check found wrong; the runner adds the requirement to make the three-line message. */
export interface CheckFailure {
  check: string;
  expected: string;
  received: string;
}

export type Check<T> = (expected: T, context: CheckContext) => CheckFailure | undefined;

/**
 * Shortens a value for a failure message. Only the excerpt is serialized, without recursion: a target's body may
 * be a megabyte, or nested deeper than JSON.stringify can go.
 */
export function show(value: unknown, limit = 300): string {
  const excerpt = (text: string) => (text.length > limit ? `${text.slice(0, limit)}…` : text);
  if (typeof value === "string") {
    return excerpt(JSON.stringify(value.length > limit ? value.slice(0, limit + 1) : value));
  }
  return excerpt(value === undefined ? "undefined" : stringifyJson(value, 0, 0, limit));
}

export function showBody(response: IncomingResponse): string {
  if (response.bodyText === "") {
    return "an empty body";
  }
  return response.isJson ? `body ${show(response.json)}` : `a non-JSON body ${show(response.bodyText, 120)}`;
}

/** The status and body, or the close that came instead of an answer. */
export function showAnswer(response: IncomingResponse): string {
  return response.closed
    ? `the connection closed without an answer (${response.closed.reason})`
    : `status ${response.status} with ${showBody(response)}`;
}

/** errors[0] of the contract's error envelope, its fields not yet checked. */
export function firstError(response: IncomingResponse): Unvalidated<SchemaTypes["Error"]> | undefined {
  const body = response.json as Unvalidated<SchemaTypes["ErrorResponse"]> | undefined;
  if (!body || typeof body !== "object" || !Array.isArray(body.errors)) {
    return undefined;
  }
  const first = body.errors[0];
  return first && typeof first === "object" ? (first as Unvalidated<SchemaTypes["Error"]>) : undefined;
}
