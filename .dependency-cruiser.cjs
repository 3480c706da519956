// ARCHITECTURE.md's table "Folders and their rules" as dependency-cruiser rules, run by `npm run lint`.
"use strict";

/**
 * The shared leaves: modules at the top of src/ that every folder may import. They import only each other, so
 * they can never close a cycle between folders.
 */
const LEAVES = [
  "paths",
  "yaml",
  "json-text",
  "config-error",
  "data-file",
  "exchange",
  "schemas",
  "terminal-style",
  "suggest",
];
const LEAF = `^src/(${LEAVES.join("|")})\\.ts$`;

/**
 * What each folder of src/ may import besides itself and the leaves: the table's "may import" column. A name is a
 * folder of src/; a name ending in .ts is that one module. `config` and `cli` may import everything, so they have
 * no row here (only the rules that hold for every module of src/ apply to them).
 */
const MAY_IMPORT = {
  contract: [],
  cert: [],
  cases: ["contract", "cert"],
  checks: ["contract", "cert", "cases/case-types.ts"],
  http: [],
  runner: ["contract", "cert", "cases", "checks", "http"],
  reference: ["contract", "cert"],
  report: ["contract", "cases/case-types.ts", "runner/results.ts", "baseline"],
  baseline: ["contract", "cases", "runner/results.ts"],
  diff: ["contract", "cases", "runner", "report"],
  explore: ["contract", "cert", "cases", "http", "runner", "diff", "report"],
  pipeline: [
    "contract",
    "cert",
    "cases",
    "checks",
    "http",
    "runner",
    "reference",
    "report",
    "baseline",
    "diff",
    "config",
  ],
  vitest: ["pipeline", "config", "runner/results.ts", "cli/console-report.ts"],
  proxy: ["contract", "cert", "checks", "report", "runner/results.ts"],
};

/** The one exception the table names: the runner starts the embedded reference in embedded-targets.ts only. */
const EMBEDDED_TARGETS = "^src/runner/embedded-targets\\.ts$";

const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const pattern = (name) => (name.endsWith(".ts") ? `^src/${literal(name)}$` : `^src/${literal(name)}/`);

/** A rule forbidding every import into src/ from `from` except into the folder itself, the leaves and `allowed`. */
function folderRule(name, from, allowed, comment) {
  return {
    name,
    severity: "error",
    comment,
    from,
    to: { path: "^src/", pathNot: [`^src/${literal(name.split("/")[0])}/`, LEAF, ...allowed.map(pattern)] },
  };
}

const folderRules = Object.entries(MAY_IMPORT).map(([folder, allowed]) =>
  folderRule(
    folder,
    folder === "runner" ? { path: "^src/runner/", pathNot: EMBEDDED_TARGETS } : { path: `^src/${folder}/` },
    allowed,
    `src/${folder}/ may import ${allowed.length === 0 ? "nothing of the kit" : allowed.join(", ")} (and the leaves)`,
  ),
);

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    ...folderRules,
    folderRule(
      "runner/embedded-targets",
      { path: EMBEDDED_TARGETS },
      [...MAY_IMPORT.runner, "reference"],
      "src/runner/embedded-targets.ts is the one module of the runner that may import the reference",
    ),
    {
      name: "leaves",
      severity: "error",
      comment: "the shared leaves at the top of src/ import only each other",
      from: { path: LEAF },
      to: { path: "^src/", pathNot: LEAF },
    },
    {
      name: "index",
      severity: "error",
      comment: "src/index.ts (the public API) may import everything but cli and vitest",
      from: { path: "^src/index\\.ts$" },
      to: { path: "^src/(cli|vitest)/" },
    },
    {
      name: "suites",
      severity: "error",
      comment: "suites/ is this repository's vitest file: it imports src/vitest only",
      from: { path: "^suites/" },
      to: { path: "^src/", pathNot: "^src/vitest/" },
    },
    {
      name: "src-not-tests",
      severity: "error",
      comment: "the kit never imports its own tests, benchmarks or suites (those import the kit freely)",
      from: { path: "^src/" },
      to: { path: "^(test|bench|suites)/" },
    },
    {
      name: "no-circular",
      severity: "error",
      comment: "no module imports itself through others",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-cycle",
      severity: "error",
      comment:
        "no folder of src/ imports itself through other folders (baseline -> report -> baseline was one)",
      // Folder names carry no trailing slash: src/report, not src/report/.
      scope: "folder",
      from: { path: "^src/[^/]+$" },
      to: { path: "^src/[^/]+$", circular: true },
    },
    {
      name: "no-orphans",
      severity: "error",
      comment: "a module nothing imports and that imports nothing is dead (entry points import something)",
      from: { orphan: true, pathNot: "\\.d\\.ts$" },
      to: {},
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "an import the cruiser cannot resolve would escape every rule above",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: the table is about what a folder knows, not what survives compilation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
