// Planted bugs that need state: variants of the reference implementation, each one named defect in a few lines.
import type { IncomingMessage } from "node:http";
import { decodeCertificate, verifiedNameOf } from "../../src/cert/certificate.js";
import type { ProfileName } from "../../src/contract/contract.js";
import type {
  ReferenceOptions,
  ReferenceRequest,
  ReferenceResponse,
  ReferenceTweaks,
} from "../../src/reference/index.js";
import type { Verdict } from "../../src/runner/results.js";

/** A variant of the reference and the verdicts that differ from the unmodified reference in its profile. */
export interface ReferenceVariant {
  /** A kebab-case slug, unique among all variants. */
  name: string;
  /** One line: what is wrong (or, for a conformant variant, what differs). */
  defect: string;
  profile: ProfileName;
  tweaks: ReferenceTweaks;
  referenceOptions?: Omit<ReferenceOptions, "profile" | "tweaks">;
  /** How many ms later to answer an API request (the reference's tweaks cannot delay; the harness does). */
  delayMs?: (method: string, path: string) => number;
  /**
   * A provider state the harness sets up just before the reference sees a matching request: for defects that
   * misdirect a state change, which a rewrite (run after the operation did its work) cannot express.
   */
  stateBefore?: (
    method: string,
    path: string,
  ) => { state: string; params: Record<string, string> } | undefined;
  /**
   * Whether the front closes the connection the moment the answer is written, unread body and all (so the
   * client, maybe still sending, sees a reset): how many servers refuse an oversized body.
   */
  closeAfterAnswer?: (req: IncomingMessage) => boolean;
  /** The client's timeout for this run; a variant that hangs uses a short one, which is all a hang costs. */
  timeoutMs?: number;
  /** Exactly the cases whose verdict differs from the baseline, with the verdict they must get. */
  expect: Record<string, Verdict>;
}

type ErrorItem = Record<string, unknown>;

export const isRegistration = (req: ReferenceRequest): boolean =>
  req.method === "POST" && req.path === "/v1/account";
export const isVerify = (req: ReferenceRequest): boolean =>
  req.method === "POST" && req.path === "/v1/account/verify";

/** The request's media type, without parameters, in lower case; "" when it has none. */
const mediaTypeOf = (req: ReferenceRequest): string =>
  (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
const isJsonLabelled = (req: ReferenceRequest): boolean => mediaTypeOf(req) === "application/json";
const isFormLabelled = (req: ReferenceRequest): boolean =>
  mediaTypeOf(req) === "application/x-www-form-urlencoded";

/** The request's JSON object, or {} when the body was something else. */
export function fieldsOf(req: ReferenceRequest): Record<string, unknown> {
  const body = req.body;
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

function bodyOf(res: ReferenceResponse): Record<string, unknown> {
  const body = res.body;
  return typeof body === "object" && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

export function errorsOf(res: ReferenceResponse): ErrorItem[] {
  const errors = bodyOf(res).errors;
  return Array.isArray(errors) ? (errors as ErrorItem[]) : [];
}

export const codeOf = (res: ReferenceResponse): unknown => errorsOf(res)[0]?.code;
export const detailsOf = (res: ReferenceResponse): string => String(errorsOf(res)[0]?.details ?? "");

/** A success the reference would give, with the meta of the response it replaces. */
export function success(res: ReferenceResponse, status: number, payload: object = {}): ReferenceResponse {
  return { status, headers: res.headers, body: { meta: bodyOf(res).meta, ...payload } };
}

/** The 202 of a code request, with the vname a correct target decodes from the cert sent. */
export function codeSent(req: ReferenceRequest, res: ReferenceResponse): ReferenceResponse {
  return success(res, 202, { account: [{ vname: verifiedNameOf(String(fieldsOf(req).cert)) ?? "" }] });
}

/** The same response with each item of a top-level array (errors, users) changed. */
export function mapBodyList(
  res: ReferenceResponse,
  key: string,
  change: (item: ErrorItem) => ErrorItem,
): ReferenceResponse {
  const list = bodyOf(res)[key];
  return {
    ...res,
    body: { ...bodyOf(res), [key]: Array.isArray(list) ? (list as ErrorItem[]).map(change) : list },
  };
}

export const mapErrors = (
  res: ReferenceResponse,
  change: (error: ErrorItem) => ErrorItem,
): ReferenceResponse => mapBodyList(res, "errors", change);

export function withoutKey(res: ReferenceResponse, key: string): ReferenceResponse {
  const { [key]: _dropped, ...rest } = bodyOf(res);
  return { ...res, body: rest };
}

/** A target that does not require `field`: the request goes through as if it were valid. */
function acceptsWithout(field: string): ReferenceTweaks {
  return {
    rewrite: (req, res) =>
      isRegistration(req) && !(field in fieldsOf(req)) && codeOf(res) === 1008
        ? codeSent(req, res)
        : undefined,
  };
}

/**
 * The reference applies two-step settings to the client's account, the number registered last; registering a
 * decoy number just before the request makes the setting land on it, as a target that keys the setting to the
 * wrong number would.
 */
const settingsOnDecoy =
  (method: string) =>
  (requestMethod: string, path: string): { state: string; params: Record<string, string> } | undefined =>
    requestMethod === method && path === "/v1/settings/account/two-step"
      ? { state: "number-registered", params: { cc: "999", phone_number: "999000999" } }
      : undefined;

/** A 400 1009 in place of the answer, for a valid value the variant wrongly refuses. */
const invalid = (res: ReferenceResponse, details: string): ReferenceResponse => ({
  status: 400,
  headers: res.headers,
  body: { meta: bodyOf(res).meta, errors: [{ code: 1009, title: "Parameter value is not valid", details }] },
});

const BLOCK = "biz_link_on_prem_reg_blocked";
const isSunsetBlock = (res: ReferenceResponse): boolean => detailsOf(res).includes(BLOCK);

export const PLANTED_REFERENCE_VARIANTS: ReferenceVariant[] = [
  {
    name: "registration-201-202-swapped",
    defect: "answers 201 to a new number and 202 to a registered one",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        !isRegistration(req)
          ? undefined
          : res.status === 202
            ? success(res, 201)
            : res.status === 201
              ? codeSent(req, res)
              : undefined,
    },
    expect: {
      "new-number-answers-202-with-decoded-vname": "FAIL",
      "new-number-by-voice-answers-202": "FAIL",
      "bare-certificate-vname-is-decoded": "FAIL",
      "unicode-vname-is-decoded": "FAIL",
      "unpadded-certificate-is-decoded": "FAIL",
      "toll-free-number-answers-202": "FAIL",
      "registered-number-answers-201": "FAIL",
      "sms-limit-denies-then-voice-answers-202": "WARN",
      "verify-right-code-then-request-answers-201": "FAIL",
      "verify-wrong-code-is-rejected": "FAIL",
      "two-step-enabled-by-settings-requires-the-pin": "FAIL",
      "two-step-disabled-by-settings-needs-no-pin": "FAIL",
    },
  },
  {
    name: "registration-answers-200",
    defect: "answers 200 instead of 202 when a code is sent",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 202 ? { ...res, status: 200 } : undefined,
    },
    expect: {
      "new-number-answers-202-with-decoded-vname": "FAIL",
      "new-number-by-voice-answers-202": "FAIL",
      "bare-certificate-vname-is-decoded": "FAIL",
      "unicode-vname-is-decoded": "FAIL",
      "unpadded-certificate-is-decoded": "FAIL",
      "toll-free-number-answers-202": "FAIL",
      "sms-limit-denies-then-voice-answers-202": "WARN",
      "verify-wrong-code-is-rejected": "FAIL",
    },
  },
  {
    name: "registration-202-without-account",
    defect: "answers 202 with {meta} only, no account array",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 202 ? withoutKey(res, "account") : undefined,
    },
    expect: {
      "unknown-extra-field-is-observed": "FAIL",
      "pin-without-two-step-is-observed": "FAIL",
      "json-labelled-text-plain-is-observed": "FAIL",
      "json-labelled-form-urlencoded-is-observed": "FAIL",
      "json-without-content-type-is-observed": "FAIL",
      "new-number-answers-202-with-decoded-vname": "FAIL",
      "new-number-by-voice-answers-202": "FAIL",
      "bare-certificate-vname-is-decoded": "FAIL",
      "unicode-vname-is-decoded": "FAIL",
      "unpadded-certificate-is-decoded": "FAIL",
      "toll-free-number-answers-202": "FAIL",
      "sms-limit-denies-then-voice-answers-202": "FAIL",
      "verify-wrong-code-is-rejected": "FAIL",
    },
  },
  {
    name: "vname-echoes-cert",
    defect: "answers the cert it was sent as the vname instead of decoding it",
    profile: "registration-open",
    tweaks: { vname: (_decoded, body) => String(body.cert) },
    expect: {
      "new-number-answers-202-with-decoded-vname": "FAIL",
      "new-number-by-voice-answers-202": "FAIL",
      "bare-certificate-vname-is-decoded": "FAIL",
      "unicode-vname-is-decoded": "FAIL",
      "unpadded-certificate-is-decoded": "FAIL",
      "toll-free-number-answers-202": "FAIL",
      "sms-limit-denies-then-voice-answers-202": "WARN",
    },
  },
  {
    name: "vname-constant",
    defect: "answers the same vname, Acme Plumbing Co, whatever the cert",
    profile: "registration-open",
    tweaks: { vname: () => "Acme Plumbing Co" },
    expect: {
      "new-number-by-voice-answers-202": "FAIL",
      "bare-certificate-vname-is-decoded": "FAIL",
      "unicode-vname-is-decoded": "FAIL",
      "unpadded-certificate-is-decoded": "FAIL",
    },
  },
  {
    name: "vname-decoded-as-latin1",
    defect: "decodes the verified name as Latin-1, garbling non-ASCII names",
    profile: "registration-open",
    tweaks: { vname: (decoded) => Buffer.from(decoded, "utf8").toString("latin1") },
    expect: {
      "unicode-vname-is-decoded": "FAIL",
    },
  },
  {
    name: "missing-cc-accepted",
    defect: "does not require cc",
    profile: "registration-open",
    tweaks: acceptsWithout("cc"),
    expect: {
      "request-code-rejects-body-without-cc": "FAIL",
      "request-code-rejects-empty-object": "FAIL",
    },
  },
  {
    name: "missing-phone-number-accepted",
    defect: "does not require phone_number",
    profile: "registration-open",
    tweaks: acceptsWithout("phone_number"),
    expect: {
      "request-code-rejects-body-without-phone-number": "FAIL",
      "request-code-rejects-empty-object": "FAIL",
    },
  },
  {
    name: "missing-method-accepted",
    defect: "does not require method (defaults to sms)",
    profile: "registration-open",
    tweaks: acceptsWithout("method"),
    expect: {
      "request-code-rejects-body-without-method": "FAIL",
      "request-code-rejects-empty-object": "FAIL",
    },
  },
  {
    name: "missing-cert-accepted",
    defect: "does not require cert",
    profile: "registration-open",
    tweaks: acceptsWithout("cert"),
    expect: {
      "request-code-rejects-body-without-cert": "FAIL",
      "request-code-rejects-empty-object": "FAIL",
    },
  },
  {
    name: "unknown-method-accepted",
    defect: "accepts a method other than sms or voice",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) => {
        const { method } = fieldsOf(req);
        return isRegistration(req) && typeof method === "string" && !["sms", "voice"].includes(method)
          ? codeSent(req, res)
          : undefined;
      },
    },
    expect: {
      "request-code-rejects-method-fax": "FAIL",
      "request-code-rejects-method-empty": "FAIL",
    },
  },
  {
    name: "plus-in-phone-number-accepted",
    defect: "strips a leading + from phone_number instead of refusing it",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && String(fieldsOf(req).phone_number).startsWith("+")
          ? codeSent(req, res)
          : undefined,
    },
    expect: {
      "request-code-rejects-phone-number-plus-15550100001": "FAIL",
    },
  },
  {
    name: "two-step-pin-ignored",
    defect: "registers a number with two-step on whatever the pin, or none",
    profile: "registration-open",
    tweaks: { skip: ["two-step"] },
    expect: {
      "two-step-missing-pin-is-rejected": "FAIL",
      "two-step-wrong-pin-is-rejected": "FAIL",
      "two-step-enabled-by-settings-requires-the-pin": "FAIL",
    },
  },
  {
    name: "two-step-wrong-pin-accepted",
    defect: "checks that a pin is present but not that it matches",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && fieldsOf(req).pin !== undefined && res.status === 403
          ? success(res, 201)
          : undefined,
    },
    expect: {
      "two-step-wrong-pin-is-rejected": "FAIL",
    },
  },
  {
    name: "bad-cert-accepted",
    defect: "accepts a cert that decodes to no certificate or no verified name",
    profile: "registration-open",
    tweaks: { skip: ["cert"] },
    expect: {
      "cert-of-garbage-bytes-is-rejected": "FAIL",
      "cert-without-verified-name-is-rejected": "FAIL",
    },
  },
  {
    name: "missing-field-code-is-http-status",
    defect: "reports a missing field with errors[0].code 400 (the HTTP status) instead of 1008",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        codeOf(res) === 1008
          ? mapErrors(res, (error) => ({ ...error, code: 400, title: "Bad Request" }))
          : undefined,
    },
    expect: {
      "two-step-missing-pin-is-rejected": "WARN",
      "request-code-rejects-body-without-cc": "FAIL",
      "request-code-rejects-body-without-phone-number": "FAIL",
      "request-code-rejects-body-without-method": "FAIL",
      "request-code-rejects-body-without-cert": "FAIL",
      "request-code-rejects-empty-object": "FAIL",
      "verify-rejects-body-without-code": "FAIL",
      "verify-rejects-empty-object": "FAIL",
      "two-step-rejects-body-without-pin": "FAIL",
      "two-step-rejects-empty-object": "FAIL",
    },
  },
  {
    name: "missing-field-answers-1009",
    defect: "reports a missing field with 1009 instead of 1008",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        codeOf(res) === 1008
          ? mapErrors(res, (error) => ({ ...error, code: 1009, title: "Parameter value is not valid" }))
          : undefined,
    },
    expect: {
      "two-step-missing-pin-is-rejected": "WARN",
      "request-code-rejects-body-without-cc": "WARN",
      "request-code-rejects-body-without-phone-number": "WARN",
      "request-code-rejects-body-without-method": "WARN",
      "request-code-rejects-body-without-cert": "WARN",
      "request-code-rejects-empty-object": "WARN",
    },
  },
  {
    name: "access-denied-title-wrong",
    defect: "titles 1005 Forbidden instead of the canonical Access denied",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) =>
        codeOf(res) === 1005 ? mapErrors(res, (error) => ({ ...error, title: "Forbidden" })) : undefined,
    },
    expect: {
      "login-with-wrong-password-answers-401": "WARN",
      "login-without-credentials-answers-401": "WARN",
      "request-without-token-answers-401": "WARN",
      "request-with-malformed-token-answers-401": "WARN",
      "request-with-unknown-token-answers-401": "WARN",
      "verify-without-token-answers-401": "WARN",
      "non-admin-request-is-refused": "WARN",
      "non-admin-verify-is-refused": "WARN",
      "non-admin-two-step-change-is-refused": "WARN",
      "two-step-change-without-token-answers-401": "WARN",
      "two-step-removal-without-token-answers-401": "WARN",
      "non-admin-two-step-removal-is-refused": "WARN",
      "sunset-blocks-valid-registration": "FAIL",
      "sunset-blocks-voice-registration": "WARN",
      "sunset-blocks-registered-number": "WARN",
      "sunset-refuses-verify": "WARN",
      // The reference serves mislabelled JSON, so under sunset these meet the block and its title too.
      "json-labelled-text-plain-is-observed": "WARN",
      "json-labelled-form-urlencoded-is-observed": "WARN",
      "json-without-content-type-is-observed": "WARN",
    },
  },
  {
    name: "no-auth-enforced",
    defect: "serves every request without checking the token or the login password",
    profile: "sunset",
    tweaks: { skip: ["auth"] },
    expect: {
      "login-with-wrong-password-answers-401": "FAIL",
      "login-without-credentials-answers-401": "FAIL",
      "request-without-token-answers-401": "FAIL",
      "request-with-malformed-token-answers-401": "FAIL",
      "request-with-unknown-token-answers-401": "FAIL",
      "verify-without-token-answers-401": "FAIL",
      "two-step-change-without-token-answers-401": "FAIL",
      "two-step-removal-without-token-answers-401": "FAIL",
    },
  },
  {
    name: "no-auth-on-registration",
    defect: "serves POST /v1/account without a token",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) => (isRegistration(req) && res.status === 401 ? codeSent(req, res) : undefined),
    },
    expect: {
      "request-without-token-answers-401": "FAIL",
      "request-with-malformed-token-answers-401": "FAIL",
      "request-with-unknown-token-answers-401": "FAIL",
    },
  },
  {
    name: "missing-token-answers-403",
    defect: "answers 403 instead of 401 to a request without a valid token",
    profile: "registration-open",
    tweaks: { rewrite: (_req, res) => (res.status === 401 ? { ...res, status: 403 } : undefined) },
    expect: {
      "login-with-wrong-password-answers-401": "FAIL",
      "login-without-credentials-answers-401": "FAIL",
      "request-without-token-answers-401": "FAIL",
      "request-with-malformed-token-answers-401": "FAIL",
      "request-with-unknown-token-answers-401": "FAIL",
      "verify-without-token-answers-401": "FAIL",
      "two-step-change-without-token-answers-401": "FAIL",
      "two-step-removal-without-token-answers-401": "FAIL",
    },
  },
  {
    name: "non-admin-accepted-on-settings",
    defect: "lets a user who is not admin change two-step settings",
    profile: "sunset",
    tweaks: { skip: ["admin-only"] },
    expect: {
      "non-admin-two-step-change-is-refused": "FAIL",
      "non-admin-two-step-removal-is-refused": "FAIL",
    },
  },
  {
    name: "non-admin-accepted-on-registration",
    defect: "lets a user who is not admin request a code",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && detailsOf(res).startsWith("Only the admin") ? codeSent(req, res) : undefined,
    },
    expect: {
      "non-admin-request-is-refused": "FAIL",
    },
  },
  {
    name: "sunset-block-wrong-code",
    defect: "blocks registration with 1000 Generic error instead of 1005",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) =>
        isSunsetBlock(res)
          ? mapErrors(res, (error) => ({ ...error, code: 1000, title: "Generic error" }))
          : undefined,
    },
    expect: {
      "sunset-blocks-valid-registration": "FAIL",
      "sunset-blocks-voice-registration": "FAIL",
      "sunset-blocks-registered-number": "FAIL",
      "sunset-refuses-verify": "WARN",
    },
  },
  {
    name: "sunset-block-wrong-details",
    defect: "blocks registration with details that do not name biz_link_on_prem_reg_blocked",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) =>
        isSunsetBlock(res)
          ? mapErrors(res, (error) => ({ ...error, details: "Registration is closed" }))
          : undefined,
    },
    expect: {
      "sunset-blocks-valid-registration": "FAIL",
      "sunset-blocks-voice-registration": "FAIL",
      "sunset-blocks-registered-number": "FAIL",
    },
  },
  {
    name: "sunset-block-details-reworded",
    defect: "blocks with details containing the marker but not Meta's exact words",
    profile: "sunset",
    tweaks: {
      rewrite: (_req, res) =>
        isSunsetBlock(res)
          ? mapErrors(res, (error) => ({ ...error, details: `Blocked (${BLOCK})` }))
          : undefined,
    },
    expect: {
      "sunset-blocks-valid-registration": "WARN",
    },
  },
  {
    name: "sunset-block-answers-400",
    defect: "blocks registration with HTTP 400 instead of 403",
    profile: "sunset",
    tweaks: { rewrite: (_req, res) => (isSunsetBlock(res) ? { ...res, status: 400 } : undefined) },
    expect: {
      "sunset-blocks-valid-registration": "WARN",
      "sunset-refuses-verify": "WARN",
    },
  },
  {
    name: "sunset-block-missing",
    defect: "claims the sunset profile but still registers numbers",
    profile: "sunset",
    tweaks: { skip: ["sunset-block"] },
    expect: {
      "sunset-blocks-valid-registration": "FAIL",
      "sunset-blocks-voice-registration": "FAIL",
      "sunset-blocks-registered-number": "FAIL",
      "sunset-refuses-verify": "WARN",
    },
  },
  {
    name: "malformed-json-answers-500",
    defect: "lets the JSON parser's exception escape as a 500",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        detailsOf(res) === "The body is not valid JSON"
          ? mapErrors({ ...res, status: 500 }, () => ({ code: 1014, title: "Internal error" }))
          : undefined,
    },
    expect: {
      "body-that-is-not-json-is-rejected": "FAIL",
      "empty-body-is-rejected": "FAIL",
      "body-sent-as-form-is-rejected": "FAIL",
      "verify-body-that-is-not-json-is-rejected": "FAIL",
    },
  },
  {
    name: "form-pairs-accepted",
    defect: "parses a form-encoded body (cc=1&phone_number=...) as the request's fields",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) => {
        if (!isRegistration(req) || typeof req.body !== "string" || !isFormLabelled(req)) {
          return undefined;
        }
        const form = Object.fromEntries(new URLSearchParams(req.body));
        return "cc" in form && "cert" in form ? codeSent({ ...req, body: form }, res) : undefined;
      },
    },
    expect: {
      "body-sent-as-form-is-rejected": "FAIL",
    },
  },
  {
    name: "mislabelled-json-answers-500",
    defect: "answers 500 to a JSON body labelled other than application/json (its parser leaves no body)",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        typeof req.body === "object" && req.body !== null && !isJsonLabelled(req)
          ? { status: 500, headers: res.headers, body: { errors: [{ code: 1014, title: "Internal error" }] } }
          : undefined,
    },
    // The observed MAY cases still hold the target to no-5xx-for-client-input, checked on every exchange.
    expect: {
      "json-labelled-text-plain-is-observed": "FAIL",
      "json-labelled-form-urlencoded-is-observed": "FAIL",
      "json-without-content-type-is-observed": "FAIL",
      "two-step-json-labelled-text-plain-is-observed": "FAIL",
    },
  },
  {
    name: "oversized-body-read-whole",
    defect: "reads a 2 MiB body whole instead of answering 413",
    profile: "registration-open",
    tweaks: { skip: ["body-limit"] },
    // Accepting it breaks the MUST oversized-body-not-accepted, not only the SHOULD of a 413.
    expect: {
      "oversized-body-answers-413": "FAIL",
    },
  },
  {
    name: "verify-answers-200",
    defect: "answers 200 instead of 201 when verify completes a registration",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) => (isVerify(req) && res.status === 201 ? { ...res, status: 200 } : undefined),
    },
    expect: {
      "verify-right-code-then-request-answers-201": "FAIL",
    },
  },
  {
    name: "verify-any-code-accepted",
    defect: "completes the latest pending registration whatever code is sent",
    profile: "registration-open",
    tweaks: { skip: ["verify-code"] },
    expect: {
      "verify-wrong-code-is-rejected": "FAIL",
      "verify-with-nothing-pending-is-rejected": "FAIL",
    },
  },
  {
    name: "sms-limit-never-reached",
    defect: "sends an SMS code on every request, with no limit",
    profile: "registration-open",
    tweaks: { skip: ["sms-limit"] },
    expect: {
      "sms-limit-denies-then-voice-answers-202": "FAIL",
    },
  },
  {
    name: "sms-limit-answers-429-1015",
    defect: "denies a number past its SMS limit with 429 and 1015 Too many requests instead of 1005",
    profile: "registration-open",
    tweaks: {
      rewrite: (_req, res) =>
        detailsOf(res).startsWith("Too many SMS")
          ? mapErrors({ ...res, status: 429 }, (error) => ({
              ...error,
              code: 1015,
              title: "Too many requests",
            }))
          : undefined,
    },
    expect: {
      "sms-limit-denies-then-voice-answers-202": "FAIL",
    },
  },
  {
    name: "registered-number-answers-202",
    defect: "sends a new code to a number that is already registered",
    profile: "registration-open",
    tweaks: { skip: ["registered-check"] },
    expect: {
      "registered-number-answers-201": "FAIL",
      "verify-right-code-then-request-answers-201": "FAIL",
      "two-step-enabled-by-settings-requires-the-pin": "FAIL",
      "two-step-disabled-by-settings-needs-no-pin": "FAIL",
    },
  },
  {
    name: "registered-number-201-with-account",
    defect: "answers 201 with an account array for a registered number",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 201 ? { ...codeSent(req, res), status: 201 } : undefined,
    },
    expect: {
      "registered-number-answers-201": "FAIL",
      "verify-right-code-then-request-answers-201": "FAIL",
      "two-step-right-pin-registers": "FAIL",
      "two-step-enabled-by-settings-requires-the-pin": "FAIL",
      "two-step-disabled-by-settings-needs-no-pin": "FAIL",
    },
  },
  {
    name: "code-sent-without-meta",
    defect: "answers 202 without the meta object",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 202 ? withoutKey(res, "meta") : undefined,
    },
    expect: {
      "unknown-extra-field-is-observed": "WARN",
      "pin-without-two-step-is-observed": "WARN",
      "json-labelled-text-plain-is-observed": "WARN",
      "json-labelled-form-urlencoded-is-observed": "WARN",
      "json-without-content-type-is-observed": "WARN",
      "new-number-answers-202-with-decoded-vname": "WARN",
      "new-number-by-voice-answers-202": "WARN",
      "bare-certificate-vname-is-decoded": "WARN",
      "unicode-vname-is-decoded": "WARN",
      "unpadded-certificate-is-decoded": "WARN",
      "toll-free-number-answers-202": "WARN",
      "sms-limit-denies-then-voice-answers-202": "WARN",
      "verify-wrong-code-is-rejected": "WARN",
    },
  },
  {
    name: "login-expiry-iso-8601",
    defect: "answers the login expiry as ISO 8601 (2030-01-01T00:00:00Z), not Meta's format",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        req.path === "/v1/users/login" && res.status === 200
          ? mapBodyList(res, "users", (user) => ({ ...user, expires_after: "2030-01-01T00:00:00Z" }))
          : undefined,
    },
    expect: {
      "login-with-admin-credentials-answers-token": "FAIL",
    },
  },
  {
    name: "two-step-enable-answers-204",
    defect: "answers 204 with no body when two-step verification is enabled",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        req.path === "/v1/settings/account/two-step" && req.method === "POST" && res.status === 200
          ? { status: 204, headers: {}, body: undefined }
          : undefined,
    },
    expect: {
      "two-step-enable-answers-200": "FAIL",
      "two-step-enabled-by-settings-requires-the-pin": "FAIL",
    },
  },
  {
    name: "connection-dropped-on-dash",
    defect: "crashes the worker (connection closed) on a phone_number with a dash",
    profile: "registration-open",
    tweaks: {
      rewrite: (req) =>
        isRegistration(req) && String(fieldsOf(req).phone_number).includes("-") ? "drop" : undefined,
    },
    expect: {
      "request-code-rejects-phone-number-555-dash-0100": "ERROR",
    },
  },
  {
    name: "hangs-on-empty-object",
    defect: "never answers a registration request whose body is {}",
    profile: "registration-open",
    tweaks: {
      rewrite: (req) => (isRegistration(req) && JSON.stringify(req.body) === "{}" ? "hang" : undefined),
    },
    timeoutMs: 1000,
    expect: {
      "request-code-rejects-empty-object": "ERROR",
    },
  },
  {
    name: "toll-free-number-refused",
    defect: "refuses a toll-free (800) number as invalid even with its country code",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 202 && String(fieldsOf(req).phone_number).startsWith("800")
          ? invalid(res, "Invalid phone_number")
          : undefined,
    },
    expect: {
      "toll-free-number-answers-202": "FAIL",
    },
  },
  {
    name: "bare-certificate-refused",
    defect: "decodes only the BizAccountPayload layout and refuses a bare VerifiedNameCertificate",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) &&
        res.status === 202 &&
        decodeCertificate(String(fieldsOf(req).cert)).layout === "bare"
          ? invalid(res, "Invalid cert")
          : undefined,
    },
    expect: {
      "bare-certificate-vname-is-decoded": "FAIL",
    },
  },
  {
    name: "unpadded-cert-refused",
    defect: "requires base64 padding on cert",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 202 && String(fieldsOf(req).cert).length % 4 !== 0
          ? invalid(res, "Invalid cert")
          : undefined,
    },
    expect: {
      "unpadded-certificate-is-decoded": "FAIL",
    },
  },
  {
    name: "get-account-answers-500",
    defect: "answers 500 to GET /v1/account, a method it has no route for",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        req.method === "GET" && req.path === "/v1/account"
          ? mapErrors({ ...res, status: 500 }, () => ({ code: 1014, title: "Internal error" }))
          : undefined,
    },
    expect: {
      "get-account-is-observed": "FAIL",
    },
  },
  {
    name: "unknown-token-accepted",
    defect: "accepts any well-formed Bearer token, known or not",
    profile: "registration-open",
    tweaks: {
      rewrite: (req, res) =>
        isRegistration(req) && res.status === 401 && detailsOf(res).startsWith("The token is unknown")
          ? codeSent(req, res)
          : undefined,
    },
    expect: {
      "request-with-unknown-token-answers-401": "FAIL",
    },
  },
  {
    name: "sunset-verify-completes",
    defect: "blocks registration after the sunset but still completes verify with 201",
    profile: "sunset",
    tweaks: { rewrite: (req, res) => (isVerify(req) && isSunsetBlock(res) ? success(res, 201) : undefined) },
    expect: {
      "sunset-refuses-verify": "FAIL",
    },
  },
  {
    name: "two-step-enable-misapplied",
    defect: "answers 200 to enabling two-step but sets the pin on another number",
    profile: "registration-open",
    tweaks: {},
    stateBefore: settingsOnDecoy("POST"),
    // Caught since two-step-enabled-by-settings-requires-the-pin enables the PIN through the API and then
    // registers the same number without it (two-step-enable-takes-effect).
    expect: { "two-step-enabled-by-settings-requires-the-pin": "FAIL" },
  },
  {
    name: "two-step-disable-misapplied",
    defect: "answers 200 to disabling two-step but clears another number's pin, keeping this one's",
    profile: "registration-open",
    tweaks: {},
    stateBefore: settingsOnDecoy("DELETE"),
    // Caught by two-step-disabled-by-settings-needs-no-pin (two-step-disable-takes-effect).
    expect: { "two-step-disabled-by-settings-needs-no-pin": "FAIL" },
  },
];
