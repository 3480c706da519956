// The vname oracle: account[0].vname must be the verified name decoded from the cert actually sent.
import { readVerifiedName } from "../cert/certificate.js";
import type { RequestBody, ResponseBody, Unvalidated } from "../contract/contract-types.js";
import { isPlainObject } from "../json-text.js";
import type { Check, CheckContext } from "./check.js";
import { show, showBody } from "./check.js";

/** The contract's 202 to requestCode, whose account[0].vname the checks read. */
type CodeRequested = ResponseBody<"requestCode", 202>;

function answeredVname(context: CheckContext): unknown {
  const body: Unvalidated<CodeRequested> | undefined = isPlainObject(context.response.json)
    ? context.response.json
    : undefined;
  if (body === undefined || !Array.isArray(body.account)) {
    return undefined;
  }
  const first: unknown = body.account[0];
  const account: Unvalidated<CodeRequested["account"][number]> | undefined = isPlainObject(first)
    ? first
    : undefined;
  return account?.vname;
}

export const checkVnameMatchesCert: Check<true> = (_expected, context) => {
  const sent: Unvalidated<RequestBody<"requestCode">> | undefined = isPlainObject(context.requestBody)
    ? context.requestBody
    : undefined;
  const cert = sent?.cert;
  let decoded: string;
  try {
    decoded = readVerifiedName(String(cert));
  } catch (error) {
    return {
      check: "vnameMatchesCert",
      expected: "a request whose cert decodes (the case is wrong)",
      received: (error as Error).message,
    };
  }
  const vname = answeredVname(context);
  return vname === decoded
    ? undefined
    : {
        check: "vnameMatchesCert",
        expected: `account[0].vname ${show(decoded)} (decoded from the cert sent)`,
        received:
          vname === undefined
            ? `no account[0].vname in ${showBody(context.response)}`
            : `account[0].vname ${show(vname)}`,
      };
};

export const checkVname: Check<string> = (expected, context) => {
  const vname = answeredVname(context);
  return vname === expected
    ? undefined
    : {
        check: "vname",
        expected: `account[0].vname ${show(expected)}`,
        received:
          vname === undefined
            ? `no account[0].vname in ${showBody(context.response)}`
            : `account[0].vname ${show(vname)}`,
      };
};
