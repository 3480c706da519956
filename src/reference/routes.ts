// The operations' own logic, run once routing, auth and the body rules have passed: registration, verify, login, two-step.
import { CertificateError, readVerifiedName } from "../cert/certificate.js";
import type {
  ContractOperationId,
  Payload,
  RequestBody,
  ResponseBody,
  Unvalidated,
} from "../contract/contract-types.js";
import { isPlainObject } from "../json-text.js";
import { type Envelope, ErrorCode } from "./envelope.js";
import type { ReferenceResponse, ResolvedOptions } from "./options.js";
import { ReferenceStore, type Role } from "./store.js";

/** The operations of the contract the reference implements, by operationId. */
export const OPERATION_IDS = [
  "requestCode",
  "verifyAccount",
  "login",
  "enableTwoStep",
  "disableTwoStep",
] as const satisfies readonly ContractOperationId[];
export type OperationId = (typeof OPERATION_IDS)[number];

export interface Caller {
  username: string;
  role: Role;
}

export interface OperationContext {
  /** The validated body; when rules are skipped it can be anything, so handlers read it defensively. */
  body: unknown;
  caller: Caller;
}

export type OperationHandler = (context: OperationContext) => ReferenceResponse;

/** Meta's exact words since the On-Premises API was retired. */
export const SUNSET_DETAILS = "Unknown error: biz_link_on_prem_reg_blocked";

export function createOperationHandlers(
  store: ReferenceStore,
  envelope: Envelope,
  options: ResolvedOptions,
): Record<OperationId, OperationHandler> {
  const { enforces } = options;
  const blocked = (): ReferenceResponse | undefined =>
    store.blocked && enforces("sunset-block")
      ? envelope.error(403, ErrorCode.accessDenied, SUNSET_DETAILS)
      : undefined;

  return {
    requestCode({ body }) {
      const fields: Unvalidated<RequestBody<"requestCode">> = isPlainObject(body) ? body : {};
      let vname: string;
      try {
        vname = readVerifiedName(text(fields.cert));
      } catch (error) {
        if (enforces("cert")) {
          return envelope.error(400, ErrorCode.invalidParameter, certificateDetails(error));
        }
        // A variant that does not check the cert has no name to answer but must not fail.
        vname = "";
      }
      const refusal = blocked();
      if (refusal) {
        return refusal;
      }
      const key = ReferenceStore.numberKey(
        text(fields.cc),
        text(fields.phone_number),
        enforces("number-key-includes-cc"),
      );
      const record = store.number(key);
      if (record?.pin !== undefined && enforces("two-step")) {
        if (fields.pin === undefined) {
          return envelope.error(
            400,
            ErrorCode.missingParameter,
            "Missing required parameter: pin (two-step verification is enabled for this number)",
          );
        }
        if (fields.pin !== record.pin) {
          return envelope.error(403, ErrorCode.accessDenied, "The two-step verification PIN does not match");
        }
      }
      if (record?.registered && enforces("registered-check")) {
        return envelope.success(201);
      }
      if (fields.method === "voice" && !enforces("sms-count-survives-voice")) {
        store.setSmsCount(key, 0);
      }
      if (fields.method !== "voice" && !store.takeSms(key, options.smsLimit, enforces("sms-limit"))) {
        return envelope.error(
          403,
          ErrorCode.accessDenied,
          "Too many SMS attempts for this number; try again later or request the code by voice",
        );
      }
      const code = store.pendingCode(key);
      const kept = keptVname(vname, enforces);
      const answered = options.vname ? options.vname(kept, fields) : kept;
      const accepted = envelope.success(202, {
        account: [{ vname: answered }],
      } satisfies Payload<ResponseBody<"requestCode", 202>>);
      if (options.codeHeader !== undefined) {
        accepted.headers[options.codeHeader] = code;
      }
      return accepted;
    },

    verifyAccount({ body }) {
      const refusal = blocked();
      if (refusal) {
        return refusal;
      }
      const fields: Unvalidated<RequestBody<"verifyAccount">> | undefined = isPlainObject(body)
        ? body
        : undefined;
      const code = text(fields?.code);
      if (plantedVerify(store, code, enforces)) {
        return envelope.success(201);
      }
      if (store.verify(code, enforces("settings-follow-client-account")) === undefined) {
        if (enforces("verify-code")) {
          return envelope.error(
            400,
            ErrorCode.invalidParameter,
            "The code does not match a pending registration",
          );
        }
        const latest = store.latestPending();
        if (latest !== undefined) {
          store.register(latest);
        }
      }
      return envelope.success(201);
    },

    login({ caller }) {
      const { token, session } = store.issueToken(caller.username, caller.role);
      return envelope.success(200, {
        users: [{ token, expires_after: formatExpiry(session.expiresAt) }],
      } satisfies Payload<ResponseBody<"login", 200>>);
    },

    enableTwoStep({ body }) {
      const record = store.account();
      if (record === undefined) {
        return envelope.error(400, ErrorCode.invalidParameter, NOTHING_REGISTERED);
      }
      const fields: Unvalidated<RequestBody<"enableTwoStep">> | undefined = isPlainObject(body)
        ? body
        : undefined;
      record.pin = text(fields?.pin);
      return envelope.success(200);
    },

    disableTwoStep() {
      const record = store.account();
      if (record === undefined) {
        return envelope.error(400, ErrorCode.invalidParameter, NOTHING_REGISTERED);
      }
      record.pin = undefined;
      return envelope.success(200);
    },
  };
}

/** Where a planted defect cuts the vname when rule vname-full-length is off (UTF-16 code units). */
const PLANTED_VNAME_CUT = 128;

/** The vname as answered: the decoded one, unless rule vname-verbatim or vname-full-length is off. */
function keptVname(vname: string, enforces: ResolvedOptions["enforces"]): string {
  const verbatim = enforces("vname-verbatim") ? vname : vname.normalize("NFC").trim();
  return enforces("vname-full-length") ? verbatim : verbatim.slice(0, PLANTED_VNAME_CUT);
}

/**
 * The planted defect of verify: a spent code that verifies its number again (rule code-single-use off). True
 * when it answered.
 */
function plantedVerify(store: ReferenceStore, code: string, enforces: ResolvedOptions["enforces"]): boolean {
  if (!enforces("code-single-use") && store.pendingNumber(code) === undefined) {
    const spent = store.spentNumber(code);
    if (spent !== undefined) {
      store.register(spent, store.number(spent)?.pin);
      return true;
    }
  }
  return false;
}

const NOTHING_REGISTERED = "No number is registered; two-step verification applies to a registered number";

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function certificateDetails(error: unknown): string {
  // Any decoder failure is the client's bad input, never a server fault: treat the unexpected as not a certificate.
  const kind = error instanceof CertificateError ? error.kind : "not-certificate";
  const reason = error instanceof Error ? error.message : String(error);
  return `Invalid cert (${kind}): ${reason}`;
}

/** Meta's format, `YYYY-MM-DD HH:MM:SS+00:00` in UTC, which is not strict RFC 3339. */
export function formatExpiry(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}
