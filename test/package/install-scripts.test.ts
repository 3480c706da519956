// What npm warns about on install: every dependency's install script is reviewed, and the package runs none of its own.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";

const exec = promisify(execFile);

interface LockedPackage {
  hasInstallScript?: boolean;
}

const readJson = async <T>(file: string): Promise<T> =>
  JSON.parse(await readFile(join(PACKAGE_ROOT, file), "utf8")) as T;

/** The scripts npm runs when the package is installed, from the registry or from a tarball (a non-registry source). */
const INSTALL_TIME_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

describe("npm install warnings", () => {
  // Name-only entries: this lockfile records no download addresses, from which npm derives a pinned entry's version.
  test("every locked dependency with an install script is covered by allowScripts", async () => {
    const manifest = await readJson<{ allowScripts?: Record<string, boolean> }>("package.json");
    const lock = await readJson<{ packages: Record<string, LockedPackage> }>("package-lock.json");
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript === true)
      .map(([path]) => `${path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)}`);
    expect(withScripts.length, "the lockfile holds at least esbuild's postinstall").toBeGreaterThan(0);
    const uncovered = withScripts.filter((name) => manifest.allowScripts?.[name] === undefined);
    expect(uncovered, "npm ci warns about these; review each and add it to allowScripts").toEqual([]);
  });

  test("the package itself has no install-time script, so installing its tarball runs and warns nothing", async () => {
    const manifest = await readJson<{ scripts: Record<string, string> }>("package.json");
    expect(INSTALL_TIME_SCRIPTS.filter((name) => name in manifest.scripts)).toEqual([]);
    // The build still runs where it is needed: before packing, starting and testing.
    expect(manifest.scripts.prepack).toMatch(/npm run build/);
    expect(manifest.scripts.prestart).toMatch(/npm run build/);
    expect(manifest.scripts.pretest).toMatch(/npm run build/);
  });

  test("the tarball ships the LICENSE", async () => {
    const { stdout } = await exec("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: PACKAGE_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
    expect(packed?.files.map((file) => file.path)).toContain("LICENSE");
    expect(await readFile(join(PACKAGE_ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });
});
