// The contract's local dereference gives exactly what swagger-parser gives, and leaves every other document to it.
import { readFile } from "node:fs/promises";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { dereferenceLocal } from "../../src/contract/dereference.js";
import { CONTRACT_PATH } from "../../src/paths.js";
import { parseYaml } from "../../src/yaml.js";

const raw = parseYaml(await readFile(CONTRACT_PATH, "utf8")) as Record<string, unknown>;

describe("dereferenceLocal", () => {
  it("dereferences the kit's contract as swagger-parser does, one shared object per $ref target", async () => {
    const ours = dereferenceLocal(structuredClone(raw)) as Record<string, unknown>;
    const theirs = await SwaggerParser.dereference(structuredClone(raw) as never);
    expect(ours).toBeDefined();
    expect(ours).toEqual(theirs);
    expect(JSON.stringify(ours)).not.toContain('"$ref"');
    const schemas = (ours.components as { schemas: Record<string, unknown> }).schemas;
    const ok = (ours.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
      "/v1/users/login"
    ]?.post?.responses["200"] as { content: Record<string, { schema: unknown }> } | undefined;
    expect(ok?.content["application/json"]?.schema).toBe(schemas.LoginResponse);
  });

  it("leaves a document it cannot treat as swagger-parser would to swagger-parser", () => {
    const paths = { "/x": { get: { responses: { "200": { description: "ok" } } } } };
    const documents: unknown[] = [
      { openapi: "3.1.0", paths: { "/x": { $ref: "other.yaml#/x" } } },
      {
        openapi: "3.1.0",
        paths,
        components: { schemas: { A: { $ref: "#/components/schemas/B", description: "d" } } },
      },
      { openapi: "3.1.0", paths, components: { schemas: { A: { $ref: "#/components/schemas/Missing" } } } },
      {
        openapi: "3.1.0",
        paths,
        components: {
          schemas: { A: { $ref: "#/components/schemas/B" }, B: { $ref: "#/components/schemas/A" } },
        },
      },
      { openapi: "2.0", paths },
      { swagger: "2.0", paths },
      { openapi: "3.1.0" },
      "openapi: 3.1.0",
    ];
    for (const document of documents) {
      expect(dereferenceLocal(structuredClone(document))).toBeUndefined();
    }
  });

  it("decodes JSON Pointer escapes in a $ref", () => {
    const document = {
      openapi: "3.0.3",
      paths: { "/a/b": { get: { responses: {} } } },
      components: { schemas: { x: { $ref: "#/paths/~1a~1b/get" } } },
    };
    const result = dereferenceLocal(document) as typeof document;
    expect(result.components.schemas.x).toBe(result.paths["/a/b"].get);
  });
});
