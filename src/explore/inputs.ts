// The input domain explore draws from (fast-check arbitraries): display names from all of Unicode, both cert layouts, country codes, methods, PINs.
import fc from "fast-check";
import { type CertificateLayout, encodeCertificate, verifiedNameOf } from "../cert/certificate.js";
import { type Contract, type JsonSchema, requireOperation } from "../contract/contract.js";

/**
 * The longest display name explore sends, in code points, when the contract sets no bound on the cert (it sets
 * none today: a verified name's length is the certificate issuer's business). Long enough to pass any cut a
 * server might make, short enough that the body stays far below the oversized-body sizes.
 */
export const LONGEST_NAME_WITHOUT_BOUND = 600;

/** Whitespace of every kind a name can carry at its edges or inside: ASCII, no-break, ideographic, zero-width. */
const WHITESPACE = [" ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\u200b", "\ufeff", "\u2028"];
/** Letters that have a precomposed form and a decomposed one, and combining marks to stack on them. */
const COMPOSABLE = ["é", "ñ", "Å", "ç", "ö", "ṩ", "ệ", "가", "ﬁ", "Ω"];
const COMBINING = ["\u0301", "\u0308", "\u0323", "\u0302", "\u030a", "\u0327"];
/** Right-to-left letters and the bidirectional controls that often travel with them. */
const RTL = [
  "ש",
  "ל",
  "ו",
  "ם",
  "م",
  "ر",
  "ح",
  "ب",
  "ا",
  "\u200f",
  "\u202b",
  "\u202e",
  "\u2067",
  "\u2069",
  "١",
];

/** What the contract's request schemas bound: read once, so explore restates none of it. */
export interface ContractLimits {
  methods: string[];
  ccPattern: RegExp;
  pinPattern: RegExp;
  longestName: number;
}

function property(schema: JsonSchema | undefined, name: string): JsonSchema {
  const found = schema?.properties?.[name] as JsonSchema | undefined;
  if (found === undefined) {
    throw new Error(`the contract's request schema lacks ${name}`);
  }
  return found;
}

export function contractLimits(contract: Contract): ContractLimits {
  const request = requireOperation(contract, "requestCode").requestSchema;
  const twoStep = requireOperation(contract, "enableTwoStep").requestSchema;
  const methods = (property(request, "method").enum ?? []).filter((m): m is string => typeof m === "string");
  const certMax = property(request, "cert").maxLength;
  return {
    methods,
    ccPattern: new RegExp(property(request, "cc").pattern ?? "^[0-9]{1,3}$"),
    pinPattern: new RegExp(property(twoStep, "pin").pattern ?? "^[0-9]{6}$"),
    // Base64 carries 3 bytes in 4 characters, and a code point takes up to 4 bytes of UTF-8.
    longestName:
      certMax === undefined
        ? LONGEST_NAME_WITHOUT_BOUND
        : Math.max(1, Math.floor(((certMax * 3) / 4 - 64) / 4)),
  };
}

const joined = (parts: fc.Arbitrary<string[]>) => parts.map((items) => items.join(""));

/**
 * The arbitraries by longest name: fast-check builds a reverse map of every code point the first time it shrinks
 * a full-Unicode string (about a second), once per arbitrary, so explore makes them once per process.
 */
const namesByLength = new Map<number, fc.Arbitrary<string>>();

/** Display names from the whole domain; each is a name the kit's decoder reads back unchanged. */
export function displayNames(limits: ContractLimits): fc.Arbitrary<string> {
  let names = namesByLength.get(limits.longestName);
  if (names === undefined) {
    names = makeDisplayNames(limits);
    namesByLength.set(limits.longestName, names);
  }
  return names;
}

function makeDisplayNames(limits: ContractLimits): fc.Arbitrary<string> {
  const whitespace = joined(fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 3 }));
  const anyPlane = fc.string({ unit: "binary", minLength: 1, maxLength: 24 });
  const composed = fc
    .tuple(
      joined(
        fc.array(
          fc.tuple(fc.constantFrom(...COMPOSABLE), fc.constantFrom("", ...COMBINING)).map(([a, b]) => a + b),
          { minLength: 1, maxLength: 8 },
        ),
      ),
      fc.constantFrom<"NFC" | "NFD">("NFC", "NFD"),
    )
    .map(([text, form]) => text.normalize(form));
  const rtl = joined(fc.array(fc.constantFrom(...RTL, " ", "Co"), { minLength: 1, maxLength: 12 }));
  const edged = fc
    .tuple(whitespace, fc.oneof(anyPlane, composed, rtl), fc.option(whitespace, { nil: "" }))
    .map(([before, name, after]) => before + name + after);
  const inner = fc.tuple(anyPlane, whitespace, anyPlane).map(([a, space, b]) => a + space + b);
  const longest = fc
    .string({
      unit: fc.oneof(
        fc.constantFrom("a", "é", "東", "🍜", "ש"),
        fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
      ),
      minLength: Math.max(1, limits.longestName - 8),
      maxLength: limits.longestName,
    })
    .map((name) => [...name].slice(0, limits.longestName).join(""));
  const plain = fc.constantFrom("Acme Plumbing Co", "Voice Line Ltd", "Café Ñandú 東京 🍜");
  return fc
    .oneof(
      { arbitrary: plain, weight: 2 },
      { arbitrary: anyPlane, weight: 3 },
      { arbitrary: composed, weight: 3 },
      { arbitrary: rtl, weight: 2 },
      { arbitrary: edged, weight: 3 },
      { arbitrary: inner, weight: 2 },
      { arbitrary: longest, weight: 1 },
    )
    .filter((name) => name.length > 0 && verifiedNameOf(encodeCertificate({ vname: name })) === name);
}

/** A certificate as explore sends it: the name, a layout, optional fields present or absent, padding kept or not. */
export interface CertInput {
  vname: string;
  layout: CertificateLayout;
  signature: boolean;
  serverSignature: boolean;
  bizAcctLinkInfo: boolean;
  padding: boolean;
}

export function certInputs(limits: ContractLimits): fc.Arbitrary<CertInput> {
  return fc.record({
    vname: displayNames(limits),
    layout: fc.constantFrom<CertificateLayout>("payload", "bare"),
    signature: fc.boolean(),
    serverSignature: fc.boolean(),
    bizAcctLinkInfo: fc.boolean(),
    padding: fc.boolean(),
  });
}

/** The base64 cert of an input; without padding when asked (the contract makes padding optional). */
export function encodeCert(input: CertInput): string {
  const cert = encodeCertificate({
    vname: input.vname,
    layout: input.layout,
    signature: input.signature,
    serverSignature: input.serverSignature,
    bizAcctLinkInfo: input.bizAcctLinkInfo,
  });
  return input.padding ? cert : cert.replace(/=+$/, "");
}

/** Country codes the contract allows, pairwise different: each sequence gets its own. */
export function countryCodes(limits: ContractLimits, count: number): fc.Arbitrary<string[]> {
  return fc.uniqueArray(fc.stringMatching(limits.ccPattern), { minLength: count, maxLength: count });
}

export function pins(limits: ContractLimits): fc.Arbitrary<string> {
  return fc.stringMatching(limits.pinPattern);
}
