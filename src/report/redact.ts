// One redactor for every artifact and the console: hides credentials, tokens and the contract's x-sensitive fields.

import type { Contract } from "../contract/contract.js";
import type { Exchange } from "../http/send.js";
import type { CaseResult, ProfileRun } from "../runner/results.js";
import type { TargetConfig } from "../runner/target.js";

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
  readonly #secrets: Set<string>;
  readonly #marker: (name: string) => string;
  #learnedPattern: RegExp | undefined;
  /** How many secrets #learnedPattern was built from; the set is shared with withMarker() copies and only grows. */
  #learnedPatternSize = 0;
  readonly #fieldPattern: RegExp | undefined;
  readonly #formPattern: RegExp | undefined;

  constructor(options: RedactorOptions = {}, shared?: Set<string>) {
    this.enabled = options.enabled ?? true;
    this.#fields = new Set(
      [...(options.fields ?? ALWAYS_SENSITIVE_FIELDS)].map((name) => name.toLowerCase()),
    );
    this.#headers = new Set([...(options.headers ?? [])].map((name) => name.toLowerCase()));
    this.#secrets = shared ?? new Set();
    this.#marker = options.marker ?? (() => REDACTED);
    const alternatives = [...this.#fields].map(escapeRegExp).join("|");
    if (alternatives !== "") {
      // "pin": "123456" or "pin":123456 inside JSON-ish text (also a malformed body that JSON.parse refused);
      // an unterminated string runs to the end of the text, so a truncated body leaks nothing either.
      this.#fieldPattern = new RegExp(
        `("(${alternatives})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*(?:"|$)|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`,
        "gi",
      );
      // pin=123456 in a query string or a form body.
      this.#formPattern = new RegExp(`([?&;]|^)(${alternatives})=([^&#\\s]*)`, "gim");
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
      this.#secrets,
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
      if (value === undefined || value.length < MIN_LEARNED_SECRET_LENGTH) {
        continue;
      }
      // The value as sent, as it appears inside a JSON string, and as it appears in a URL.
      const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
      for (const form of forms) {
        this.#secrets.add(form);
      }
    }
  }

  /** Learns the secrets one exchange carried: credentials of its Authorization header, sensitive fields. */
  learnFromExchange(exchange: Exchange): void {
    for (const [name, value] of Object.entries(exchange.request.headers)) {
      this.#learnHeader(name, value);
    }
    for (const [name, value] of Object.entries(exchange.response.headers)) {
      this.#learnHeader(name, value);
    }
    this.#learnText(exchange.request.url);
    this.#learnText(exchange.request.body);
    this.#learnText(exchange.response.bodyText);
    this.#learnJson(exchange.response.json);
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

  #learnHeader(name: string, value: string): void {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "proxy-authorization") {
      const match = /^(\w+)\s+(.+)$/.exec(value.trim());
      const scheme = match?.[1]?.toLowerCase();
      const credentials = match?.[2];
      if (scheme === "basic" && credentials !== undefined) {
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        this.learn(credentials, colon >= 0 ? decoded.slice(colon + 1) : decoded);
      } else {
        this.learn(credentials ?? value);
      }
    } else if (lower === "cookie" || lower === "set-cookie") {
      for (const pair of value.split(/[;,]/)) {
        const equals = pair.indexOf("=");
        if (equals > 0) {
          this.learn(pair.slice(equals + 1).trim());
        }
      }
    } else if (this.isSensitiveHeader(lower)) {
      this.learn(value);
    }
  }

  #learnText(text: string | undefined): void {
    if (text === undefined || text === "") {
      return;
    }
    try {
      this.#learnJson(JSON.parse(text));
    } catch {
      // Not JSON: fall through to the key=value patterns.
    }
    for (const pattern of [this.#fieldPattern, this.#formPattern]) {
      if (!pattern) {
        continue;
      }
      for (const match of text.matchAll(pattern)) {
        const key = (match[2] ?? "").toLowerCase();
        const raw = match[3] ?? "";
        if (raw.startsWith('"')) {
          this.learn(raw.replace(/^"|"$/g, ""));
        } else if (!NUMBERS_ARE_PUBLIC.has(key)) {
          this.learn(decodeURIComponentSafe(raw));
        }
      }
    }
  }

  #learnJson(value: unknown, sensitiveKey?: string): void {
    if (Array.isArray(value)) {
      for (const item of value) {
        this.#learnJson(item, sensitiveKey);
      }
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        this.#learnJson(item, this.isSensitiveField(key) ? key : sensitiveKey);
      }
    } else if (sensitiveKey !== undefined) {
      if (typeof value === "string") {
        this.learn(value);
      } else if (typeof value === "number" && !NUMBERS_ARE_PUBLIC.has(sensitiveKey.toLowerCase())) {
        this.learn(String(value));
      }
    }
  }

  #learned(): RegExp | undefined {
    if (this.#secrets.size > 0 && this.#learnedPatternSize !== this.#secrets.size) {
      // Longest first, in one pass, so a secret inside another is not half-replaced and a marker is never re-matched.
      const alternatives = [...this.#secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#learnedPattern = new RegExp(alternatives.join("|"), "g");
      this.#learnedPatternSize = this.#secrets.size;
    }
    return this.#learnedPattern;
  }

  /** Free text (a reason, an Expected / Received, a URL, a non-JSON body): every known secret replaced. */
  text(value: string): string {
    if (!this.enabled || value === "") {
      return value;
    }
    let text = value;
    if (this.#fieldPattern) {
      text = text.replace(this.#fieldPattern, (whole, prefix: string, key: string, raw: string) =>
        !raw.startsWith('"') && NUMBERS_ARE_PUBLIC.has(key.toLowerCase())
          ? whole
          : `${prefix}${JSON.stringify(this.#marker(key))}`,
      );
    }
    if (this.#formPattern) {
      text = text.replace(
        this.#formPattern,
        (_whole, lead: string, key: string) => `${lead}${key}=${this.#marker(key)}`,
      );
    }
    // Credentials in a URL's user-info part, and Authorization values quoted in messages.
    text = text.replace(
      /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
      (_whole, lead: string) => `${lead}${this.#marker("password")}@`,
    );
    text = text.replace(
      // Twelve characters at least, so prose such as "a Bearer token" stays readable.
      /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/g,
      (_whole, scheme: string) => `${scheme} ${this.#marker(scheme === "Basic" ? "credentials" : "token")}`,
    );
    const learned = this.#learned();
    return learned ? text.replace(learned, () => this.#marker("secret")) : text;
  }

  /** A parsed JSON value: sensitive fields replaced whatever their depth, known secrets replaced in strings. */
  json(value: unknown): unknown {
    return this.enabled ? this.#redactJson(value, undefined) : value;
  }

  #redactJson(value: unknown, sensitiveKey: string | undefined): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.#redactJson(item, sensitiveKey));
    }
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          this.#redactJson(item, this.isSensitiveField(key) ? key : sensitiveKey),
        ]),
      );
    }
    if (sensitiveKey !== undefined) {
      if (typeof value === "string") {
        return this.#marker(sensitiveKey);
      }
      if (typeof value === "number" && !NUMBERS_ARE_PUBLIC.has(sensitiveKey.toLowerCase())) {
        return this.#marker(sensitiveKey);
      }
    }
    return typeof value === "string" ? this.text(value) : value;
  }

  /**
   * A body as text: JSON is redacted field by field (and re-serialized only when something changed, so a
   * clean body keeps its exact bytes); any other text gets the key=value patterns and the known secrets.
   */
  body(text: string): string {
    if (!this.enabled || text === "") {
      return text;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.text(text);
    }
    const redacted = this.json(parsed);
    const changed = JSON.stringify(redacted) !== JSON.stringify(parsed);
    const indent = /\n(\s+)/.exec(text)?.[1]?.length ?? 0;
    return this.text(changed ? JSON.stringify(redacted, null, indent || undefined) : text);
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
      request: {
        ...request,
        url: this.text(request.url),
        path: this.text(request.path),
        headers: this.headers(request.headers),
        ...(request.body === undefined ? {} : { body: this.body(request.body) }),
      },
      response: {
        ...response,
        headers: this.headers(response.headers),
        bodyText: this.body(response.bodyText),
        json: this.json(response.json),
      },
    };
  }

  /** A case result for display: free text and exchanges redacted; ids and descriptions are the kit's own. */
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
      exchanges: result.exchanges.map((exchange) => this.exchange(exchange)),
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

/** Every secret the user gave about some targets, known before anything is sent: credentials and state data. */
export function targetSecrets(targets: TargetConfig[]): { values: string[]; headers: string[] } {
  const values = targets.flatMap((target) => {
    const nonAdmin = target.states["non-admin-user"];
    const codeSent = target.states["code-sent"];
    return [
      target.password,
      target.token,
      target.states["two-step-enabled"]?.pin,
      nonAdmin && "password" in nonAdmin ? nonAdmin.password : undefined,
      nonAdmin && "token" in nonAdmin ? nonAdmin.token : undefined,
      codeSent && "code" in codeSent ? codeSent.code : undefined,
    ].filter((value): value is string => value !== undefined);
  });
  // The header the config names for the verification code carries a secret too.
  const headers = targets.flatMap((target) => {
    const codeSent = target.states["code-sent"];
    return codeSent && "codeHeader" in codeSent ? [codeSent.codeHeader] : [];
  });
  return { values, headers };
}

/** The redactor of a run against these targets: the contract's sensitive fields and the targets' secrets. */
export function redactorForTargets(contract: Contract, targets: TargetConfig[], enabled = true): Redactor {
  const secrets = targetSecrets(targets);
  return Redactor.forContract(contract, { enabled, secrets: secrets.values, headers: secrets.headers });
}
