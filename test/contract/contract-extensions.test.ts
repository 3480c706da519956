// The extensions the runner reads (x-profiles, x-session, x-provider-states forms, x-requirements checks): valid, generated leaves current, and tied to the kit's code.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROFILE_NAMES_PATH, renderProfileNames } from "../../scripts/generate-types.js";
import { EVERY_EXCHANGE_CHECKS, implicitChecks } from "../../src/checks/index.js";
import { ContractError, loadContract, PROFILES } from "../../src/contract/contract.js";
import { CONTRACT_PATH } from "../../src/paths.js";
import { validatorFor } from "../../src/schemas.js";
import { parseYaml } from "../../src/yaml.js";

const contract = await loadContract();
const text = await readFile(CONTRACT_PATH, "utf8");
const dir = await mkdtemp(join(tmpdir(), "wa-contract-ext-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Loads a copy of the kit's contract changed by `edit` (a fresh path, so the loader's cache is not hit). */
async function loadEdited(name: string, edit: (document: Record<string, unknown>) => void) {
  const document = parseYaml(text) as Record<string, unknown>;
  edit(document);
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(document));
  return loadContract(path);
}

describe("the contract's extensions", () => {
  it("follow schemas/contract-extensions.schema.json (another contract is checked when it loads)", () => {
    const validate = validatorFor("contractExtensions");
    expect(validate(contract.document), JSON.stringify(validate.errors)).toBe(true);
  });

  it("a contract with a malformed static form does not load", async () => {
    const loading = loadEdited("bad-form", (document) => {
      const states = document["x-provider-states"] as { static?: unknown[] }[];
      (states[0] as { static?: unknown[] }).static = [{ flag: true, given: [["cc"]] }];
    });
    await expect(loading).rejects.toThrow(ContractError);
    await expect(loading).rejects.toThrow(/invalid extensions/);
  });

  it("a contract without x-session does not load", async () => {
    await expect(loadEdited("no-session", (document) => delete document["x-session"])).rejects.toThrow(
      /x-session/,
    );
  });

  it("marks exactly one probe state, whose parameters a fresh case gives", () => {
    const probes = [...contract.providerStates.values()].filter((state) => state.probe === true);
    expect(probes.map((state) => state.name)).toEqual([contract.probeState]);
  });

  it("every request of a static form names an operation, and every state it needs exists", () => {
    for (const state of contract.providerStates.values()) {
      for (const form of state.static ?? []) {
        for (const step of form.requests ?? []) {
          if ("state" in step) {
            expect(contract.providerStates.has(step.state), `${state.name} needs ${step.state}`).toBe(true);
          } else {
            expect(contract.operations.has(step.operation), `${state.name} sends ${step.operation}`).toBe(
              true,
            );
          }
        }
      }
    }
  });

  it("the profile names leaf is current (npm run build rewrites it)", async () => {
    const { path, text: generated } = await renderProfileNames();
    expect(path).toBe(PROFILE_NAMES_PATH);
    expect(
      await readFile(path, "utf8"),
      "src/contract/profiles.generated.ts is stale: run npm run build",
    ).toBe(generated);
    expect(PROFILES).toEqual(contract.profiles.map((profile) => profile.name));
  });
});

describe("every-exchange checks", () => {
  it("each check of the kit is named by a requirement of the contract, and each named check exists", () => {
    const named = contract.requirements.flatMap((requirement) => requirement.check ?? []);
    expect([...new Set(named)].sort()).toEqual(Object.keys(EVERY_EXCHANGE_CHECKS).sort());
  });

  it("a requirement naming a check the kit does not have is an error, not a check skipped", () => {
    const requirements = [
      ...contract.requirements,
      {
        ...(contract.requirements[0] as (typeof contract.requirements)[number]),
        id: "x",
        check: "noSuchCheck",
      },
    ];
    expect(() => implicitChecks({ requirements })).toThrow(/noSuchCheck/);
  });

  it("run for the requirements that name them", () => {
    expect(implicitChecks(contract).map((check) => check.requirement)).toEqual(
      Object.keys(EVERY_EXCHANGE_CHECKS).flatMap((name) =>
        contract.requirements
          .filter((requirement) => requirement.check === name)
          .map((requirement) => requirement.id),
      ),
    );
  });
});
