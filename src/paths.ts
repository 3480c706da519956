// Where the kit's data files live, resolved from this module so they are found from src/ (tsx, vitest) and dist/.
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../", import.meta.url));

export const PACKAGE_ROOT = packageRoot;
export const CONTRACT_PATH = fileURLToPath(new URL("../openapi/openapi.yaml", import.meta.url));
export const CERT_PROTO_PATH = fileURLToPath(
  new URL("../openapi/verified-name-certificate.proto", import.meta.url),
);
export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const CASE_SCHEMA_PATH = fileURLToPath(new URL("../fixtures/case.schema.json", import.meta.url));
export const PACKAGE_JSON_PATH = fileURLToPath(new URL("../package.json", import.meta.url));
