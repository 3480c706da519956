// One redactor for every artifact and the console: hides credentials, tokens and the contract's x-sensitive fields.

import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { Contract } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import { stringifyJson } from "../json-text.js";
import type { CaseResult, ProfileRun } from "../runner/results.js";
import { SecretMatcher } from "./secret-matcher.js";

/** What replaces a secret in every artifact and on the console. */
export const REDACTED = "[REDACTED]";

/**
 * Field names that are secret wherever they appear, besides the contract's `x-sensitive` request properties:
 * login answers carry `users[].token`, and a target may echo passwords or other tokens back.
 */
export const ALWAYS_SENSITIVE_FIELDS = [
  "token",
  "password",
  "new_password",
  "access_token",
  "refresh_token",
  "client_secret",
  "api_key",
] as const;

/** Headers that carry credentials whole; a header whose name mentions a token, secret or password too. */
const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
]);
const SENSITIVE_HEADER_PATTERN = /token|secret|password|passwd|api-?key|session/i;

/**
 * Under these names a number is not a secret: `errors[].code` is an error code (1005), while the verification
 * `code` sent to /v1/account/verify is a string.
 */
const NUMBERS_ARE_PUBLIC = new Set(["code"]);

/**
 * Learned secrets shorter than this are not searched for in free text: replacing every "1" or "abc" would
 * wreck the evidence. Fields and headers known to be secret are redacted whatever their length.
 */
export const MIN_LEARNED_SECRET_LENGTH = 4;

/**
 * How many characters of values seen in responses the redactor searches for. A target chooses these (every
 * `token` field it sends is learned), so without a bound it could make each search slow and the run's memory
 * grow; values past the budget are still replaced wherever a field or header rule finds them. Secrets the user
 * gave and values the kit sent are always learned.
 */
export const LEARNED_FROM_TARGET_BUDGET = 1024 * 1024;

/** The set of learned secrets, shared by a redactor and its withMarker() copies, with its search automaton. */
interface SecretStore {
  values: Set<string>;
  /** Characters learned from responses so far, against LEARNED_FROM_TARGET_BUDGET. */
  fromTarget: number;
  matcher: SecretMatcher | undefined;
  /** values.size when `matcher` was built: the set only grows. */
  matcherSize: number;
}

/** Where a learned value came from: the target's answers are bounded by a budget, the rest is not. */
type Source = "given" | "target";

/** Bodies longer than this are cut wherever they are shown (reports, console), after redaction. */
export const MAX_SHOWN_BODY_CHARS = 64 * 1024;

/**
 * The secrets of every redactor made while a command runs, so that a message printed outside any of them (a
 * login error, an internal error caught at the top) is redacted with what they learned. A scope per `main()`
 * call, not a global: tests run several CLIs in one process.
 */
export class SecretScope {
  readonly #stores = new Set<SecretStore>();

  static #current = new AsyncLocalStorage<SecretScope>();

  /** Runs `work` in this scope: every Redactor constructed during it, however deep, joins it. */
  run<T>(work: () => T): T {
    return SecretScope.#current.run(this, work);
  }

  static add(store: SecretStore): void {
    const scope = SecretScope.#current.getStore();
    if (scope !== undefined) {
      scope.#stores.add(store);
    }
  }

  /** Text redacted with the kit's field rules and patterns, `extra` values, and every secret of the scope. */
  redact(text: string, extra: Iterable<string | undefined> = []): string {
    // A store of its own passed in, so this short-lived redactor does not join the scope it reads.
    const redactor = new Redactor(
      { secrets: extra },
      { values: new Set(), fromTarget: 0, matcher: undefined, matcherSize: 0 },
    );
    for (const store of this.#stores) {
      for (const value of store.values) {
        redactor.learn(value);
      }
    }
    return redactor.text(text);
  }
}

function registerStore(store: SecretStore): void {
  SecretScope.add(store);
}

/** JSON.parse without the exception: a body that is not JSON is the common case, not an error. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** encodeURIComponent throws on a lone surrogate, which a target can put in any string it sends. */
function encodeURIComponentSafe(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface RedactorOptions {
  /** False for --include-secrets: every method returns its input unchanged. Default true. */
  enabled?: boolean;
  /** Field names redacted in JSON bodies and key=value text (case-insensitive). */
  fields?: Iterable<string>;
  /** Extra header names to redact whole (e.g. the header a target answers the verification code in). */
  headers?: Iterable<string>;
  /** Values known to be secret before anything is sent: the admin password, a given token, state data. */
  secrets?: Iterable<string | undefined>;
  /** What a secret is replaced with; `name` is the field or kind ("token", "pin", "password", "secret"). */
  marker?: (name: string) => string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Credentials in a URL's user-info part (scheme://user:password@). Anchored on "://" (a literal the engine
 * finds by scanning), with a one-character look-behind for the scheme: a pattern that starts with the scheme
 * retries at every letter of a long word, which made "a.a.a.…" quadratic.
 */
const URL_CREDENTIALS = /(?<=[a-z0-9+.-]):\/\/([^\s:/@]+:)[^\s@/]+@/gi;
/** Twelve characters at least, so prose such as "a Bearer token" stays readable. */
const SCHEME_CREDENTIALS = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/g;

const isContainer = (value: unknown): value is object => typeof value === "object" && value !== null;

/** Sets an own property even for "__proto__", which plain assignment would take as the prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Every request property marked `x-sensitive: true` anywhere in the contract's request schemas. */
export function sensitiveFieldsOf(contract: Contract): Set<string> {
  const names = new Set<string>();
  const seen = new Set<object>();
  const visit = (schema: unknown) => {
    if (typeof schema !== "object" || schema === null || seen.has(schema)) {
      return;
    }
    seen.add(schema);
    if (Array.isArray(schema)) {
      schema.forEach(visit);
      return;
    }
    const record = schema as Record<string, unknown>;
    const properties = record.properties;
    if (typeof properties === "object" && properties !== null) {
      for (const [name, property] of Object.entries(properties)) {
        if ((property as Record<string, unknown> | null)?.["x-sensitive"] === true) {
          names.add(name);
        }
      }
    }
    Object.values(record).forEach(visit);
  };
  for (const operation of contract.operations.values()) {
    visit(operation.requestSchema);
  }
  return names;
}

export class Redactor {
  readonly enabled: boolean;
  readonly #fields: Set<string>;
  readonly #headers: Set<string>;
  readonly #store: SecretStore;
  readonly #marker: (name: string) => string;
  readonly #fieldPattern: RegExp | undefined;
  readonly #formPattern: RegExp | undefined;

  constructor(options: RedactorOptions = {}, shared?: SecretStore) {
    this.enabled = options.enabled ?? true;
    this.#fields = new Set(
      [...(options.fields ?? ALWAYS_SENSITIVE_FIELDS)].map((name) => name.toLowerCase()),
    );
    this.#headers = new Set([...(options.headers ?? [])].map((name) => name.toLowerCase()));
    this.#store = shared ?? { values: new Set(), fromTarget: 0, matcher: undefined, matcherSize: 0 };
    this.#marker = options.marker ?? (() => REDACTED);
    const alternatives = [...this.#fields].map(escapeRegExp).join("|");
    if (alternatives !== "") {
      // "pin": "123456" or "pin":123456 inside JSON-ish text (also a malformed body that JSON.parse refused);
      // an unterminated string runs to the end of the text, so a truncated body leaks nothing either. Linear:
      // it can only start at a quoted field name, and neither repetition can match what follows it.
      this.#fieldPattern = new RegExp(
        `("(${alternatives})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*(?:"|$)|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`,
        "gi",
      );
      // pin=123456 in a query string or a form body.
      this.#formPattern = new RegExp(`([?&;]|^)(${alternatives})=([^&#\\s]*)`, "gim");
    }
    if (shared === undefined) {
      registerStore(this.#store);
    }
    for (const secret of options.secrets ?? []) {
      this.learn(secret);
    }
  }

  /** A redactor for contract-defined fields and the kit's own list, off when `enabled` is false. */
  static forContract(contract: Contract, options: Omit<RedactorOptions, "fields"> = {}): Redactor {
    return new Redactor({ ...options, fields: [...ALWAYS_SENSITIVE_FIELDS, ...sensitiveFieldsOf(contract)] });
  }

  /** The same fields and learned secrets with another marker (the curl reproducer's shell placeholders). */
  withMarker(marker: (name: string) => string): Redactor {
    return new Redactor(
      { enabled: this.enabled, fields: this.#fields, headers: this.#headers, marker },
      this.#store,
    );
  }

  isSensitiveField(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }

  isSensitiveHeader(name: string): boolean {
    const lower = name.toLowerCase();
    return SENSITIVE_HEADERS.has(lower) || this.#headers.has(lower) || SENSITIVE_HEADER_PATTERN.test(lower);
  }

  /** Remembers a secret value so it is replaced wherever it shows up in free text, also inside non-JSON bodies. */
  learn(...values: (string | undefined)[]): void {
    for (const value of values) {
      this.#learn(value, "given");
    }
  }

  #learn(value: string | undefined, source: Source): void {
    if (value === undefined || value.length < MIN_LEARNED_SECRET_LENGTH) {
      return;
    }
    const store = this.#store;
    // The value as sent, as it appears inside a JSON string, and as it appears in a URL.
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponentSafe(value)]);
    for (const form of forms) {
      if (store.values.has(form)) {
        continue;
      }
      if (source === "target") {
        if (store.fromTarget + form.length > LEARNED_FROM_TARGET_BUDGET) {
          continue;
        }
        store.fromTarget += form.length;
      }
      store.values.add(form);
    }
  }

  /** Learns the secrets one exchange carried: credentials of its Authorization header, sensitive fields. */
  learnFromExchange(exchange: Exchange): void {
    for (const [name, value] of Object.entries(exchange.request.headers)) {
      this.#learnHeader(name, value, "given");
    }
    for (const [name, value] of Object.entries(exchange.response.headers)) {
      this.#learnHeader(name, value, "target");
    }
    this.#learnText(exchange.request.url, "given");
    this.#learnText(exchange.request.body, "given");
    // The parsed body is the response's own: parsing its text again would double the work on a large body.
    if (exchange.response.isJson) {
      this.#learnJson(exchange.response.json, "target");
      this.#learnPatterns(exchange.response.bodyText, "target");
    } else {
      this.#learnText(exchange.response.bodyText, "target");
    }
  }

  learnFromResult(result: CaseResult): void {
    for (const exchange of result.exchanges) {
      this.learnFromExchange(exchange);
    }
  }

  learnFromRuns(runs: ProfileRun[]): void {
    for (const run of runs) {
      for (const result of run.results) {
        this.learnFromResult(result);
      }
    }
  }

  #learnHeader(name: string, value: string, source: Source): void {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "proxy-authorization") {
      const match = /^(\w+)\s+(.+)$/.exec(value.trim());
      const scheme = match?.[1]?.toLowerCase();
      const credentials = match?.[2];
      if (scheme === "basic" && credentials !== undefined) {
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        this.#learn(credentials, source);
        this.#learn(colon >= 0 ? decoded.slice(colon + 1) : decoded, source);
      } else {
        this.#learn(credentials ?? value, source);
      }
    } else if (lower === "cookie" || lower === "set-cookie") {
      for (const pair of value.split(/[;,]/)) {
        const equals = pair.indexOf("=");
        if (equals > 0) {
          this.#learn(pair.slice(equals + 1).trim(), source);
        }
      }
    } else if (this.isSensitiveHeader(lower)) {
      this.#learn(value, source);
    }
  }

  #learnText(text: string | undefined, source: Source): void {
    if (text === undefined || text === "") {
      return;
    }
    const parsed = parseJson(text);
    if (parsed.ok) {
      this.#learnJson(parsed.value, source);
    }
    this.#learnPatterns(text, source);
  }

  /** The key=value patterns, for text JSON.parse refused and for JSON-ish text inside strings alike. */
  #learnPatterns(text: string, source: Source): void {
    for (const pattern of [this.#fieldPattern, this.#formPattern]) {
      if (!pattern || !text.includes(pattern === this.#fieldPattern ? '"' : "=")) {
        continue;
      }
      for (const match of text.matchAll(pattern)) {
        const key = (match[2] ?? "").toLowerCase();
        const raw = match[3] ?? "";
        if (raw.startsWith('"')) {
          this.#learn(raw.replace(/^"|"$/g, ""), source);
        } else if (!NUMBERS_ARE_PUBLIC.has(key)) {
          this.#learn(decodeURIComponentSafe(raw), source);
        }
      }
    }
  }

  /** Every value under a sensitive field, at any depth; iterative, since a target chooses the depth. */
  #learnJson(root: unknown, source: Source): void {
    const stack: [unknown, string | undefined][] = [[root, undefined]];
    while (stack.length > 0) {
      const [value, sensitiveKey] = stack.pop() as [unknown, string | undefined];
      if (Array.isArray(value)) {
        for (const item of value) {
          stack.push([item, sensitiveKey]);
        }
      } else if (isContainer(value)) {
        for (const [key, item] of Object.entries(value)) {
          stack.push([item, this.isSensitiveField(key) ? key : sensitiveKey]);
        }
      } else if (sensitiveKey !== undefined) {
        if (typeof value === "string") {
          this.#learn(value, source);
        } else if (typeof value === "number" && !NUMBERS_ARE_PUBLIC.has(sensitiveKey.toLowerCase())) {
          this.#learn(String(value), source);
        }
      }
    }
  }

  #matcher(): SecretMatcher | undefined {
    const store = this.#store;
    if (store.values.size === 0) {
      return undefined;
    }
    if (store.matcher === undefined || store.matcherSize !== store.values.size) {
      store.matcher = new SecretMatcher(store.values, MIN_LEARNED_SECRET_LENGTH);
      store.matcherSize = store.values.size;
    }
    return store.matcher;
  }

  /** The longest learned secret: how far a secret can reach past a point where a text is cut. */
  get longestSecret(): number {
    return this.#matcher()?.longest ?? 0;
  }

  /** Free text (a reason, an Expected / Received, a URL, a non-JSON body): every known secret replaced. */
  text(value: string): string {
    if (!this.enabled || value === "") {
      return value;
    }
    let text = value;
    // Each pattern needs a character the text may not hold at all; looking for it first spares a regex pass.
    if (this.#fieldPattern && text.includes('"')) {
      text = text.replace(this.#fieldPattern, (whole, prefix: string, key: string, raw: string) =>
        !raw.startsWith('"') && NUMBERS_ARE_PUBLIC.has(key.toLowerCase())
          ? whole
          : `${prefix}${JSON.stringify(this.#marker(key))}`,
      );
    }
    if (this.#formPattern && text.includes("=")) {
      text = text.replace(
        this.#formPattern,
        (_whole, lead: string, key: string) => `${lead}${key}=${this.#marker(key)}`,
      );
    }
    // Credentials in a URL's user-info part, and Authorization values quoted in messages.
    if (text.includes("://")) {
      text = text.replace(
        URL_CREDENTIALS,
        (_whole, user: string) => `://${user}${this.#marker("password")}@`,
      );
    }
    if (text.includes("Bearer") || text.includes("Basic")) {
      text = text.replace(
        SCHEME_CREDENTIALS,
        (_whole, scheme: string) => `${scheme} ${this.#marker(scheme === "Basic" ? "credentials" : "token")}`,
      );
    }
    const matcher = this.#matcher();
    return matcher ? matcher.replace(text, this.#marker("secret")) : text;
  }

  /** A parsed JSON value: sensitive fields replaced whatever their depth, known secrets replaced in strings. */
  json(value: unknown): unknown {
    return this.enabled ? this.#redactJson(value).value : value;
  }

  /**
   * A copy of a JSON value with sensitive fields replaced, built with an explicit stack: a target chooses the
   * depth, and recursion overflowed the call stack at 3,000 levels. `changed` says whether anything was replaced.
   */
  #redactJson(root: unknown): { value: unknown; changed: boolean } {
    let changed = false;
    const leaf = (value: unknown, sensitiveKey: string | undefined): unknown => {
      if (sensitiveKey !== undefined) {
        if (typeof value === "string") {
          changed = true;
          return this.#marker(sensitiveKey);
        }
        if (typeof value === "number" && !NUMBERS_ARE_PUBLIC.has(sensitiveKey.toLowerCase())) {
          changed = true;
          return this.#marker(sensitiveKey);
        }
      }
      if (typeof value === "string") {
        const redacted = this.text(value);
        changed ||= redacted !== value;
        return redacted;
      }
      if (typeof value === "number" && String(value).length >= MIN_LEARNED_SECRET_LENGTH) {
        // A PIN the kit sent, echoed as a number under a field of another name.
        const text = String(value);
        if (this.#matcher()?.spans(text).length) {
          changed = true;
          return this.#marker("secret");
        }
      }
      return value;
    };
    const copy = (value: object): Record<string, unknown> | unknown[] =>
      Array.isArray(value) ? new Array(value.length) : {};
    if (!isContainer(root)) {
      const value = leaf(root, undefined);
      return { value, changed };
    }
    const top = copy(root);
    const stack: [object, Record<string, unknown> | unknown[], string | undefined][] = [
      [root, top, undefined],
    ];
    while (stack.length > 0) {
      const [source, target, sensitiveKey] = stack.pop() as [
        object,
        Record<string, unknown> | unknown[],
        string | undefined,
      ];
      if (Array.isArray(source)) {
        const out = target as unknown[];
        source.forEach((item: unknown, index) => {
          if (isContainer(item)) {
            const child = copy(item);
            out[index] = child;
            stack.push([item, child, sensitiveKey]);
          } else {
            out[index] = leaf(item, sensitiveKey);
          }
        });
        continue;
      }
      const out = target as Record<string, unknown>;
      for (const [key, item] of Object.entries(source)) {
        const childKey = this.isSensitiveField(key) ? key : sensitiveKey;
        const shownKey = this.text(key);
        changed ||= shownKey !== key;
        if (isContainer(item)) {
          const child = copy(item);
          define(out, shownKey, child);
          stack.push([item, child, childKey]);
        } else {
          define(out, shownKey, leaf(item, childKey));
        }
      }
    }
    return { value: top, changed };
  }

  /**
   * A body as text: JSON is redacted field by field (and re-serialized only when something changed, so a
   * clean body keeps its exact bytes); any other text gets the key=value patterns and the known secrets.
   */
  body(text: string): string {
    if (!this.enabled || text === "") {
      return text;
    }
    const parsed = parseJson(text);
    if (!parsed.ok) {
      return this.text(text);
    }
    const { value, changed } = this.#redactJson(parsed.value);
    if (!changed) {
      return text;
    }
    const indent = /\n( +)/.exec(text)?.[1]?.length ?? 0;
    return stringifyJson(value, indent);
  }

  /**
   * A body as the reports and the console show it: redacted whole (so no secret straddles the cut), then cut to
   * `maxChars` with its size and the SHA-256 of the redacted body. A body longer than `maxChars` is redacted as
   * text, as a truncated one would be: re-serializing megabytes of JSON to show its first 64 KiB is wasted work.
   */
  shownBody(text: string, maxChars: number, bodyBytes?: number): { body: string; truncatedFrom?: number } {
    const redacted = text.length > maxChars ? this.text(text) : this.body(text);
    if (bodyBytes !== undefined) {
      // The run kept only the start of this body (src/runner/run-case.ts, retainJudged): no digest of the whole.
      return {
        body: `${redacted.slice(0, maxChars)}… [cut: ${bodyBytes} bytes in all; the run kept only the start]`,
        truncatedFrom: bodyBytes,
      };
    }
    if (redacted.length <= maxChars) {
      return { body: redacted };
    }
    const bytes = Buffer.byteLength(text);
    const digest = createHash("sha256").update(redacted).digest("hex");
    return {
      body: `${redacted.slice(0, maxChars)}… [cut: ${bytes} bytes in all, SHA-256 of the body${
        this.enabled ? " as redacted" : ""
      } ${digest}]`,
      truncatedFrom: bytes,
    };
  }

  headers(headers: Record<string, string>): Record<string, string> {
    if (!this.enabled) {
      return headers;
    }
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, this.header(name, value)]),
    );
  }

  header(name: string, value: string): string {
    if (!this.enabled) {
      return value;
    }
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "proxy-authorization") {
      // Keep the scheme: whether Basic or Bearer was sent is evidence, the credentials are not.
      const scheme = /^(\w+)\s+\S/.exec(value.trim())?.[1];
      const kind = scheme?.toLowerCase() === "basic" ? "credentials" : "token";
      return scheme === undefined ? this.#marker(kind) : `${scheme} ${this.#marker(kind)}`;
    }
    if (this.isSensitiveHeader(lower)) {
      return this.#marker(lower);
    }
    return this.text(value);
  }

  exchange(exchange: Exchange): Exchange {
    if (!this.enabled) {
      return exchange;
    }
    const { request, response } = exchange;
    return {
      request: this.#request(request, (body) => this.body(body)),
      response: {
        ...response,
        headers: this.headers(response.headers),
        bodyText: this.body(response.bodyText),
        json: this.json(response.json),
      },
    };
  }

  /** A request with its URL, path and headers redacted, and its body through `body`. */
  #request(request: Exchange["request"], body: (text: string) => string): Exchange["request"] {
    return {
      ...request,
      url: this.text(request.url),
      path: this.text(request.path),
      headers: this.headers(request.headers),
      ...(request.body === undefined ? {} : { body: body(request.body) }),
    };
  }

  /**
   * An exchange for display: as exchange(), but a body text longer than MAX_SHOWN_BODY_CHARS is cut (redacted
   * as text up to the cut and as far past it as a secret can reach) and its parsed value dropped. Redacting
   * megabytes of answers in full for the console, which prints no body, cost seconds per run.
   */
  #shownExchange(exchange: Exchange): Exchange {
    const { request, response } = exchange;
    const cut = (text: string) =>
      text.length > MAX_SHOWN_BODY_CHARS
        ? `${this.text(text.slice(0, MAX_SHOWN_BODY_CHARS + this.longestSecret)).slice(
            0,
            MAX_SHOWN_BODY_CHARS,
          )}… [cut]`
        : this.body(text);
    return {
      request: this.#request(request, cut),
      response: {
        ...response,
        headers: this.headers(response.headers),
        bodyText: cut(response.bodyText),
        // A cut body is text, as a recorded one read back from results.json is: diff compares them alike.
        ...(response.bodyText.length > MAX_SHOWN_BODY_CHARS
          ? { json: undefined, isJson: false }
          : { json: this.json(response.json) }),
      },
    };
  }

  /**
   * A case result for display: free text redacted, and its exchanges with their bodies cut (see #shownExchange);
   * the reports render exchanges from the raw result through shownBody(). Ids and descriptions are the kit's own.
   */
  caseResult(result: CaseResult): CaseResult {
    if (!this.enabled) {
      return result;
    }
    return {
      ...result,
      ...(result.reason === undefined ? {} : { reason: this.text(result.reason) }),
      failures: result.failures.map((failure) => ({
        ...failure,
        expected: this.text(failure.expected),
        received: this.text(failure.received),
      })),
      observations: result.observations.map((observation) => ({
        ...observation,
        summary: this.text(observation.summary),
      })),
      exchanges: result.exchanges.map((exchange) => this.#shownExchange(exchange)),
    };
  }

  run(run: ProfileRun): ProfileRun {
    if (!this.enabled) {
      return run;
    }
    return {
      ...run,
      targetName: this.text(run.targetName),
      targetUrl: this.text(run.targetUrl),
      targetVersion: run.targetVersion === undefined ? undefined : this.text(run.targetVersion),
      stateAccess: this.text(run.stateAccess),
      results: run.results.map((result) => this.caseResult(result)),
    };
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
