// Builds CheckContexts for the check tests from the real contract and fake responses.

import { expect } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import type { CheckContext, CheckFailure } from "../../src/checks/check.js";
import { loadContract, type Operation } from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";
import type { IncomingResponse } from "../../src/exchange.js";
import { parseBodyText } from "../../src/http/send.js";

export const contract = await loadContract();
export const schemas = schemasFor(contract);
export const VNAME = "Acme Plumbing Co";
export const CERT = encodeCertificate({ vname: VNAME });
export const META = { version: "v2.45.1", api_status: "stable" };

export interface FakeResponse {
  status?: number;
  /** A JSON value (serialized), or `{ raw: text }` for a body sent as is. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The connection closed instead of an answer (a request sent `closeIsAnswer`). */
  closed?: string;
}

/** A response as sendRequest would hand it over: JSON bodies get Content-Type application/json by default. */
export function fakeResponse({
  status = 200,
  body,
  raw,
  headers,
  closed,
}: FakeResponse = {}): IncomingResponse {
  if (closed !== undefined) {
    return {
      status: 0,
      headers: {},
      bodyText: "",
      json: undefined,
      isJson: false,
      durationMs: 1,
      closed: { reason: closed },
    };
  }
  const bodyText = raw ?? (body === undefined ? "" : JSON.stringify(body));
  const { json, isJson } = parseBodyText(bodyText);
  return {
    status,
    headers: headers ?? (isJson ? { "content-type": "application/json" } : {}),
    bodyText,
    json,
    isJson,
    durationMs: 1,
  };
}

export function operation(id = "requestCode"): Operation {
  const found = contract.operations.get(id);
  if (!found) {
    throw new Error(`the contract has no operation ${id}`);
  }
  return found;
}

/** A context for a requestCode exchange (unless another operation is given) that sent a valid body. */
export function contextFor(
  response: FakeResponse,
  options: { operation?: Operation | undefined; requestBody?: unknown } = {},
): CheckContext {
  return {
    contract,
    schemas,
    operation: "operation" in options ? options.operation : operation("requestCode"),
    requestBody:
      "requestBody" in options
        ? options.requestBody
        : { cc: "1", phone_number: "5550100001", method: "sms", cert: CERT },
    response: fakeResponse(response),
  };
}

export function errorBody(code: number, title: string, details?: string): unknown {
  return { meta: META, errors: [{ code, title, ...(details === undefined ? {} : { details }) }] };
}

/** What a row wants of a check: a pass, or a failure of `check` whose texts mention the given values. */
export type Want = "pass" | { check: string; expected: string[]; received: string[] };

export function expectOutcome(failure: CheckFailure | undefined, want: Want): void {
  if (want === "pass") {
    expect(failure).toBeUndefined();
    return;
  }
  expect(failure).toBeDefined();
  expect(failure?.check).toBe(want.check);
  for (const text of want.expected) {
    expect(failure?.expected).toContain(text);
  }
  for (const text of want.received) {
    expect(failure?.received).toContain(text);
  }
}
