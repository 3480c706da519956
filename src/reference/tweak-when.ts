// Compiles a rewrite rule's `when`: tests of the operation, the request body and its facts, and the answer.
import { isDeepStrictEqual } from "node:util";
import { decodeCertificate } from "../cert/certificate.js";
import type { Contract } from "../contract/contract.js";
import { readPointer } from "./json-pointer.js";
import {
  type Check,
  certOf,
  firstError,
  knownKeys,
  operationOf,
  pointerAt,
  type RequestView,
  refuse,
  type Test,
} from "./tweak-shared.js";
import type { ReferenceResponse, RequestFacts, TweakWhen, ValueTest } from "./tweak-types.js";

const VALUE_TEST_KEYS = ["present", "equals", "startsWith", "includes", "notIn", "matches", "not"] as const;

function compileValueTest(where: string, test: ValueTest): Test {
  knownKeys(where, test, VALUE_TEST_KEYS);
  const parts: Test[] = [];
  if (test.present !== undefined) {
    const present = test.present;
    parts.push((_value, found) => found === present);
  }
  if (test.equals !== undefined) {
    const expected = test.equals;
    parts.push((value, found) => found && isDeepStrictEqual(value, expected));
  }
  if (test.startsWith !== undefined) {
    const prefix = test.startsWith;
    parts.push((value) => typeof value === "string" && value.startsWith(prefix));
  }
  if (test.includes !== undefined) {
    const part = test.includes;
    parts.push((value) => typeof value === "string" && value.includes(part));
  }
  if (test.notIn !== undefined) {
    const excluded = test.notIn;
    parts.push((value, found) => !found || !excluded.some((item) => isDeepStrictEqual(item, value)));
  }
  if (test.matches !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(test.matches, "u");
    } catch (error) {
      refuse(`${where}.matches`, (error as Error).message);
    }
    parts.push((value) => typeof value === "string" && pattern.test(value));
  }
  if (test.not !== undefined) {
    const inner = compileValueTest(`${where}.not`, test.not);
    parts.push((value, found) => !inner(value, found));
  }
  return (value, found) => parts.every((part) => part(value, found));
}

function pointerTests(
  where: string,
  tests: Record<string, ValueTest>,
  of: (view: RequestView, response: ReferenceResponse) => unknown,
): Check[] {
  return Object.entries(tests).map(([text, test]) => {
    const pointer = pointerAt(`${where}[${JSON.stringify(text)}]`, text);
    const check = compileValueTest(`${where}[${JSON.stringify(text)}]`, test);
    return (view, response) => {
      const { found, value } = readPointer(of(view, response), pointer);
      return check(value, found);
    };
  });
}

function certLayout(cert: string): RequestFacts["certLayout"] {
  try {
    return decodeCertificate(cert).layout;
  } catch {
    return "invalid";
  }
}

const WHEN_KEYS = [
  "operation",
  "pathOf",
  "method",
  "request",
  "bodyKind",
  "mediaType",
  "facts",
  "status",
  "code",
  "details",
  "answer",
] as const;

export function compileWhen(contract: Contract, where: string, when: TweakWhen): Check {
  knownKeys(where, when, WHEN_KEYS);
  const checks: Check[] = [];
  if (when.operation !== undefined) {
    const { path, method } = operationOf(contract, `${where}.operation`, when.operation);
    const upper = method.toUpperCase();
    checks.push(({ request }) => request.path === path && request.method === upper);
  }
  if (when.pathOf !== undefined) {
    const { path } = operationOf(contract, `${where}.pathOf`, when.pathOf);
    checks.push(({ request }) => request.path === path);
  }
  if (when.method !== undefined) {
    const method = when.method.toUpperCase();
    checks.push(({ request }) => request.method === method);
  }
  if (when.request !== undefined) {
    checks.push(...pointerTests(`${where}.request`, when.request, (view) => view.fields));
  }
  if (when.bodyKind !== undefined) {
    const kind = when.bodyKind;
    if (!["json", "text", "none"].includes(kind)) {
      refuse(`${where}.bodyKind`, `must be json, text or none, got ${JSON.stringify(kind)}`);
    }
    // The reader stores parsed JSON as a value and anything else as its text: a string body is text.
    checks.push(({ request }) => bodyKindOf(request.body) === kind);
  }
  if (when.mediaType !== undefined) {
    const test = compileValueTest(`${where}.mediaType`, when.mediaType);
    checks.push((view) => test(view.mediaType, true));
  }
  if (when.facts !== undefined) {
    const facts = knownKeys(`${where}.facts`, when.facts, ["certLayout", "certPadded"]) as RequestFacts;
    if (facts.certLayout !== undefined) {
      const layout = facts.certLayout;
      checks.push((view) => certLayout(certOf(view)) === layout);
    }
    if (facts.certPadded !== undefined) {
      const padded = facts.certPadded;
      checks.push((view) => (certOf(view).length % 4 === 0) === padded);
    }
  }
  if (when.status !== undefined) {
    const statuses = Array.isArray(when.status) ? when.status : [when.status];
    checks.push((_view, response) => statuses.includes(response.status));
  }
  if (when.code !== undefined) {
    const test = compileValueTest(`${where}.code`, when.code);
    checks.push((_view, response) => {
      const error = firstError(response);
      return test(error?.code, error !== undefined && "code" in error);
    });
  }
  if (when.details !== undefined) {
    const test = compileValueTest(`${where}.details`, when.details);
    checks.push((_view, response) => test(String(firstError(response)?.details ?? ""), true));
  }
  if (when.answer !== undefined) {
    checks.push(...pointerTests(`${where}.answer`, when.answer, (_view, response) => response.body));
  }
  return (view, response) => checks.every((check) => check(view, response));
}

function bodyKindOf(body: unknown): "json" | "text" | "none" {
  if (body === undefined) {
    return "none";
  }
  return typeof body === "string" ? "text" : "json";
}
