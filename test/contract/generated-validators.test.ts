// The validators generated at build: current with the contract and the case schemas, used for every schema a run checks, and equal to ajv's.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderAll } from "../../scripts/generate-validators.js";
import {
  compileCaseValidators,
  loadCaseValidators,
  readCaseSchemaTexts,
} from "../../src/cases/case-schemas.js";
import { CASES_DIR, loadCases } from "../../src/cases/load-cases.js";
import { type JsonSchema, loadContract, PROFILES } from "../../src/contract/contract.js";
import { ContractSchemas, contractSchemas, schemasFor } from "../../src/contract/schema-validator.js";
import { FIXTURES_DIR } from "../../src/paths.js";
import { startEmbeddedTargets } from "../../src/runner/embedded-targets.js";
import { probeTarget, runMatrix } from "../../src/runner/run-matrix.js";
import { parseYaml } from "../../src/yaml.js";

const contract = await loadContract();

/** Values to validate against a schema: its examples and invalid examples, their parts, and values of every type. */
function samples(schema: JsonSchema): unknown[] {
  const values: unknown[] = [{}, [], null, "", "x", 0, 1.5, true, { errors: [] }, { meta: {} }];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== "object" || node === null) {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "example" || key === "examples" || key === "x-invalid-examples" || key === "default") {
        values.push(value, ...(Array.isArray(value) ? value : []));
      }
      visit(value);
    }
  };
  visit(schema);
  // Each property's invalid examples put into an otherwise valid-looking object.
  const example = (schema as { example?: unknown }).example;
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    for (const invalid of ((property as Record<string, unknown>)["x-invalid-examples"] as unknown[]) ?? []) {
      values.push({ ...(typeof example === "object" ? example : {}), [name]: invalid });
    }
  }
  return values;
}

describe("validators generated at build", () => {
  it("are current: regenerating them from openapi/openapi.yaml and fixtures/*.schema.json gives the committed modules (npm run build rewrites them)", async () => {
    const modules = await renderAll();
    expect(modules).toHaveLength(2);
    for (const { path, text } of modules) {
      expect(await readFile(path, "utf8"), `${path} is stale: run npm run build`).toBe(text);
    }
  });

  it("cover every schema the kit checks, so none is compiled at run time", () => {
    const schemas = new ContractSchemas(contract);
    for (const schema of contractSchemas(contract)) {
      schemas.check(schema, {});
    }
    expect(schemas.compiledAtRunTime).toBe(0);
  });

  it("give the issues ajv gives when it compiles the same schema at run time", () => {
    const generated = new ContractSchemas(contract);
    const compiled = new ContractSchemas(contract, { precompiled: false });
    let compared = 0;
    for (const schema of contractSchemas(contract)) {
      for (const value of samples(schema)) {
        expect(generated.check(schema, value)).toEqual(compiled.check(schema, value));
        compared += 1;
      }
    }
    expect(compiled.compiledAtRunTime).toBeGreaterThan(0);
    expect(generated.compiledAtRunTime).toBe(0);
    expect(compared).toBeGreaterThan(100);
  });

  it("leave a schema they do not know (another contract, an edited one) to ajv at run time", () => {
    const schemas = new ContractSchemas(contract);
    const schema: JsonSchema = {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string", minLength: 2 } },
    };
    expect(schemas.check(schema, { name: "ab" })).toEqual([]);
    expect(schemas.check(schema, { name: "a" }).map((issue) => issue.pointer)).toEqual(["/name"]);
    expect(schemas.check(schema, {}).map((issue) => issue.missingProperty)).toEqual(["name"]);
    expect(schemas.compiledAtRunTime).toBe(1);
  });

  it("serve the whole matrix of both profiles, runner and reference alike, with nothing compiled at run time", async () => {
    const cases = await loadCases(contract);
    const embedded = await startEmbeddedTargets(PROFILES);
    try {
      for (const target of embedded.targets) {
        await probeTarget(target);
        await runMatrix(contract, cases, target);
      }
    } finally {
      await embedded.close();
    }
    expect(schemasFor(contract).compiledAtRunTime).toBe(0);
  });

  it("judge case files and the negative-matrix rules as ajv does at run time, and are used for the schema files they were made from", async () => {
    const generated = await loadCaseValidators();
    const compiled = compileCaseValidators(await readCaseSchemaTexts());
    expect(generated.cases).not.toBe(compiled.cases);
    const files = (await readdir(CASES_DIR)).filter((file) => file.endsWith(".yaml"));
    const documents = await Promise.all(
      files.map(async (file) => parseYaml(await readFile(join(CASES_DIR, file), "utf8"))),
    );
    // Broken variants of a real file: a case without an id, an unknown key, a status that is not a number.
    const first = documents[0] as { cases: Record<string, unknown>[] };
    const [one] = first.cases;
    const broken = [
      { cases: [{ ...one, id: undefined }] },
      { cases: [{ ...one, surprise: true }] },
      { cases: [{ ...one, expect: [{ requirement: "x", status: "two hundred" }] }] },
      { cases: [] },
      [],
    ];
    for (const document of [...documents, ...broken]) {
      expect(generated.cases(document)).toBe(compiled.cases(document));
      expect(generated.cases.errors ?? null).toEqual(compiled.cases.errors ?? null);
    }
    const rules = parseYaml(await readFile(join(FIXTURES_DIR, "negative-matrix.yaml"), "utf8"));
    for (const document of [rules, {}, { rules: "none" }]) {
      expect(generated.matrix(document)).toBe(compiled.matrix(document));
      expect(generated.matrix.errors ?? null).toEqual(compiled.matrix.errors ?? null);
    }
  });
});
