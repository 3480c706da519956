// The proxy's only answer of its own: a 502 in the contract's error envelope when the upstream cannot be reached or times out.

import type { Contract } from "../contract/contract.js";
import type { SchemaTypes } from "../contract/contract-types.js";

/**
 * The catalogue code of the 502: the upstream is not there to serve the request, which is what 1011 "Service
 * not ready" tells a client of this API (a client retries it later, as it would a 502).
 */
export const UPSTREAM_ERROR_CODE = 1011;

/** `reason` must already be redacted: it may quote what the upstream's connection said. */
export function upstreamUnreachableAnswer(
  contract: Contract,
  reason: string,
): { status: number; headers: Record<string, string>; body: string } {
  const body: SchemaTypes["ErrorResponse"] = {
    errors: [
      {
        code: UPSTREAM_ERROR_CODE,
        title: contract.errorTitles.get(UPSTREAM_ERROR_CODE) ?? "",
        details: `The proxy could not get an answer from the upstream: ${reason.slice(0, 200)}`,
      },
    ],
  };
  return {
    status: 502,
    headers: { "content-type": "application/json; charset=utf-8", connection: "close" },
    body: JSON.stringify(body),
  };
}
