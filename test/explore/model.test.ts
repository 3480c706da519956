// The model names only requirements of the ledger, and reads their levels from it; a few of its predictions.
import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { type Contract, loadContract } from "../../src/contract/contract.js";
import type { IncomingResponse } from "../../src/exchange.js";
import {
  applyNumberState,
  initialState,
  MODEL_REQUIREMENTS,
  predictRequestCode,
  predictVerify,
} from "../../src/explore/model.js";
import { judge, levelOf } from "../../src/explore/oracle.js";

let contract: Contract;

beforeAll(async () => {
  contract = await loadContract();
});

const answer = (status: number, json: unknown): IncomingResponse => ({
  status,
  headers: {},
  bodyText: JSON.stringify(json),
  json,
  isJson: true,
  durationMs: 1,
});

describe("the model of the contract", () => {
  it("names only requirement ids of the ledger", async () => {
    const missing = MODEL_REQUIREMENTS.filter((id) => !contract.requirementById.has(id));
    expect(missing).toEqual([]);
    // Every id the model's source names, not only those it lists.
    const source = await readFile(new URL("../../src/explore/model.ts", import.meta.url), "utf8");
    const named = [...source.matchAll(/requirement: "([a-z0-9-]+)"/g)].map((match) => match[1] as string);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((id) => !contract.requirementById.has(id))).toEqual([]);
    expect(named.filter((id) => !MODEL_REQUIREMENTS.includes(id))).toEqual([]);
  });

  it("refuses to judge by a requirement the ledger lacks", () => {
    expect(() => levelOf(contract, "no-such-requirement")).toThrow(/ledger lacks/);
  });

  it("judges a vname code point for code point: NFC of an NFD name is a MUST divergence", () => {
    const name = "e\u0301";
    const branches = predictRequestCode(initialState("registration-open", 1, 3), {
      slot: 0,
      method: "sms",
      pin: "none",
      vname: name,
    });
    const judged = judge(contract, branches, answer(202, { account: [{ vname: name.normalize("NFC") }] }));
    expect(judged.divergences.map((d) => [d.requirement, d.level])).toEqual([
      ["register-new-number-answers-202-with-vname", "MUST"],
    ]);
    expect(judge(contract, branches, answer(202, { account: [{ vname: name }] })).divergences).toEqual([]);
  });

  it("learns the SMS limit: past a denial, a later sms of another number at the same count is denied too", () => {
    let state = initialState("registration-open", 2);
    const sms = (slot: number) => ({ slot, method: "sms", pin: "none" as const, vname: "A" });
    state = judge(
      contract,
      predictRequestCode(state, sms(0)),
      answer(202, { account: [{ vname: "A" }] }),
    ).next;
    const denied = answer(403, { errors: [{ code: 1005 }] });
    state = judge(contract, predictRequestCode(state, sms(0)), denied).next;
    expect(state.smsLimit).toEqual({ atLeast: 1, below: 2 });
    state = judge(
      contract,
      predictRequestCode(state, sms(1)),
      answer(202, { account: [{ vname: "A" }] }),
    ).next;
    const second = judge(
      contract,
      predictRequestCode(state, sms(1)),
      answer(202, { account: [{ vname: "A" }] }),
    );
    expect(second.divergences.map((d) => d.requirement)).toEqual(["sms-limit-denied-with-1005"]);
  });

  it("holds a spent code for a wrong one, with the SHOULD 400 1009 beside the MUST 4xx", () => {
    let state = applyNumberState(initialState("registration-open", 1), 0, "code-sent", { code: "111111" });
    state = judge(contract, predictVerify(state, "111111"), answer(201, {})).next;
    const again = judge(contract, predictVerify(state, "111111"), answer(403, { errors: [{ code: 1005 }] }));
    expect(again.divergences.map((d) => [d.requirement, d.level])).toEqual([
      ["verify-wrong-code-answers-400-1009", "SHOULD"],
    ]);
  });
});
