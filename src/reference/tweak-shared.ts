// What the tweak interpreter's parts share: the request as rules see it, and refusals that name the tweak.
import type { Contract } from "../contract/contract.js";
import { isPlainObject } from "../json-text.js";
import { type Pointer, parsePointer } from "./json-pointer.js";
import type { ReferenceRequest, ReferenceResponse, ReferenceRewrite } from "./tweak-types.js";

export type Answer = ReturnType<ReferenceRewrite>;
export type Test = (value: unknown, found: boolean) => boolean;
export type Check = (view: RequestView, response: ReferenceResponse) => boolean;
export type Change = (view: RequestView, response: ReferenceResponse) => ReferenceResponse;

/** The request as the rules see it: its fields (a form body's, under the formFields switch) and its facts. */
export interface RequestView {
  request: ReferenceRequest;
  fields: unknown;
  mediaType: string;
}

export const FORM = "application/x-www-form-urlencoded";

/** Refuses a tweak that could not mean anything: unknown keys, operations, templates, switches; bad pointers. */
export function refuse(where: string, message: string): never {
  throw new RangeError(`tweaks.${where}: ${message}`);
}

export function knownKeys(where: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) {
    refuse(where, `must be an object, got ${JSON.stringify(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    refuse(where, `unknown key ${unknown.join(", ")} (known: ${keys.join(", ")})`);
  }
  return value;
}

export function pointerAt(where: string, text: string): Pointer {
  try {
    return parsePointer(text);
  } catch (error) {
    return refuse(where, (error as Error).message);
  }
}

export const firstError = (response: ReferenceResponse): Record<string, unknown> | undefined => {
  const errors = isPlainObject(response.body) ? response.body.errors : undefined;
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  return isPlainObject(first) ? first : undefined;
};

export const certOf = (view: RequestView): string => {
  const cert = isPlainObject(view.fields) ? view.fields.cert : undefined;
  return String(cert);
};

/** The operation an operationId names in the contract; refused when there is none. */
export function operationOf(contract: Contract, where: string, id: string) {
  const operation = contract.operations.get(id);
  if (operation === undefined) {
    refuse(
      where,
      `unknown operation ${JSON.stringify(id)} (known: ${[...contract.operations.keys()].join(", ")})`,
    );
  }
  return operation;
}
