// Tests show(), the excerpt every failure message quotes: bounded, and safe on values nested beyond JSON.stringify's reach.
import { describe, expect, test } from "vitest";
import { show, showBody } from "../../src/checks/check.js";
import { stringifyJson } from "../../src/json-text.js";
import { fakeResponse } from "./context.js";

describe("show", () => {
  test("quotes short values as JSON.stringify does", () => {
    expect(show("abc")).toBe('"abc"');
    expect(show({ a: [1, null], b: "x" })).toBe('{"a":[1,null],"b":"x"}');
    expect(show(42)).toBe("42");
    expect(show(undefined)).toBe("undefined");
  });

  test("cuts long values at the limit", () => {
    expect(show("x".repeat(1000), 10)).toBe(`"${"x".repeat(9)}…`);
    expect(show({ list: Array.from({ length: 1000 }, (_, index) => index) }, 20)).toBe(
      '{"list":[0,1,2,3,4,5…',
    );
  });

  test("quotes a value nested 100,000 deep, which JSON.stringify cannot", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(show(deep, 12)).toBe(`${"[".repeat(12)}…`);
    const response = fakeResponse({ raw: `${"[".repeat(100_000)}${"]".repeat(100_000)}`, headers: {} });
    expect(showBody(response)).toMatch(/^body \[{300}…$/);
  });

  test("stops serializing soon after the limit", () => {
    const wide = Array.from({ length: 200_000 }, () => ({ key: "value" }));
    expect(stringifyJson(wide, 0, 0, 100).length).toBeLessThan(200);
  });
});
