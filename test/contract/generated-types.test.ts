// The contract's types generated at build: current with openapi/openapi.yaml, and what the reference answers.
import { readFile } from "node:fs/promises";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CONTRACT_TYPES_PATH, renderContractTypes } from "../../scripts/generate-types.js";
import type {
  NamedFields,
  Payload,
  RequestBody,
  ResponseBody,
  SchemaTypes,
  Unvalidated,
} from "../../src/contract/contract-types.js";
import type { Meta } from "../../src/reference/envelope.js";

describe("types generated at build", () => {
  it("are current: openapi-typescript on openapi/openapi.yaml gives the committed module (npm run build rewrites it)", async () => {
    const { path, text } = await renderContractTypes();
    expect(path).toBe(CONTRACT_TYPES_PATH);
    const committed = await readFile(path, "utf8").catch(() => "");
    expect(committed, "src/contract/openapi.generated.ts is stale (or missing): run npm run build").toBe(
      text,
    );
  });

  it("name the bodies by operationId and status, each with the fields of its schema", () => {
    expectTypeOf<keyof Unvalidated<RequestBody<"requestCode">>>().toEqualTypeOf<
      "cc" | "phone_number" | "method" | "cert" | "pin"
    >();
    expectTypeOf<keyof Unvalidated<RequestBody<"verifyAccount">>>().toEqualTypeOf<"code">();
    expectTypeOf<keyof Unvalidated<RequestBody<"enableTwoStep">>>().toEqualTypeOf<"pin">();
    expectTypeOf<RequestBody<"disableTwoStep">>().toBeNever();
    expectTypeOf<keyof Payload<ResponseBody<"requestCode", 202>>>().toEqualTypeOf<"account">();
    expectTypeOf<keyof Payload<ResponseBody<"login", 200>>>().toEqualTypeOf<"users">();
    expectTypeOf<ResponseBody<"verifyAccount", 400>>().toEqualTypeOf<SchemaTypes["ErrorResponse"]>();
    expectTypeOf<keyof NamedFields<SchemaTypes["Error"]>>().toEqualTypeOf<
      "code" | "title" | "details" | "href"
    >();
    expectTypeOf<Meta>().toEqualTypeOf<{
      version: string;
      api_status: "deprecated" | "experimental" | "stable";
    }>();
  });
});
