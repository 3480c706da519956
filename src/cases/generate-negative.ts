// Generates the negative matrix from the contract: each required field removed, each wrong type, each invalid value.
import type { Contract, JsonSchema, ProfileName } from "../contract/contract.js";
import type { Case, Expectation } from "./case-types.js";

export interface NegativeRules {
  operations: Record<string, OperationRules>;
}

interface ByKind {
  missing?: Expectation[];
  invalid?: Expectation[];
}

interface OperationRules {
  idPrefix: string;
  noun: string;
  exclusive?: boolean;
  profiles?: ProfileName[];
  validBody: Record<string, unknown>;
  expect: ByKind;
  propertyExpect?: Record<string, ByKind>;
}

interface Mutation {
  kind: "missing" | "invalid";
  property: string | undefined;
  idSuffix: string;
  description: string;
  body: Record<string, unknown>;
}

export class GenerationError extends Error {
  override name = "GenerationError";
}

/** A JSON value of another type than the schema's, for the wrong-type mutation. */
function wrongTypeValue(schema: JsonSchema): { value: unknown; label: string } {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return { value: 12345, label: "number" };
    case "integer":
    case "number":
      return { value: "12345", label: "string" };
    case "boolean":
      return { value: "true", label: "string" };
    case "array":
      return { value: {}, label: "object" };
    default:
      return { value: ["x"], label: "array" };
  }
}

/** A readable slug of an invalid value for a case id ("+1" becomes "plus-1", "" becomes "empty"). */
export function slugOfValue(value: string): string {
  if (value === "") {
    return "empty";
  }
  const words = value
    .replace(/\+/g, " plus ")
    .replace(/-/g, " dash ")
    .replace(/!/g, " bang ")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return words.length > 24 ? words.slice(0, 24).replace(/-+$/, "") : words || "symbols";
}

function mutationsOf(schema: JsonSchema, validBody: Record<string, unknown>, noun: string): Mutation[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = schema.required ?? [];
  const mutations: Mutation[] = [];
  for (const property of required) {
    const body = { ...validBody };
    delete body[property];
    mutations.push({
      kind: "missing",
      property,
      idSuffix: `body-without-${property.replace(/_/g, "-")}`,
      description: `rejects a ${noun} without ${property}`,
      body,
    });
  }
  if (required.length > 0) {
    mutations.push({
      kind: "missing",
      property: undefined,
      idSuffix: "empty-object",
      description: `rejects an empty object as ${noun}`,
      body: {},
    });
  }
  for (const [property, propertySchema] of Object.entries(properties)) {
    const slug = property.replace(/_/g, "-");
    const wrong = wrongTypeValue(propertySchema);
    mutations.push({
      kind: "invalid",
      property,
      idSuffix: `${slug}-of-type-${wrong.label}`,
      description: `rejects ${property} sent as a ${wrong.label}`,
      body: { ...validBody, [property]: wrong.value },
    });
    const invalid = (propertySchema as Record<string, unknown>)["x-invalid-examples"];
    const examples = Array.isArray(invalid) ? invalid.map(String) : [];
    for (const value of examples) {
      mutations.push({
        kind: "invalid",
        property,
        idSuffix: `${slug}-${slugOfValue(value)}`,
        description: `rejects ${property} ${JSON.stringify(value)}`,
        body: { ...validBody, [property]: value },
      });
    }
  }
  return mutations;
}

/**
 * Builds one case per mutation of each operation named in the rules. Each case carries the expectations of
 * both profiles; the runner keeps those whose requirement applies to the profile it runs.
 */
export function generateNegativeCases(contract: Contract, rules: NegativeRules): Case[] {
  const cases: Case[] = [];
  for (const [operationId, rule] of Object.entries(rules.operations)) {
    const operation = contract.operations.get(operationId);
    if (!operation?.requestSchema) {
      throw new GenerationError(
        `negative-matrix names ${operationId}, which has no request body in the contract`,
      );
    }
    for (const mutation of mutationsOf(operation.requestSchema, rule.validBody, rule.noun)) {
      const byProperty =
        mutation.property === undefined ? undefined : rule.propertyExpect?.[mutation.property];
      const expect = byProperty?.[mutation.kind] ?? rule.expect[mutation.kind];
      if (!expect) {
        throw new GenerationError(
          `negative-matrix gives no "${mutation.kind}" expectations for ${operationId}`,
        );
      }
      const profiles = (rule.profiles ?? contract.profiles.map((profile) => profile.name)).filter((profile) =>
        expect.some((group) => contract.requirementById.get(group.requirement)?.profiles.includes(profile)),
      );
      cases.push({
        id: `${rule.idPrefix}-rejects-${mutation.idSuffix}`,
        description: mutation.description,
        requirements: [...new Set(expect.map((group) => group.requirement))],
        profiles,
        states: [],
        vars: {},
        steps: [{ request: { operation: operationId, body: mutation.body }, expect, bodyConforms: false }],
        exclusive: rule.exclusive ?? false,
        source: "generated",
      });
    }
  }
  return cases;
}
