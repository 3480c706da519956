// Tests the diff's rules: the defaults, pointer and header matching, and the rule file's validation (exit 2 naming the key).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import {
  compileRules,
  DEFAULT_RULES,
  findHeaderRule,
  findPointerRule,
  joinPointer,
  loadRules,
  readRuleFile,
  splitPointer,
  validateRuleSpec,
} from "../../src/diff/rules.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-diff-rules-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ruleFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("pointers", () => {
  it("splits and joins JSON pointers with ~0 and ~1 escapes", () => {
    expect(splitPointer("/a~1b/c~0d/0")).toEqual(["a/b", "c~d", "0"]);
    expect(joinPointer(["a/b", "c~d", "0"])).toBe("/a~1b/c~0d/0");
    expect(splitPointer("")).toEqual([]);
  });

  it("matches * as any one key or index, and a rule covers the fields below it", () => {
    const rules = compileRules([
      { spec: { ignore: { pointers: ["/users/*/token", "/account"] } }, source: "test" },
    ]).ignorePointers;
    expect(findPointerRule(rules, ["users", "0", "token"])?.pattern).toBe("/users/*/token");
    expect(findPointerRule(rules, ["users", "7", "token"])?.pattern).toBe("/users/*/token");
    expect(findPointerRule(rules, ["users", "0", "expires_after"])).toBeUndefined();
    expect(findPointerRule(rules, ["account", "0", "vname"])?.pattern).toBe("/account");
    expect(findPointerRule(rules, ["accounts"])).toBeUndefined();
    expect(findPointerRule(rules, ["users"])).toBeUndefined();
  });
});

describe("headers", () => {
  it("match whatever the case, with * for any run of characters", () => {
    const rules = compileRules([
      { spec: { ignore: { headers: ["X-Request-Id", "x-amz-*"] } }, source: "test" },
    ]).ignoreHeaders;
    expect(findHeaderRule(rules, "x-request-id")).toBeDefined();
    expect(findHeaderRule(rules, "X-REQUEST-ID")).toBeDefined();
    expect(findHeaderRule(rules, "x-amz-cf-id")).toBeDefined();
    expect(findHeaderRule(rules, "x-request-ids")).toBeUndefined();
    expect(findHeaderRule(rules, "content-type")).toBeUndefined();
  });
});

describe("the default rules", () => {
  it("hold the volatile values of the contract and the connection headers", async () => {
    const rules = await loadRules();
    expect(rules.sources).toEqual(["default rules"]);
    for (const segments of [
      ["meta", "version"],
      ["users", "0", "token"],
    ]) {
      expect(findPointerRule(rules.volatilePointers, segments), segments.join("/")).toBeDefined();
    }
    // The expiry's value changes with every login, its format must not: a client parses it.
    expect(findPointerRule(rules.formatPointers, ["users", "0", "expires_after"])).toBeDefined();
    expect(findPointerRule(rules.volatilePointers, ["users", "0", "expires_after"])).toBeUndefined();
    for (const header of [
      "date",
      "etag",
      "content-length",
      "connection",
      "keep-alive",
      "x-request-id",
      "set-cookie",
    ]) {
      expect(findHeaderRule(rules.ignoreHeaders, header), header).toBeDefined();
    }
    // What a client branches on is never ignored by default.
    expect(findPointerRule(rules.ignorePointers, ["errors", "0", "code"])).toBeUndefined();
    expect(findHeaderRule(rules.ignoreHeaders, "content-type")).toBeUndefined();
    expect(findHeaderRule(rules.ignoreHeaders, "www-authenticate")).toBeUndefined();
  });

  it("are themselves valid under the rule file's schema", () => {
    expect(() => validateRuleSpec(DEFAULT_RULES, "the default rules")).not.toThrow();
  });
});

describe("a rule file", () => {
  it("adds its ignores to the defaults (YAML and JSON)", async () => {
    const yaml = await ruleFile(
      "rules.yaml",
      "ignore:\n  pointers: [/errors/*/details]\n  headers: [X-Served-By]\nvolatile:\n  pointers: [/meta/build]\n",
    );
    const rules = await loadRules(yaml);
    expect(rules.sources).toEqual(["default rules", yaml]);
    expect(findPointerRule(rules.ignorePointers, ["errors", "0", "details"])?.source).toBe(yaml);
    expect(findHeaderRule(rules.ignoreHeaders, "x-served-by")?.source).toBe(yaml);
    expect(findPointerRule(rules.volatilePointers, ["meta", "build"])).toBeDefined();
    expect(findPointerRule(rules.volatilePointers, ["meta", "version"])?.source).toBe("default rules");
    const json = await ruleFile("rules.json", JSON.stringify({ ignore: { pointers: ["/meta"] } }));
    expect(findPointerRule((await loadRules(json)).ignorePointers, ["meta", "api_status"])).toBeDefined();
  });

  it("may be empty", async () => {
    expect(await readRuleFile(await ruleFile("empty.yaml", ""))).toEqual({});
  });

  it("is refused with the key and the reason when a key is unknown", async () => {
    const path = await ruleFile("typo.yaml", "ignore:\n  pointer: [/meta/version]\n");
    await expect(readRuleFile(path)).rejects.toThrow(ConfigError);
    await expect(readRuleFile(path)).rejects.toThrow(/ignore\.pointer: "pointer" is not a known key/);
    const top = await ruleFile("top.yaml", "ignores:\n  pointers: [/meta/version]\n");
    await expect(readRuleFile(top)).rejects.toThrow(
      /ignores: "ignores" is not a known key \(expected ignore, volatile or format\)/,
    );
  });

  it("is refused when a pointer is not a JSON pointer or a header is not a header name", async () => {
    const pointer = await ruleFile("pointer.yaml", "volatile:\n  pointers: [meta/version]\n");
    await expect(readRuleFile(pointer)).rejects.toThrow(
      /volatile\.pointers\.0: "meta\/version" is not a JSON pointer/,
    );
    const header = await ruleFile("header.yaml", "ignore:\n  headers: ['x served by']\n");
    await expect(readRuleFile(header)).rejects.toThrow(
      /ignore\.headers\.0: "x served by" is not a header name/,
    );
    const list = await ruleFile("list.yaml", "ignore:\n  pointers: /meta/version\n");
    await expect(readRuleFile(list)).rejects.toThrow(/ignore\.pointers: must be array/);
  });

  it("is refused when it cannot be read or parsed", async () => {
    await expect(readRuleFile(join(dir, "missing.yaml"))).rejects.toThrow(
      /cannot read the rule file .*ENOENT/,
    );
    const broken = await ruleFile("broken.json", "{ignore:");
    await expect(readRuleFile(broken)).rejects.toThrow(/is not valid JSON/);
  });
});
