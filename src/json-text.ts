// JSON values a target sent: objects told from the rest, serialized and pretty-printed without recursion, in linear time.

/**
 * Deeper than this, containers are written compactly: indenting each level costs its depth in spaces per line,
 * so an array nested 2,000 deep pretty-printed in full is megabytes of spaces for 4 KB of input.
 */
export const MAX_INDENT_DEPTH = 16;

/** Whether a JSON value is an object (not null, not an array): what a body's fields can be read from. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isContainer = (value: unknown): value is object => typeof value === "object" && value !== null;

interface Frame {
  value: Record<string, unknown> | unknown[];
  /** Own enumerable keys of an object (those JSON.stringify writes); undefined for an array. */
  keys: string[] | undefined;
  length: number;
  index: number;
  depth: number;
}

/**
 * What JSON.stringify(value, null, indent) writes for a JSON value (as JSON.parse makes them), except that
 * containers deeper than `maxIndentDepth` are written without indentation. JSON.stringify itself recurses, and
 * throws "Maximum call stack size exceeded" for a value nested about 10,000 deep: a 20 KB body. With `maxChars`,
 * writing stops soon after that many characters (the text is then a prefix, at most one token longer), so a short
 * excerpt of a megabyte value costs no more than the excerpt.
 */
export function stringifyJson(
  value: unknown,
  indent = 0,
  maxIndentDepth = MAX_INDENT_DEPTH,
  maxChars = Number.POSITIVE_INFINITY,
): string {
  const spaces = Math.min(10, Math.max(0, Math.floor(indent)));
  const out: string[] = [];
  let written = 0;
  const push = (...parts: string[]) => {
    for (const part of parts) {
      out.push(part);
      written += part.length;
    }
  };
  const stack: Frame[] = [];
  const pretty = (depth: number) => spaces > 0 && depth < maxIndentDepth;
  const lineAt = (depth: number) => `\n${" ".repeat(spaces * depth)}`;
  const open = (item: unknown, depth: number, inArray: boolean): boolean => {
    if (!isContainer(item)) {
      const text = typeof item === "function" || typeof item === "symbol" ? undefined : JSON.stringify(item);
      push(text ?? (inArray ? "null" : ""));
      return false;
    }
    if (Array.isArray(item)) {
      if (item.length === 0) {
        push("[]");
        return false;
      }
      push("[");
      stack.push({ value: item, keys: undefined, length: item.length, index: 0, depth });
      return true;
    }
    const record = item as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => {
      const type = typeof record[key];
      return type !== "undefined" && type !== "function" && type !== "symbol";
    });
    if (keys.length === 0) {
      push("{}");
      return false;
    }
    push("{");
    stack.push({ value: record, keys, length: keys.length, index: 0, depth });
    return true;
  };
  open(value, 0, true);
  while (stack.length > 0 && written <= maxChars) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.index >= frame.length) {
      if (pretty(frame.depth)) {
        push(lineAt(frame.depth));
      }
      push(frame.keys === undefined ? "]" : "}");
      stack.pop();
      continue;
    }
    const index = frame.index++;
    if (index > 0) {
      push(",");
    }
    if (pretty(frame.depth)) {
      push(lineAt(frame.depth + 1));
    }
    if (frame.keys === undefined) {
      open((frame.value as unknown[])[index], frame.depth + 1, true);
    } else {
      const key = frame.keys[index] as string;
      push(JSON.stringify(key), pretty(frame.depth) ? ": " : ":");
      open((frame.value as Record<string, unknown>)[key], frame.depth + 1, false);
    }
  }
  return out.join("");
}

/**
 * A body for a person to read: JSON pretty-printed (2 spaces, at most MAX_INDENT_DEPTH levels), anything else
 * as it came. When indenting would more than double a body, it is shown as it came too: the bound on what a
 * report holds is the body's own size.
 */
export function prettyBody(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  const pretty = stringifyJson(parsed, 2);
  return pretty.length > 2 * body.length + 256 ? body : pretty;
}
