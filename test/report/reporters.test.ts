// The one reporter registry: every mode a reporter claims has a renderer that writes the file it declares, and --help lists it.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffCommand } from "../../src/cli/diff-command.js";
import type { Output } from "../../src/cli/run-command.js";
import {
  parseReporters,
  REPORTERS,
  type Reporter,
  type ReporterName,
  type ReportMode,
  reportersOf,
  reportFilesHelp,
} from "../../src/pipeline/reporters.js";
import { runConformance } from "../../src/pipeline/run-conformance.js";
import { contractPromise, type Running, startTarget } from "../diff/targets.js";

const CASE = "new-number-answers-202-with-decoded-vname";
const MODES: ReportMode[] = ["run", "diff"];
const NAMES = Object.keys(REPORTERS) as ReporterName[];
const claims = NAMES.flatMap((name) =>
  MODES.filter((mode) => (REPORTERS[name] as Reporter)[mode] !== undefined).map((mode) => ({ name, mode })),
);

/** A declared file name as a pattern: `{a,b}` is one of a or b (the diff's HAR per side). */
function filePattern(file: string): RegExp {
  const escaped = file.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(
    `^${escaped.replace(/\{([^}]*)\}/g, (_, list: string) => `(?:${list.split(",").join("|")})`)}$`,
  );
}

let dir = "";
const sides: Running[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wa-reporters-"));
  const contract = await contractPromise;
  sides.push(await startTarget(contract), await startTarget(contract));
});
afterAll(async () => {
  await Promise.all(sides.map((side) => side.close()));
  await rm(dir, { recursive: true, force: true });
});

/** Writes one reporter's files of one mode into a fresh folder (one case: the files, not the verdicts, matter). */
async function written(name: ReporterName, mode: ReportMode): Promise<string[]> {
  const reportDir = join(dir, `${mode}-${name}`);
  if (mode === "run") {
    await runConformance({
      settings: { cases: [CASE], profile: "registration-open", reportDir },
      reporters: [name],
    });
  } else {
    const [baseline, candidate] = sides as [Running, Running];
    const output: Output = { out: () => {}, err: () => {}, style: { color: false } };
    const side = (role: string, target: Running) => ({
      [role]: target.url,
      [`${role}Username`]: "admin",
      [`${role}Password`]: "secret",
      [`${role}StateUrl`]: target.stateUrl,
    });
    await diffCommand(
      {
        ...side("baseline", baseline),
        ...side("candidate", candidate),
        case: [CASE],
        reportDir,
        reporter: [name],
      },
      {},
      output,
    );
  }
  return (await readdir(reportDir)).sort();
}

describe("the reporter registry", () => {
  for (const { name, mode } of claims) {
    it(`${name} writes, for ${mode}, the file it declares`, async () => {
      const declared = filePattern((REPORTERS[name] as Reporter)[mode]?.file ?? "");
      const files = await written(name, mode);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(file).toMatch(declared);
      }
    });
  }

  it("names a file apart for every reporter and mode, so a run and a diff can share a folder", () => {
    const files = claims.map(({ name, mode }) => (REPORTERS[name] as Reporter)[mode]?.file);
    expect(new Set(files).size).toBe(files.length);
  });

  it("derives --reporter and --report-dir's help from the entries of each mode", () => {
    for (const mode of MODES) {
      const names = claims.filter((claim) => claim.mode === mode).map((claim) => claim.name);
      expect(reportersOf(mode)).toEqual(names);
      expect(parseReporters(undefined, mode)).toEqual(names);
      for (const name of names) {
        expect(reportFilesHelp(mode)).toContain(`(${name})`);
      }
    }
    expect(() => parseReporters(["pdf"], "diff")).toThrow(/unknown reporter pdf for diff/);
  });
});
