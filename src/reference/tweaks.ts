// Interprets the tweaks' data: validates it against the contract once at start, then compiles one rewrite function.
import { isDeepStrictEqual } from "node:util";
import { decodeCertificate, verifiedNameOf } from "../cert/certificate.js";
import type { Contract } from "../contract/contract.js";
import { isPlainObject } from "../json-text.js";
import { type Pointer, parsePointer, readPointer, writePointer } from "./json-pointer.js";
import type {
  ReferenceRequest,
  ReferenceResponse,
  ReferenceRewrite,
  ReferenceSwitches,
  RequestFacts,
  RewriteRule,
  TemplateCall,
  TweakAction,
  TweakWhen,
  ValueTest,
} from "./tweak-types.js";

type Answer = ReturnType<ReferenceRewrite>;
type Test = (value: unknown, found: boolean) => boolean;
type Check = (view: RequestView, response: ReferenceResponse) => boolean;
type Change = (view: RequestView, response: ReferenceResponse) => ReferenceResponse;

/** The request as the rules see it: its fields (a form body's, under the formFields switch) and its facts. */
interface RequestView {
  request: ReferenceRequest;
  fields: unknown;
  mediaType: string;
}

const FORM = "application/x-www-form-urlencoded";

/** Refuses a tweak that could not mean anything: unknown keys, operations, templates, switches; bad pointers. */
function refuse(where: string, message: string): never {
  throw new RangeError(`tweaks.${where}: ${message}`);
}

function knownKeys(where: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) {
    refuse(where, `must be an object, got ${JSON.stringify(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    refuse(where, `unknown key ${unknown.join(", ")} (known: ${keys.join(", ")})`);
  }
  return value;
}

function pointerAt(where: string, text: string): Pointer {
  try {
    return parsePointer(text);
  } catch (error) {
    return refuse(where, (error as Error).message);
  }
}

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

const firstError = (response: ReferenceResponse): Record<string, unknown> | undefined => {
  const errors = isPlainObject(response.body) ? response.body.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  return isPlainObject(first) ? first : undefined;
};

const certOf = (view: RequestView): string => {
  const cert = isPlainObject(view.fields) ? view.fields.cert : undefined;
  return String(cert);
};

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

function operationOf(contract: Contract, where: string, id: string) {
  const operation = contract.operations.get(id);
  if (operation === undefined) {
    refuse(
      where,
      `unknown operation ${JSON.stringify(id)} (known: ${[...contract.operations.keys()].join(", ")})`,
    );
  }
  return operation;
}

function compileWhen(contract: Contract, where: string, when: TweakWhen): Check {
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

function titleFor(contract: Contract, where: string, code: number): string {
  const title = contract.errorTitles.get(code);
  if (title === undefined) {
    refuse(where, `code ${code} is not in the contract's x-error-catalogue; give its title`);
  }
  return title;
}

const metaOf = (response: ReferenceResponse): unknown =>
  isPlainObject(response.body) ? response.body.meta : undefined;

function compileTemplate(contract: Contract, where: string, template: TweakAction["template"]): Change {
  const call: TemplateCall = typeof template === "string" ? { name: template } : (template as TemplateCall);
  knownKeys(where, call, ["name", "status", "code", "details"]);
  switch (call.name) {
    case "code-sent":
      return (view, response) => ({
        status: 202,
        headers: response.headers,
        body: { meta: metaOf(response), account: [{ vname: verifiedNameOf(certOf(view)) ?? "" }] },
      });
    case "success": {
      const status = call.status ?? 200;
      return (_view, response) => ({ status, headers: response.headers, body: { meta: metaOf(response) } });
    }
    case "invalid":
    case "error": {
      const code = call.name === "invalid" ? 1009 : (call.code ?? refuse(where, "error needs a code"));
      const status = call.name === "invalid" ? 400 : (call.status ?? 400);
      const error = {
        code,
        title: titleFor(contract, where, code),
        ...(call.details === undefined ? {} : { details: call.details }),
      };
      return (_view, response) => ({
        status,
        headers: response.headers,
        body: { meta: metaOf(response), errors: [{ ...error }] },
      });
    }
    default:
      return refuse(
        `${where}.name`,
        `unknown template ${JSON.stringify(call.name)} (known: code-sent, success, invalid, error)`,
      );
  }
}

/** The same JSON value with the keys of every object in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(reversedKeys);
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reversedKeys(item)]),
    );
  }
  return value;
}

function mapItems(
  response: ReferenceResponse,
  at: Pointer,
  change: (item: unknown) => unknown,
): ReferenceResponse {
  const { found, value } = readPointer(response.body, at);
  return found && Array.isArray(value)
    ? { ...response, body: writePointer(response.body, at, value.map(change)) }
    : response;
}

const ACTION_KEYS = [
  "template",
  "status",
  "eachError",
  "each",
  "set",
  "remove",
  "headers",
  "emptyBody",
  "reverseKeys",
] as const;

function compileAction(contract: Contract, where: string, then: TweakAction): Change {
  knownKeys(where, then, ACTION_KEYS);
  const changes: Change[] = [];
  if (then.template !== undefined) {
    changes.push(compileTemplate(contract, `${where}.template`, then.template));
  }
  if (then.status !== undefined) {
    const status = then.status;
    changes.push((_view, response) => ({ ...response, status }));
  }
  if (then.eachError !== undefined) {
    const spec = knownKeys(`${where}.eachError`, then.eachError, [
      "code",
      "title",
      "details",
      "only",
    ]) as NonNullable<TweakAction["eachError"]>;
    const fixed: Record<string, unknown> = {};
    if (spec.code !== undefined) {
      fixed.code = spec.code;
      fixed.title = spec.title ?? titleFor(contract, `${where}.eachError`, spec.code);
    } else if (spec.title !== undefined) {
      fixed.title = spec.title;
    }
    const details = spec.details;
    const errors = parsePointer("/errors");
    changes.push((_view, response) =>
      mapItems(response, errors, (item) => {
        const base = spec.only === true || !isPlainObject(item) ? {} : item;
        const merged: Record<string, unknown> = { ...base, ...fixed };
        if (details !== undefined) {
          const code = merged.code ?? (isPlainObject(item) ? item.code : undefined);
          merged.details = details.replaceAll("{code}", String(code));
        }
        return merged;
      }),
    );
  }
  if (then.each !== undefined) {
    const spec = knownKeys(`${where}.each`, then.each, ["at", "merge"]) as NonNullable<TweakAction["each"]>;
    const at = pointerAt(`${where}.each.at`, spec.at);
    const merge = knownKeys(`${where}.each.merge`, spec.merge, Object.keys(spec.merge ?? {}));
    changes.push((_view, response) =>
      mapItems(response, at, (item) => ({ ...(isPlainObject(item) ? item : {}), ...merge })),
    );
  }
  if (then.set !== undefined) {
    const writes = Object.entries(then.set).map(
      ([text, value]) => [pointerAt(`${where}.set[${JSON.stringify(text)}]`, text), value] as const,
    );
    changes.push((_view, response) => ({
      ...response,
      body: writes.reduce((body, [pointer, value]) => writePointer(body, pointer, value), response.body),
    }));
  }
  if (then.remove !== undefined) {
    const pointers = then.remove.map((text) => pointerAt(`${where}.remove`, text));
    if (pointers.some((pointer) => pointer.length === 0)) {
      refuse(`${where}.remove`, 'cannot remove "" (use emptyBody)');
    }
    changes.push((_view, response) => ({
      ...response,
      body: pointers.reduce((body, pointer) => writePointer(body, pointer, undefined), response.body),
    }));
  }
  if (then.headers !== undefined) {
    const headers = Object.fromEntries(
      Object.entries(then.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    changes.push((_view, response) => ({ ...response, headers: { ...response.headers, ...headers } }));
  }
  if (then.emptyBody === true) {
    changes.push((_view, response) => ({ status: response.status, headers: {}, body: undefined }));
  }
  if (then.reverseKeys === true) {
    changes.push((_view, response) => ({ ...response, body: reversedKeys(response.body) }));
  }
  return (view, response) => changes.reduce((current, change) => change(view, current), response);
}

function compileRule(
  contract: Contract,
  where: string,
  rule: RewriteRule,
): (view: RequestView, response: ReferenceResponse) => Answer {
  knownKeys(where, rule, ["when", "do"]);
  const applies = rule.when === undefined ? () => true : compileWhen(contract, `${where}.when`, rule.when);
  const then = rule.do;
  if (then === "drop" || then === "hang") {
    return (view, response) => (applies(view, response) ? then : undefined);
  }
  if (typeof then === "string") {
    refuse(`${where}.do`, `must be drop, hang or an object, got ${JSON.stringify(then)}`);
  }
  const change = compileAction(contract, `${where}.do`, then);
  return (view, response) => (applies(view, response) ? change(view, response) : undefined);
}

/** The request's media type, without parameters, in lower case; "" when it has none. */
function mediaTypeOf(request: ReferenceRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * One function applying the rewrite rules (the first that holds wins) and then `extra`, a programmatic rewrite;
 * undefined when there is neither, so the answer path stays as it is without tweaks.
 */
export function compileRewrite(
  contract: Contract,
  rules: readonly RewriteRule[] | undefined,
  switches: ReferenceSwitches | undefined,
  extra: ReferenceRewrite | undefined,
): ReferenceRewrite | undefined {
  if (rules !== undefined && !Array.isArray(rules)) {
    refuse("rewrite", "must be a list of rules");
  }
  const compiled = (rules ?? []).map((rule, index) => compileRule(contract, `rewrite[${index}]`, rule));
  if (compiled.length === 0) {
    return extra;
  }
  const formFields = switches?.formFields === true;
  const byRules = (request: ReferenceRequest, response: ReferenceResponse): Answer => {
    const mediaType = mediaTypeOf(request);
    const fields =
      formFields && typeof request.body === "string" && mediaType === FORM
        ? Object.fromEntries(new URLSearchParams(request.body))
        : request.body;
    const view: RequestView = { request, fields, mediaType };
    for (const rule of compiled) {
      const answer = rule(view, response);
      if (answer !== undefined) {
        return answer;
      }
    }
    return undefined;
  };
  if (extra === undefined) {
    return byRules;
  }
  return (request, response) => {
    const first = byRules(request, response);
    if (first === "drop" || first === "hang") {
      return first;
    }
    return extra(request, first ?? response) ?? first;
  };
}

/** The vname a 202 answers, as the vname switch says; undefined when the decoded name is answered. */
export function vnameSwitch(
  switches: ReferenceSwitches | undefined,
): ((decoded: string, fields: Record<string, unknown>) => string) | undefined {
  if (switches === undefined) {
    return undefined;
  }
  knownKeys("switches", switches, ["vname", "formFields"]);
  const choice = switches.vname;
  if (choice === undefined) {
    return undefined;
  }
  if (choice === "echo-cert") {
    return (_decoded, fields) => String(fields.cert);
  }
  if (choice === "latin1") {
    return (decoded) => Buffer.from(decoded, "utf8").toString("latin1");
  }
  if (isPlainObject(choice) && typeof choice.constant === "string") {
    knownKeys("switches.vname", choice, ["constant"]);
    const constant = choice.constant;
    return () => constant;
  }
  return refuse(
    "switches.vname",
    `must be echo-cert, latin1 or { constant: <name> }, got ${JSON.stringify(choice)}`,
  );
}
