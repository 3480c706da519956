// What `run` prints: a short default (a progress line on a terminal, then only what did not pass), the outcome banner first, --verbose and --quiet.
import { describe, expect, it } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { formatCaseLine, formatRunHeader } from "../../src/cli/console-report.js";
import { main } from "../../src/cli/main.js";
import type { Output } from "../../src/cli/run-command.js";
import { loadContract } from "../../src/contract/contract.js";
import type { CaseResult } from "../../src/runner/results.js";
import type { TargetConfig } from "../../src/runner/target.js";

/** How many cases each profile runs: read from the cases, so adding one changes no test. */
const allCases = await loadCases(await loadContract());
const openCount = allCases.filter((testCase) => testCase.profiles.includes("registration-open")).length;
const sunsetCount = allCases.filter((testCase) => testCase.profiles.includes("sunset")).length;
const total = openCount + sunsetCount;

/** What a run printed: stdout's lines, and each rewrite of the live line when it ran on a (pretend) terminal. */
interface Printed {
  exitCode: number;
  lines: string[];
  live: string[];
  /** stdout lines and live rewrites in the order they happened, live ones prefixed with "live:". */
  events: string[];
}

async function run(args: string[], terminal: boolean): Promise<Printed> {
  const printed: Printed = { exitCode: -1, lines: [], live: [], events: [] };
  const output: Output = {
    out: (text) => {
      const lines = text.split("\n");
      printed.lines.push(...lines);
      printed.events.push(...lines);
    },
    err: (text) => printed.events.push(`err:${text}`),
    style: { color: false },
    ...(terminal
      ? {
          live: (line: string) => {
            printed.live.push(line);
            printed.events.push(`live:${line}`);
          },
        }
      : {}),
  };
  printed.exitCode = await main(["node", "wa-account-conformance", "run", ...args], {}, output);
  return printed;
}

/** The lines from the summary block's first rule on. */
function summaryBlock(lines: string[]): string[] {
  const start = lines.findIndex((line) => /^={20,}$/.test(line));
  return start < 0 ? [] : lines.slice(start);
}

const CASE_LINE = /^ {2}(PASS|FAIL|WARN|INFO|SKIP|ERROR)\b/;

describe("run on the embedded reference (conformant)", () => {
  it("prints at most 30 lines in CI (no terminal), no case that passed, and the banner first in the summary", async () => {
    const printed = await run([], false);
    expect(printed.exitCode).toBe(0);
    expect(printed.lines.length, printed.lines.join("\n")).toBeLessThanOrEqual(30);
    expect(printed.lines.filter((line) => CASE_LINE.test(line))).toEqual([]);
    expect(printed.live).toEqual([]);
    const block = summaryBlock(printed.lines);
    expect(block.slice(0, 4)).toEqual([
      "=".repeat(60),
      "  CONFORMANT",
      "  Conformant: exit 0",
      "=".repeat(60),
    ]);
    expect(block[4]).toMatch(new RegExp(`^Summary: ${total} case runs in 2 profile\\(s\\)`));
    // The header says what is true of the embedded reference: a name that is not its URL, its state hook.
    expect(printed.lines).toContainEqual(
      expect.stringMatching(
        /^registration-open: embedded reference \(registration-open\) at http:\/\/127\.0\.0\.1:\d+; states through the provider-state hook http:\/\/127\.0\.0\.1:\d+\//,
      ),
    );
  });

  it("on a terminal shows [n/total] progress in place, cleared before anything else is printed", async () => {
    const printed = await run([], true);
    expect(printed.exitCode).toBe(0);
    expect(printed.lines.length).toBeLessThanOrEqual(30);
    const progress = printed.live.filter((line) => line !== "");
    expect(progress).toHaveLength(total);
    expect(progress[0]).toMatch(new RegExp(`^\\[1/${openCount}\\] registration-open \\S+$`));
    expect(progress).toContainEqual(
      expect.stringMatching(new RegExp(`^\\[${openCount}/${openCount}\\] registration-open \\S+$`)),
    );
    expect(progress.at(-1)).toMatch(new RegExp(`^\\[${sunsetCount}/${sunsetCount}\\] sunset \\S+$`));
    // Every stdout line after a progress line comes after the live line was cleared.
    let live = false;
    for (const event of printed.events) {
      if (event.startsWith("live:")) {
        live = event !== "live:";
      } else {
        expect(live, `"${event}" printed over the progress line`).toBe(false);
      }
    }
  });

  it("--verbose prints every case and the full requirement tables", async () => {
    const printed = await run(["--verbose"], false);
    expect(printed.exitCode).toBe(0);
    expect(printed.lines.filter((line) => CASE_LINE.test(line))).toHaveLength(total);
    expect(printed.lines).toContain("Requirements of sunset (cases that exercised each):");
    expect(
      printed.lines.filter((line) => /^ {2}\S+\s+(MUST|SHOULD|MAY)\s+\d+\s+PASS/.test(line)).length,
    ).toBe(63);
    expect(printed.live).toEqual([]);
  });

  it("--quiet prints only the summary block", async () => {
    const printed = await run(["--quiet"], true);
    expect(printed.exitCode).toBe(0);
    expect(printed.live).toEqual([]);
    expect(printed.lines.filter((line) => line !== "")).toEqual(
      summaryBlock(printed.lines).filter((line) => line !== ""),
    );
    expect(printed.lines.length).toBeLessThanOrEqual(6);
  });
});

describe("run --quiet --verbose", () => {
  it("is a usage error (exit 2): the two ask for opposite outputs", async () => {
    const printed = await run(["--quiet", "--verbose"], false);
    expect(printed.exitCode).toBe(2);
    expect(printed.events.join("\n")).toContain("'--quiet' cannot be used with option '--verbose'");
  });
});

describe("a case that did not pass, on its one CI line", () => {
  const result: CaseResult = {
    id: "register-something",
    description: "registers something",
    profile: "registration-open",
    requirements: [{ id: "no-5xx-for-client-input", level: "MUST" }],
    verdict: "FAIL",
    failures: [
      {
        requirement: "no-5xx-for-client-input",
        level: "MUST",
        check: "status",
        expected: "status 202",
        received: "status 500\nwith a body",
        step: 1,
      },
      {
        requirement: "responses-carry-meta",
        level: "SHOULD",
        check: "meta",
        expected: "meta",
        received: "none",
        step: 1,
      },
    ],
    observations: [],
    exchanges: [],
    durationMs: 1,
  };

  it("gives the first broken check with what was expected and received, and how many more", () => {
    expect(formatCaseLine(result, { color: false })).toBe(
      "  FAIL  register-something  no-5xx-for-client-input (MUST): expected status 202, received status 500 with a body (+1 more)",
    );
  });

  it("gives a skip's reason and the entry that excused a failure", () => {
    expect(
      formatCaseLine(
        { ...result, verdict: "SKIP", failures: [], reason: "state x needs y" },
        { color: false },
      ),
    ).toBe("  SKIP  register-something  state x needs y");
    expect(
      formatCaseLine(result, { color: false }, [
        { kind: "case", id: "register-something", reason: "ticket" },
      ]),
    ).toMatch(/^ {2}FAIL \(excused\) register-something .*; excused by case register-something: ticket$/);
  });
});

describe("the target's header line", () => {
  const target: TargetConfig = {
    url: "http://127.0.0.1:9090",
    name: "http://127.0.0.1:9090",
    profile: "registration-open",
    states: {},
    timeoutMs: 1,
    insecure: false,
    concurrency: 1,
    strict: false,
  };

  it("names the target only when the name is not its URL", () => {
    expect(formatRunHeader(target)).toMatch(/^\nregistration-open: http:\/\/127\.0\.0\.1:9090; /);
    expect(formatRunHeader({ ...target, name: "vendor" })).toMatch(
      /^\nregistration-open: vendor at http:\/\/127\.0\.0\.1:9090; /,
    );
  });

  it("says how states are reached: the hook, the config file's data, or neither", () => {
    expect(formatRunHeader({ ...target, stateUrl: "http://127.0.0.1:9090/hook" })).toContain(
      "states through the provider-state hook http://127.0.0.1:9090/hook",
    );
    expect(formatRunHeader({ ...target, states: { "code-sent": true } }, "target.yaml")).toContain(
      "with the state data of target.yaml",
    );
    const bare = formatRunHeader(target);
    expect(bare).toContain("no state hook and no state data");
    expect(bare).not.toContain("config");
  });
});
