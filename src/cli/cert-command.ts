// `cert`: prints a test certificate for a display name, or what a certificate holds.
import { CertificateError, decodeCertificate, encodeCertificate } from "../cert/certificate.js";
import { ConfigError } from "../config-error.js";
import type { Output } from "./run-command.js";

export function certCommand(
  options: { vname?: string; bare?: boolean; decode?: string },
  output: Output,
): number {
  if ((options.vname === undefined) === (options.decode === undefined)) {
    throw new ConfigError("cert needs exactly one of --vname NAME or --decode CERT");
  }
  if (options.decode !== undefined) {
    try {
      output.out(JSON.stringify(decodeCertificate(options.decode.trim()), null, 2));
      return 0;
    } catch (error) {
      if (error instanceof CertificateError) {
        throw new ConfigError(`cannot decode the certificate (${error.kind}): ${error.message}`);
      }
      throw error;
    }
  }
  if (options.vname === "" || options.vname === undefined) {
    throw new ConfigError("--vname needs a non-empty display name");
  }
  output.out(encodeCertificate({ vname: options.vname, layout: options.bare ? "bare" : "payload" }));
  return 0;
}
