// Tests the settings layer: config files, environment variables, precedence and the resolved target config.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, test } from "vitest";
import {
  ConfigError,
  ENVIRONMENT_VARIABLES,
  mergeSettings,
  parseProfile,
  readConfigFile,
  resolveRunSettings,
  settingsFromEnvironment,
  type TargetSettings,
  toTargetConfig,
  validateUrl,
} from "../../src/config/config.js";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from "../../src/runner/target.js";
import { FULL_SETTINGS } from "./full-settings.js";

let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-conformance-config-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes a config file into the temp folder and returns its path. */
async function configFile(extension: string, text: string): Promise<string> {
  fileCount += 1;
  const path = join(dir, `config-${fileCount}.${extension}`);
  await writeFile(path, text);
  return path;
}

/** The ConfigError readConfigFile throws for a file, or fails the test. */
async function configError(extension: string, text: string): Promise<ConfigError> {
  const path = await configFile(extension, text);
  const error = await readConfigFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("readConfigFile", () => {
  it("reads a YAML file with every key", async () => {
    const path = await configFile(
      "yaml",
      [
        "target: http://127.0.0.1:9090",
        "name: Vendor X",
        "profile: sunset",
        "token: tok",
        "username: admin",
        "password: secret",
        "stateUrl: http://127.0.0.1:9090/_conformance/provider-states",
        "timeoutMs: 2500",
        "insecure: true",
        "concurrency: 4",
        "strict: true",
        "cases: [registered-number-answers-201]",
        "states:",
        "  number-registered: { cc: '1', phone_number: '5550100001' }",
        "  two-step-enabled: { cc: '44', phone_number: '7700900123', pin: '123456' }",
        "  code-sent: { codeHeader: X-Test-Code }",
        "  non-admin-user: { token: user-token }",
        "  sms-attempts-exhausted: { smsLimit: 3 }",
        "  number-unregistered: true",
        "  registration-blocked: false",
        "",
      ].join("\n"),
    );
    expect(await readConfigFile(path)).toEqual(FULL_SETTINGS);
  });

  it("reads a JSON file with every key", async () => {
    const path = await configFile("json", JSON.stringify(FULL_SETTINGS, null, 2));
    expect(await readConfigFile(path)).toEqual(FULL_SETTINGS);
  });

  test.for<{ given: string; extension: string; text: string; want: TargetSettings }>([
    { given: "an empty YAML file", extension: "yaml", text: "", want: {} },
    { given: "a YAML file of comments only", extension: "yml", text: "# nothing yet\n", want: {} },
    {
      given: "a .yml file",
      extension: "yml",
      text: "target: http://127.0.0.1:1\n",
      want: { target: "http://127.0.0.1:1" },
    },
    {
      given: "non-admin credentials",
      extension: "yaml",
      text: "states:\n  non-admin-user: { username: bob, password: '' }\n",
      want: { states: { "non-admin-user": { username: "bob", password: "" } } },
    },
    {
      given: "a fixed verification code",
      extension: "json",
      text: '{"states": {"code-sent": {"code": "123456"}}}',
      want: { states: { "code-sent": { code: "123456" } } },
    },
  ])("reads $given", async ({ extension, text, want }) => {
    expect(await readConfigFile(await configFile(extension, text))).toEqual(want);
  });

  test.for<{ given: string; extension: string; text: string; want: string[] }>([
    {
      given: "an unknown key",
      extension: "yaml",
      text: "target: http://x\ntargt: http://y\n",
      want: ['"targt" is not a known key'],
    },
    {
      given: "an unknown state",
      extension: "yaml",
      text: "states:\n  bogus-state: true\n",
      want: ["states", '"bogus-state" is not a known key'],
    },
    {
      given: "timeoutMs of the wrong type",
      extension: "yaml",
      text: "timeoutMs: soon\n",
      want: ["timeoutMs", "must be integer"],
    },
    {
      given: "timeoutMs with a fraction",
      extension: "json",
      text: '{"timeoutMs": 1.5}',
      want: ["timeoutMs", "integer"],
    },
    { given: "timeoutMs of 0", extension: "yaml", text: "timeoutMs: 0\n", want: ["timeoutMs", ">= 1"] },
    {
      given: "timeoutMs too large",
      extension: "yaml",
      text: "timeoutMs: 600001\n",
      want: ["timeoutMs", "<= 600000"],
    },
    {
      given: "insecure as a string",
      extension: "json",
      text: '{"insecure": "yes"}',
      want: ["insecure", "boolean"],
    },
    { given: "concurrency of 0", extension: "yaml", text: "concurrency: 0\n", want: ["concurrency", ">= 1"] },
    {
      given: "an unknown profile",
      extension: "yaml",
      text: "profile: open\n",
      want: ["profile", "allowed values"],
    },
    { given: "an empty target", extension: "yaml", text: "target: ''\n", want: ["target", "fewer than 1"] },
    {
      given: "cases not a list",
      extension: "yaml",
      text: "cases: registered-number-answers-201\n",
      want: ["cases", "array"],
    },
    {
      given: "a pin of 5 digits",
      extension: "yaml",
      text: "states:\n  two-step-enabled: { cc: '1', phone_number: '5550100001', pin: '12345' }\n",
      want: ["states.two-step-enabled.pin", "pattern"],
    },
    {
      given: "a pin with letters",
      extension: "yaml",
      text: "states:\n  two-step-enabled: { cc: '1', phone_number: '5550100001', pin: 'abcdef' }\n",
      want: ["states.two-step-enabled.pin", "pattern"],
    },
    {
      given: "a pin as a number",
      extension: "yaml",
      text: "states:\n  two-step-enabled: { cc: '1', phone_number: '5550100001', pin: 123456 }\n",
      want: ["states.two-step-enabled.pin", "must be string"],
    },
    {
      given: "a two-step state without pin",
      extension: "yaml",
      text: "states:\n  two-step-enabled: { cc: '1', phone_number: '5550100001' }\n",
      want: ["states.two-step-enabled", "'pin'"],
    },
    {
      given: "a cc with a plus",
      extension: "yaml",
      text: "states:\n  number-registered: { cc: '+1', phone_number: '5550100001' }\n",
      want: ["states.number-registered.cc", "pattern"],
    },
    {
      given: "non-admin credentials without password",
      extension: "yaml",
      text: "states:\n  non-admin-user: { username: bob }\n",
      want: ["states.non-admin-user", "'password'"],
    },
    {
      given: "smsLimit of 0",
      extension: "yaml",
      text: "states:\n  sms-attempts-exhausted: { smsLimit: 0 }\n",
      want: ["states.sms-attempts-exhausted.smsLimit", ">= 1"],
    },
    {
      given: "a YAML list",
      extension: "yaml",
      text: "- target\n- profile\n",
      want: ["(top level)", "must be object"],
    },
    {
      given: "a YAML scalar",
      extension: "yaml",
      text: "http://127.0.0.1:9090\n",
      want: ["(top level)", "must be object"],
    },
  ])("refuses $given, naming the key and why", async ({ extension, text, want }) => {
    const error = await configError(extension, text);
    expect(error.message).toContain("is invalid");
    for (const part of want) {
      expect(error.message).toContain(part);
    }
  });

  it("lists every problem of a file, not only the first", async () => {
    const error = await configError("yaml", "timeoutMs: 0\nconcurrency: 999\nextra: 1\n");
    expect(error.message).toContain("timeoutMs");
    expect(error.message).toContain("concurrency");
    expect(error.message).toContain('"extra" is not a known key');
  });

  test.for<{ given: string; extension: string; text: string; want: string }>([
    { given: "broken YAML", extension: "yaml", text: "target: [unclosed\n", want: "is not valid YAML" },
    {
      given: "YAML with a duplicate key",
      extension: "yaml",
      text: "target: a\ntarget: b\n",
      want: "is not valid YAML",
    },
    {
      given: "YAML with a tab indent",
      extension: "yaml",
      text: "states:\n\tnumber-unregistered: true\n",
      want: "is not valid YAML",
    },
    { given: "broken JSON", extension: "json", text: '{"target": "http://x",}', want: "is not valid JSON" },
    {
      given: "YAML in a .json file",
      extension: "json",
      text: "target: http://x\n",
      want: "is not valid JSON",
    },
  ])("refuses $given", async ({ extension, text, want }) => {
    const error = await configError(extension, text);
    expect(error.message).toContain(want);
    expect(error.message).toContain(dir);
  });

  it("refuses a missing file, naming it and why", async () => {
    const path = join(dir, "does-not-exist.yaml");
    const error = await readConfigFile(path).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("ENOENT");
  });
});

describe("settingsFromEnvironment", () => {
  it("reads nothing from an empty environment", () => {
    expect(settingsFromEnvironment({})).toEqual({});
  });

  it("reads every variable", () => {
    expect(
      settingsFromEnvironment({
        WA_CONFORMANCE_TARGET: "http://127.0.0.1:9090",
        WA_CONFORMANCE_PROFILE: "sunset",
        WA_CONFORMANCE_TOKEN: "tok",
        WA_CONFORMANCE_USERNAME: "admin",
        WA_CONFORMANCE_PASSWORD: "secret",
        WA_CONFORMANCE_STATE_URL: "http://127.0.0.1:9090/state",
        WA_CONFORMANCE_CONFIG: "/etc/kit.yaml",
        WA_CONFORMANCE_TIMEOUT_MS: "2500",
        WA_CONFORMANCE_INSECURE: "true",
        WA_CONFORMANCE_CONCURRENCY: "4",
        WA_CONFORMANCE_STRICT: "1",
        UNRELATED: "ignored",
      }),
    ).toEqual({
      target: "http://127.0.0.1:9090",
      profile: "sunset",
      token: "tok",
      username: "admin",
      password: "secret",
      stateUrl: "http://127.0.0.1:9090/state",
      config: "/etc/kit.yaml",
      timeoutMs: 2500,
      insecure: true,
      concurrency: 4,
      strict: true,
    });
  });

  it("documents every variable it reads as the twin of a flag", () => {
    expect(Object.keys(ENVIRONMENT_VARIABLES).sort()).toEqual(
      [
        "WA_CONFORMANCE_CONCURRENCY",
        "WA_CONFORMANCE_CONFIG",
        "WA_CONFORMANCE_EXPECTED_FAILURES",
        "WA_CONFORMANCE_INSECURE",
        "WA_CONFORMANCE_PASSWORD",
        "WA_CONFORMANCE_PROFILE",
        "WA_CONFORMANCE_REPORT_DIR",
        "WA_CONFORMANCE_STATE_HOOK_TOKEN",
        "WA_CONFORMANCE_STATE_URL",
        "WA_CONFORMANCE_STRICT",
        "WA_CONFORMANCE_TARGET",
        "WA_CONFORMANCE_TIMEOUT_MS",
        "WA_CONFORMANCE_TOKEN",
        "WA_CONFORMANCE_USERNAME",
      ].sort(),
    );
    for (const flag of Object.values(ENVIRONMENT_VARIABLES)) {
      expect(flag).toMatch(/^--[a-z-]+$/);
    }
  });

  test.for<{ given: Record<string, string>; want: TargetSettings }>([
    { given: { WA_CONFORMANCE_STATE_HOOK_TOKEN: "t0k3n" }, want: { stateHookToken: "t0k3n" } },
    { given: { WA_CONFORMANCE_INSECURE: "YES" }, want: { insecure: true } },
    { given: { WA_CONFORMANCE_INSECURE: "no" }, want: { insecure: false } },
    { given: { WA_CONFORMANCE_STRICT: "False" }, want: { strict: false } },
    { given: { WA_CONFORMANCE_STRICT: "0" }, want: { strict: false } },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "1" }, want: { timeoutMs: 1 } },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "600000" }, want: { timeoutMs: 600000 } },
    { given: { WA_CONFORMANCE_CONCURRENCY: "256" }, want: { concurrency: 256 } },
  ])("$given → $want", ({ given, want }) => {
    expect(settingsFromEnvironment(given)).toEqual(want);
  });

  test.for<{ given: Record<string, string>; want: string[] }>([
    {
      given: { WA_CONFORMANCE_TIMEOUT_MS: "abc" },
      want: ["WA_CONFORMANCE_TIMEOUT_MS", "whole number", '"abc"'],
    },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "0" }, want: ["WA_CONFORMANCE_TIMEOUT_MS", "1 to 600000"] },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "600001" }, want: ["WA_CONFORMANCE_TIMEOUT_MS", '"600001"'] },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "2.5" }, want: ["WA_CONFORMANCE_TIMEOUT_MS", '"2.5"'] },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: "-5" }, want: ["WA_CONFORMANCE_TIMEOUT_MS", '"-5"'] },
    { given: { WA_CONFORMANCE_CONCURRENCY: "0" }, want: ["WA_CONFORMANCE_CONCURRENCY", "1 to 256"] },
    { given: { WA_CONFORMANCE_CONCURRENCY: "257" }, want: ["WA_CONFORMANCE_CONCURRENCY", '"257"'] },
    { given: { WA_CONFORMANCE_CONCURRENCY: "many" }, want: ["WA_CONFORMANCE_CONCURRENCY", '"many"'] },
    {
      given: { WA_CONFORMANCE_INSECURE: "maybe" },
      want: ["WA_CONFORMANCE_INSECURE", "true or false", '"maybe"'],
    },
    { given: { WA_CONFORMANCE_STRICT: "2" }, want: ["WA_CONFORMANCE_STRICT", '"2"'] },
    // Empty is a mistake (in CI, a missing secret or variable), never "unset": it would run the embedded reference.
    { given: { WA_CONFORMANCE_TARGET: "" }, want: ["WA_CONFORMANCE_TARGET is set but empty", "unset it"] },
    { given: { WA_CONFORMANCE_TIMEOUT_MS: " " }, want: ["WA_CONFORMANCE_TIMEOUT_MS is set but empty"] },
    { given: { WA_CONFORMANCE_PASSWORD: "" }, want: ["WA_CONFORMANCE_PASSWORD is set but empty"] },
    {
      given: { WA_CONFORMANCE_TARGET: "", WA_CONFORMANCE_STATE_URL: "" },
      want: ["WA_CONFORMANCE_TARGET, WA_CONFORMANCE_STATE_URL are set but empty"],
    },
  ])("refuses $given", ({ given, want }) => {
    expect(() => settingsFromEnvironment(given)).toThrow(ConfigError);
    try {
      settingsFromEnvironment(given);
    } catch (error) {
      for (const part of want) {
        expect((error as Error).message).toContain(part);
      }
    }
  });

  // The variables are the twins of --timeout and --concurrency, whose parser (src/cli/main.ts) takes digits only.
  test.for([
    { variable: "WA_CONFORMANCE_TIMEOUT_MS", value: "1e3" },
    { variable: "WA_CONFORMANCE_TIMEOUT_MS", value: "0x10" },
    { variable: "WA_CONFORMANCE_CONCURRENCY", value: "0x8" },
  ])("refuses $variable=$value, as its flag does", ({ variable, value }) => {
    expect(() => settingsFromEnvironment({ [variable]: value })).toThrow(ConfigError);
  });
});

describe("mergeSettings", () => {
  it("later sources win, key by key", () => {
    expect(
      mergeSettings(
        { target: "http://file", profile: "sunset", timeoutMs: 100, strict: true },
        { target: "http://env", token: "env-token" },
        { target: "http://flag", strict: false },
      ),
    ).toEqual({
      target: "http://flag",
      profile: "sunset",
      timeoutMs: 100,
      token: "env-token",
      strict: false,
    });
  });

  it("an undefined value does not erase an earlier one", () => {
    expect(
      mergeSettings({ target: "http://file", token: "t" }, { target: undefined, token: undefined }),
    ).toEqual({
      target: "http://file",
      token: "t",
    });
  });

  it("states merge per state, later states winning", () => {
    expect(
      mergeSettings(
        {
          states: {
            "number-registered": { cc: "1", phone_number: "5550100001" },
            "code-sent": { code: "111111" },
            "registration-blocked": true,
          },
        },
        { states: { "code-sent": { codeHeader: "X-Code" }, "registration-blocked": false } },
        { states: { "sms-attempts-exhausted": { smsLimit: 2 } } },
      ).states,
    ).toEqual({
      "number-registered": { cc: "1", phone_number: "5550100001" },
      "code-sent": { codeHeader: "X-Code" },
      "registration-blocked": false,
      "sms-attempts-exhausted": { smsLimit: 2 },
    });
  });

  it("merges nothing into an empty object", () => {
    expect(mergeSettings()).toEqual({});
  });
});

describe("toTargetConfig", () => {
  it("fills the defaults", () => {
    expect(toTargetConfig({ target: "http://127.0.0.1:9090/" })).toEqual({
      url: "http://127.0.0.1:9090",
      profile: "registration-open",
      name: "http://127.0.0.1:9090",
      states: {},
      timeoutMs: DEFAULT_TIMEOUT_MS,
      insecure: false,
      concurrency: DEFAULT_CONCURRENCY,
      strict: false,
    });
  });

  it("keeps every setting given", () => {
    expect(toTargetConfig(FULL_SETTINGS)).toEqual({
      url: "http://127.0.0.1:9090",
      profile: "sunset",
      name: "Vendor X",
      token: "tok",
      username: "admin",
      password: "secret",
      stateUrl: "http://127.0.0.1:9090/_conformance/provider-states",
      states: FULL_SETTINGS.states,
      timeoutMs: 2500,
      insecure: true,
      concurrency: 4,
      strict: true,
    });
  });

  test.for<{ given: TargetSettings; want: string[] }>([
    { given: {}, want: ["no target URL"] },
    { given: { target: "not-a-url" }, want: ['"not-a-url"', "is not a URL"] },
    { given: { target: "localhost:9090" }, want: ['"localhost:9090"', "http or https"] },
    { given: { target: "127.0.0.1:9090" }, want: ['"127.0.0.1:9090"', "is not a URL"] },
    { given: { target: "ftp://127.0.0.1/" }, want: ['"ftp://127.0.0.1/"', "http or https"] },
    { given: { target: "http://127.0.0.1", stateUrl: "nope" }, want: ["the state URL", '"nope"'] },
    {
      given: { target: "http://127.0.0.1", profile: "open" },
      want: ["profile", "registration-open, sunset", '"open"'],
    },
    { given: { target: "http://127.0.0.1", username: "admin" }, want: ["--username needs --password"] },
  ])("refuses $given", ({ given, want }) => {
    expect(() => toTargetConfig(given)).toThrow(ConfigError);
    try {
      toTargetConfig(given);
    } catch (error) {
      for (const part of want) {
        expect((error as Error).message).toContain(part);
      }
    }
  });

  it("accepts an empty password with a username", () => {
    expect(toTargetConfig({ target: "http://127.0.0.1", username: "admin", password: "" })).toMatchObject({
      username: "admin",
      password: "",
    });
  });

  test.for<{ given: TargetSettings; want: Record<string, unknown> }>([
    // What a profile implies (sunset: registration-blocked) is the contract's, read by the static provider.
    { given: { target: "http://127.0.0.1", profile: "sunset" }, want: {} },
    {
      given: { target: "http://127.0.0.1", profile: "sunset", states: { "registration-blocked": false } },
      want: { "registration-blocked": false },
    },
    {
      given: { target: "http://127.0.0.1", profile: "sunset", states: { "number-unregistered": true } },
      want: { "number-unregistered": true },
    },
    { given: { target: "http://127.0.0.1", profile: "registration-open" }, want: {} },
  ])("states of $given", ({ given, want }) => {
    expect(toTargetConfig(given).states).toEqual(want);
  });
});

describe("validateUrl and parseProfile", () => {
  test.for([
    { given: "http://127.0.0.1:9090", want: "http://127.0.0.1:9090" },
    { given: "https://example.test/base///", want: "https://example.test/base" },
    { given: "http://127.0.0.1:9090/", want: "http://127.0.0.1:9090" },
  ])("validateUrl($given) → $want", ({ given, want }) => {
    expect(validateUrl("the target", given)).toBe(want);
  });

  test.for([
    { given: undefined, want: "registration-open" },
    { given: "registration-open", want: "registration-open" },
    { given: "sunset", want: "sunset" },
  ])("parseProfile($given) → $want", ({ given, want }) => {
    expect(parseProfile(given)).toBe(want);
  });

  it("parseProfile refuses a profile in another case", () => {
    expect(() => parseProfile("Sunset")).toThrow(/profile must be one of/);
  });
});

describe("resolveRunSettings", () => {
  it("refuses a config file that names no target, since it would run the embedded reference instead", async () => {
    for (const text of ["", "reportDir: reports\n"]) {
      const path = await configFile("yaml", text);
      const error = await resolveRunSettings({}, path, {}).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`the config file ${path} names no target`);
    }
  });

  it("takes the target from a flag or the environment when the config file has none", async () => {
    const path = await configFile("yaml", "username: admin\npassword: secret\n");
    const url = "http://127.0.0.1:9";
    expect((await resolveRunSettings({ target: url }, path, {})).target).toBe(url);
    expect((await resolveRunSettings({}, path, { WA_CONFORMANCE_TARGET: url })).target).toBe(url);
    expect(
      (await resolveRunSettings({}, undefined, { WA_CONFORMANCE_CONFIG: path, WA_CONFORMANCE_TARGET: url }))
        .username,
    ).toBe("admin");
  });

  it("needs nothing at all to run the embedded reference", async () => {
    expect(await resolveRunSettings({}, undefined, {})).toEqual({});
  });
});
