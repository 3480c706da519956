// Pins what the kit's YAML reader gives: YAML 1.2 core values, dates as strings, duplicate keys and unknown tags refused.

import { describe, expect, it } from "vitest";
import { parseYaml } from "../../src/yaml.js";

describe("parseYaml", () => {
  it.each([
    ["an empty document", "", null],
    ["comments only", "# nothing\n", null],
    ["a date, kept as the string it is", "expires: 2026-12-31\n", { expires: "2026-12-31" }],
    ["core numbers and nulls", "a: 0o17\nb: 0x1F\nc: 1e3\nd: ~\n", { a: 15, b: 31, c: 1000, d: null }],
    ["YAML 1.1 booleans, which 1.2 reads as strings", "a: yes\nb: on\n", { a: "yes", b: "on" }],
    ["a time, not a sexagesimal number", "at: 12:30\n", { at: "12:30" }],
  ])("reads %s", (_label, text, expected) => {
    expect(parseYaml(text)).toEqual(expected);
  });

  it.each([
    ["a duplicate key", "a: 1\na: 2\n", /duplicated mapping key \(2:1\)/],
    ["a tab in the indentation", "a:\n\tb: 1\n", /tab characters/],
    ["an unclosed flow sequence", "a: [1\n", /\(\d+:\d+\)/],
    ["a tag outside the core schema", "a: !!binary aGk=\n", /unknown tag/],
  ])("refuses %s, naming the line and column", (_label, text, message) => {
    expect(() => parseYaml(text)).toThrow(message);
  });
});
