// Tests that `diff` shows a difference repeated across cases once, with its count, in the console and every report.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Contract } from "../../src/contract/contract.js";
import type { CaseComparison } from "../../src/diff/diff-types.js";
import {
  type DifferenceGroup,
  groupCaseList,
  groupDifferences,
  groupedView,
  groupRequirementLabel,
} from "../../src/diff/group.js";
import {
  combine,
  contractPromise,
  DEPRECATED_API_STATUS,
  type DiffOutcome,
  RANDOM_SERVED_BY,
  type Running,
  runDiffCommand,
  SWAPPED_201_202,
  startTarget,
} from "./targets.js";

let contract: Contract;
const started: Running[] = [];

beforeAll(async () => {
  contract = await contractPromise;
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((target) => target.close()));
});

async function target(options: Parameters<typeof startTarget>[1] = {}): Promise<Running> {
  const running = await startTarget(contract, options);
  started.push(running);
  return running;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** Every rendering of one diff: the console and each text report. */
const renderings = (outcome: DiffOutcome) => ({
  console: outcome.out,
  "diff.md": outcome.files["diff.md"] ?? "",
  "diff.html": outcome.files["diff.html"] ?? "",
  "diff-junit.xml": outcome.files["diff-junit.xml"] ?? "",
});

const comparison = (id: string, differences: CaseComparison["differences"]): CaseComparison => ({
  id,
  description: id,
  requirements: [],
  status: differences.length > 0 ? "different" : "same",
  verdicts: {},
  differences,
  noise: [],
});

const apiStatus = (step: number) => ({
  kind: "body" as const,
  step,
  request: "GET /v1/account",
  where: "/meta/api_status",
  baseline: '"stable"',
  candidate: '"deprecated"',
  requirement: "meta-shape",
  level: "MUST" as const,
  checked: true,
  requirements: [{ id: "meta-shape", level: "MUST" as const, touches: true }],
});

describe("groupDifferences", () => {
  it("groups by kind, place and both values, counts cases once and keeps a difference of one case apart", () => {
    const status = {
      ...apiStatus(1),
      kind: "status" as const,
      where: undefined,
      baseline: "200",
      candidate: "201",
    };
    const cases = [
      comparison("a", [apiStatus(1), apiStatus(2)]),
      comparison("b", [apiStatus(1), status]),
      comparison("c", [{ ...apiStatus(1), candidate: '"experimental"' }]),
    ];
    const groups = groupDifferences(cases, "differences");
    expect(
      groups.map((group) => [group.where ?? group.kind, group.candidate, group.cases, group.occurrences]),
    ).toEqual([
      ["/meta/api_status", '"deprecated"', ["a", "b"], 3],
      ["status", "201", ["b"], 1],
      ["/meta/api_status", '"experimental"', ["c"], 1],
    ]);
    const view = groupedView(cases, "differences");
    expect(view.repeated).toHaveLength(1);
    expect(view.own.get("a")).toEqual([]);
    expect(view.own.get("b")).toEqual([status]);
    expect(view.inRepeated.get("a")).toBe(2);
    expect(groupRequirementLabel(groups[0] as DifferenceGroup)).toBe("MUST meta-shape");
    const mixed = groupDifferences(
      [...cases, comparison("d", [{ ...apiStatus(1), checked: false }])],
      "differences",
    );
    expect(mixed[0] && groupRequirementLabel(mixed[0])).toBe("MUST meta-shape; unchecked in 1 of 4");
  });

  it("bounds the list of cases", () => {
    const cases = Array.from({ length: 13 }, (_, index) => comparison(`case-${index}`, [apiStatus(1)]));
    const [group] = groupDifferences(cases, "differences");
    expect(group && groupCaseList(group)).toBe(
      "case-0, case-1, case-2, case-3, case-4, case-5, case-6, case-7, case-8, case-9 … and 3 more",
    );
  });
});

describe("diff with a difference in every case", () => {
  it("prints it once with its count in the console and every report, verdicts unchanged", async () => {
    const outcome = await runDiffCommand({
      baseline: await target(),
      candidate: await target({ tweaks: combine(DEPRECATED_API_STATUS, SWAPPED_201_202) }),
    });
    expect(outcome.code).toBe(1);
    const report = outcome.report;
    const withStatus = (report?.cases ?? []).filter((c) =>
      c.differences.some((d) => d.where === "/meta/api_status"),
    );
    expect(withStatus.length).toBeGreaterThan(20);
    // Per-case data is kept, and the summary still counts every difference.
    expect(report?.summary.differences).toBe(
      (report?.cases ?? []).reduce((sum, c) => sum + c.differences.length, 0),
    );
    const group = report?.groups.differences.find((g) => g.where === "/meta/api_status");
    expect(group).toMatchObject({ baseline: '"stable"', candidate: '"deprecated"' });
    expect(group?.cases).toEqual(withStatus.map((c) => c.id));

    const count = withStatus.length;
    const countShown = {
      console: `in ${count} cases: `,
      "diff.md": `| ${count}: `,
      "diff.html": `<td>${count}: <a href="#case-`,
      "diff-junit.xml": `in ${count} cases: `,
    };
    for (const [name, text] of Object.entries(renderings(outcome))) {
      const value = name === "diff.html" ? "&quot;deprecated&quot;" : '"deprecated"';
      expect(occurrences(text, value), name).toBe(1);
      expect(occurrences(text, countShown[name as keyof typeof countShown]), name).toBe(1);
    }
    expect(outcome.out).toMatch(
      new RegExp(
        `body /meta/api_status\\s+baseline: "stable" \\| candidate: "deprecated".*\\n\\s+in ${count} cases: `,
      ),
    );
    expect(outcome.files["diff.md"]).toMatch(new RegExp(`\\| ${count}: [^|]* … and ${count - 10} more \\|`));
    // A difference of one case stays shown with its case.
    const single = outcome.report?.groups.differences.find((g) => g.cases.length === 1);
    const only = single?.cases[0] ?? "(none)";
    expect(outcome.out).toMatch(new RegExp(`DIFF\\s+${only}.*\\n(\\s+step.*\\n)?\\s+${single?.kind}`));
  });

  it("groups noise too: one line per volatile header with the number of cases", async () => {
    const outcome = await runDiffCommand(
      {
        baseline: await target({ tweaks: RANDOM_SERVED_BY }),
        candidate: await target({ tweaks: RANDOM_SERVED_BY }),
        baseline2: await target({ tweaks: RANDOM_SERVED_BY }),
      },
      { verbose: true },
    );
    expect(outcome.code).toBe(0);
    const cases = outcome.report?.summary.cases ?? 0;
    const [group] = outcome.report?.groups.noise ?? [];
    expect(group).toMatchObject({ kind: "header", where: "x-served-by", baseline: "(varies)" });
    expect(group?.cases).toHaveLength(cases);
    for (const [name, text] of Object.entries(renderings(outcome))) {
      expect(occurrences(text, "node-"), name).toBe(0);
    }
    expect(occurrences(outcome.out, "header x-served-by")).toBe(1);
    expect(outcome.out).toContain(`in ${cases} cases: `);
  });
});
