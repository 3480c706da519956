// An expectation kind is declared once and tied everywhere it must appear: its check, its case-schema property, its diff aspect.
import { readFile } from "node:fs/promises";
import { describe, expect, test } from "vitest";
import { EXPECTATION_KEYS, implicitChecks } from "../../src/checks/index.js";
import { CHECKS_WITH_ASPECTS } from "../../src/diff/compare.js";
import { CASE_SCHEMA_PATH } from "../../src/paths.js";
import { contextFor, contract, errorBody, META } from "./context.js";

const IMPLICIT_CHECKS = implicitChecks(contract);

const schema = JSON.parse(await readFile(CASE_SCHEMA_PATH, "utf8")) as {
  $defs: { expectation: { properties: Record<string, unknown> } };
};

/** For each every-exchange check, by requirement: an answer that breaks it, so its check name can be read off. */
const BREAKING: Record<string, Parameters<typeof contextFor>[0]> = {
  "no-5xx-for-client-input": { status: 500, raw: "Internal Server Error" },
  "json-body-has-json-content-type": { status: 400, raw: JSON.stringify(errorBody(1008, "x")), headers: {} },
  "responses-match-contract-schema": { status: 202, body: { meta: META, account: "not a list" } },
  "responses-carry-meta": { status: 202, body: { account: [{ vname: "A" }] } },
  "error-titles-are-canonical": { status: 400, body: errorBody(1008, "Not the catalogue's title") },
};

describe("the expectation registry", () => {
  test("the case schema has a property for every expectation key, and no other", () => {
    const properties = Object.keys(schema.$defs.expectation.properties).filter(
      (key) => key !== "requirement" && key !== "observe",
    );
    expect(properties.sort()).toEqual([...EXPECTATION_KEYS].sort());
  });

  test("the diff knows the aspect of every check a failure can name, and of nothing else", () => {
    expect(Object.keys(BREAKING).sort()).toEqual(IMPLICIT_CHECKS.map((check) => check.requirement).sort());
    const implicitNames = IMPLICIT_CHECKS.map((implicit) => {
      const failure = implicit.run(contextFor(BREAKING[implicit.requirement] ?? {}));
      expect(failure, `${implicit.requirement} must fail on its breaking answer`).toBeDefined();
      return failure?.check ?? "";
    });
    const named = new Set([...EXPECTATION_KEYS, ...implicitNames]);
    expect([...CHECKS_WITH_ASPECTS].sort()).toEqual([...named].sort());
  });
});
