// closestName: a near name is suggested, a far one never is.
import { describe, expect, test } from "vitest";
import { closestName, didYouMean } from "../../src/suggest.js";

describe("closestName", () => {
  test.for([
    ["timeout", ["timeoutMs", "target", "concurrency"], "timeoutMs"],
    [
      "registered-number-answer-201",
      ["registered-number-answers-201", "new-number"],
      "registered-number-answers-201",
    ],
    ["conncurency", ["concurrency", "target"], "concurrency"],
    ["frobnicate", ["run", "list", "serve"], undefined],
    ["x", ["target"], undefined],
    ["", ["target"], undefined],
    ["target", [], undefined],
  ] as const)("%s among %o: %s", ([word, names, expected]) => {
    expect(closestName(word, names)).toBe(expected);
  });

  test("didYouMean phrases a suggestion or says nothing", () => {
    expect(didYouMean("timeout", ["timeoutMs"])).toBe(" (did you mean timeoutMs?)");
    expect(didYouMean("zzz", ["timeoutMs"])).toBe("");
  });
});
