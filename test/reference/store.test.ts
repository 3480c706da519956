// Tests the reference's state rules that HTTP alone cannot force: codes that collide and the bounds on what it holds.

import { describe, expect, it } from "vitest";
import { ReferenceStore } from "../../src/reference/store.js";

function storeDrawing(codes: string[]): ReferenceStore {
  let next = 0;
  return new ReferenceStore({
    admin: { username: "admin", password: "secret" },
    tokenTtlMs: 60_000,
    now: Date.now,
    blockedByDefault: false,
    randomCode: () => codes[Math.min(next++, codes.length - 1)] ?? "000000",
  });
}

describe("pending codes", () => {
  it("never issues a code that is pending for another number", () => {
    const store = storeDrawing(["111111", "111111", "222222"]);
    expect(store.pendingCode(ReferenceStore.numberKey("1", "5550001"))).toBe("111111");
    expect(store.pendingCode(ReferenceStore.numberKey("1", "5550002"))).toBe("222222");
  });

  it("does not issue a spent code again, so a stale code cannot verify another number", () => {
    const store = storeDrawing(["111111", "111111", "111111", "333333"]);
    const first = ReferenceStore.numberKey("1", "5550001");
    const second = ReferenceStore.numberKey("1", "5550002");
    expect(store.verify(store.pendingCode(first))).toBe(first);
    expect(store.pendingCode(second)).toBe("333333");
    expect(store.verify("111111")).toBeUndefined();
    expect(store.verify("333333")).toBe(second);
  });

  it("answers the same pending code to a number that asks again", () => {
    const store = storeDrawing(["444444", "555555"]);
    const key = ReferenceStore.numberKey("1", "5550003");
    expect(store.pendingCode(key)).toBe("444444");
    expect(store.pendingCode(key)).toBe("444444");
  });
});
