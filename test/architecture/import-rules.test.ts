// dependency-cruiser enforces ARCHITECTURE.md's import table: a copy of the kit with forbidden imports planted fails it, rule by rule.
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";

const DEPCRUISE = join(PACKAGE_ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

interface CruiseResult {
  status: number | null;
  violations: Violation[];
  totalCruised: number;
}

/** Runs depcruise on src/ and suites/ under `root` with the repository's config, as `npm run lint` does. */
function depcruise(root: string, ...args: string[]) {
  return spawnSync(
    process.execPath,
    [DEPCRUISE, "--config", ".dependency-cruiser.cjs", ...args, "src", "suites"],
    { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
}

/**
 * The violations as JSON, and the exit status of the plain run `npm run lint` makes: only the error reporter
 * exits with the number of errors (the JSON reporter always exits 0).
 */
function cruise(root: string): CruiseResult {
  const run = depcruise(root, "--output-type", "json");
  if (run.stdout === "") {
    throw new Error(`depcruise printed nothing (exit ${run.status}): ${run.stderr}`);
  }
  const { summary } = JSON.parse(run.stdout) as {
    summary: { violations: Violation[]; totalCruised: number };
  };
  return {
    status: depcruise(root).status,
    violations: summary.violations,
    totalCruised: summary.totalCruised,
  };
}

const copies: string[] = [];

/** A copy of the kit's sources and lint config in a temporary folder; node_modules is linked, not copied. */
function copyOfKit(): string {
  const root = mkdtempSync(join(tmpdir(), "import-rules-"));
  copies.push(root);
  for (const entry of ["src", "suites", "tsconfig.json", ".dependency-cruiser.cjs"]) {
    cpSync(join(PACKAGE_ROOT, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(join(PACKAGE_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

/** Puts an import line right after a file's one-line role comment. */
function plantImport(root: string, file: string, line: string): void {
  const path = join(root, file);
  const [role, ...rest] = readFileSync(path, "utf8").split("\n");
  writeFileSync(path, [role, line, ...rest].join("\n"));
}

afterAll(() => {
  for (const root of copies) {
    rmSync(root, { recursive: true, force: true });
  }
});

describe("the import rules", () => {
  it("hold for the kit as it is", { timeout: 60_000 }, () => {
    const result = cruise(copyOfKit());
    expect(result.violations).toEqual([]);
    expect(result.status).toBe(0);
    // The cruise reached the whole kit (an unresolved import would be a violation of its own).
    expect(result.totalCruised).toBeGreaterThan(100);
  });

  it("fail a copy with forbidden imports, each under the rule it breaks", { timeout: 60_000 }, () => {
    const root = copyOfKit();
    // Type-only imports count: what a folder knows matters, not what survives compilation.
    plantImport(root, "src/checks/check.ts", 'import type { TransportError } from "../http/send.js";');
    // The cycle issue 13 found: report imports baseline, so baseline may not import report.
    plantImport(
      root,
      "src/baseline/baseline.ts",
      'import type { ResultsDocument } from "../report/model.js";',
    );
    plantImport(root, "src/reference/routes.ts", 'import type { CaseResult } from "../runner/results.js";');
    plantImport(root, "src/yaml.ts", 'import type { Contract } from "./contract/contract.js";');
    plantImport(root, "src/runner/run-matrix.ts", 'import "../reference/index.js";');
    plantImport(root, "src/explore/model.ts", 'import "../reference/index.js";');
    plantImport(root, "src/index.ts", 'export { EXIT } from "./cli/main.js";');
    appendFileSync(join(root, "suites/conformance.test.ts"), 'import "../src/cli/console-report.js";\n');
    plantImport(root, "src/http/send.ts", 'import "./nowhere.js";');
    writeFileSync(
      join(root, "src/report/unused.ts"),
      "// Planted: nothing imports it.\nexport const UNUSED = 1;\n",
    );

    const result = cruise(root);
    const found = result.violations.map(
      (violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        "checks: src/checks/check.ts -> src/http/send.ts",
        "baseline: src/baseline/baseline.ts -> src/report/model.ts",
        "reference: src/reference/routes.ts -> src/runner/results.ts",
        "leaves: src/yaml.ts -> src/contract/contract.ts",
        "runner: src/runner/run-matrix.ts -> src/reference/index.ts",
        "explore: src/explore/model.ts -> src/reference/index.ts",
        "index: src/index.ts -> src/cli/main.ts",
        "suites: suites/conformance.test.ts -> src/cli/console-report.ts",
        "not-to-unresolvable: src/http/send.ts -> ./nowhere.js",
        "no-orphans: src/report/unused.ts -> src/report/unused.ts",
      ]),
    );
    const rules = new Set(result.violations.map((violation) => violation.rule.name));
    expect(rules).toContain("no-circular");
    expect(rules).toContain("no-folder-cycle");
    expect(result.violations.every((violation) => violation.rule.severity === "error")).toBe(true);
    // The exit status is what fails `npm run lint`.
    expect(result.status).toBe(result.violations.length);
  });
});
