// Encodes unsigned test certificates for a display name and decodes any certificate back to its verified name.
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

/** Builds an unsigned certificate for a display name, base64 with padding; a real server would refuse its signature. */
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
  const certificate = VerifiedNameCertificate.create({ details });
  const bytes =
    options.layout === "bare"
      ? VerifiedNameCertificate.encode(certificate).finish()
      : BizAccountPayload.encode(BizAccountPayload.create({ vnameCert: certificate })).finish();
  return Buffer.from(bytes).toString("base64");
}

/** Decodes base64 (standard alphabet, padding optional) of either layout; throws CertificateError. */
export function decodeCertificate(cert: string): CertificateContent {
  const bytes = decodeBase64(cert);
  const { BizAccountPayload, VerifiedNameCertificate } = loadTypes();
  const asPayload = tryDecode(BizAccountPayload, bytes);
  const inner = asPayload?.vnameCert as Record<string, unknown> | undefined;
  if (inner && inner.details instanceof Uint8Array) {
    const details = decodeDetails(inner.details);
    if (details) {
      return describe("payload", details, inner, asPayload);
    }
  }
  const asBare = tryDecode(VerifiedNameCertificate, bytes);
  if (asBare && asBare.details instanceof Uint8Array) {
    const details = decodeDetails(asBare.details);
    if (details) {
      return describe("bare", details, asBare, undefined);
    }
  }
  throw new CertificateError(
    "not-certificate",
    "the cert is base64 but its bytes are not a verified-name certificate (neither BizAccountPayload nor VerifiedNameCertificate)",
  );
}

function decodeBase64(cert: string): Uint8Array {
  if (cert.length === 0 || !BASE64.test(cert) || cert.replace(/=+$/, "").length % 4 === 1) {
    throw new CertificateError("not-base64", "the cert is not base64 (standard alphabet, padding optional)");
  }
  return Buffer.from(cert, "base64");
}

function tryDecode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const message = type.decode(bytes);
    return type.toObject(message, { longs: String, bytes: Uint8Array, defaults: false }) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
}

function decodeDetails(bytes: Uint8Array): Record<string, unknown> | undefined {
  const details = tryDecode(loadTypes().Details, bytes);
  // A Details message with none of its known fields is other bytes that happened to parse.
  if (
    !details ||
    (details.verifiedName === undefined && details.issuer === undefined && details.serial === undefined)
  ) {
    return undefined;
  }
  return details;
}

function describe(
  layout: CertificateLayout,
  details: Record<string, unknown>,
  certificate: Record<string, unknown>,
  payload: Record<string, unknown> | undefined,
): CertificateContent {
  const verifiedName = details.verifiedName;
  if (typeof verifiedName !== "string" || verifiedName.length === 0) {
    throw new CertificateError("no-verified-name", "the certificate's details carry no verified name");
  }
  return {
    layout,
    verifiedName,
    serial: typeof details.serial === "string" ? details.serial : undefined,
    issuer: typeof details.issuer === "string" ? details.issuer : undefined,
    issueTime: typeof details.issueTime === "string" ? Number(details.issueTime) : undefined,
    localizedNames: (details.localizedNames as CertificateContent["localizedNames"] | undefined) ?? [],
    hasSignature: certificate.signature instanceof Uint8Array && certificate.signature.length > 0,
    hasServerSignature:
      certificate.serverSignature instanceof Uint8Array && certificate.serverSignature.length > 0,
    hasBizAcctLinkInfo: payload?.bizAcctLinkInfo instanceof Uint8Array && payload.bizAcctLinkInfo.length > 0,
  };
}

/** The verified name of a cert, or undefined when it cannot be decoded (for oracles that must not throw). */
export function verifiedNameOf(cert: string): string | undefined {
  try {
    return decodeCertificate(cert).verifiedName;
  } catch {
    return undefined;
  }
}
