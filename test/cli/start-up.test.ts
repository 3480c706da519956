// What the CLI loads to start: `--version` and `--help` load commander and the leaf modules of main.ts, no command.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";

const exec = promisify(execFile);
const RECORDER = fileURLToPath(new URL("./children/record-imports.mjs", import.meta.url));

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-start-up-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs main() from src/ (under tsx) in a child with `args`; returns its output and every module it resolved. */
async function modulesLoadedBy(args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const file = join(dir, `${args.join("_").replace(/\W/g, "")}.txt`);
  const script = [
    'const { main } = await import("./src/cli/main.ts");',
    `process.exitCode = await main(["node", "wa-account-conformance", ...${JSON.stringify(args)}], {});`,
  ].join(" ");
  const { stdout } = await exec(
    process.execPath,
    ["--import", "tsx", "--import", RECORDER, "--input-type=module", "-e", script],
    { cwd: PACKAGE_ROOT, env: { PATH: process.env.PATH ?? "", RECORD_IMPORTS: file } },
  );
  const urls = (await readFile(file, "utf8")).split("\n").filter(Boolean);
  // node_modules may be a symbolic link out of the package (a git worktree's): a package is then resolved to a
  // path outside PACKAGE_ROOT, which is kept from node_modules/ on, as it is inside.
  const relative = (path: string) =>
    path.startsWith(PACKAGE_ROOT)
      ? path.slice(PACKAGE_ROOT.length)
      : path.replace(/^.*?(?=node_modules\/)/, "");
  const modules = [...new Set(urls.map((url) => relative(fileURLToPath(url))))];
  return { stdout, modules };
}

/** tsx, which runs src/ in the child, and what it loads. */
const LOADER_PACKAGES = new Set(["tsx", "esbuild", "get-tsconfig", "resolve-pkg-maps"]);

/** The packages among the modules: node_modules/<name> or node_modules/@scope/<name>. */
function packagesOf(modules: string[]): string[] {
  const names = modules.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []);
  return [...new Set(names)].filter((name) => !LOADER_PACKAGES.has(name)).sort();
}

describe("start-up", () => {
  for (const args of [
    ["--version"],
    ["--help"],
    ["run", "--help"],
    ["diff", "--help"],
    ["serve", "--help"],
  ]) {
    it(`\`${args.join(" ")}\` loads commander and no command module`, async () => {
      const { stdout, modules } = await modulesLoadedBy(args);
      expect(stdout).toMatch(args[0] === "--version" ? /^\d+\.\d+\.\d+/ : /Usage:/);
      expect(modules).toContain("src/cli/main.ts");
      expect(packagesOf(modules)).toEqual(["commander"]);
      expect(modules.filter((path) => /^src\/cli\/.+-command\.ts$/.test(path))).toEqual([]);
    });
  }

  it("`list` loads its command and the contract, but not the runner, the reference or the reports", async () => {
    const { modules } = await modulesLoadedBy(["list", "--json"]);
    expect(modules).toContain("src/cli/list-command.ts");
    expect(modules).toContain("src/contract/contract.ts");
    for (const prefix of ["src/runner/run-", "src/reference/handler", "src/report/html", "src/http/"]) {
      expect(modules.filter((path) => path.startsWith(prefix))).toEqual([]);
    }
    expect(packagesOf(modules)).not.toContain("supertest");
    expect(packagesOf(modules)).not.toContain("xmlbuilder2");
  });

  it("`run` on the embedded references loads neither an XML builder nor ajv's compiler: no report is written, every validator was generated at build", async () => {
    const { stdout, modules } = await modulesLoadedBy(["run", "--quiet"]);
    expect(stdout).toMatch(/conformant/i);
    expect(packagesOf(modules)).not.toContain("xmlbuilder2");
    expect(packagesOf(modules)).not.toContain("ajv-formats");
    expect(packagesOf(modules)).not.toContain("@apidevtools/swagger-parser");
    // No --report-dir and no --expected-failures: neither the results model nor the baseline is loaded.
    expect(
      modules.filter((path) => path === "src/report/model.ts" || path.startsWith("src/baseline/")),
    ).toEqual([]);
    // Only ajv's small runtime helpers, which the generated code requires.
    expect(
      modules.filter(
        (path) => path.startsWith("node_modules/ajv/") && !path.startsWith("node_modules/ajv/dist/runtime/"),
      ),
    ).toEqual([]);
  });
});
