// Interprets the tweaks' data: validates it against the contract once at start, then compiles one rewrite function.
import type { Contract } from "../contract/contract.js";
import { compileAction } from "./tweak-do.js";
import { type Answer, FORM, knownKeys, type RequestView, refuse } from "./tweak-shared.js";
import type {
  ReferenceRequest,
  ReferenceResponse,
  ReferenceRewrite,
  ReferenceSwitches,
  RewriteRule,
} from "./tweak-types.js";
import { compileWhen } from "./tweak-when.js";

function compileRule(
  contract: Contract,
  where: string,
  rule: RewriteRule,
): (view: RequestView, response: ReferenceResponse) => Answer {
  knownKeys(where, rule, ["when", "do"]);
  const applies = rule.when === undefined ? () => true : compileWhen(contract, `${where}.when`, rule.when);
  const then = rule.do;
  if (then === "drop" || then === "hang") {
    return (view, response) => (applies(view, response) ? then : undefined);
  }
  if (typeof then === "string") {
    refuse(`${where}.do`, `must be drop, hang or an object, got ${JSON.stringify(then)}`);
  }
  const change = compileAction(contract, `${where}.do`, then);
  return (view, response) => (applies(view, response) ? change(view, response) : undefined);
}

/** The request's media type, without parameters, in lower case; "" when it has none. */
function mediaTypeOf(request: ReferenceRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * One function applying the rewrite rules (the first that holds wins) and then `extra`, a programmatic rewrite;
 * undefined when there is neither, so the answer path stays as it is without tweaks.
 */
export function compileRewrite(
  contract: Contract,
  rules: readonly RewriteRule[] | undefined,
  switches: ReferenceSwitches | undefined,
  extra: ReferenceRewrite | undefined,
): ReferenceRewrite | undefined {
  if (rules !== undefined && !Array.isArray(rules)) {
    refuse("rewrite", "must be a list of rules");
  }
  const compiled = (rules ?? []).map((rule, index) => compileRule(contract, `rewrite[${index}]`, rule));
  if (compiled.length === 0) {
    return extra;
  }
  const formFields = switches?.formFields === true;
  const byRules = (request: ReferenceRequest, response: ReferenceResponse): Answer => {
    const mediaType = mediaTypeOf(request);
    const fields =
      formFields && typeof request.body === "string" && mediaType === FORM
        ? Object.fromEntries(new URLSearchParams(request.body))
        : request.body;
    const view: RequestView = { request, fields, mediaType };
    for (const rule of compiled) {
      const answer = rule(view, response);
      if (answer !== undefined) {
        return answer;
      }
    }
    return undefined;
  };
  if (extra === undefined) {
    return byRules;
  }
  return (request, response) => {
    const first = byRules(request, response);
    if (first === "drop" || first === "hang") {
      return first;
    }
    return extra(request, first ?? response) ?? first;
  };
}
