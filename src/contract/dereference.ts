// Dereferences a contract whose $refs all point into itself, as swagger-parser's dereference does, without loading it (a tenth of a cold run).

/** Why the local dereference gives up; the caller then hands the document to swagger-parser. */
class NotLocal extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function decodePointer(ref: string): string[] {
  return ref
    .slice(2)
    .split("/")
    .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Replaces, in place, every `{"$ref": "#/..."}` with the object it points to (one shared object per target, as
 * swagger-parser leaves it). Returns undefined, having changed nothing that matters, for a document it cannot
 * treat exactly as swagger-parser would: not OpenAPI 3.0 or 3.1, a $ref to another file or with sibling keys,
 * a $ref that points nowhere, or a cycle. test/contract/dereference.test.ts compares both on the kit's contract.
 */
export function dereferenceLocal(document: unknown): object | undefined {
  if (
    !isObject(document) ||
    typeof document.openapi !== "string" ||
    !/^3\.[01]\.\d+$/.test(document.openapi) ||
    !isObject(document.paths)
  ) {
    return undefined;
  }
  const resolved = new Map<string, unknown>();
  const resolving = new Set<string>();
  const walked = new Set<object>();

  const target = (ref: string): unknown => {
    const done = resolved.get(ref);
    if (done !== undefined) {
      return done;
    }
    if (resolving.has(ref)) {
      throw new NotLocal(`cycle through ${ref}`);
    }
    resolving.add(ref);
    let node: unknown = document;
    for (const part of decodePointer(ref)) {
      if (!isObject(node) || !Object.hasOwn(node, part)) {
        throw new NotLocal(`${ref} points nowhere`);
      }
      node = node[part];
    }
    const value = refOf(node) === undefined ? node : target(refOf(node) as string);
    walk(value);
    resolving.delete(ref);
    resolved.set(ref, value);
    return value;
  };

  const refOf = (node: unknown): string | undefined => {
    if (!isObject(node) || Array.isArray(node) || !("$ref" in node)) {
      return undefined;
    }
    const ref = node.$ref;
    if (typeof ref !== "string" || !ref.startsWith("#/") || Object.keys(node).length !== 1) {
      throw new NotLocal("a $ref that is not local or has sibling keys");
    }
    return ref;
  };

  const walk = (node: unknown): void => {
    if (!isObject(node) || walked.has(node)) {
      return;
    }
    walked.add(node);
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      const ref = refOf(child);
      if (ref === undefined) {
        walk(child);
      } else {
        (node as Record<string, unknown>)[key] = target(ref);
      }
    }
  };

  try {
    walk(document);
  } catch (error) {
    if (error instanceof NotLocal) {
      return undefined;
    }
    throw error;
  }
  return document;
}
