// Tests the verified-name certificate codec: Meta's layout by default, round trips of every layout and field, corrupt inputs, fuzzing.

import { readFileSync } from "node:fs";
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it, test } from "vitest";
import { initialVars, NumberAllocator } from "../../src/cases/case-vars.js";
import {
  CertificateError,
  type CertificateErrorKind,
  type CertificateLayout,
  decodeCertificate,
  encodeCertificate,
  readVerifiedName,
  verifiedNameOf,
} from "../../src/cert/certificate.js";
import { CERT_PROTO_PATH } from "../../src/paths.js";

const LAYOUTS: CertificateLayout[] = ["payload", "bare"];
const NAMES = [
  { label: "ASCII", vname: "Acme Plumbing Co" },
  { label: "accented", vname: "Café Nguyễn & Fils" },
  { label: "CJK", vname: "東京寿司株式会社" },
  { label: "emoji", vname: "Pizza 🍕 Planet 🚀" },
];

const root = protobuf.parse(readFileSync(CERT_PROTO_PATH, "utf8"), { keepCase: true }).root;
const Details = root.lookupType("wa.vname.Details");
const VerifiedNameCertificate = root.lookupType("wa.vname.VerifiedNameCertificate");

/** Catches what decodeCertificate throws, so a test can look at it. */
function decodeError(cert: string): unknown {
  try {
    decodeCertificate(cert);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("round trip", () => {
  const rows = LAYOUTS.flatMap((layout) => NAMES.map((name) => ({ layout, ...name })));

  test.for(rows)("$layout layout keeps the $label name $vname", ({ layout, vname }) => {
    const cert = encodeCertificate({ vname, layout });
    const decoded = decodeCertificate(cert);
    expect(decoded.verifiedName).toBe(vname);
    expect(decoded.layout).toBe(layout);
    expect(verifiedNameOf(cert)).toBe(vname);
  });

  test.for(rows)("$layout layout decodes the $label name without padding", ({ layout, vname }) => {
    const cert = encodeCertificate({ vname, layout }).replace(/=+$/, "");
    expect(cert).not.toContain("=");
    expect(decodeCertificate(cert).verifiedName).toBe(vname);
  });

  it("the default layout is payload", () => {
    expect(decodeCertificate(encodeCertificate({ vname: "Acme" })).layout).toBe("payload");
  });

  it("some name of the table really needs padding, so the unpadded rows test something", () => {
    const padded = rows.filter(({ layout, vname }) => encodeCertificate({ vname, layout }).endsWith("="));
    expect(padded.length).toBeGreaterThan(0);
  });

  it("carries serial, issuer and issue time", () => {
    const decoded = decodeCertificate(
      encodeCertificate({ vname: "Acme", serial: 42, issuer: "ent:test", issueTime: 1_700_000_000 }),
    );
    expect(decoded).toMatchObject({ serial: "42", issuer: "ent:test", issueTime: 1_700_000_000 });
  });

  test.for(LAYOUTS)("property: any non-empty Unicode vname round-trips in the %s layout", (layout) => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: "grapheme" }), (vname) => {
        expect(decodeCertificate(encodeCertificate({ vname, layout })).verifiedName).toBe(vname);
      }),
      { numRuns: 300 },
    );
  });

  test.for(LAYOUTS)("property: serial, issuer and issue time never confuse the %s layout", (layout) => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: "grapheme" }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.string({ unit: "grapheme" }),
        fc.nat(),
        (vname, serial, issuer, issueTime) => {
          const decoded = decodeCertificate(encodeCertificate({ vname, layout, serial, issuer, issueTime }));
          expect(decoded).toMatchObject({
            verifiedName: vname,
            layout,
            serial: String(serial),
            issuer,
            issueTime,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test.for(LAYOUTS)("property: any non-empty ASCII/BMP vname round-trips in the %s layout", (layout) => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (vname) => {
        expect(decodeCertificate(encodeCertificate({ vname, layout })).verifiedName).toBe(vname);
      }),
      { numRuns: 300 },
    );
  });
});

describe("the shape of the kit's test certificates", () => {
  const BizAccountPayload = root.lookupType("wa.vname.BizAccountPayload");
  /** The field numbers present in a message's bytes, in order: the layout as a real server's parser sees it. */
  function fieldNumbers(bytes: Uint8Array): number[] {
    const reader = protobuf.Reader.create(bytes);
    const numbers: number[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      numbers.push(tag >>> 3);
      reader.skipType(tag & 7);
    }
    return numbers;
  }
  const decodedPayload = (cert: string) =>
    BizAccountPayload.toObject(BizAccountPayload.decode(Buffer.from(cert, "base64")), { defaults: false });

  it("is by default Meta's: {1: {1: details, 3: serverSignature}, 2: bizAcctLinkInfo}, no signature", () => {
    const cert = encodeCertificate({ vname: "Acme Plumbing Co" });
    const bytes = Buffer.from(cert, "base64");
    expect(fieldNumbers(bytes)).toEqual([1, 2]);
    const payload = decodedPayload(cert);
    expect(fieldNumbers(VerifiedNameCertificate.encode(payload.vnameCert).finish())).toEqual([1, 3]);
    expect(payload.vnameCert.serverSignature).toHaveLength(64);
    expect(payload.bizAcctLinkInfo.length).toBeGreaterThan(0);
    expect(decodeCertificate(cert)).toMatchObject({
      layout: "payload",
      issuer: "ent:wa",
      hasSignature: false,
      hasServerSignature: true,
      hasBizAcctLinkInfo: true,
    });
  });

  it("is the same bytes for the same name, and a serverSignature of its own for each name", () => {
    expect(encodeCertificate({ vname: "Acme" })).toBe(encodeCertificate({ vname: "Acme" }));
    const signatureOf = (vname: string) =>
      Buffer.from(decodedPayload(encodeCertificate({ vname })).vnameCert.serverSignature).toString("hex");
    expect(signatureOf("Acme")).not.toBe(signatureOf("Other"));
  });

  test.for(LAYOUTS)("is what a case's {{cert}} holds in the %s layout", (layout) => {
    const vars = initialVars(new NumberAllocator("00000"), { cert_layout: layout });
    expect(decodeCertificate(vars.cert ?? "")).toMatchObject({
      layout,
      verifiedName: "Acme Plumbing Co",
      hasSignature: false,
      hasServerSignature: true,
      hasBizAcctLinkInfo: layout === "payload",
    });
  });

  it("in the bare layout is {1: details, 3: serverSignature}", () => {
    const bytes = Buffer.from(encodeCertificate({ vname: "Acme", layout: "bare" }), "base64");
    expect(fieldNumbers(bytes)).toEqual([1, 3]);
  });

  const combinations = LAYOUTS.flatMap((layout) =>
    [false, true].flatMap((signature) =>
      [false, true].flatMap((serverSignature) =>
        [false, true].map((bizAcctLinkInfo) => ({ layout, signature, serverSignature, bizAcctLinkInfo })),
      ),
    ),
  );
  test.for(combinations)(
    "decodes $layout with signature $signature, serverSignature $serverSignature, link info $bizAcctLinkInfo",
    ({ layout, signature, serverSignature, bizAcctLinkInfo }) => {
      for (const { vname } of NAMES) {
        const cert = encodeCertificate({ vname, layout, signature, serverSignature, bizAcctLinkInfo });
        expect(decodeCertificate(cert)).toMatchObject({
          layout,
          verifiedName: vname,
          hasSignature: signature,
          hasServerSignature: serverSignature,
          hasBizAcctLinkInfo: layout === "payload" && bizAcctLinkInfo,
        });
        expect(readVerifiedName(cert.replace(/=+$/, ""))).toBe(vname);
      }
    },
  );
});

/** A bare certificate whose Details has only an issuer, so the name is missing rather than the details. */
function bareCertificateWithoutName(): string {
  const details = Details.encode(Details.create({ serial: 7, issuer: "ent:wa" })).finish();
  const bytes = VerifiedNameCertificate.encode(VerifiedNameCertificate.create({ details })).finish();
  return Buffer.from(bytes).toString("base64");
}

const valid = Buffer.from(encodeCertificate({ vname: "Acme Plumbing Co" }), "base64");

describe("corrupt certificates", () => {
  test.for<{ given: string; input: string; want: CertificateErrorKind }>([
    { given: "an empty string", input: "", want: "not-base64" },
    { given: "text with spaces and !", input: "not base64!", want: "not-base64" },
    { given: "the URL-safe alphabet (-)", input: "ab-d", want: "not-base64" },
    { given: "the URL-safe alphabet (_)", input: "ab_d", want: "not-base64" },
    {
      given: "a valid certificate in the URL-safe alphabet",
      input: Buffer.from(valid).toString("base64url"),
      want: "not-base64",
    },
    { given: "base64 whose length mod 4 is 1", input: "QUJDR", want: "not-base64" },
    { given: "a padded base64 whose length mod 4 is 1", input: "QUJDR==", want: "not-base64" },
    // The contract's cert pattern ^[A-Za-z0-9+/]+={0,2}$ needs one base64 character; padding alone carries no data.
    { given: "padding alone", input: "==", want: "not-base64" },
    { given: "three = of padding", input: "QQ===", want: "not-base64" },
    { given: "padding in the middle", input: "QQ==QUJD", want: "not-base64" },
    {
      given: "base64 of garbage bytes",
      input: Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x00, 0x13, 0x37]).toString("base64"),
      want: "not-certificate",
    },
    {
      given: "base64 of plain text",
      input: Buffer.from("hello, this is not a certificate").toString("base64"),
      want: "not-certificate",
    },
    {
      given: "a payload certificate with an empty vname",
      input: encodeCertificate({ vname: "" }),
      want: "no-verified-name",
    },
    {
      given: "a bare certificate with an empty vname",
      input: encodeCertificate({ vname: "", layout: "bare" }),
      want: "no-verified-name",
    },
    {
      given: "a certificate with no vname field",
      input: bareCertificateWithoutName(),
      want: "no-verified-name",
    },
    {
      given: "a certificate truncated to half its bytes",
      input: valid.subarray(0, Math.floor(valid.length / 2)).toString("base64"),
      want: "not-certificate",
    },
    {
      given: "a certificate missing its last byte",
      input: valid.subarray(0, valid.length - 1).toString("base64"),
      want: "not-certificate",
    },
  ])("$given → $want", ({ input, want }) => {
    const error = decodeError(input);
    expect(error).toBeInstanceOf(CertificateError);
    expect((error as CertificateError).kind).toBe(want);
    expect((error as CertificateError).name).toBe("CertificateError");
    expect(verifiedNameOf(input)).toBeUndefined();
  });

  it("property: every truncation of a valid certificate is refused, except the one that drops a whole field", () => {
    // Cut right after the vnameCert field, the bytes are a complete BizAccountPayload without bizAcctLinkInfo.
    const vnameCertEnd = 2 + (valid[1] ?? 0);
    for (let length = 0; length < valid.length; length++) {
      const truncated = valid.subarray(0, length).toString("base64");
      if (length === vnameCertEnd) {
        expect(decodeCertificate(truncated)).toMatchObject({
          verifiedName: "Acme Plumbing Co",
          hasBizAcctLinkInfo: false,
        });
        continue;
      }
      expect(decodeError(truncated), `truncated to ${length} bytes`).toBeInstanceOf(CertificateError);
    }
  });

  it("property: random bytes, base64-encoded, decode or throw a CertificateError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.boolean(), (bytes, unpadded) => {
        const base64 = Buffer.from(bytes).toString("base64");
        const cert = unpadded ? base64.replace(/=+$/, "") : base64;
        const error = decodeError(cert);
        if (error === undefined) {
          expect(typeof decodeCertificate(cert).verifiedName).toBe("string");
        } else {
          expect(error).toBeInstanceOf(CertificateError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("property: random certificate-like bytes (valid prefix, random tail) never throw another error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: valid.length }), (tail, cut) => {
        const bytes = Buffer.concat([valid.subarray(0, cut), Buffer.from(tail)]);
        const error = decodeError(bytes.toString("base64"));
        expect(error === undefined || error instanceof CertificateError).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("readVerifiedName, the reference's fast path", () => {
  /** The name, or the error kind: what both decoders must agree on. */
  function outcome(decode: (cert: string) => string, cert: string): string {
    try {
      return `name:${decode(cert)}`;
    } catch (error) {
      return error instanceof CertificateError ? `error:${error.kind}` : `other:${String(error)}`;
    }
  }
  const full = (cert: string): string => decodeCertificate(cert).verifiedName;

  it.each([
    ...LAYOUTS.flatMap((layout) => NAMES.map(({ vname }) => encodeCertificate({ vname, layout }))),
    "",
    "QUJDR",
    encodeCertificate({ vname: "" }),
    bareCertificateWithoutName(),
    valid.subarray(0, valid.length - 1).toString("base64"),
  ])("agrees with decodeCertificate on %s", (cert) => {
    expect(outcome(readVerifiedName, cert)).toBe(outcome(full, cert));
  });

  it("property: agrees with decodeCertificate on random and certificate-like bytes", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 120 }).map((array) => Buffer.from(array)),
      fc
        .tuple(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: valid.length }))
        .map(([tail, cut]) => Buffer.concat([valid.subarray(0, cut), Buffer.from(tail)])),
    );
    fc.assert(
      fc.property(bytes, (value) => {
        const cert = value.toString("base64");
        expect(outcome(readVerifiedName, cert)).toBe(outcome(full, cert));
      }),
      { numRuns: 2000 },
    );
  });
});
