// Compiles a rewrite rule's `do`: the templates, the status, error items, JSON pointer edits, headers and body.
import { verifiedNameOf } from "../cert/certificate.js";
import type { Contract } from "../contract/contract.js";
import { isPlainObject } from "../json-text.js";
import { type Pointer, parsePointer, readPointer, writePointer } from "./json-pointer.js";
import { type Change, certOf, knownKeys, pointerAt, refuse } from "./tweak-shared.js";
import type { ReferenceResponse, TemplateCall, TweakAction } from "./tweak-types.js";

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

export function compileAction(contract: Contract, where: string, then: TweakAction): Change {
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
