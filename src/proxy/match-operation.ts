// Finds the contract operation a request is for, by matching its method and path against the contract's operations.
import type { Contract, Operation } from "../contract/contract.js";

export type OperationMatch =
  | { kind: "operation"; operation: Operation }
  /** The path is the contract's, the method is not one it documents there. */
  | { kind: "method-not-documented"; path: string; methods: string[] }
  | { kind: "outside-contract" };

interface PathMatcher {
  path: string;
  pattern: RegExp;
  byMethod: Map<string, Operation>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One matcher per contract path; a `{param}` segment matches any one segment. */
export function operationMatcher(contract: Contract): (method: string, target: string) => OperationMatch {
  const matchers = new Map<string, PathMatcher>();
  for (const operation of contract.operations.values()) {
    let matcher = matchers.get(operation.path);
    if (matcher === undefined) {
      const source = operation.path
        .split(/(\{[^}]+\})/)
        .map((part) => (/^\{[^}]+\}$/.test(part) ? "[^/]+" : escapeRegExp(part)))
        .join("");
      matcher = { path: operation.path, pattern: new RegExp(`^${source}$`), byMethod: new Map() };
      matchers.set(operation.path, matcher);
    }
    matcher.byMethod.set(operation.method, operation);
  }
  return (method, target) => {
    const path = pathOf(target);
    for (const matcher of matchers.values()) {
      if (matcher.pattern.test(path)) {
        const operation = matcher.byMethod.get(method.toLowerCase());
        return operation === undefined
          ? { kind: "method-not-documented", path: matcher.path, methods: [...matcher.byMethod.keys()] }
          : { kind: "operation", operation };
      }
    }
    return { kind: "outside-contract" };
  };
}

/** The path of a request-target (origin form, or absolute form as a forward-proxy client sends it). */
export function pathOf(target: string): string {
  try {
    return new URL(target, "http://proxy.invalid").pathname;
  } catch {
    return target.split("?")[0] ?? target;
  }
}
