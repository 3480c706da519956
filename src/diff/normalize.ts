// Turns one response into what a diff compares: body fields by JSON pointer, lower-case headers, rules applied.
import type { Exchange, IncomingResponse } from "../exchange.js";
import { stringifyJson } from "../json-text.js";
import { type DiffRules, findHeaderRule, findPointerRule, joinPointer, type PointerRule } from "./rules.js";

/** Shown instead of a volatile value: it is there, and its value is not compared. */
export const VOLATILE_VALUE = "(volatile)";

export interface NormalizedField {
  /** The leaf value: a string, number, boolean or null, or {} / [] for an empty object or array. */
  value: unknown;
  /** The volatile rule that matched it; its value is then not compared. */
  volatile?: PointerRule;
  /** The format rule that matched it; only the format of its value is compared (formatOf). */
  format?: PointerRule;
}

export interface NormalizedHeader {
  value: string;
  volatile: boolean;
  format: boolean;
}

export interface NormalizedResponse {
  status: number;
  /** errors[0].code as the body gives it; undefined when there is none. */
  errorCode: unknown;
  /** Body fields by JSON pointer when the body is JSON; undefined otherwise. */
  fields: Map<string, NormalizedField> | undefined;
  /** The body as text ("" for no body): compared only when the body is not JSON, and shown then. */
  text: string;
  /** Header names in lower case, framing and volatile headers dropped or marked by the rules. */
  headers: Map<string, NormalizedHeader>;
}

/**
 * The format of a value, for fields compared by format only: its JSON type, and for text every run of digits
 * as 9 and of letters as a, the rest kept ("2026-12-01 20:27:22+00:00" is 9-9-9 9:9:9+9:9,
 * "2030-01-01T00:00:00Z" is 9-9-9a9:9:9a).
 */
export function formatOf(value: unknown): string {
  if (typeof value !== "string") {
    return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  }
  return `string ${value.replace(/[0-9]+/g, "9").replace(/[A-Za-z]+/g, "a")}`;
}

/** A value one side sent where the other sent another (a code, a phone number), and its twin on the other side. */
export type Substitution = [from: string, to: string];

/** Echoed request values shorter than this are left alone: replacing "1" or "sms" would rewrite unrelated text. */
const MIN_SUBSTITUTION_LENGTH = 4;

/**
 * Deeper than this, a value is one leaf holding its compact JSON text: a target chooses the depth of what it
 * sends, and a pointer per level costs its depth in characters, so an array nested 100,000 deep (a 200 KB body)
 * flattened in full would be quadratic in time and memory. Two such values still compare equal or not.
 */
export const MAX_FLATTEN_DEPTH = 64;

/**
 * Every leaf of a JSON value by JSON pointer. Object key order is lost on purpose (it never matters in JSON);
 * array order is kept (it can). Empty objects and arrays are leaves, so {} and [] and an absent field differ.
 * Iterative (with an explicit stack, in document order), so no depth overflows the call stack.
 */
export function flatten(
  value: unknown,
  segments: string[] = [],
  out: Map<string, { segments: string[]; value: unknown }> = new Map(),
): Map<string, { segments: string[]; value: unknown }> {
  const stack: { value: unknown; segments: string[] }[] = [{ value, segments }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; segments: string[] };
    const path = item.segments;
    const current = item.value;
    if (current === null || typeof current !== "object") {
      out.set(joinPointer(path), { segments: path, value: current });
      continue;
    }
    if (path.length - segments.length >= MAX_FLATTEN_DEPTH) {
      out.set(joinPointer(path), { segments: path, value: stringifyJson(current) });
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((child, index) => [String(index), child])
      : Object.entries(current);
    if (entries.length === 0) {
      out.set(joinPointer(path), { segments: path, value: Array.isArray(current) ? [] : {} });
      continue;
    }
    // Pushed last to first, so they come off the stack (and into the map) in document order.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index] as [string, unknown];
      stack.push({ value: child, segments: [...path, key] });
    }
  }
  return out;
}

function substitute(text: string, substitutions: readonly Substitution[]): string {
  let result = text;
  for (const [from, to] of substitutions) {
    result = result.replaceAll(from, to);
  }
  return result;
}

function firstErrorCode(json: unknown): unknown {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return undefined;
  }
  const errors = (json as Record<string, unknown>).errors;
  if (!Array.isArray(errors)) {
    return undefined;
  }
  const first: unknown = errors[0];
  return first !== null && typeof first === "object" ? (first as Record<string, unknown>).code : undefined;
}

/**
 * Normalizes a response under the rules. `substitutions` rewrite values this side sent differently from the
 * other side (so a target that echoes the code or number it was sent is not reported for echoing it).
 */
export function normalizeResponse(
  response: IncomingResponse,
  rules: DiffRules,
  substitutions: readonly Substitution[] = [],
): NormalizedResponse {
  const headers = new Map<string, NormalizedHeader>();
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (findHeaderRule(rules.ignoreHeaders, lower)) {
      continue;
    }
    const volatile = findHeaderRule(rules.volatileHeaders, lower) !== undefined;
    const format = findHeaderRule(rules.formatHeaders, lower) !== undefined;
    headers.set(lower, {
      value: volatile ? VOLATILE_VALUE : substitute(value, substitutions),
      volatile,
      format,
    });
  }
  if (!response.isJson) {
    return {
      status: response.status,
      errorCode: undefined,
      fields: undefined,
      text: substitute(response.bodyText, substitutions),
      headers,
    };
  }
  const fields = new Map<string, NormalizedField>();
  for (const [pointer, leaf] of flatten(response.json)) {
    if (findPointerRule(rules.ignorePointers, leaf.segments)) {
      continue;
    }
    const volatile = findPointerRule(rules.volatilePointers, leaf.segments);
    const format = findPointerRule(rules.formatPointers, leaf.segments);
    const value = typeof leaf.value === "string" ? substitute(leaf.value, substitutions) : leaf.value;
    fields.set(pointer, { value, ...(volatile ? { volatile } : {}), ...(format ? { format } : {}) });
  }
  return {
    status: response.status,
    errorCode: firstErrorCode(response.json),
    fields,
    text: substitute(response.bodyText, substitutions),
    headers,
  };
}

function requestFields(exchange: Exchange): Map<string, unknown> {
  const body = exchange.request.body;
  const fields = new Map<string, unknown>();
  if (body === undefined) {
    return fields;
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return fields;
  }
  for (const [pointer, leaf] of flatten(json)) {
    fields.set(pointer, leaf.value);
  }
  return fields;
}

/**
 * The values the two sides were sent differently at the same place of the request body (a verification code
 * each target chose, the phone number of an earlier recorded run), as rewrites of the candidate's values into
 * the baseline's. Longest first, so a value that contains another is replaced whole.
 */
export function echoSubstitutions(baseline: Exchange, candidate: Exchange): Substitution[] {
  const sent = requestFields(baseline);
  const substitutions: Substitution[] = [];
  for (const [pointer, value] of requestFields(candidate)) {
    const twin = sent.get(pointer);
    if (
      typeof value === "string" &&
      typeof twin === "string" &&
      value !== twin &&
      value.length >= MIN_SUBSTITUTION_LENGTH &&
      twin.length >= MIN_SUBSTITUTION_LENGTH
    ) {
      substitutions.push([value, twin]);
    }
  }
  return substitutions.sort((a, b) => b[0].length - a[0].length);
}
