// Loads the planted bugs (fixtures/planted-bugs/*.yaml, checked against planted-bug.schema.json) and their reviewed verdicts.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { dump } from "js-yaml";
import type { ProfileName } from "../../src/contract/contract.js";
import {
  REFERENCE_RULES,
  type ReferenceOptions,
  type ReferenceRule,
  type ReferenceSwitches,
  type RewriteRule,
} from "../../src/reference/index.js";
import type { Verdict } from "../../src/runner/results.js";
import type { StaticStates } from "../../src/runner/target.js";
import { parseYaml } from "../../src/yaml.js";

export const FIXTURES_DIR = fileURLToPath(new URL("../../fixtures/", import.meta.url));
export const PLANTED_BUGS_DIR = join(FIXTURES_DIR, "planted-bugs");
export const VERDICTS_FILE = "verdicts.yaml";

export type Catcher = "matrix" | "explore";

/** JSON-able options of the reference a record may set. */
export type DataOptions = Pick<
  ReferenceOptions,
  "version" | "smsLimit" | "maxBodyBytes" | "requireJsonContentType" | "codeHeader" | "users"
>;

export interface StateChange {
  state: string;
  params?: Record<string, string>;
}

export type Delay = { ms: number; operation?: string } | { perInFlightMs: number; maxMs: number };

/** A variant of the embedded reference, run with its hook. */
export interface ReferencePlant {
  options?: DataOptions;
  skip?: ReferenceRule[];
  switches?: ReferenceSwitches;
  rewrite?: RewriteRule[];
  /** A provider state set up just before the reference sees a request of this operation. */
  stateBefore?: StateChange & { operation: string };
  closeAfterAnswer?: { contentLengthAbove: number };
  delay?: Delay;
  timeoutMs?: number;
}

/** The reference as a static target: answered right for the control run, with `respond` for the planted one. */
export interface StaticPlant {
  cases: string[];
  options?: DataOptions;
  setup?: StateChange[];
  states?: StaticStates;
  respond: RewriteRule[];
  timeoutMs?: number;
}

export interface PlantedBug {
  id: string;
  defect: string;
  profile: ProfileName;
  kind: "planted" | "conformant";
  catchers: Catcher[];
  /** Cases this bug was planted for: each must catch it. */
  cases: string[];
  reference?: ReferencePlant;
  static?: StaticPlant;
  /** The file it was read from, for messages. */
  source: string;
}

/** Per bug id, the cases whose verdict differs from the unmodified reference (or, static, from the control). */
export type VerdictChanges = Record<string, Record<string, Verdict>>;

export class PlantedBugError extends Error {}

const validators = new Map<string, ReturnType<Ajv2020["compile"]>>();
/** The compiled planted-bug.schema.json of a fixtures folder, once per folder. */
async function validatorFor(fixturesDir: string) {
  let validate = validators.get(fixturesDir);
  if (validate === undefined) {
    const schema = JSON.parse(await readFile(join(fixturesDir, "planted-bug.schema.json"), "utf8")) as object;
    validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    validators.set(fixturesDir, validate);
  }
  return validate;
}

/** Every planted bug and conformant variant, in file order (files sorted), checked against the schema and each other. */
export async function loadPlantedBugs(dir: string = PLANTED_BUGS_DIR): Promise<PlantedBug[]> {
  const validate = await validatorFor(join(dir, ".."));
  const files = (await readdir(dir))
    .filter((file) => file.endsWith(".yaml") && file !== VERDICTS_FILE)
    .sort();
  const bugs: PlantedBug[] = [];
  for (const file of files) {
    const data = parseYaml(await readFile(join(dir, file), "utf8"));
    if (!validate(data)) {
      const shown = (validate.errors ?? [])
        .slice(0, 5)
        .map((error) => `  ${error.instancePath || "/"}: ${error.message ?? "is invalid"}`);
      throw new PlantedBugError(`${file} does not follow planted-bug.schema.json:\n${shown.join("\n")}`);
    }
    for (const raw of (data as { bugs: Omit<PlantedBug, "source" | "kind" | "catchers" | "cases">[] }).bugs) {
      const record = raw as Partial<PlantedBug>;
      bugs.push({
        ...raw,
        kind: record.kind ?? "planted",
        catchers: record.catchers ?? ["matrix"],
        cases: record.cases ?? [],
        source: basename(file),
      });
    }
  }
  const ids = bugs.map((bug) => bug.id);
  const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (twice.length > 0) {
    throw new PlantedBugError(`planted bug ids must be unique: ${[...new Set(twice)].join(", ")}`);
  }
  const unknownRules = bugs.flatMap((bug) =>
    (bug.reference?.skip ?? [])
      .filter((rule) => !REFERENCE_RULES.includes(rule))
      .map((rule) => `${bug.id}: ${rule}`),
  );
  if (unknownRules.length > 0) {
    throw new PlantedBugError(
      `unknown reference rules in skip (known: ${REFERENCE_RULES.join(", ")}): ${unknownRules.join("; ")}`,
    );
  }
  return bugs;
}

const HEADER = [
  "# Written by `npm run planted:update`; never edited by hand. Per planted bug (fixtures/planted-bugs/*.yaml),",
  "# every case whose verdict differs from the unmodified reference (a static bug: from its control run).",
  "# planted-bugs.test.ts fails when a run observes anything else: rerun the command and review its diff.",
].join("\n");

export async function readVerdicts(dir: string = PLANTED_BUGS_DIR): Promise<VerdictChanges> {
  let text: string;
  try {
    text = await readFile(join(dir, VERDICTS_FILE), "utf8");
  } catch {
    return {};
  }
  const data = parseYaml(text) as { bugs?: VerdictChanges } | null;
  return data?.bugs ?? {};
}

/** Writes the file with bugs in the given order and cases sorted, so a rerun with no change rewrites it unchanged. */
export async function writeVerdicts(
  changes: VerdictChanges,
  order: string[],
  dir: string = PLANTED_BUGS_DIR,
): Promise<void> {
  const bugs: VerdictChanges = {};
  for (const id of order) {
    const cases = changes[id] ?? {};
    bugs[id] = Object.fromEntries(
      Object.keys(cases)
        .sort()
        .map((caseId) => [caseId, cases[caseId] as Verdict]),
    );
  }
  const body = dump({ bugs }, { lineWidth: 120, noRefs: true, sortKeys: false });
  await writeFile(join(dir, VERDICTS_FILE), `${HEADER}\n${body}`);
}

/** One line per change between two verdict files: "+ bug: case VERDICT", "- ...", "~ bug: case OLD -> NEW". */
export function verdictDiff(before: VerdictChanges, after: VerdictChanges): string[] {
  const lines: string[] = [];
  for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[id];
    const next = after[id];
    if (old === undefined && next !== undefined) {
      lines.push(`+ ${id} (new bug)`);
    }
    if (next === undefined) {
      lines.push(`- ${id} (bug removed)`);
      continue;
    }
    const previous = old ?? {};
    for (const caseId of new Set([...Object.keys(previous), ...Object.keys(next)])) {
      const was = previous[caseId];
      const now = next[caseId];
      if (was === now) {
        continue;
      }
      if (was === undefined) {
        lines.push(`+ ${id}: ${caseId} ${now}`);
      } else if (now === undefined) {
        lines.push(`- ${id}: ${caseId} ${was}`);
      } else {
        lines.push(`~ ${id}: ${caseId} ${was} -> ${now}`);
      }
    }
  }
  return lines;
}
