// The one interpreter of x-provider-states `static` forms: data, flags, profile defaults and request sequences, with the messages a user acts on.
import { describe, expect, it } from "vitest";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import { stateConfigSchema } from "../../src/contract/state-config.js";
import type { StateActions } from "../../src/runner/states.js";
import { StaticStateProvider } from "../../src/runner/static-states.js";
import type { StaticStates } from "../../src/runner/target.js";
import { targetSecrets } from "../../src/runner/target.js";

const contract = await loadContract();
const VARS = { cc: "1", phone_number: "5550100001", cert: "Q0VSVA==", pin: "123456", code: "" };

/** Actions that record what the interpreter sends and answer from a script of statuses and headers. */
function recorder(answers: Record<string, { status: number; headers?: Record<string, string> }[]> = {}) {
  const sent: { operation: string; body: unknown }[] = [];
  const actions: StateActions = {
    contract,
    send: async (operation, body) => {
      sent.push({ operation, body });
      const answer = answers[operation]?.shift() ?? { status: defaultStatus(operation) };
      return { status: answer.status, headers: answer.headers ?? {} };
    },
  };
  return { sent, actions };
}

/** The status each request of the kit's sequences expects, as the contract's forms say. */
function defaultStatus(operation: string): number {
  return { requestCode: 202, verifyAccount: 201, enableTwoStep: 200 }[operation] ?? 500;
}

function setup(states: StaticStates, name: string, options: { concurrency?: number; profile?: string } = {}) {
  const provider = new StaticStateProvider(
    states,
    options.concurrency ?? 1,
    options.profile ?? "registration-open",
  );
  const { sent, actions } = recorder();
  return { outcome: provider.setup(name, {}, VARS, actions), sent };
}

describe("static state forms", () => {
  it("answers a state's config data as its values", async () => {
    const { outcome, sent } = setup(
      { "number-registered": { cc: "44", phone_number: "7700900001" } },
      "number-registered",
    );
    expect(await outcome).toEqual({ kind: "ready", values: { cc: "44", phone_number: "7700900001" } });
    expect(sent).toEqual([]);
  });

  it("registers the case's number itself, reading the code from the header the config names", async () => {
    const provider = new StaticStateProvider({ "code-sent": { codeHeader: "X-Code" } }, 1);
    const { sent, actions } = recorder({ requestCode: [{ status: 202, headers: { "x-code": "246810" } }] });
    expect(await provider.setup("number-registered", {}, VARS, actions)).toEqual({
      kind: "ready",
      values: {},
    });
    expect(sent).toEqual([
      {
        operation: "requestCode",
        body: { cc: "1", phone_number: "5550100001", method: "voice", cert: "Q0VSVA==" },
      },
      { operation: "verifyAccount", body: { code: "246810" } },
    ]);
  });

  it("answers a fixed code from the config after requesting one", async () => {
    const { outcome, sent } = setup({ "code-sent": { code: "111222" } }, "code-sent");
    expect(await outcome).toEqual({ kind: "ready", values: { code: "111222" } });
    expect(sent.map((request) => request.operation)).toEqual(["requestCode"]);
  });

  it("sets the PIN only at concurrency 1, and says so otherwise", async () => {
    const states = { "code-sent": { code: "111222" } };
    const one = setup(states, "two-step-enabled");
    expect(await one.outcome).toEqual({ kind: "ready", values: {} });
    expect(one.sent.map((request) => request.operation)).toEqual([
      "requestCode",
      "verifyAccount",
      "enableTwoStep",
    ]);
    expect(one.sent[2]?.body).toEqual({ pin: "123456" });
    const many = setup(states, "two-step-enabled", { concurrency: 8 });
    expect(await many.outcome).toEqual({
      kind: "unreachable",
      reason:
        "state two-step-enabled needs two-step-enabled.cc, .phone_number and .pin, or code-sent with concurrency 1 in the config's states (or a --state-url hook)",
    });
    expect(many.sent).toEqual([]);
  });

  it("repeats the sms request smsLimit times, and names the attempt that failed", async () => {
    const done = setup({ "sms-attempts-exhausted": { smsLimit: 3 } }, "sms-attempts-exhausted");
    expect(await done.outcome).toEqual({ kind: "ready", values: {} });
    expect(done.sent).toHaveLength(3);
    expect(done.sent.every((request) => (request.body as { method: string }).method === "sms")).toBe(true);

    const provider = new StaticStateProvider({ "sms-attempts-exhausted": { smsLimit: 3 } }, 1);
    const { actions } = recorder({ requestCode: [{ status: 202 }, { status: 429 }] });
    expect(await provider.setup("sms-attempts-exhausted", {}, VARS, actions)).toEqual({
      kind: "error",
      reason:
        "requestCode 2 of 3 (to exhaust the SMS limit) to reach state sms-attempts-exhausted answered 429, not 202",
    });
  });

  it("reports a 202 without the code header", async () => {
    const provider = new StaticStateProvider({ "code-sent": { codeHeader: "X-Code" } }, 1);
    const { actions } = recorder();
    expect(await provider.setup("code-sent", {}, VARS, actions)).toEqual({
      kind: "error",
      reason: "the 202 of requestCode carried no X-Code header to read the code from",
    });
  });

  it("takes a profile's states from x-profiles, which the config can turn off", async () => {
    expect(await setup({}, "registration-blocked", { profile: "sunset" }).outcome).toEqual({
      kind: "ready",
      values: {},
    });
    expect(await setup({}, "registration-blocked").outcome).toMatchObject({
      kind: "unreachable",
      reason: expect.stringContaining("registration-blocked: true"),
    });
    expect(
      await setup({ "registration-blocked": false }, "registration-blocked", { profile: "sunset" }).outcome,
    ).toMatchObject({ kind: "unreachable" });
    expect(await setup({}, "number-unregistered").outcome).toEqual({ kind: "ready", values: {} });
    expect(await setup({ "number-unregistered": false }, "number-unregistered").outcome).toMatchObject({
      kind: "unreachable",
    });
  });

  it("names what the config must give for a state it cannot reach", async () => {
    expect(await setup({}, "non-admin-user").outcome).toEqual({
      kind: "unreachable",
      reason:
        "state non-admin-user needs non-admin-user.username and .password or non-admin-user.token in the config's states (or a --state-url hook)",
    });
  });

  it("reaches a contract's state by its forms, not by its name", async () => {
    const renamed: Contract = {
      ...contract,
      providerStates: new Map([
        [
          "pending",
          {
            ...(contract.providerStates.get("code-sent") as NonNullable<
              ReturnType<typeof contract.providerStates.get>
            >),
            name: "pending",
          },
        ],
      ]),
    };
    const provider = new StaticStateProvider({ pending: { code: "99" } }, 1);
    const { sent, actions } = recorder();
    expect(await provider.setup("pending", {}, VARS, { ...actions, contract: renamed })).toEqual({
      kind: "ready",
      values: { code: "99" },
    });
    expect(sent).toHaveLength(1);
  });
});

describe("the config's states, derived from the contract", () => {
  it("takes each field's pattern from the request schemas", () => {
    const schema = stateConfigSchema(contract) as {
      properties: Record<string, { properties: Record<string, unknown> }>;
    };
    const property = (operation: string, name: string) =>
      (
        contract.operations.get(operation)?.requestSchema?.properties as
          | Record<string, { pattern: string }>
          | undefined
      )?.[name];
    expect(schema.properties["two-step-enabled"]?.properties.pin).toMatchObject({
      pattern: property("enableTwoStep", "pin")?.pattern,
    });
    expect(schema.properties["number-registered"]?.properties.cc).toMatchObject({
      pattern: property("requestCode", "cc")?.pattern,
    });
  });

  it("follows a change of the contract's request schema", () => {
    const requestCode = contract.operations.get("requestCode");
    const changed: Contract = {
      ...contract,
      operations: new Map([
        [
          "requestCode",
          {
            ...(requestCode as NonNullable<typeof requestCode>),
            requestSchema: {
              type: "object",
              properties: {
                ...(requestCode?.requestSchema?.properties ?? {}),
                cc: { type: "string", pattern: "^[0-9]{2}$" },
              },
            },
          },
        ],
        ...[...contract.operations].filter(([id]) => id !== "requestCode"),
      ]),
    };
    const schema = stateConfigSchema(changed) as {
      properties: Record<string, { properties: Record<string, unknown> }>;
    };
    expect(schema.properties["number-registered"]?.properties.cc).toEqual({
      type: "string",
      pattern: "^[0-9]{2}$",
    });
  });

  it("redacts the fields the contract marks sensitive, and the header a field names", () => {
    const target = {
      url: "http://127.0.0.1:1",
      profile: "registration-open",
      name: "t",
      states: {
        "two-step-enabled": { cc: "1", phone_number: "5550100001", pin: "654321" },
        "code-sent": { codeHeader: "X-Code" },
        "non-admin-user": { username: "bob", password: "Bob-Pass-1" },
      },
      timeoutMs: 1000,
      insecure: false,
      concurrency: 1,
      strict: false,
    };
    const secrets = targetSecrets([target], contract);
    expect(secrets.values).toEqual(
      expect.arrayContaining(["654321", "Bob-Pass-1", Buffer.from("bob:Bob-Pass-1").toString("base64")]),
    );
    expect(secrets.values).not.toContain("5550100001");
    expect(secrets.values).not.toContain("bob");
    expect(secrets.headers).toEqual(["X-Code"]);
  });
});
