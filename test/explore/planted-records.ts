// Reads fixtures/planted-bugs/explore.yaml: the defects explore must catch and the matrix misses (until the planted-bug schema takes it over).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProfileName } from "../../src/contract/contract.js";
import { FIXTURES_DIR } from "../../src/paths.js";
import { REFERENCE_RULES, type ReferenceOptions, type ReferenceRule } from "../../src/reference/index.js";
import { parseYaml } from "../../src/yaml.js";

export interface ExplorePlantedBug {
  id: string;
  defect: string;
  profile: ProfileName;
  kind: "planted";
  catchers: string[];
  reference: { skip: ReferenceRule[]; options: Omit<ReferenceOptions, "profile" | "tweaks"> };
}

export const EXPLORE_PLANTED_FILE = join(FIXTURES_DIR, "planted-bugs", "explore.yaml");

/** The records, each checked for the shape the planted-bug schema will use; a bad record throws naming it. */
export async function loadExplorePlantedBugs(): Promise<ExplorePlantedBug[]> {
  const data = parseYaml(await readFile(EXPLORE_PLANTED_FILE, "utf8"));
  if (!Array.isArray(data)) {
    throw new Error(`${EXPLORE_PLANTED_FILE}: expected a list of records`);
  }
  return data.map((record: Partial<ExplorePlantedBug>, index) => {
    const where = `${EXPLORE_PLANTED_FILE} record ${index + 1} (${String(record?.id)})`;
    const skip = record?.reference?.skip;
    if (
      typeof record?.id !== "string" ||
      typeof record.defect !== "string" ||
      (record.profile !== "registration-open" && record.profile !== "sunset") ||
      record.kind !== "planted" ||
      !Array.isArray(record.catchers) ||
      !record.catchers.includes("explore") ||
      !Array.isArray(skip) ||
      skip.length === 0 ||
      !skip.every((rule) => REFERENCE_RULES.includes(rule))
    ) {
      throw new Error(
        `${where}: needs id, defect, profile, kind: planted, catchers [explore] and reference.skip of known rules`,
      );
    }
    return { ...record, reference: { skip, options: record.reference?.options ?? {} } } as ExplorePlantedBug;
  });
}
