// Names for the types openapi-typescript generates from the contract (openapi.generated.ts): schemas, and bodies by operationId.
import type { components, operations } from "./openapi.generated.js";

/** The contract's component schemas (`components.schemas`) as TypeScript types. */
export type SchemaTypes = components["schemas"];

/** The operationIds of the contract. */
export type ContractOperationId = keyof operations;

type JsonContent<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/** The JSON request body of an operation, as its schema describes it. */
export type RequestBody<Id extends ContractOperationId> = JsonContent<
  NonNullable<operations[Id]["requestBody"]>
>;

/** The JSON body of one of an operation's responses, by status (or `default`). */
export type ResponseBody<
  Id extends ContractOperationId,
  Status extends keyof operations[Id]["responses"],
> = JsonContent<operations[Id]["responses"][Status]>;

/** The properties a schema names, without the index signature its `additionalProperties: true` adds. */
export type NamedFields<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/**
 * A body not known to conform (a target's answer, or a request whose validation was skipped): the fields the
 * contract names, each of any value, so a reader must check what it reads but cannot misspell a field.
 */
export type Unvalidated<T> = { [K in keyof NamedFields<T>]?: unknown };

/** What a success body carries besides `meta`, which the envelope adds. */
export type Payload<T> = Omit<NamedFields<T>, "meta">;
