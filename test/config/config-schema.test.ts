// The published config schemas: current with the contract, the one run validates with, in the README's table, and did-you-mean on a mistyped key.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import {
  CONFIG_SCHEMA_PATH,
  DIFF_CONFIG_SCHEMA_PATH,
  renderConfigSchema,
  renderDiffConfigSchema,
} from "../../scripts/generate-types.js";
import { readDiffConfigFile } from "../../src/cli/diff-settings.js";
import { EXIT } from "../../src/cli/main.js";
import { ConfigError, ENVIRONMENT_VARIABLES, readConfigFile } from "../../src/config/config.js";
import { CONFIG_KEYS } from "../../src/config/config-keys.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { parseYaml } from "../../src/yaml.js";
import { runCli } from "../support/cli.js";
import { FULL_SETTINGS } from "./full-settings.js";

type Schema = Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };

let dir = "";
let published: Schema;
let readme = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-conformance-config-schema-"));
  published = JSON.parse(await readFile(CONFIG_SCHEMA_PATH, "utf8")) as Schema;
  readme = await readFile(join(PACKAGE_ROOT, "README.md"), "utf8");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function configFile(text: string, extension = "yaml"): Promise<string> {
  fileCount += 1;
  const path = join(dir, `config-${fileCount}.${extension}`);
  await writeFile(path, text);
  return path;
}

/** The message of the ConfigError `read` throws, or fails the test. */
async function configErrorOf(read: Promise<unknown>): Promise<string> {
  const error = await read.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
}

function compile(schema: Record<string, unknown>) {
  return new Ajv2020({ allErrors: true, strict: false }).compile(schema);
}

/** The YAML blocks of the README that are run config files (they name a target). */
function readmeConfigExamples(): unknown[] {
  return [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => parseYaml(match[1] ?? ""))
    .filter((data) => typeof data === "object" && data !== null && "target" in data);
}

describe("schemas/config.schema.json", () => {
  it("is current: generated from the contract, as npm run build writes it", async () => {
    const { text } = await renderConfigSchema();
    expect(await readFile(CONFIG_SCHEMA_PATH, "utf8"), "stale: run npm run build").toBe(text);
  });

  it("and schemas/diff-config.schema.json is current too", async () => {
    const { text } = renderDiffConfigSchema();
    expect(await readFile(DIFF_CONFIG_SCHEMA_PATH, "utf8"), "stale: run npm run build").toBe(text);
  });

  it.each([CONFIG_SCHEMA_PATH, DIFF_CONFIG_SCHEMA_PATH])("%s meets the 2020-12 meta-schema", async (path) => {
    const meta = new Ajv2020({ strict: false, validateFormats: false });
    const schema = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(meta.validateSchema(schema), meta.errorsText(meta.errors)).toBe(true);
  });

  it("holds every key with a type and a description, states and their fields too", () => {
    expect(Object.keys(published.properties)).toEqual(Object.keys(CONFIG_KEYS));
    for (const [key, property] of Object.entries(published.properties)) {
      expect(typeof property.description, key).toBe("string");
      expect(property.type !== undefined || property.enum !== undefined, key).toBe(true);
    }
    const states = published.properties.states?.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(states)).toContain("code-sent");
    for (const [state, form] of Object.entries(states)) {
      expect(typeof form.description, state).toBe("string");
      const forms = (form.oneOf as Record<string, unknown>[] | undefined) ?? [form];
      for (const alternative of forms) {
        for (const [field, schema] of Object.entries(
          (alternative.properties ?? {}) as Record<string, Record<string, unknown>>,
        )) {
          expect(typeof schema.description, `${state}.${field}`).toBe("string");
        }
      }
    }
  });

  it("validates the README's config examples and the tests' full config", () => {
    const validate = compile(published);
    const examples = [...readmeConfigExamples(), FULL_SETTINGS];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const example of examples) {
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ ...FULL_SETTINGS, timeout: 5 })).toBe(false);
  });

  it("is the one run validates with: a file it rejects, readConfigFile rejects", async () => {
    const validate = compile(published);
    const bad = { target: "http://127.0.0.1:9090", states: { "code-sent": { code: "1", codeHeader: "x" } } };
    expect(validate(bad)).toBe(false);
    await configErrorOf(readConfigFile(await configFile(JSON.stringify(bad), "json")));
  });

  it("accepts $schema in a config file and leaves it out of the settings", async () => {
    const path = await configFile(
      JSON.stringify({
        $schema: "./node_modules/wa-account-conformance/schemas/config.schema.json",
        target: "http://x",
      }),
      "json",
    );
    expect(await readConfigFile(path)).toEqual({ target: "http://x" });
  });
});

describe("the README's table of config keys", () => {
  /** The rows of the table under "Config file keys": key, type, flag, environment variable. */
  function tableRows(): string[][] {
    const section = readme.split("#### Config file keys")[1] ?? "";
    const all = section.split("\n");
    const start = all.findIndex((line) => line.startsWith("| key"));
    const end = all.findIndex((line, index) => index > start && !line.startsWith("|"));
    const lines = all.slice(start + 2, end);
    return lines.map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/^`|`$/g, "")),
    );
  }

  it("lists every key of the schema, and no other, with its flag and environment variable", () => {
    const rows = tableRows();
    expect(rows.map((row) => row[0])).toEqual(Object.keys(published.properties));
    for (const [key, , flag, env] of rows) {
      const spec = CONFIG_KEYS[key as keyof typeof CONFIG_KEYS] as { flag?: string };
      expect(flag, key).toBe(spec.flag ?? "");
      const twin = Object.entries(ENVIRONMENT_VARIABLES).find(([, twinFlag]) => twinFlag === spec.flag)?.[0];
      expect(env, key).toBe(twin ?? "");
    }
  });

  it("gives each key the schema's type", () => {
    for (const [key, type] of tableRows()) {
      const property = published.properties[key ?? ""] ?? {};
      const expected = Array.isArray(property.enum) ? "enum" : String(property.type);
      const shown = type ?? "";
      if (expected === "enum") {
        for (const value of property.enum as string[]) {
          expect(shown, key).toContain(value);
        }
      } else {
        expect(shown.replace(/^list of .*/, "array"), key).toContain(expected);
      }
    }
  });

  it("tells editors about the schema", () => {
    expect(readme).toContain("# yaml-language-server: $schema=");
    expect(readme).toContain("schemas/config.schema.json");
  });
});

describe("a mistyped config key", () => {
  test.for<{ given: string; text: string; want: RegExp }>([
    {
      given: "at the top level",
      text: "target: http://127.0.0.1:9090\ntimeout: 5000\n",
      want: /\(top level\): "timeout" is not a known key \(did you mean timeoutMs\?\)/,
    },
    {
      given: "a state name in states",
      text: "target: http://x\nstates:\n  number-registred: { cc: '1', phone_number: '5550100001' }\n",
      want: /states: "number-registred" is not a known key \(did you mean number-registered\?\)/,
    },
    {
      given: "a field inside a state",
      text: "target: http://x\nstates:\n  code-sent: { codeheader: x-code }\n",
      want: /states\.code-sent: "codeheader" is not a known key \(did you mean codeHeader\?\)/,
    },
  ])("says did you mean $given, naming the file", async ({ text, want }) => {
    const path = await configFile(text);
    const message = await configErrorOf(readConfigFile(path));
    expect(message).toContain(path);
    expect(message).toMatch(want);
  });

  it("is a usage error on the command line: exit 2, the file and the key named, no stack trace", async () => {
    const path = await configFile("target: http://127.0.0.1:9\ntimeout: 5000\n");
    const outcome = await runCli(["run", "--config", path]);
    expect(outcome.exitCode).toBe(EXIT.usage);
    expect(outcome.err).toContain(path);
    expect(outcome.err).toContain('"timeout" is not a known key (did you mean timeoutMs?)');
    expect(outcome.err).not.toMatch(/\n\s+at /);
  });

  it("says nothing more for a key near no real one", async () => {
    const message = await configErrorOf(readConfigFile(await configFile("target: http://x\nzzzzzzzz: 1\n")));
    expect(message).toContain('"zzzzzzzz" is not a known key');
    expect(message).not.toContain("did you mean");
  });

  it("in diff's config file too, in a side's section", async () => {
    const path = await configFile("baseline:\n  target: http://x\n  stateurl: http://y\ntimeout: 1\n");
    const message = await configErrorOf(readDiffConfigFile(path));
    expect(message).toContain('baseline: "stateurl" is not a known key (did you mean stateUrl?)');
    expect(message).toContain('"timeout" is not a known key (did you mean timeoutMs?)');
  });
});
