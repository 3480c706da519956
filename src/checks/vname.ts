// The vname oracle: account[0].vname must be the verified name decoded from the cert actually sent.
import { readVerifiedName } from "../cert/certificate.js";
import { isPlainObject } from "../json-text.js";
import type { Check, CheckContext } from "./check.js";
import { show, showBody } from "./check.js";

function answeredVname(context: CheckContext): unknown {
  const body = context.response.json;
  if (!isPlainObject(body) || !Array.isArray(body.account)) {
    return undefined;
  }
  const first = body.account[0];
  return isPlainObject(first) ? first.vname : undefined;
}

export const checkVnameMatchesCert: Check<true> = (_expected, context) => {
  const cert = isPlainObject(context.requestBody) ? context.requestBody.cert : undefined;
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
