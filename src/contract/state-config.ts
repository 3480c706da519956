// What a config gives for a target without a hook, derived from x-provider-states: each state's fields, their schemas and secrecy.
import type { Contract, JsonSchema, ProviderStateSpec } from "./contract.js";
import { ContractError } from "./contract-error.js";

/** One field of a state's config data, with the schema the config must meet. */
export interface StateField {
  name: string;
  schema: JsonSchema;
  /** Its value is a secret (the schema says `x-sensitive`): redacted wherever it appears. */
  sensitive: boolean;
  /** Its value names a response header whose value is a secret (`x-names-sensitive-header`). */
  namesSensitiveHeader: boolean;
}

/**
 * A field's schema: the state's own `fields`, or the property of that name in the contract's request schemas
 * (so a PIN in the config has the pattern the contract gives a PIN).
 */
export function stateField(
  contract: Pick<Contract, "operations">,
  state: ProviderStateSpec,
  name: string,
): StateField {
  const schema = state.fields?.[name] ?? requestProperty(contract, name);
  if (schema === undefined) {
    throw new ContractError(
      `the field ${name} of provider state ${state.name} is in no request schema of the contract and not in the state's fields`,
    );
  }
  const marks = schema as Record<string, unknown>;
  return {
    name,
    schema: Object.fromEntries(Object.entries(schema).filter(([key]) => !key.startsWith("x-"))) as JsonSchema,
    sensitive: marks["x-sensitive"] === true,
    namesSensitiveHeader: marks["x-names-sensitive-header"] === true,
  };
}

function requestProperty(contract: Pick<Contract, "operations">, name: string): JsonSchema | undefined {
  for (const operation of contract.operations.values()) {
    const property = (operation.requestSchema?.properties as Record<string, JsonSchema> | undefined)?.[name];
    if (property !== undefined) {
      return property;
    }
  }
  return undefined;
}

/**
 * The variables a state may set in a case: its parameters, the config fields its forms take and what its
 * requests read. A hook's answer sets only these, so it cannot overwrite a case's other variables.
 */
export function stateVariables(state: ProviderStateSpec): string[] {
  const read = (state.static ?? []).flatMap((form) =>
    (form.requests ?? []).flatMap((step) => ("state" in step ? [] : Object.keys(step.read ?? {}))),
  );
  return [...new Set([...state.params, ...givenSets(state).flat(), ...read])];
}

/** The sets of fields the config may give for a state, over all its forms. */
export function givenSets(state: ProviderStateSpec): string[][] {
  return (state.static ?? []).flatMap((form) => form.given ?? []);
}

/** Whether the config may give the state as a boolean. */
export function hasFlag(state: ProviderStateSpec): boolean {
  return (state.static ?? []).some((form) => form.flag !== undefined);
}

/**
 * The JSON Schema of a config's `states`: per state with a static form, a boolean (a `flag` form) or an object
 * holding exactly one of its `given` sets of fields.
 */
export function stateConfigSchema(contract: Contract): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const state of contract.providerStates.values()) {
    const alternatives: JsonSchema[] = givenSets(state).map((set) => ({
      type: "object",
      required: set,
      additionalProperties: false,
      properties: Object.fromEntries(set.map((name) => [name, stateField(contract, state, name).schema])),
    }));
    if (hasFlag(state)) {
      alternatives.unshift({ type: "boolean" });
    }
    const [only, ...others] = alternatives;
    if (only !== undefined) {
      properties[state.name] = others.length === 0 ? only : { oneOf: alternatives };
    }
  }
  return { type: "object", additionalProperties: false, properties };
}
