// Client conformance: judges a request against its operation in the contract (credentials, body, schema, certificate), naming the requirement under which a real server refuses what is wrong.
import { readVerifiedName } from "../cert/certificate.js";
import { mediaType } from "../checks/content-type.js";
import type { Contract, JsonSchema, Operation } from "../contract/contract.js";
import type { RequestBody, Unvalidated } from "../contract/contract-types.js";
import type { ContractSchemas, SchemaIssue } from "../contract/schema-validator.js";
import { isPlainObject } from "../json-text.js";
import type { Findings } from "./judgement.js";
import type { OperationMatch } from "./match-operation.js";

/** A request as the proxy copied it. */
export interface SeenRequest {
  method: string;
  /** Header names in lower case; repeated fields joined with ", ". */
  headers: Record<string, string>;
  bodyText: string;
  bodyBytes: number;
  /** False when the body was longer than the copy kept: it is then not judged. */
  bodyComplete: boolean;
}

export interface JudgedRequest {
  /** The parsed JSON object body, when there was one. */
  body: Record<string, unknown> | undefined;
  /** Requirements whose MUST the request broke: a real server refuses such a request. */
  refusedUnder: string[];
  /** What could not be judged, in words. */
  notJudged: string[];
}

/**
 * The requirement under which a real server refuses each kind of body fault: the one of the request's
 * operation in the ledger, else the one for every other operation (first entry with no `operation`).
 */
const BODY_FAULT_REQUIREMENTS = {
  missing: ["missing-field-rejected-with-1008-or-1009", "edge-body-violation-rejected"],
  invalid: ["invalid-field-rejected-with-1008-or-1009", "edge-body-violation-rejected"],
  certificate: ["bad-cert-rejected-with-1005-or-1009", "edge-body-violation-rejected"],
} as const;

type BodyFault = keyof typeof BODY_FAULT_REQUIREMENTS;

function requirementFor(contract: Contract, fault: BodyFault, operation: Operation): string {
  const candidates = BODY_FAULT_REQUIREMENTS[fault];
  const own = candidates.find((id) => contract.requirementById.get(id)?.operation === operation.id);
  return (
    own ?? candidates.find((id) => contract.requirementById.get(id)?.operation === undefined) ?? candidates[0]
  );
}

/** MAY requirements that apply to the request's operation (theirs, or every operation when they name none). */
function appliesTo(contract: Contract, requirement: string, operation: Operation): boolean {
  const entry = contract.requirementById.get(requirement);
  return entry !== undefined && (entry.operation === undefined || entry.operation === operation.id);
}

/** The credentials each security scheme of the contract asks for, and the requirement a real server refuses under. */
const CREDENTIALS = {
  bearer: { scheme: "Bearer", requirement: "missing-or-unknown-token-answers-401" },
  basic: { scheme: "Basic", requirement: "login-bad-credentials-answers-401" },
} as const;

/** The top-level property an issue is about: the first segment of its pointer, or the missing one. */
function propertyOf(issue: SchemaIssue): string | undefined {
  const first = issue.pointer.split("/")[1];
  return first === undefined || first === ""
    ? issue.missingProperty
    : first.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Properties that carry a certificate: base64 content, which must decode (contentEncoding in the contract). */
function certificateProperties(schema: JsonSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => (property as Record<string, unknown>).contentEncoding === "base64")
    .map(([name]) => name);
}

/** Judges the request; `match` says which operation it is for. */
export function judgeRequest(
  findings: Findings,
  schemas: ContractSchemas,
  match: OperationMatch,
  request: SeenRequest,
): JudgedRequest {
  const { contract } = findings;
  const judged: JudgedRequest = { body: undefined, refusedUnder: [], notJudged: [] };
  if (match.kind === "outside-contract") {
    judged.notJudged.push("a path outside the contract");
    return judged;
  }
  if (match.kind === "method-not-documented") {
    const forRegistration = [...contract.operations.values()].some(
      (operation) =>
        operation.path === match.path &&
        operation.id === contract.requirementById.get("register-registered-number-answers-201")?.operation,
    );
    if (request.method.toUpperCase() === "GET" && forRegistration) {
      findings.judge("get-account-handling", "client", {
        check: "request.method",
        expected: `a method the contract documents for ${match.path} (${match.methods.join(", ").toUpperCase()})`,
        received: `${request.method} ${match.path}, whose answer is the target's choice`,
      });
    } else {
      judged.notJudged.push(
        `${request.method} on ${match.path}, a method the contract does not document there`,
      );
    }
    return judged;
  }
  const { operation } = match;
  const broke = (requirement: string, check: string, expected: string, received: string) => {
    findings.judge(requirement, "client", { check, expected, received });
    if (
      contract.requirementById.get(requirement)?.level === "MUST" &&
      !judged.refusedUnder.includes(requirement)
    ) {
      judged.refusedUnder.push(requirement);
    }
  };

  if (operation.security !== "none") {
    const { scheme, requirement } = CREDENTIALS[operation.security];
    const authorization = request.headers.authorization;
    const given = authorization?.trim().split(/\s+/) ?? [];
    findings.judge(requirement, "client", undefined);
    if (given[0]?.toLowerCase() !== scheme.toLowerCase() || given.length < 2) {
      broke(
        requirement,
        "request.credentials",
        `Authorization: ${scheme} <credentials>, as ${operation.id} requires`,
        authorization === undefined
          ? "no Authorization header"
          : `an Authorization header of scheme ${JSON.stringify(given[0] ?? "")}${given.length < 2 ? " without credentials" : ""}`,
      );
    }
  }

  const schema = operation.requestSchema;
  if (schema === undefined) {
    return judged;
  }
  if (!request.bodyComplete) {
    broke(
      "oversized-body-not-accepted",
      "request.size",
      "a body of the size a registration needs",
      `a body of ${request.bodyBytes} bytes (judged no further)`,
    );
    judged.notJudged.push(`the body past the copy kept (${request.bodyBytes} bytes)`);
    return judged;
  }
  if (request.bodyBytes === 0) {
    if (operation.requestBodyRequired) {
      broke(
        "malformed-body-rejected",
        "request.body",
        `a JSON object body, as ${operation.id} requires`,
        "no body",
      );
    }
    return judged;
  }
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(request.bodyText);
  } catch {
    parses = false;
  }
  findings.judge("malformed-body-rejected", "client", undefined);
  if (!parses || !isPlainObject(parsed)) {
    broke(
      "malformed-body-rejected",
      "request.body",
      "a JSON object body",
      parses
        ? `a JSON ${Array.isArray(parsed) ? "array" : parsed === null ? "null" : typeof parsed}`
        : "a body that is not JSON",
    );
    return judged;
  }
  judged.body = parsed;

  const label = mediaType(request.headers["content-type"]);
  if (label !== "application/json" && !label.endsWith("+json")) {
    findings.judge("mislabelled-json-handling", "client", {
      check: "request.contentType",
      expected: "Content-Type application/json on a JSON body",
      received: label === "" ? "no Content-Type" : `Content-Type ${request.headers["content-type"]}`,
    });
  }

  const certificates = new Set(certificateProperties(schema));
  const issues = schemas.checkRequest(operation, parsed);
  for (const fault of Object.keys(BODY_FAULT_REQUIREMENTS) as BodyFault[]) {
    findings.judge(requirementFor(contract, fault, operation), "client", undefined);
  }
  const faulty = new Set<string>();
  for (const issue of issues) {
    const property = propertyOf(issue);
    if (property !== undefined) {
      faulty.add(property);
    }
    const value = property === undefined ? undefined : parsed[property];
    const allowed =
      property === undefined ? undefined : (schema.properties?.[property] as JsonSchema | undefined)?.enum;
    if (
      issue.keyword === "enum" &&
      typeof value === "string" &&
      allowed?.includes(value.toLowerCase()) &&
      appliesTo(contract, "method-case-handling", operation)
    ) {
      findings.judge("method-case-handling", "client", {
        check: "request.schema",
        expected: `${property} one of ${allowed.map((option) => JSON.stringify(option)).join(", ")}`,
        received: `${property} in another letter case, whose handling is the target's choice`,
      });
      continue;
    }
    const fault: BodyFault =
      issue.keyword === "required"
        ? "missing"
        : property !== undefined && certificates.has(property)
          ? "certificate"
          : "invalid";
    broke(
      requirementFor(contract, fault, operation),
      "request.schema",
      `a body matching the contract's request schema of ${operation.id}`,
      `${property === undefined ? "the body" : `field ${property}`}: ${issue.message}`,
    );
  }

  for (const property of certificates) {
    const value = parsed[property];
    if (typeof value === "string" && !faulty.has(property)) {
      try {
        readVerifiedName(value);
      } catch (error) {
        broke(
          requirementFor(contract, "certificate", operation),
          "request.certificate",
          `field ${property}: base64 of a verified-name certificate that decodes`,
          `field ${property}: ${(error as Error).message}`,
        );
      }
    }
  }

  const known = new Set(Object.keys(schema.properties ?? {}));
  const unknown = Object.keys(parsed).filter((name) => !known.has(name));
  if (unknown.length > 0 && appliesTo(contract, "unknown-field-handling", operation)) {
    findings.judge("unknown-field-handling", "client", {
      check: "request.unknownFields",
      expected: `only the fields the contract names for ${operation.id}`,
      received: `also ${unknown.slice(0, 5).join(", ")}, whose handling is the target's choice`,
    });
  }

  const number: Unvalidated<RequestBody<"requestCode">> = parsed;
  if (
    known.has("cc") &&
    known.has("phone_number") &&
    appliesTo(contract, "phone-number-with-country-code-handling", operation)
  ) {
    const { cc, phone_number: phoneNumber } = number;
    findings.judge("phone-number-with-country-code-handling", "client", undefined);
    if (
      typeof cc === "string" &&
      typeof phoneNumber === "string" &&
      cc !== "" &&
      phoneNumber.startsWith(cc)
    ) {
      findings.judge("phone-number-with-country-code-handling", "client", {
        check: "request.phoneNumber",
        expected: "phone_number without its country code, as Meta asks",
        received: `phone_number begins with the digits of cc (${cc}): perhaps the country code is in it`,
      });
    }
  }
  return judged;
}
