// The normalization rules of a diff: the defaults as data, the user's rule file (validated with ajv), and matching.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { ConfigError } from "../config-error.js";
import { readDataFile } from "../data-file.js";

/**
 * What one rule set says. `ignore` drops a body field or header from the comparison altogether (its value and
 * whether it is there); `volatile` compares only whether it is there, not its value, so a token that changes
 * every login is not a difference but a token that disappears still is; `format` compares whether it is there
 * and the format of its value (its type, and for text the runs of digits, letters and the characters between:
 * "2026-12-01 20:27:22+00:00" reads 9-9-9 9:9:9+9:9), so another expiry is not a difference but an expiry in
 * another format, which a client would fail to parse, is.
 */
export interface RuleSpec {
  ignore?: { pointers?: string[]; headers?: string[] };
  volatile?: { pointers?: string[]; headers?: string[] };
  format?: { pointers?: string[]; headers?: string[] };
}

/** Rules ready to match: pointers split into segments, header names lower-cased, each with where it came from. */
export interface DiffRules {
  ignorePointers: PointerRule[];
  volatilePointers: PointerRule[];
  formatPointers: PointerRule[];
  ignoreHeaders: HeaderRule[];
  volatileHeaders: HeaderRule[];
  formatHeaders: HeaderRule[];
  /** "default rules", or the rule file's path: for the report. */
  sources: string[];
}

export interface PointerRule {
  pattern: string;
  segments: string[];
  source: string;
}

export interface HeaderRule {
  pattern: string;
  regex: RegExp;
  source: string;
}

/**
 * The default rules. Values a target chooses itself (tokens and their expiry, its version string) differ between
 * any two targets and between two logins on one, but a correct target always sends them: volatile. Headers that
 * frame the connection or the transfer (length, chunking, keep-alive), stamp the moment (date) or trace one
 * request (etag, request ids, cookies) come and go with any proxy in between and say nothing about the API: ignored.
 * Kept as a typed constant rather than a YAML file so the built package needs no data file beside dist/.
 */
export const DEFAULT_RULES: RuleSpec = {
  volatile: {
    pointers: ["/meta/version", "/users/*/token"],
  },
  format: {
    pointers: ["/users/*/expires_after"],
  },
  ignore: {
    headers: [
      "date",
      "etag",
      "content-length",
      "transfer-encoding",
      "connection",
      "keep-alive",
      "x-request-id",
      "set-cookie",
    ],
  },
};

export const DEFAULT_RULES_SOURCE = "default rules";

/** A JSON Pointer (RFC 6901): empty, or segments each after a "/", with "~" only as ~0 or ~1. */
const POINTER_PATTERN = "^(/([^~]|~[01])*)*$";
/** An HTTP header name (RFC 9110 token characters), where "*" also stands for any run of characters. */
const HEADER_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

const list = (pattern: string) => ({
  type: "array",
  items: { type: "string", pattern },
});
const section = {
  type: "object",
  additionalProperties: false,
  properties: { pointers: list(POINTER_PATTERN), headers: list(HEADER_PATTERN) },
} as const;

/** The rule file's format (YAML or JSON). */
export const RULES_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: { ignore: section, volatile: section, format: section },
} as const;

let validateRules: ValidateFunction | undefined;

/** Checks a rule set's shape; every problem names the key and why. */
export function validateRuleSpec(data: unknown, where: string): RuleSpec {
  if (data === null || data === undefined) {
    return {};
  }
  validateRules ??= new Ajv2020({ allErrors: true, strict: false }).compile(RULES_SCHEMA);
  if (!validateRules(data)) {
    const problems = (validateRules.errors ?? []).slice(0, 8).map((error) => {
      const key = error.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
      if (error.keyword === "additionalProperties") {
        const extra = (error.params as { additionalProperty: string }).additionalProperty;
        return `  ${key === "(top level)" ? extra : `${key}.${extra}`}: "${extra}" is not a known key (expected ${
          key === "(top level)" ? "ignore, volatile or format" : "pointers or headers"
        })`;
      }
      if (error.keyword === "pattern") {
        const isPointer = error.instancePath.includes("/pointers/");
        return `  ${key}: ${JSON.stringify(readAt(data, error.instancePath))} is not a ${
          isPointer ? 'JSON pointer (e.g. "/meta/version", "/users/*/token")' : "header name"
        }`;
      }
      return `  ${key}: ${error.message ?? "is invalid"}`;
    });
    throw new ConfigError(`${where} is invalid:\n${[...new Set(problems)].join("\n")}`);
  }
  return data as RuleSpec;
}

function readAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const segment of splitPointer(pointer)) {
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

/** Reads a user's rule file (YAML, or JSON when it ends in .json); a bad file is a ConfigError (exit 2). */
export async function readRuleFile(path: string): Promise<RuleSpec> {
  const data = await readDataFile(path, "the rule file");
  return validateRuleSpec(data, `the rule file ${path}`);
}

/** Splits a JSON pointer into unescaped segments ("" is the whole document: no segments). */
export function splitPointer(pointer: string): string[] {
  if (pointer === "") {
    return [];
  }
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

export function joinPointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

function headerRegex(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`);
}

/** Compiles rule sets into one, in order; later sets only add to earlier ones. */
export function compileRules(sets: { spec: RuleSpec; source: string }[]): DiffRules {
  const rules: DiffRules = {
    ignorePointers: [],
    volatilePointers: [],
    formatPointers: [],
    ignoreHeaders: [],
    volatileHeaders: [],
    formatHeaders: [],
    sources: [],
  };
  for (const { spec, source } of sets) {
    rules.sources.push(source);
    const pointer = (pattern: string): PointerRule => ({ pattern, segments: splitPointer(pattern), source });
    const header = (pattern: string): HeaderRule => ({ pattern, regex: headerRegex(pattern), source });
    rules.ignorePointers.push(...(spec.ignore?.pointers ?? []).map(pointer));
    rules.volatilePointers.push(...(spec.volatile?.pointers ?? []).map(pointer));
    rules.ignoreHeaders.push(...(spec.ignore?.headers ?? []).map(header));
    rules.volatileHeaders.push(...(spec.volatile?.headers ?? []).map(header));
    rules.formatPointers.push(...(spec.format?.pointers ?? []).map(pointer));
    rules.formatHeaders.push(...(spec.format?.headers ?? []).map(header));
  }
  return rules;
}

/** The default rules, plus the user's rule file when one is given. */
export async function loadRules(ruleFile?: string): Promise<DiffRules> {
  const sets = [{ spec: DEFAULT_RULES, source: DEFAULT_RULES_SOURCE }];
  if (ruleFile !== undefined) {
    sets.push({ spec: await readRuleFile(ruleFile), source: ruleFile });
  }
  return compileRules(sets);
}

/**
 * Whether a rule pointer covers a field: segment by segment, "*" standing for any one key or array index, and a
 * rule also covering everything below the field it names (ignoring /account ignores /account/0/vname).
 */
export function pointerMatches(rule: PointerRule, segments: readonly string[]): PointerRule | undefined {
  if (rule.segments.length > segments.length) {
    return undefined;
  }
  return rule.segments.every((segment, index) => segment === "*" || segment === segments[index])
    ? rule
    : undefined;
}

export function findPointerRule(rules: PointerRule[], segments: readonly string[]): PointerRule | undefined {
  return rules.find((rule) => pointerMatches(rule, segments));
}

export function findHeaderRule(rules: HeaderRule[], name: string): HeaderRule | undefined {
  const lower = name.toLowerCase();
  return rules.find((rule) => rule.regex.test(lower));
}

/** The rules as data, for the report. */
export function describeRules(rules: DiffRules): {
  sources: string[];
  ignore: { pointers: string[]; headers: string[] };
  volatile: { pointers: string[]; headers: string[] };
  format: { pointers: string[]; headers: string[] };
} {
  return {
    sources: rules.sources,
    ignore: {
      pointers: rules.ignorePointers.map((rule) => rule.pattern),
      headers: rules.ignoreHeaders.map((rule) => rule.pattern),
    },
    volatile: {
      pointers: rules.volatilePointers.map((rule) => rule.pattern),
      headers: rules.volatileHeaders.map((rule) => rule.pattern),
    },
    format: {
      pointers: rules.formatPointers.map((rule) => rule.pattern),
      headers: rules.formatHeaders.map((rule) => rule.pattern),
    },
  };
}
