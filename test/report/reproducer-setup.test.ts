// The reproducer's setup commands, run through bash: TOKEN by the contract's login, CERT by the kit's cert command.
import { execFile } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { loadContract } from "../../src/contract/contract.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { certSetup, loginSetup, VNAME_PLACEHOLDER } from "../../src/report/curl.js";
import type { CaseDoc, ResultsDocument } from "../../src/report/model.js";
import { validatorFor } from "../../src/schemas.js";
import {
  ADMIN_PASSWORD,
  type PlantedTarget,
  runAgainst,
  startPlantedTarget,
  tempDir,
} from "./planted-run.js";

const run = promisify(execFile);

/** Runs a script in bash with only PATH and PASSWORD set, as a user would after `export PASSWORD=...`. */
async function bash(script: string, path: string): Promise<string> {
  const { stdout } = await run("bash", ["-c", script], {
    env: { PATH: path, PASSWORD: ADMIN_PASSWORD },
    timeout: 20_000,
  });
  return stdout;
}

describe("reproducer setup commands", () => {
  let target: PlantedTarget;
  let document: ResultsDocument;
  let markdown: string;
  /** A PATH whose wa-account-conformance is this worktree's built bin, as an installed kit's would be. */
  let path: string;

  beforeAll(async () => {
    target = await startPlantedTarget();
    const dir = tempDir("setup");
    expect((await runAgainst(target.reference, dir, ["--reporter", "json,markdown"])).exitCode).toBe(1);
    document = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;
    markdown = readFileSync(join(dir, "summary.md"), "utf8");
    const shims = tempDir("shims");
    const shim = join(shims, "wa-account-conformance");
    writeFileSync(
      shim,
      `#!/bin/sh\nexec node ${JSON.stringify(join(PACKAGE_ROOT, "bin", "wa-account-conformance.js"))} "$@"\n`,
    );
    chmodSync(shim, 0o755);
    path = `${shims}:${process.env.PATH ?? "/usr/bin:/bin"}`;
  }, 90_000);

  afterAll(() => target?.reference.close());

  const caseNamed = (id: string): CaseDoc => {
    const found = document.runs.flatMap((item) => item.cases).find((testCase) => testCase.id === id);
    if (!found) {
      throw new Error(`no case ${id}`);
    }
    return found;
  };

  it("sets TOKEN and CERT so that a failed step's reproducer is sent again as the kit sent it", async () => {
    const testCase = caseNamed("new-number-by-voice-answers-202");
    const setup = testCase.reproducerSetup ?? [];
    expect(setup.map((item) => item.variable)).toEqual(["TOKEN", "CERT"]);
    const [token, cert] = setup.map((item) => item.command);
    // The login's path and method come from the contract; the password stays a variable.
    const contract = await loadContract();
    const login = [...contract.operations.values()].find((operation) => operation.security === "basic");
    expect(token).toContain(`-X ${login?.method.toUpperCase()}`);
    expect(token).toContain(`${target.reference.url}${login?.path}'`);
    expect(token).toContain('"$PASSWORD"');
    expect(token).not.toContain(ADMIN_PASSWORD);
    expect(cert).toBe("CERT=$(wa-account-conformance cert --vname 'Voice Line Ltd')");

    const values = await bash(`${token}\n${cert}\nprintf '%s\\n%s' "$TOKEN" "$CERT"`, path);
    const [tokenValue, certValue] = values.split("\n");
    expect(tokenValue).toMatch(/^\S{16,}$/);
    expect(certValue).toBe(encodeCertificate({ vname: "Voice Line Ltd" }));

    const reproducer = testCase.reproducers[0] ?? "";
    expect(reproducer).toContain('"$TOKEN"');
    const answer = await bash(`${token}\n${cert}\n${reproducer}`, path);
    // The planted bug answers 200 where 202 is due: the request went through, token and cert accepted.
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  }, 60_000);

  it("writes a placeholder for a display name the report does not know, and --bare for a bare certificate", () => {
    expect(certSetup("kit", undefined, false).command).toBe(
      `CERT=$(kit cert --vname '${VNAME_PLACEHOLDER}')`,
    );
    expect(certSetup("kit", "O'Brien & Sons", true).command).toBe(
      `CERT=$(kit cert --vname 'O'\\''Brien & Sons' --bare)`,
    );
    expect(caseNamed("bare-certificate-vname-is-decoded").reproducerSetup?.[1]?.command).toContain("--bare");
  });

  it("puts them in summary.md's reproducers: TOKEN once, each case's CERT before its commands", () => {
    const block = markdown.slice(markdown.indexOf("<details><summary>Reproduce"));
    expect(block).toContain("Set `PASSWORD` first");
    expect(block.match(/^TOKEN=\$\(curl /gm)).toHaveLength(1);
    const voice = block.slice(block.indexOf("# new-number-by-voice-answers-202 "));
    expect(voice.split("\n")[1]).toBe("CERT=$(wa-account-conformance cert --vname 'Voice Line Ltd')");
    expect(voice.split("\n")[2]).toMatch(/^curl /);
  });

  it("carries them in results.json, which its schema accepts", () => {
    const validate = validatorFor("results");
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    const misspelt = structuredClone(document);
    const withSetup = misspelt.runs[0]?.cases.find((testCase) => testCase.reproducerSetup !== undefined);
    (withSetup?.reproducerSetup?.[0] as unknown as Record<string, unknown>).shell = "bash";
    expect(validate(misspelt)).toBe(false);
  });

  it("asks for USERNAME when no exchange recorded the user, and never prints the password", () => {
    const setup = loginSetup({
      method: "post",
      url: "http://127.0.0.1:1/login",
      user: undefined,
      tokenPath: ["t"],
    });
    expect(setup.command).toContain(`-u "$USERNAME"':'"$PASSWORD"`);
    expect(setup.command).toContain('JSON.parse(s)["t"]');
  });
});
