// The shape of a conformance case as the runner sees it (fixtures/case.schema.json is its formal definition).
import type { ProfileName } from "../contract/contract.js";

/** How a request authenticates; the runner turns each into a header. */
export type AuthMode =
  | "admin"
  | "non-admin"
  | "none"
  | "malformed-token"
  | "unknown-token"
  | "basic-admin"
  | "basic-wrong-password";

/** A status expectation: an exact code, a class such as "4xx", or any of a list. */
export type StatusMatcher = number | string | (number | string)[];

export interface RequestSpec {
  /** An operationId of the contract; gives method and path. */
  operation?: string;
  /** For requests outside the contract (GET /v1/account, unknown paths). */
  method?: string;
  path?: string;
  /** Defaults to the operation's security: `admin` for bearer routes, `basic-admin` for login. */
  auth?: AuthMode;
  headers?: Record<string, string>;
  /** Sent as JSON (templated). */
  body?: unknown;
  /** Sent verbatim (templated), for malformed bodies. */
  rawBody?: string;
  /** Overrides the Content-Type header (defaults to application/json when a body is sent); null sends none. */
  contentType?: string | null;
  /**
   * The target may refuse this request by closing the connection instead of reading it (RFC 9110 15.5.14): a
   * close is then the answer the expectations judge, not an ERROR.
   */
  refusableByClose?: true;
}

/** One group of expectations tied to one requirement; its level decides what a failure means. */
export interface Expectation {
  requirement: string;
  status?: StatusMatcher;
  /** The request is refused: a 4xx, or a closed connection where the request is `refusableByClose`. */
  refused?: true;
  /** errors[0].code is this code, or one of these codes. */
  errorCode?: number | number[];
  /** errors[0].title is the catalogue's title for errors[0].code. */
  canonicalTitle?: true;
  /** errors[0].details equals or contains the given text. */
  errorDetails?: { equals?: string; contains?: string };
  /** The body is the error envelope of the contract. */
  envelope?: true;
  /** account[0].vname equals the verified name decoded from the cert that was sent. */
  vnameMatchesCert?: true;
  /** account[0].vname equals this text (templated). */
  vname?: string;
  /** The body carries a meta object. */
  meta?: true;
  /** The body is empty, {} or {meta}. */
  metaOnly?: true;
  /** These top-level fields are absent from the body. */
  absentFields?: string[];
  /** The body matches the contract's schema for the status received. */
  responseSchema?: true;
  /** The response's media type (parameters such as charset are ignored). */
  contentType?: string;
  /** MAY behaviour: the response is recorded as information. */
  observe?: true;
}

/**
 * The expectation keys that are checks. Each has its check (src/checks/index.ts) and its aspect of the response
 * (src/diff/compare.ts), both typed over this union so a new key without either fails to compile, and its property
 * in fixtures/case.schema.json (tied by test/checks/expectation-registry.test.ts).
 */
export type ExpectationCheckKey = Exclude<keyof Expectation, "requirement" | "observe">;

export interface Step {
  /** One line on what this step does, shown in reports. */
  title?: string;
  request: RequestSpec;
  expect: Expectation[];
  /** Whether the request body must conform to (true) or violate (false) the contract; checked before sending. */
  bodyConforms?: boolean;
}

export interface StateRef {
  name: string;
  /** Templated parameters; number-scoped states get cc and phone_number by default. */
  params?: Record<string, string>;
}

export interface Case {
  id: string;
  description: string;
  /** Every requirement the case checks (derived from its expectations). */
  requirements: string[];
  profiles: ProfileName[];
  states: StateRef[];
  vars: Record<string, string>;
  steps: Step[];
  /** Runs alone, after the concurrent cases, because it touches target-wide settings. */
  exclusive: boolean;
  /** Where the case comes from: a fixture file, or `generated` by the negative matrix. */
  source: string;
  comment?: string;
}
