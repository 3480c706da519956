// Reads the case files and the negative-matrix rules, validates them, and returns every case of the kit.
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ValidateFunction } from "ajv/dist/2020.js";
import type { Contract, ProfileName } from "../contract/contract.js";
import { FIXTURES_DIR } from "../paths.js";
import { parseYaml } from "../yaml.js";
import { CaseError } from "./case-error.js";
import { loadCaseValidators } from "./case-schemas.js";
import type { Case, Expectation, RequestSpec, StateRef, Step } from "./case-types.js";
import { BUILTIN_VAR_NAMES, templateNames } from "./case-vars.js";
import { GenerationError, generateNegativeCases, type NegativeRules } from "./generate-negative.js";

export { CaseError } from "./case-error.js";

interface RawCase {
  id: string;
  description: string;
  comment?: string;
  profiles: ProfileName[];
  states?: (string | StateRef)[];
  vars?: Record<string, string>;
  exclusive?: boolean;
  request?: RequestSpec;
  expect?: Expectation[];
  bodyConforms?: boolean;
  steps?: Step[];
}

export const CASES_DIR = join(FIXTURES_DIR, "cases");
const MATRIX_FILE = join(FIXTURES_DIR, "negative-matrix.yaml");

async function readData(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CaseError(
      `${path} is not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`,
    );
  }
}

function explain(file: string, validate: ValidateFunction, data: unknown): string {
  const errors = (validate.errors ?? []).filter(
    (error) => error.keyword !== "oneOf" && error.keyword !== "if",
  );
  const shown = (errors.length > 0 ? errors : (validate.errors ?? [])).slice(0, 5);
  const cases = (data as { cases?: unknown } | null)?.cases;
  // Name the case by its id where it has one: "/cases/7" alone sends the reader counting.
  const caseId = (pointer: string): string => {
    const index = /^\/cases\/(\d+)/.exec(pointer)?.[1];
    const record = index === undefined || !Array.isArray(cases) ? undefined : cases[Number(index)];
    const id = (record as { id?: unknown } | undefined)?.id;
    return typeof id === "string" ? ` (case ${id})` : "";
  };
  return `${file} does not follow its schema:\n${shown
    .map(
      (error) =>
        `  ${error.instancePath || "/"}${caseId(error.instancePath)}: ${error.message ?? "is invalid"}`,
    )
    .join("\n")}`;
}

/** Validates one file of cases and turns its records into runnable cases. */
export async function readCaseFile(path: string): Promise<Case[]> {
  const { cases: validate } = await loadCaseValidators();
  const data = await readData(path);
  if (!validate(data)) {
    throw new CaseError(explain(path, validate, data));
  }
  return (data as { cases: RawCase[] }).cases.map((raw) => normalize(raw, basename(path)));
}

function normalize(raw: RawCase, source: string): Case {
  const steps: Step[] =
    raw.steps ??
    (raw.request && raw.expect
      ? [
          {
            request: raw.request,
            expect: raw.expect,
            ...(raw.bodyConforms === undefined ? {} : { bodyConforms: raw.bodyConforms }),
          },
        ]
      : []);
  return {
    id: raw.id,
    description: raw.description,
    requirements: [...new Set(steps.flatMap((step) => step.expect.map((group) => group.requirement)))],
    profiles: raw.profiles,
    states: (raw.states ?? []).map((state) => (typeof state === "string" ? { name: state } : state)),
    vars: raw.vars ?? {},
    steps,
    exclusive: raw.exclusive ?? false,
    source,
    ...(raw.comment === undefined ? {} : { comment: raw.comment }),
  };
}

/** Every case of the kit: the hand-written files under fixtures/cases, then the generated negative matrix. */
export async function loadCases(contract: Contract, casesDir: string = CASES_DIR): Promise<Case[]> {
  let files: string[];
  try {
    files = (await readdir(casesDir)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
  } catch (error) {
    throw new CaseError(`cannot read the case folder ${casesDir}: ${(error as Error).message}`);
  }
  const cases: Case[] = [];
  for (const file of files) {
    cases.push(...(await readCaseFile(join(casesDir, file))));
  }
  const { matrix: validateMatrix } = await loadCaseValidators();
  const rules = await readData(MATRIX_FILE);
  if (!validateMatrix(rules)) {
    throw new CaseError(explain(MATRIX_FILE, validateMatrix, rules));
  }
  try {
    cases.push(...generateNegativeCases(contract, rules as NegativeRules));
  } catch (error) {
    if (error instanceof GenerationError) {
      throw new CaseError(error.message);
    }
    throw error;
  }
  verifyCases(contract, cases);
  return cases;
}

/** The cross-checks a schema cannot express: unique ids, requirements, operations and states that exist. */
export function verifyCases(contract: Contract, cases: Case[]): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const testCase of cases) {
    const where = `case ${testCase.id} (${testCase.source})`;
    const earlier = seen.get(testCase.id);
    if (earlier !== undefined) {
      problems.push(`${where}: the id is also used in ${earlier}`);
    }
    seen.set(testCase.id, testCase.source);
    const known = new Set([...BUILTIN_VAR_NAMES, ...Object.keys(testCase.vars)]);
    for (const state of testCase.states) {
      if (!contract.providerStates.has(state.name)) {
        problems.push(`${where}: unknown provider state ${state.name}`);
      }
    }
    for (const name of templateNames([testCase.steps, testCase.states, testCase.vars])) {
      if (!known.has(name)) {
        problems.push(`${where}: unknown variable {{${name}}}`);
      }
    }
    for (const profile of testCase.profiles) {
      for (const [index, step] of testCase.steps.entries()) {
        const applies = step.expect.some((group) =>
          contract.requirementById.get(group.requirement)?.profiles.includes(profile),
        );
        if (!applies) {
          problems.push(
            `${where}: step ${index + 1} has no expectation whose requirement applies to ${profile}`,
          );
        }
      }
    }
    for (const step of testCase.steps) {
      if (step.request.operation !== undefined && !contract.operations.has(step.request.operation)) {
        problems.push(`${where}: unknown operation ${step.request.operation}`);
      }
      for (const group of step.expect) {
        const requirement = contract.requirementById.get(group.requirement);
        if (!requirement) {
          problems.push(`${where}: unknown requirement ${group.requirement}`);
        } else if (!requirement.profiles.some((profile) => testCase.profiles.includes(profile))) {
          problems.push(`${where}: requirement ${group.requirement} applies to none of the case's profiles`);
        } else if (group.observe && requirement.level !== "MAY") {
          problems.push(
            `${where}: observe is for MAY requirements, not ${requirement.level} ${requirement.id}`,
          );
        }
      }
    }
  }
  if (problems.length > 0) {
    throw new CaseError(`the cases are inconsistent with the contract:\n  ${problems.join("\n  ")}`);
  }
}
