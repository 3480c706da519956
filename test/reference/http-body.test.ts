// Tests the reference's body decoding: the fast UTF-8 path must give exactly the strict decoder's verdict.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeJson, isJsonRequestType, type JsonRead } from "../../src/reference/http-body.js";

/** The definition decodeJson must match: fatal UTF-8 decoding (which drops a BOM), then JSON.parse. */
function strictDecode(bytes: Buffer): JsonRead {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { kind: "not-json", text: bytes.toString("latin1") };
  }
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "not-json", text };
  }
}

const bytesOf = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(
    parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))),
  );

describe("decodeJson", () => {
  it.each([
    ["an object", bytesOf('{"cc":"1"}')],
    ["a BOM before the object", bytesOf([0xef, 0xbb, 0xbf], '{"cc":"1"}')],
    ["a literal U+FFFD in a string", bytesOf('{"name":"\uFFFD"}')],
    ["an invalid UTF-8 byte inside a string", bytesOf('{"name":"', [0xff], '"}')],
    ["a truncated sequence", bytesOf('{"name":"', [0xe2, 0x82], '"}')],
    ["an overlong encoding", bytesOf('{"name":"', [0xc0, 0xaf], '"}')],
    ["a lone surrogate encoded", bytesOf('{"name":"', [0xed, 0xa0, 0x80], '"}')],
    ["two BOMs", bytesOf([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], "{}")],
    ["not JSON", bytesOf("cc=1")],
    ["empty", bytesOf("")],
  ])("agrees with the strict decoder on %s", (_label, bytes) => {
    expect(decodeJson(bytes)).toEqual(strictDecode(bytes));
  });

  it("rejects invalid UTF-8 as not JSON, even where the lenient decoder would give valid JSON", () => {
    expect(decodeJson(bytesOf('{"name":"', [0xff], '"}')).kind).toBe("not-json");
  });

  it("agrees with the strict decoder on arbitrary bytes and on JSON text", () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array)),
      fc.json().map((text) => Buffer.from(text, "utf8")),
      fc
        .tuple(fc.json(), fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.nat())
        .map(([text, noise, at]) => {
          const bytes = Buffer.from(text, "utf8");
          const cut = at % (bytes.length + 1);
          return Buffer.concat([bytes.subarray(0, cut), Buffer.from(noise), bytes.subarray(cut)]);
        }),
    );
    fc.assert(
      fc.property(bodies, (bytes) => {
        expect(decodeJson(bytes)).toEqual(strictDecode(bytes));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("isJsonRequestType", () => {
  it.each([
    ["application/json", true],
    ["Application/JSON", true],
    ["application/json; charset=utf-8", true],
    ['application/json;charset="UTF8"', true],
    ["application/json; charset=latin1", false],
    ["application/jsonx", false],
    ["text/plain", false],
    [undefined, false],
  ])("%s: %s", (header, expected) => {
    expect(isJsonRequestType(header)).toBe(expected);
  });
});
