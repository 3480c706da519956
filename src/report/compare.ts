// Compares implementations: reads results.json files and builds the case × implementation grid, requirement by requirement.
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { ConfigError } from "../config-error.js";
import type { Level, ProfileName } from "../contract/contract.js";
import type { Verdict } from "../runner/results.js";
import { describeErrors, validatorFor } from "../schemas.js";
import type { Counts, Outcome, RequirementVerdict, ResultsDocument } from "./model.js";

export const COMPARE_SCHEMA_VERSION = 1;

/** One column: one profile run of one results file. */
export interface Implementation {
  label: string;
  file: string;
  name: string;
  url: string;
  profile: ProfileName;
  version: string | null;
  kitVersion: string;
  contractSha256: string;
  caseSetSha256: string;
  /** The outcome of the whole results file (a file may hold two profile runs). */
  outcome: Outcome;
  counts: Counts;
  /** One line for the terminal and the page. */
  summary: string;
}

/** A verdict in one column; null where the case did not run there (other profile, not selected). */
export interface Cell {
  verdict: Verdict | null;
  excused: boolean;
}

export interface CaseRow {
  id: string;
  description: string;
  cells: Cell[];
  /** Whether the columns that ran it disagree. */
  differs: boolean;
}

export interface RequirementRow {
  id: string;
  level: Level;
  statement: string;
  verdicts: (RequirementVerdict | null)[];
  /** The cases whose first requirement this is: each case appears once, under the requirement it is about. */
  cases: CaseRow[];
}

export interface CompareDocument {
  schemaVersion: typeof COMPARE_SCHEMA_VERSION;
  generatedAt: string;
  implementations: Implementation[];
  requirements: RequirementRow[];
  /** Why columns may not be comparable: different contracts or case sets. */
  notes: string[];
}

/** Reads a results.json and checks it against the shipped schema; any problem is a ConfigError (exit 2). */
export async function readResults(path: string): Promise<ResultsDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof data === "object" && data !== null && version !== undefined && version !== 1) {
    throw new ConfigError(
      `${path} has schemaVersion ${JSON.stringify(version)}; this kit reads version 1 (upgrade the kit to compare it)`,
    );
  }
  const validate = validatorFor("results");
  if (!validate(data)) {
    throw new ConfigError(
      `${path} is not a wa-account-conformance results.json:\n${describeErrors(validate.errors)}`,
    );
  }
  return data as ResultsDocument;
}

function summaryLine(label: string, counts: Counts, outcome: Outcome, version: string | null): string {
  const parts = (Object.entries(counts) as [Verdict, number][])
    .filter(([, count]) => count > 0)
    .map(([verdict, count]) => `${count} ${verdict}`);
  return `${label}${version ? ` ${version}` : ""}: ${parts.join(", ") || "no cases"}; ${outcome}`;
}

/** Columns, one per profile run; labels made unique with the results file's folder when two would clash. */
function implementationsOf(inputs: { file: string; document: ResultsDocument }[]): Implementation[] {
  const columns = inputs.flatMap(({ file, document }) =>
    document.runs.map((run) => ({
      file,
      document,
      run,
      // The embedded reference's name already says its profile.
      label: run.target.name.includes(run.profile) ? run.target.name : `${run.target.name} (${run.profile})`,
    })),
  );
  const seen = new Map<string, number>();
  for (const column of columns) {
    seen.set(column.label, (seen.get(column.label) ?? 0) + 1);
  }
  return columns.map(({ file, document, run, label }) => {
    const unique = (seen.get(label) ?? 0) > 1 ? `${label} [${basename(dirname(file)) || file}]` : label;
    return {
      label: unique,
      file,
      name: run.target.name,
      url: run.target.url,
      profile: run.profile,
      version: run.target.version,
      kitVersion: document.manifest.kit.version,
      contractSha256: document.manifest.contractSha256,
      caseSetSha256: document.manifest.caseSetSha256,
      outcome: document.summary.outcome,
      counts: run.counts,
      summary: summaryLine(unique, run.counts, document.summary.outcome, run.target.version),
    };
  });
}

export function compareResults(
  inputs: { file: string; document: ResultsDocument }[],
  now = new Date(),
): CompareDocument {
  const implementations = implementationsOf(inputs);
  const runs = inputs.flatMap(({ document }) => document.runs);
  const requirements = new Map<string, RequirementRow>();
  const rowOf = (id: string, level: Level, statement: string) => {
    let row = requirements.get(id);
    if (!row) {
      row = { id, level, statement, verdicts: runs.map(() => null), cases: [] };
      requirements.set(id, row);
    }
    return row;
  };
  runs.forEach((run, column) => {
    for (const requirement of run.requirements) {
      rowOf(requirement.id, requirement.level, requirement.statement).verdicts[column] = requirement.verdict;
    }
  });
  const cases = new Map<string, CaseRow>();
  runs.forEach((run, column) => {
    for (const testCase of run.cases) {
      let row = cases.get(testCase.id);
      if (!row) {
        row = {
          id: testCase.id,
          description: testCase.description,
          cells: runs.map(() => ({ verdict: null, excused: false })),
          differs: false,
        };
        cases.set(testCase.id, row);
        const first = testCase.requirements[0] ?? { id: "unattributed", level: testCase.level };
        rowOf(first.id, first.level, requirements.get(first.id)?.statement ?? "").cases.push(row);
      }
      row.cells[column] = { verdict: testCase.verdict, excused: testCase.excused !== undefined };
    }
  });
  for (const row of cases.values()) {
    const ran = row.cells.filter((cell) => cell.verdict !== null && cell.verdict !== "SKIP");
    row.differs = new Set(ran.map((cell) => cell.verdict)).size > 1;
  }
  const notes: string[] = [];
  const distinct = (key: "contractSha256" | "caseSetSha256") =>
    new Set(implementations.map((implementation) => implementation[key])).size > 1;
  if (distinct("contractSha256")) {
    notes.push(
      "The results come from different contracts: a requirement may mean different things in different columns.",
    );
  }
  if (distinct("caseSetSha256")) {
    notes.push(
      "The results come from different case sets: an empty cell may be a case that did not exist or was not selected there.",
    );
  }
  return {
    schemaVersion: COMPARE_SCHEMA_VERSION,
    generatedAt: now.toISOString(),
    implementations,
    requirements: [...requirements.values()],
    notes,
  };
}
