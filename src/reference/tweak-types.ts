// The reference's tweaks as data (named switches, JSON rewrite rules of its answers) and the request and answer a rewrite sees.
import type { IncomingHttpHeaders } from "node:http";

/** The request as a rewrite sees it. */
export interface ReferenceRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The parsed JSON body; the raw text when it was not JSON; undefined when the body was never read. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** A response before it is serialized: `body` is a JSON value, or a string sent as is under a non-JSON content type. */
export interface ReferenceResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * A programmatic rewrite of an answer before it is sent: a changed response, "drop" to destroy the socket,
 * "hang" to never answer, undefined to keep it. For test tools that need state or randomness (noise, recorded
 * secrets); planted bugs use `tweaks`, which are data.
 */
export type ReferenceRewrite = (
  request: ReferenceRequest,
  response: ReferenceResponse,
) => ReferenceResponse | "drop" | "hang" | undefined;

/** A test of one JSON value; every key given must hold. */
export interface ValueTest {
  /** The value exists (true) or not (false). */
  present?: boolean;
  /** Deep equality with this JSON value. */
  equals?: unknown;
  /** The value is a string that starts with this. */
  startsWith?: string;
  /** The value is a string that contains this. */
  includes?: string;
  /** The value is none of these (an absent value is none of them). */
  notIn?: unknown[];
  /** The value is a string that matches this regular expression. */
  matches?: string;
  /** The inner test does not hold. */
  not?: ValueTest;
}

/** Facts about the request a defect may depend on, computed from the body only when a rule asks. */
export interface RequestFacts {
  /** The layout the `cert` field decodes to, or `invalid` when it is no certificate. */
  certLayout?: "payload" | "bare" | "invalid";
  /** Whether the `cert` field's length is a multiple of 4, as padded base64 is. */
  certPadded?: boolean;
}

/** When a rule applies: every key given must hold. */
export interface TweakWhen {
  /** The request is this operation (its path and method, read from the contract by operationId). */
  operation?: string;
  /** The request is on this operation's path, whatever its method (for a method the contract has no route for). */
  pathOf?: string;
  /** The request's method, upper case. */
  method?: string;
  /** Tests of the request body's fields, by JSON pointer ("" for the whole body). */
  request?: Record<string, ValueTest>;
  /** What the body was: parsed JSON, text that is not JSON, or none (never read). */
  bodyKind?: "json" | "text" | "none";
  /** A test of the request's media type: Content-Type without parameters, lower case, "" when absent. */
  mediaType?: ValueTest;
  facts?: RequestFacts;
  /** The answer's status, or one of these. */
  status?: number | number[];
  /** A test of the answer's `errors[0].code`. */
  code?: ValueTest;
  /** A test of the answer's `errors[0].details` ("" when absent). */
  details?: ValueTest;
  /** Tests of the answer body, by JSON pointer. */
  answer?: Record<string, ValueTest>;
}

/** Answers that replace the reference's own, keeping its meta and headers. */
export type TemplateName = "code-sent" | "success" | "invalid" | "error";

export interface TemplateCall {
  name: TemplateName;
  /** `success` and `error`: the status (default 200 and 400). */
  status?: number;
  /** `error`: the catalogue code (its title comes from the contract). */
  code?: number;
  /** `invalid` and `error`: the details. */
  details?: string;
}

/** What a rule does to the answer, in this order: template, status, eachError, each, set, remove, headers, emptyBody, reverseKeys. */
export interface TweakAction {
  /**
   * `code-sent`: the 202 with the vname decoded from the cert sent; `success`: {meta} alone; `invalid`: 400 1009
   * with `details`; `error`: `status`, `code` and `details`.
   */
  template?: TemplateName | TemplateCall;
  status?: number;
  /**
   * Merged into every item of `errors`; with `only`, each item becomes exactly these keys. A `code` without a
   * `title` takes the catalogue's title. `details` may name `{code}`, the item's code.
   */
  eachError?: { code?: number; title?: string; details?: string; only?: boolean };
  /** Merged into every item of the array at `at` (e.g. `/users`). */
  each?: { at: string; merge: Record<string, unknown> };
  /** Values set in the answer body, by JSON pointer ("" replaces the whole body). */
  set?: Record<string, unknown>;
  /** JSON pointers removed from the answer body. */
  remove?: string[];
  /** Response headers set (lower-case names). */
  headers?: Record<string, string>;
  /** No body and no headers at all. */
  emptyBody?: boolean;
  /** Every object's keys in reverse order. */
  reverseKeys?: boolean;
}

/** One rewrite: the first rule whose `when` holds changes the answer; `drop` closes the socket, `hang` never answers. */
export interface RewriteRule {
  when?: TweakWhen;
  /** Not `then`: an object with a `then` key is taken for a promise by `await`. */
  do: TweakAction | "drop" | "hang";
}

/** The vname answered in a 202: the cert sent, the decoded name read as Latin-1, or one constant. */
export type VnameSwitch = "echo-cert" | "latin1" | { constant: string };

/** Named behaviours a rewrite cannot express. */
export interface ReferenceSwitches {
  vname?: VnameSwitch;
  /** The rewrite rules see a text body labelled application/x-www-form-urlencoded as its fields. */
  formFields?: boolean;
}

/** The tweaks besides the skipped rules (options.ts adds those, with the list of rules). */
export interface TweakRules {
  switches?: ReferenceSwitches;
  /** Rewrites of the answer; the provider-state hook is never rewritten. */
  rewrite?: RewriteRule[];
}
