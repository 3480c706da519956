// Prepares a Dredd run on the contract: a down-converted OpenAPI 3.0 copy (Dredd's parser is 3.0 only) and hooks for auth and states.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dump } from "js-yaml";
import { parseYaml } from "../../src/yaml.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys whose values are schemas (or maps or lists of schemas) in OpenAPI 3.x. */
const SCHEMA_KEYS = new Set(["schema", "items", "not", "additionalProperties"]);
const SCHEMA_MAP_KEYS = new Set(["properties", "patternProperties"]);
const SCHEMA_LIST_KEYS = new Set(["allOf", "anyOf", "oneOf"]);

/** One JSON Schema 2020-12 schema as an OpenAPI 3.0 Schema Object: what 3.0 cannot say is dropped or rewritten. */
function downSchema(schema: unknown): unknown {
  if (schema === false) {
    return { not: {} };
  }
  if (schema === true || !isRecord(schema)) {
    return isRecord(schema) ? schema : {};
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "type" && Array.isArray(value)) {
      const types = value.filter((type) => type !== "null");
      out.type = types[0];
      if (types.length < value.length) {
        out.nullable = true;
      }
    } else if (key === "examples" && Array.isArray(value)) {
      out.example = value[0];
    } else if (key === "const") {
      out.enum = [value];
    } else if (key === "contentEncoding" || key === "contentMediaType" || key === "$schema") {
      // 3.0 has no such keywords; `format: byte` would be stricter than the contract, so nothing replaces them.
    } else if (SCHEMA_KEYS.has(key)) {
      out[key] = typeof value === "boolean" && key === "additionalProperties" ? value : downSchema(value);
    } else if (SCHEMA_MAP_KEYS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, downSchema(inner)]));
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map(downSchema);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Walks the document and converts every schema it finds (under components.schemas and every `schema` key). */
function downDocument(node: unknown, parentKey: string): unknown {
  if (Array.isArray(node)) {
    return node.map((item) => downDocument(item, parentKey));
  }
  if (!isRecord(node)) {
    return node;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "schema") {
      out[key] = downSchema(value);
    } else if (parentKey === "components" && key === "schemas" && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, downSchema(schema)]),
      );
    } else {
      out[key] = downDocument(value, key);
    }
  }
  return out;
}

/** The contract as OpenAPI 3.0.3: version, info fields 3.0 lacks, and 3.1 schema keywords rewritten. */
export function downConvertContract(text: string): string {
  const document = parseYaml(text);
  if (!isRecord(document)) {
    throw new Error("the contract is not a YAML mapping");
  }
  const converted = downDocument(document, "");
  if (!isRecord(converted)) {
    throw new Error("the contract could not be converted");
  }
  converted.openapi = "3.0.3";
  if (isRecord(converted.info)) {
    const { summary: _summary, ...info } = converted.info;
    if (isRecord(info.license)) {
      const { identifier: _identifier, ...license } = info.license;
      info.license = license;
    }
    converted.info = info;
  }
  delete converted.webhooks;
  return dump(converted, { noRefs: true });
}

/**
 * Dredd hooks (CommonJS, Dredd loads them itself): run each operation's documented success example once, as
 * the admin, after putting the number of the example into the state that success needs through the reference's
 * provider-state hook; every other transaction (error responses Dredd cannot provoke with the example request,
 * and the `default` response it reads as a second 200) is skipped.
 */
const HOOKS = `// Dredd hooks written by bench/run.ts: admin auth and provider states for each success example.
const hooks = require("hooks");
const http = require("http");

const stateUrl = new URL(process.env.BENCH_STATE_URL);
const bearer = process.env.BENCH_BEARER;
const basic = process.env.BENCH_BASIC;
const number = { cc: "1", phone_number: "5550100001" };
const keep = new Set([
  "POST /v1/account 201",
  "POST /v1/account 202",
  "POST /v1/account/verify 201",
  "POST /v1/users/login 200",
  "POST /v1/settings/account/two-step 200",
  "DELETE /v1/settings/account/two-step 200",
]);
const seen = new Set();

function setup(state) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ state, params: number, action: "setup" });
    const req = http.request(stateUrl, { method: "POST", headers: { "content-type": "application/json" }, timeout: 5000 }, (res) => {
      let text = "";
      res.on("data", (chunk) => { text += chunk; });
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(text))));
    });
    req.on("timeout", () => req.destroy(new Error("the state hook did not answer")));
    req.on("error", reject);
    req.end(body);
  });
}

hooks.beforeEach((transaction, done) => {
  const key = transaction.request.method + " " + transaction.request.uri + " " + transaction.expected.statusCode;
  if (!keep.has(key) || seen.has(key)) {
    transaction.skip = true;
    done();
    return;
  }
  seen.add(key);
  transaction.request.headers.Authorization = key.startsWith("POST /v1/users/login") ? basic : bearer;
  let pending = Promise.resolve();
  if (key === "POST /v1/account 201" || key.includes("two-step")) {
    pending = setup("number-registered");
  } else if (key === "POST /v1/account 202") {
    pending = setup("number-unregistered");
  } else if (key === "POST /v1/account/verify 201") {
    pending = setup("code-sent").then((answer) => {
      transaction.request.body = JSON.stringify({ code: answer.code });
    });
  }
  pending.then(() => done(), (error) => {
    transaction.fail = "state setup failed: " + error.message;
    done();
  });
});
`;

export async function writeDreddFiles(
  dir: string,
  contractText: string,
): Promise<{ contract30: string; hooks: string }> {
  const contract30 = join(dir, "openapi-3.0.yaml");
  const hooks = join(dir, "dredd-hooks.js");
  await writeFile(contract30, downConvertContract(contractText));
  await writeFile(hooks, HOOKS);
  return { contract30, hooks };
}

export interface DreddSummary {
  passing: number;
  failing: number;
  errors: number;
  skipped: number;
  total: number;
}

/** Reads Dredd's closing line: `complete: 6 passing, 0 failing, 0 errors, 13 skipped, 19 total`. */
export function dreddSummary(output: string): DreddSummary | undefined {
  // Colour codes, in case a Dredd version ignores --no-color.
  const clean = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  const match = /complete: (\d+) passing, (\d+) failing, (\d+) errors, (\d+) skipped, (\d+) total/.exec(
    clean,
  );
  if (!match) {
    return undefined;
  }
  const [, passing, failing, errors, skipped, total] = match.map(Number);
  return {
    passing: passing ?? 0,
    failing: failing ?? 0,
    errors: errors ?? 0,
    skipped: skipped ?? 0,
    total: total ?? 0,
  };
}
