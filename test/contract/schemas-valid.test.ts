// Checks every schema the kit compiles against the JSON Schema 2020-12 meta-schema, so the runtime may skip that check.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import { FIXTURES_DIR, PACKAGE_ROOT } from "../../src/paths.js";

// The contract's and the cases' validators are built with validateSchema: false (compiling the meta-schema is
// a tenth of a cold run); these tests are where a schema that breaks the meta-schema is caught instead.
const metaSchema = new Ajv2020({ strict: false, validateFormats: false });

function metaErrors(schema: unknown): string {
  return metaSchema.validateSchema(schema as object) ? "" : metaSchema.errorsText(metaSchema.errors);
}

describe("schemas against the 2020-12 meta-schema", () => {
  it("every request and response schema of the contract", async () => {
    const contract = await loadContract();
    let checked = 0;
    for (const operation of contract.operations.values()) {
      const schemas = [operation.requestSchema, ...operation.responses.values()];
      for (const schema of schemas) {
        if (schema !== undefined) {
          expect(metaErrors(schema), `a schema of ${operation.id}`).toBe("");
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it.each([
    join(FIXTURES_DIR, "case.schema.json"),
    join(FIXTURES_DIR, "negative-matrix.schema.json"),
    join(PACKAGE_ROOT, "schemas", "results.schema.json"),
    join(PACKAGE_ROOT, "schemas", "compare.schema.json"),
    join(PACKAGE_ROOT, "schemas", "expected-failures.schema.json"),
  ])("%s", async (path) => {
    expect(metaErrors(JSON.parse(await readFile(path, "utf8")))).toBe("");
  });

  it("catches a schema that breaks the meta-schema", () => {
    expect(metaErrors({ type: "strnig" })).not.toBe("");
    expect(metaErrors({ minLength: -1 })).not.toBe("");
  });
});
