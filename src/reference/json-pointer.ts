// RFC 6901 JSON pointers over plain JSON values: parse once, then read, write or remove, for the tweaks' rewrites.

/** A parsed pointer: its reference tokens, unescaped. "" (the whole document) is the empty list. */
export type Pointer = readonly string[];

/** Parses "/a/b~1c" into ["a", "b/c"]; throws a RangeError on a pointer that does not start with "/". */
export function parsePointer(text: string): Pointer {
  if (text === "") {
    return [];
  }
  if (!text.startsWith("/")) {
    throw new RangeError(`JSON pointer ${JSON.stringify(text)} must be "" or start with "/"`);
  }
  if (/~[^01]|~$/.test(text)) {
    throw new RangeError(`JSON pointer ${JSON.stringify(text)} has a "~" not followed by 0 or 1`);
  }
  return text
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] =>
  typeof value === "object" && value !== null;

/** The value at the pointer; `found` false when a token on the way is missing. */
export function readPointer(document: unknown, pointer: Pointer): { found: boolean; value: unknown } {
  let current = document;
  for (const token of pointer) {
    if (!isContainer(current) || !Object.hasOwn(current, token)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[token];
  }
  return { found: true, value: current };
}

/**
 * A copy of the document with the value set (or removed, when `value` is undefined) at the pointer, copying only
 * the containers on the way; missing objects on the way are created. The input is never mutated.
 */
export function writePointer(document: unknown, pointer: Pointer, value: unknown): unknown {
  const [token, ...rest] = pointer;
  if (token === undefined) {
    return value;
  }
  if (Array.isArray(document)) {
    const copy = [...document];
    const index = Number(token);
    if (Number.isInteger(index) && index >= 0 && index < copy.length) {
      if (rest.length === 0 && value === undefined) {
        copy.splice(index, 1);
      } else {
        copy[index] = writePointer(copy[index], rest, value);
      }
    }
    return copy;
  }
  const copy: Record<string, unknown> = isContainer(document) ? { ...document } : {};
  if (rest.length === 0 && value === undefined) {
    delete copy[token];
  } else {
    copy[token] = writePointer(copy[token], rest, value);
  }
  return copy;
}
