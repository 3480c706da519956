// The variables a case can use as {{name}}: a fresh phone number per case, certificates, PINs, codes.
import { randomInt } from "node:crypto";
import { encodeCertificate } from "../cert/certificate.js";

export type CaseVars = Record<string, string>;

/**
 * Every name a template may use, besides the case's own `vars` and what the contract's states may set
 * (`stateVariables`): the kit's own variables, made for each case.
 */
export const BUILTIN_VAR_NAMES = new Set<string>([
  "cc",
  "phone_number",
  "pin",
  "code",
  "toll_free_number",
  "vname",
  "cert_layout",
  "cert",
  "cert_urlencoded",
  "wrong_pin",
  "wrong_code",
  "garbage_cert",
  "nameless_cert",
  "oversized_padding",
]);

const DEFAULT_VNAME = "Acme Plumbing Co";

/** 2 MiB of text: far past any body limit a registration endpoint needs, well under what the kit may send. */
const OVERSIZED_PADDING = "x".repeat(2 * 1024 * 1024);

/** Base64 of bytes that parse as neither certificate layout. */
export const GARBAGE_CERT = Buffer.from("this text is not a verified-name certificate").toString("base64");

/**
 * Makes numbers unique within a run (the counter) and across runs against a target that keeps its
 * state (the random run tag), so a number registered by an earlier run is never reused.
 */
export class NumberAllocator {
  #next = 0;
  readonly runTag: string;

  constructor(runTag: string = String(randomInt(0, 100_000)).padStart(5, "0")) {
    this.runTag = runTag;
  }

  allocate(): { phone_number: string; toll_free_number: string } {
    const serial = String(this.#next++).padStart(5, "0");
    return { phone_number: `55${this.runTag}${serial}`, toll_free_number: `800${this.runTag}${serial}` };
  }
}

function sixDigits(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** A different six-digit string: every digit moved by one, so it never equals the original. */
export function otherSixDigits(value: string): string {
  if (!/^[0-9]{6}$/.test(value)) {
    return sixDigits();
  }
  return value.replace(/[0-9]/g, (digit) => String((Number(digit) + 1) % 10));
}

/** The starting variables of one case: built-ins, then the case's own vars over them. */
export function initialVars(allocator: NumberAllocator, caseVars: CaseVars): CaseVars {
  const numbers = allocator.allocate();
  const vars: CaseVars = {
    cc: "1",
    ...numbers,
    vname: DEFAULT_VNAME,
    cert_layout: "payload",
    pin: sixDigits(),
    code: "",
    garbage_cert: GARBAGE_CERT,
    nameless_cert: encodeCertificate({ vname: "" }),
    oversized_padding: OVERSIZED_PADDING,
    ...caseVars,
  };
  return withDerivedVars(vars);
}

/** Recomputes what depends on other variables (after the case's vars or a state's answer changed them). */
export function withDerivedVars(vars: CaseVars): CaseVars {
  const layout = vars.cert_layout === "bare" ? "bare" : "payload";
  const cert = vars.cert ?? encodeCertificate({ vname: vars.vname ?? DEFAULT_VNAME, layout });
  return {
    ...vars,
    cert,
    // The cert as a form value: a form parser turns a bare + into a space, and base64 is full of them.
    cert_urlencoded: encodeURIComponent(cert),
    wrong_pin: otherSixDigits(vars.pin ?? ""),
    wrong_code: otherSixDigits(vars.code ?? ""),
  };
}

const TEMPLATE = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/g;

/** Replaces {{name}} in every string of a JSON value. */
export function render<T>(value: T, vars: CaseVars): T {
  if (typeof value === "string") {
    return value.replace(TEMPLATE, (_match, name: string) => {
      const replacement = vars[name];
      if (replacement === undefined) {
        throw new Error(`unknown variable {{${name}}}`);
      }
      return replacement;
    }) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item) => render(item, vars)) as T;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, vars)])) as T;
  }
  return value;
}

/** Every variable name a JSON value refers to. */
export function templateNames(value: unknown, names: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") {
    for (const match of value.matchAll(TEMPLATE)) {
      if (match[1] !== undefined) {
        names.add(match[1]);
      }
    }
  } else if (Array.isArray(value)) {
    for (const item of value) {
      templateNames(item, names);
    }
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) {
      templateNames(item, names);
    }
  }
  return names;
}
