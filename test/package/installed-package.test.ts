// The packed tarball, installed in a project of its own with no network: its vitest suite runs, its API imports and type-checks.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { DEFAULT_ADMIN, type RunningReference, startReference } from "../../src/reference/index.js";

const exec = promisify(execFile);
const NODE_MODULES = join(PACKAGE_ROOT, "node_modules");

/** The machine's environment without what npm and vitest set for this test run, which would mislead the children. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST|WA_CONFORMANCE_|NODE_OPTIONS$|TEST$)/i.test(name)) {
      env[name] = value;
    }
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

async function runIn(cwd: string, file: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(file, args, {
      cwd,
      env: cleanEnv(env),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

let dir = "";
let project = "";
let reference: RunningReference;

/**
 * Packs a copy of the working tree (so the repository's own dist/ is never rebuilt under the other tests), then
 * lays the tarball out as npm would install it, its dependencies linked from this checkout's node_modules: what
 * `npm ci` already fetched, no network.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-package-"));
  const kit = join(dir, "kit");
  const { stdout } = await exec("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: PACKAGE_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter(Boolean)) {
    await cp(join(PACKAGE_ROOT, file), join(kit, file), { recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        // A file git still lists but the working tree has deleted is simply not part of the package.
        if (error.code !== "ENOENT") {
          throw error;
        }
      },
    );
  }
  await symlink(NODE_MODULES, join(kit, "node_modules"), "dir");
  const packed = await runIn(kit, "npm", ["pack", "--silent", "--pack-destination", dir]);
  expect(packed.code, packed.out).toBe(0);
  const tarball = join(dir, packed.out.trim().split("\n").pop() ?? "");

  project = join(dir, "project");
  const modules = join(project, "node_modules");
  await mkdir(modules, { recursive: true });
  await exec("tar", ["-xzf", tarball, "-C", modules]);
  await rename(join(modules, "package"), join(modules, "wa-account-conformance"));
  for (const entry of await readdir(NODE_MODULES)) {
    if (entry !== "wa-account-conformance") {
      await symlink(join(NODE_MODULES, entry), join(modules, entry), "dir");
    }
  }
  await writeFile(
    join(project, "package.json"),
    '{ "name": "a-users-project", "private": true, "type": "module" }\n',
  );
  // The README's three lines.
  await writeFile(
    join(project, "vitest.config.ts"),
    'import { defineConformanceConfig } from "wa-account-conformance/vitest";\n\nexport default defineConformanceConfig();\n',
  );
  reference = await startReference({ stateHook: false });
}, 180_000);

afterAll(async () => {
  await reference?.close();
  await rm(dir, { recursive: true, force: true });
});

const vitest = (env: Record<string, string> = {}) =>
  runIn(project, process.execPath, [join(project, "node_modules", "vitest", "vitest.mjs"), "run"], env);

describe("the installed package", { timeout: 60_000 }, () => {
  it("ships only what it runs from: dist, data and schemas, its LICENSE, no TypeScript sources", async () => {
    const shipped = await readdir(join(project, "node_modules", "wa-account-conformance"));
    expect(shipped.sort()).toEqual([
      "LICENSE",
      "README.md",
      "bin",
      "dist",
      "fixtures",
      "openapi",
      "package.json",
      "schemas",
    ]);
    // The planted bugs test the kit; nothing at run time reads them.
    const fixtures = await readdir(join(project, "node_modules", "wa-account-conformance", "fixtures"));
    expect(fixtures.filter((name) => name.startsWith("planted-bug"))).toEqual([]);
    expect(fixtures).toContain("cases");
  });

  it("runs the conformance suite from node_modules with the README's vitest.config.ts: embedded reference, passes", async () => {
    const { code, out } = await vitest();
    expect(code, out).toBe(0);
    expect(out).toContain("node_modules/wa-account-conformance/dist/vitest/conformance.suite.js");
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/failed/);
  });

  it("fails the suite, as run does, against a target whose MUST requirements it cannot exercise", async () => {
    const { code, out } = await vitest({
      WA_CONFORMANCE_TARGET: reference.url,
      WA_CONFORMANCE_USERNAME: DEFAULT_ADMIN.username,
      WA_CONFORMANCE_PASSWORD: DEFAULT_ADMIN.password,
    });
    expect(code, out).toBe(1);
    expect(out).toContain("was not exercised");
  });

  it("imports from code and type-checks against its declarations", async () => {
    await writeFile(
      join(project, "use.ts"),
      [
        'import { type RunOutcome, runConformance, startReference } from "wa-account-conformance";',
        'import { defineConformanceConfig } from "wa-account-conformance/vitest";',
        'const reference = await startReference({ profile: "sunset" });',
        'const outcome: RunOutcome = await runConformance({ settings: { target: reference.url, profile: "sunset", username: "admin", password: "secret", stateUrl: reference.stateUrl } });',
        "const exit: 0 | 1 | 3 = outcome.summary.exitCode;",
        "await reference.close();",
        'export const config = defineConformanceConfig({ target: "http://127.0.0.1:9090", repeat: 2 });',
        "export { exit };",
        "",
      ].join("\n"),
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["use.ts"],
      }),
    );
    const typed = await runIn(project, process.execPath, [
      join(NODE_MODULES, "typescript", "bin", "tsc"),
      "-p",
      ".",
    ]);
    expect(typed.code, typed.out).toBe(0);
    const imported = await runIn(project, process.execPath, [
      "--input-type=module",
      "-e",
      'const kit = await import("wa-account-conformance"); const outcome = await kit.runConformance({ settings: { cases: ["get-account-is-observed"] } }); console.log(typeof kit.startReference, outcome.summary.exitCode, outcome.summary.partial?.length);',
    ]);
    expect(imported, imported.out).toMatchObject({ code: 0 });
    expect(imported.out.trim()).toBe("function 0 2");
  });
});
