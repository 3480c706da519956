// Encodes test certificates (dummy signatures, Meta's layout) for a display name and decodes any certificate back to its verified name.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { CERT_PROTO_PATH } from "../paths.js";

export type CertificateLayout = "payload" | "bare";

export interface CertificateContent {
  /** `payload`: BizAccountPayload around the certificate (what WhatsApp Manager hands out); `bare`: the certificate alone. */
  layout: CertificateLayout;
  verifiedName: string;
  serial: string | undefined;
  issuer: string | undefined;
  /** Unix seconds. */
  issueTime: number | undefined;
  localizedNames: { lg?: string; lc?: string; verifiedName?: string }[];
  hasSignature: boolean;
  hasServerSignature: boolean;
  hasBizAcctLinkInfo: boolean;
}

export interface EncodeOptions {
  vname: string;
  layout?: CertificateLayout;
  /** Below 2^53, so a plain number holds it. */
  serial?: number;
  issuer?: string;
  issueTime?: number;
  /** Carry a dummy `signature` (field 2); default false, as Meta-issued certificates have none. */
  signature?: boolean;
  /** Carry a dummy `serverSignature` (field 3); default true, as every Meta-issued certificate has one. */
  serverSignature?: boolean;
  /** In the payload layout, carry dummy `bizAcctLinkInfo` bytes (field 2); default true, as Meta's do. */
  bizAcctLinkInfo?: boolean;
}

export type CertificateErrorKind = "not-base64" | "not-certificate" | "no-verified-name";

/** A `cert` value that cannot be decoded; `kind` says which of the three ways it failed. */
export class CertificateError extends Error {
  override name = "CertificateError";
  constructor(
    readonly kind: CertificateErrorKind,
    message: string,
  ) {
    super(message);
  }
}

interface CertTypes {
  Details: protobuf.Type;
  VerifiedNameCertificate: protobuf.Type;
  BizAccountPayload: protobuf.Type;
}

let types: CertTypes | undefined;

function loadTypes(): CertTypes {
  if (!types) {
    const root = protobuf.parse(readFileSync(CERT_PROTO_PATH, "utf8"), { keepCase: true }).root;
    types = {
      Details: root.lookupType("wa.vname.Details"),
      VerifiedNameCertificate: root.lookupType("wa.vname.VerifiedNameCertificate"),
      BizAccountPayload: root.lookupType("wa.vname.BizAccountPayload"),
    };
  }
  return types;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Builds a test certificate for a display name, base64 with padding. By default it has the shape of a Meta-issued
 * one, `BizAccountPayload {1: {1: details, 3: serverSignature}, 2: bizAcctLinkInfo}`, so a target that insists on
 * that shape is served realistic input; its signature bytes are dummies that verify against no key, so a real
 * server would refuse it.
 */
export function encodeCertificate(options: EncodeOptions): string {
  const { Details, VerifiedNameCertificate, BizAccountPayload } = loadTypes();
  const details = Details.encode(
    Details.create({
      serial: options.serial ?? 1_000_000_000_000_001,
      issuer: options.issuer ?? "ent:wa",
      verifiedName: options.vname,
      issueTime: options.issueTime ?? 1_745_000_000,
    }),
  ).finish();
  const certificate = VerifiedNameCertificate.create({
    details,
    ...(options.signature === true ? { signature: dummySignature("signature", details) } : {}),
    ...(options.serverSignature === false ? {} : { serverSignature: dummySignature("server", details) }),
  });
  const bytes =
    options.layout === "bare"
      ? VerifiedNameCertificate.encode(certificate).finish()
      : BizAccountPayload.encode(
          BizAccountPayload.create({
            vnameCert: certificate,
            ...(options.bizAcctLinkInfo === false ? {} : { bizAcctLinkInfo: DUMMY_LINK_INFO }),
          }),
        ).finish();
  return Buffer.from(bytes).toString("base64");
}

/**
 * 64 bytes, the size of the Ed25519 signatures real certificates carry: a hash of the details, so each test
 * certificate's bytes stay the same from run to run, and it verifies against no key.
 */
function dummySignature(kind: string, details: Uint8Array): Uint8Array {
  return createHash("sha512").update(`wa-account-conformance dummy ${kind} `).update(details).digest();
}

/** Opaque bytes of the length Meta's certificates carry there (46 to 48); the kit never reads them. */
const DUMMY_LINK_INFO = new Uint8Array(
  createHash("sha384").update("bizAcctLinkInfo").digest().subarray(0, 46),
);

/** Decodes base64 (standard alphabet, padding optional) of either layout; throws CertificateError. */
export function decodeCertificate(cert: string): CertificateContent {
  return describe(parseCertificate(cert));
}

/**
 * The verified name alone, with the same checks and errors as decodeCertificate but without converting the rest
 * (the 64-bit serial's decimal string is most of decoding's cost); the reference calls this on every registration.
 */
export function readVerifiedName(cert: string): string {
  return parseCertificate(cert).verifiedName;
}

/** protobufjs messages as decoded: a field the bytes carried is an own property, an absent one is not. */
type Decoded = protobuf.Message & Record<string, unknown>;

interface ParsedCertificate {
  layout: CertificateLayout;
  verifiedName: string;
  details: Decoded;
  certificate: Decoded;
  payload: Decoded | undefined;
}

function parseCertificate(cert: string): ParsedCertificate {
  const bytes = decodeBase64(cert);
  const { BizAccountPayload, VerifiedNameCertificate } = loadTypes();
  const payload = tryDecode(BizAccountPayload, bytes);
  const inner = payload !== undefined ? field(payload, "vnameCert") : undefined;
  if (inner instanceof Object) {
    const parsed = parseInner("payload", inner as Decoded, payload);
    if (parsed !== undefined) {
      return parsed;
    }
  }
  const bare = tryDecode(VerifiedNameCertificate, bytes);
  const parsed = bare === undefined ? undefined : parseInner("bare", bare, undefined);
  if (parsed !== undefined) {
    return parsed;
  }
  throw new CertificateError(
    "not-certificate",
    "the cert is base64 but its bytes are not a verified-name certificate (neither BizAccountPayload nor VerifiedNameCertificate)",
  );
}

/** The certificate's Details, or undefined when this layout does not hold a certificate. */
function parseInner(
  layout: CertificateLayout,
  certificate: Decoded,
  payload: Decoded | undefined,
): ParsedCertificate | undefined {
  const bytes = field(certificate, "details");
  if (!(bytes instanceof Uint8Array)) {
    return undefined;
  }
  const details = tryDecode(loadTypes().Details, bytes);
  // A Details message with none of its known fields is other bytes that happened to parse.
  if (
    details === undefined ||
    (field(details, "verifiedName") === undefined &&
      field(details, "issuer") === undefined &&
      field(details, "serial") === undefined)
  ) {
    return undefined;
  }
  const verifiedName = field(details, "verifiedName");
  if (typeof verifiedName !== "string" || verifiedName.length === 0) {
    throw new CertificateError("no-verified-name", "the certificate's details carry no verified name");
  }
  return { layout, verifiedName, details, certificate, payload };
}

function decodeBase64(cert: string): Uint8Array {
  if (cert.length === 0 || !BASE64.test(cert) || unpaddedLength(cert) % 4 === 1) {
    throw new CertificateError("not-base64", "the cert is not base64 (standard alphabet, padding optional)");
  }
  return Buffer.from(cert, "base64");
}

/** The length without its trailing "=" padding (at most two, which BASE64 has checked). */
function unpaddedLength(cert: string): number {
  let length = cert.length;
  while (length > 0 && cert.charCodeAt(length - 1) === 0x3d) {
    length--;
  }
  return length;
}

function tryDecode(type: protobuf.Type, bytes: Uint8Array): Decoded | undefined {
  try {
    return type.decode(bytes) as Decoded;
  } catch {
    return undefined;
  }
}

/** A field the bytes carried; undefined when absent (its default lives on the prototype, not on the message). */
function field(message: Decoded, name: string): unknown {
  return Object.hasOwn(message, name) ? message[name] : undefined;
}

function describe(parsed: ParsedCertificate): CertificateContent {
  const { Details } = loadTypes();
  // Only here are the 64-bit fields turned into decimal strings (protobufjs reads them as Long).
  const details = Details.toObject(parsed.details, { longs: String, bytes: Uint8Array, defaults: false });
  const { certificate, payload } = parsed;
  return {
    layout: parsed.layout,
    verifiedName: parsed.verifiedName,
    serial: typeof details.serial === "string" ? details.serial : undefined,
    issuer: typeof details.issuer === "string" ? details.issuer : undefined,
    issueTime: typeof details.issueTime === "string" ? Number(details.issueTime) : undefined,
    localizedNames: (details.localizedNames as CertificateContent["localizedNames"] | undefined) ?? [],
    hasSignature: hasBytes(certificate, "signature"),
    hasServerSignature: hasBytes(certificate, "serverSignature"),
    hasBizAcctLinkInfo: payload !== undefined && hasBytes(payload, "bizAcctLinkInfo"),
  };
}

function hasBytes(message: Decoded, name: string): boolean {
  const value = field(message, name);
  return value instanceof Uint8Array && value.length > 0;
}

/** The verified name of a cert, or undefined when it cannot be decoded (for oracles that must not throw). */
export function verifiedNameOf(cert: string): string | undefined {
  try {
    return decodeCertificate(cert).verifiedName;
  } catch {
    return undefined;
  }
}
