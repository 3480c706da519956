// Checks the OpenAPI contract against the OpenAPI spec and the kit's own rules (ledger, catalogue, states, examples).
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it, test } from "vitest";
import { decodeCertificate } from "../../src/cert/certificate.js";
import {
  type JsonSchema,
  loadContract,
  PROFILES,
  REQUIREMENT_ID_PATTERN,
  requireOperation,
} from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";
import { CONTRACT_PATH } from "../../src/paths.js";

const contract = await loadContract();
const schemas = schemasFor(contract);

interface MediaObject {
  schema?: JsonSchema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

/** Every named example and the single `example` of a media object. */
function examplesOf(media: MediaObject | undefined): { name: string; value: unknown }[] {
  if (!media) {
    return [];
  }
  const named = Object.entries(media.examples ?? {}).map(([name, example]) => ({
    name,
    value: example.value,
  }));
  return media.example === undefined ? named : [...named, { name: "example", value: media.example }];
}

interface OperationObject {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaObject> };
  responses?: Record<string, { content?: Record<string, MediaObject> }>;
}

/** Every operation object of the dereferenced document with its operationId. */
function operationObjects(): OperationObject[] {
  const found: OperationObject[] = [];
  for (const item of Object.values(contract.document.paths ?? {})) {
    for (const method of ["get", "post", "put", "patch", "delete"] as const) {
      const operation = item?.[method] as OperationObject | undefined;
      if (operation) {
        found.push(operation);
      }
    }
  }
  return found;
}

describe("the OpenAPI document", () => {
  it("validates against the OpenAPI 3.1 specification", async () => {
    const api = await SwaggerParser.validate(CONTRACT_PATH);
    expect(api.paths).toHaveProperty("/v1/account");
  });

  it("is hashed, so reports can name the contract version", () => {
    expect(contract.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(contract.path).toBe(CONTRACT_PATH);
  });
});

describe("the requirement ledger", () => {
  it("has requirements", () => {
    expect(contract.requirements.length).toBeGreaterThan(10);
  });

  it("has unique ids", () => {
    const ids = contract.requirements.map((requirement) => requirement.id);
    const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
    expect(duplicates).toEqual([]);
    expect(contract.requirementById.size).toBe(ids.length);
  });

  test.for(contract.requirements.map((requirement) => [requirement.id, requirement] as const))(
    "%s is well formed",
    ([id, requirement]) => {
      expect(id).toMatch(REQUIREMENT_ID_PATTERN);
      expect(["MUST", "SHOULD", "MAY"]).toContain(requirement.level);
      expect(requirement.profiles.length).toBeGreaterThan(0);
      for (const profile of requirement.profiles) {
        expect(PROFILES).toContain(profile);
      }
      // One sentence: ends with a period, and no sentence break before the end.
      expect(requirement.statement).toMatch(/\.$/);
      expect(requirement.statement.trim()).toBe(requirement.statement);
      expect(requirement.statement.slice(0, -1)).not.toMatch(/\.\s+[A-Z]/);
      const source = requirement.source;
      expect(["meta", "decision", "http"]).toContain(source.kind);
      if (source.kind === "meta") {
        expect(source.url).toMatch(/^https:\/\/\S+$/);
        expect(() => new URL(source.url ?? "")).not.toThrow();
      } else {
        expect(typeof source.reason).toBe("string");
        expect(source.reason?.trim().length ?? 0).toBeGreaterThan(0);
      }
      if (requirement.operation !== undefined) {
        expect(contract.operations.has(requirement.operation)).toBe(true);
      }
    },
  );

  it("profiles declared in x-profiles are exactly the kit's profiles", () => {
    const declared = (contract.document as unknown as { "x-profiles": { name: string }[] })["x-profiles"].map(
      (profile) => profile.name,
    );
    expect([...declared].sort()).toEqual([...PROFILES].sort());
  });
});

describe("the operations", () => {
  test.for([
    { id: "requestCode", method: "post", path: "/v1/account", security: "bearer" },
    { id: "verifyAccount", method: "post", path: "/v1/account/verify", security: "bearer" },
    { id: "login", method: "post", path: "/v1/users/login", security: "basic" },
    { id: "enableTwoStep", method: "post", path: "/v1/settings/account/two-step", security: "bearer" },
    { id: "disableTwoStep", method: "delete", path: "/v1/settings/account/two-step", security: "bearer" },
  ] as const)("$id is $method $path with $security auth", (want) => {
    const operation = requireOperation(contract, want.id);
    expect(operation).toMatchObject({
      id: want.id,
      method: want.method,
      path: want.path,
      security: want.security,
    });
  });

  test.for([
    { id: "requestCode", required: true },
    { id: "verifyAccount", required: true },
    { id: "enableTwoStep", required: true },
  ] as const)("$id has a required JSON request body", ({ id, required }) => {
    const operation = requireOperation(contract, id);
    expect(operation.requestBodyRequired).toBe(required);
    expect(operation.requestSchema).toBeDefined();
  });

  it("requestCode requires cc, phone_number, method and cert but not pin", () => {
    const schema = requireOperation(contract, "requestCode").requestSchema;
    expect([...(schema?.required ?? [])].sort()).toEqual(["cc", "cert", "method", "phone_number"]);
    expect(schema?.properties).toHaveProperty("pin");
  });

  it("requestCode documents 201 and 202 with their schemas", () => {
    const operation = requireOperation(contract, "requestCode");
    expect(operation.responses.get("201")).toBeDefined();
    expect(operation.responses.get("202")?.required).toContain("account");
  });
});

describe("the error catalogue", () => {
  const catalogue = (
    contract.document as unknown as { "x-error-catalogue": { code: number; title: string }[] }
  )["x-error-catalogue"];

  it("has unique codes", () => {
    const codes = catalogue.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(contract.errorTitles.size).toBe(codes.length);
  });

  test.for([
    { code: 1005, title: "Access denied" },
    { code: 1008, title: "Required parameter is missing" },
    { code: 1009, title: "Parameter value is not valid" },
  ])("code $code is titled $title", ({ code, title }) => {
    expect(contract.errorTitles.get(code)).toBe(title);
  });

  it("every code is an integer of the 1000 series with a non-empty title", () => {
    for (const { code, title } of catalogue) {
      expect(Number.isInteger(code)).toBe(true);
      expect(code).toBeGreaterThanOrEqual(1000);
      expect(code).toBeLessThan(2000);
      expect(title.trim()).not.toBe("");
    }
  });
});

describe("the provider states", () => {
  test.for([
    { name: "number-unregistered", scope: "number" },
    { name: "number-registered", scope: "number" },
    { name: "two-step-enabled", scope: "number" },
    { name: "code-sent", scope: "number" },
    { name: "sms-attempts-exhausted", scope: "number" },
    { name: "non-admin-user", scope: "user" },
    { name: "registration-blocked", scope: "target" },
  ])("$name exists with scope $scope", ({ name, scope }) => {
    const state = contract.providerStates.get(name);
    expect(state).toBeDefined();
    expect(state?.scope).toBe(scope);
    expect(Array.isArray(state?.params)).toBe(true);
  });

  it("has exactly the seven states of the decisions", () => {
    expect(contract.providerStates.size).toBe(7);
  });

  it("two-step-enabled takes the pin as a parameter", () => {
    expect(contract.providerStates.get("two-step-enabled")?.params).toContain("pin");
  });
});

/** The request examples of every operation. */
const requestExamples = operationObjects().flatMap((operation) =>
  examplesOf(operation.requestBody?.content?.["application/json"]).map((example) => ({
    operation: operation.operationId ?? "",
    ...example,
  })),
);

/** The response examples of every operation and status. */
const responseExamples = operationObjects().flatMap((operation) =>
  Object.entries(operation.responses ?? {}).flatMap(([status, response]) =>
    examplesOf(response.content?.["application/json"]).map((example) => ({
      operation: operation.operationId ?? "",
      status,
      ...example,
    })),
  ),
);

/** Every request property with x-invalid-examples, over every operation's request schema. */
const invalidExampleRows = [...contract.operations.values()].flatMap((operation) => {
  const properties = (operation.requestSchema?.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).flatMap(([name, schema]) => {
    const examples = (schema as Record<string, unknown>)["x-invalid-examples"];
    return Array.isArray(examples)
      ? examples.map((value: unknown) => ({ operation: operation.id, property: name, schema, value }))
      : [];
  });
});

describe("x-invalid-examples", () => {
  it("exist for every requestCode field", () => {
    const fields = new Set(
      invalidExampleRows.filter((row) => row.operation === "requestCode").map((row) => row.property),
    );
    expect([...fields].sort()).toEqual(["cc", "cert", "method", "phone_number", "pin"]);
  });

  test.for(invalidExampleRows)("$operation.$property: $value violates the property's schema", (row) => {
    expect(schemas.check(row.schema, row.value)).not.toEqual([]);
  });

  test.for(invalidExampleRows)("$operation.$property: $value makes the request example invalid", (row) => {
    const base = requestExamples.find((example) => example.operation === row.operation);
    expect(base, `${row.operation} has a request example to break`).toBeDefined();
    const body = { ...(base?.value as Record<string, unknown>), [row.property]: row.value };
    const issues = schemas.checkRequest(row.operation, body);
    expect(issues.map((issue) => issue.pointer)).toContain(`/${row.property}`);
  });
});

describe("the examples", () => {
  it("exist for requests and responses", () => {
    expect(requestExamples.map((example) => example.operation)).toEqual(
      expect.arrayContaining(["requestCode", "verifyAccount", "enableTwoStep"]),
    );
    expect(responseExamples.length).toBeGreaterThanOrEqual(5);
  });

  test.for(requestExamples)("request example $operation/$name validates", (example) => {
    expect(schemas.checkRequest(example.operation, example.value)).toEqual([]);
  });

  test.for(responseExamples)("response example $operation $status/$name validates", (example) => {
    const operation = requireOperation(contract, example.operation);
    const schema = operation.responses.get(example.status);
    expect(schema).toBeDefined();
    expect(schemas.check(schema as JsonSchema, example.value)).toEqual([]);
  });

  it("the requestCode example cert decodes to the vname of the 202 example", () => {
    const request = requestExamples.find((example) => example.operation === "requestCode");
    const answer = responseExamples.find(
      (example) => example.operation === "requestCode" && example.status === "202",
    );
    const cert = (request?.value as { cert?: unknown } | undefined)?.cert;
    const vname = (answer?.value as { account?: { vname?: unknown }[] } | undefined)?.account?.[0]?.vname;
    expect(typeof cert).toBe("string");
    expect(typeof vname).toBe("string");
    expect(decodeCertificate(String(cert)).verifiedName).toBe(vname);
  });
});
