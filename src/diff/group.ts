// Groups the differences of a diff that repeat across cases, so every report shows one repeated difference once.
import type { Level } from "../contract/contract.js";
import type { Difference } from "./attribute.js";
import type { CaseComparison, DifferenceGroup, DiffGroups } from "./diff-types.js";

export type { DifferenceGroup, DiffGroups } from "./diff-types.js";

/** Shown for a noise value that is not the same in every case of its group. */
export const VARYING_VALUE = "(varies)";

/** How many case ids a report names for one group before "… and N more". */
export const GROUP_CASE_LIMIT = 10;

const LEVEL_ORDER: Record<Level, number> = { MUST: 0, SHOULD: 1, MAY: 2 };

/**
 * Differences count as one when their kind, place and both values agree. Noise is random by nature (that is
 * how a second baseline tells it), so its values are left out of its key: one volatile header is one group.
 */
function groupKey(difference: Difference, which: keyof DiffGroups): string {
  const place = [difference.kind, difference.where ?? ""];
  return (which === "noise" ? place : [...place, difference.baseline, difference.candidate]).join("\u0000");
}

/** The groups by their key, in report order of their first occurrence. */
function collectGroups(cases: CaseComparison[], which: keyof DiffGroups): Map<string, DifferenceGroup> {
  const groups = new Map<string, DifferenceGroup>();
  for (const comparison of cases) {
    for (const difference of comparison[which]) {
      const key = groupKey(difference, which);
      const group = groups.get(key) ?? {
        kind: difference.kind,
        ...(difference.where === undefined ? {} : { where: difference.where }),
        baseline: difference.baseline,
        candidate: difference.candidate,
        cases: [],
        occurrences: 0,
        checked: false,
        uncheckedOccurrences: 0,
        requirements: [],
      };
      groups.set(key, group);
      group.occurrences += 1;
      if (group.cases.at(-1) !== comparison.id) {
        group.cases.push(comparison.id);
      }
      group.baseline = group.baseline === difference.baseline ? group.baseline : VARYING_VALUE;
      group.candidate = group.candidate === difference.candidate ? group.candidate : VARYING_VALUE;
      group.checked ||= difference.checked;
      group.uncheckedOccurrences += difference.checked ? 0 : 1;
      for (const requirement of difference.requirements) {
        if (requirement.touches && !group.requirements.some((known) => known.id === requirement.id)) {
          group.requirements.push({ id: requirement.id, level: requirement.level });
        }
      }
    }
  }
  for (const group of groups.values()) {
    group.requirements.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
    const top = group.requirements[0];
    if (top) {
      group.level = top.level;
    }
  }
  return groups;
}

/** Every group of the cases' differences (or noise), the most repeated first, then in report order. */
export function groupDifferences(cases: CaseComparison[], which: keyof DiffGroups): DifferenceGroup[] {
  // A stable sort keeps report order among groups of one size.
  return [...collectGroups(cases, which).values()].sort((a, b) => b.cases.length - a.cases.length);
}

/** Both groupings of a report's cases. */
export function groupDiff(cases: CaseComparison[]): DiffGroups {
  return { differences: groupDifferences(cases, "differences"), noise: groupDifferences(cases, "noise") };
}

/** A group shown once for all its cases: it appears in more than one case. */
export const isRepeated = (group: DifferenceGroup): boolean => group.cases.length > 1;

/**
 * What each report shows: the repeated groups once, and each case with only its own differences (those that
 * occur in no other case), plus how many of its differences are in a repeated group.
 */
export interface GroupedView {
  repeated: DifferenceGroup[];
  own: Map<string, Difference[]>;
  inRepeated: Map<string, number>;
}

export function groupedView(cases: CaseComparison[], which: keyof DiffGroups): GroupedView {
  const groups = collectGroups(cases, which);
  const repeatedKeys = new Set([...groups].filter(([, group]) => isRepeated(group)).map(([key]) => key));
  const repeated = groupDifferences(cases, which).filter(isRepeated);
  const own = new Map<string, Difference[]>();
  const inRepeated = new Map<string, number>();
  for (const comparison of cases) {
    const mine = comparison[which].filter((difference) => !repeatedKeys.has(groupKey(difference, which)));
    own.set(comparison.id, mine);
    inRepeated.set(comparison.id, comparison[which].length - mine.length);
  }
  return { repeated, own, inRepeated };
}

/** "a, b, c … and 72 more": the case ids of a group, bounded. */
export function groupCaseList(group: DifferenceGroup, limit: number = GROUP_CASE_LIMIT): string {
  const shown = group.cases.slice(0, limit).join(", ");
  const more = group.cases.length - limit;
  return more > 0 ? `${shown} … and ${more} more` : shown;
}

/** How many requirements a report names for one group before "… and N more". */
const GROUP_REQUIREMENT_LIMIT = 3;

/** "MUST a, MAY b" for the requirements that look at a group (bounded); "unchecked" when none does. */
export function groupRequirementLabel(group: DifferenceGroup): string {
  if (!group.checked || group.requirements.length === 0) {
    return "unchecked";
  }
  const shown = group.requirements
    .slice(0, GROUP_REQUIREMENT_LIMIT)
    .map((requirement) => `${requirement.level} ${requirement.id}`)
    .join(", ");
  const more = group.requirements.length - GROUP_REQUIREMENT_LIMIT;
  const unchecked =
    group.uncheckedOccurrences > 0
      ? `; unchecked in ${group.uncheckedOccurrences} of ${group.occurrences}`
      : "";
  return `${more > 0 ? `${shown} … and ${more} more` : shown}${unchecked}`;
}
