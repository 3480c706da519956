// The one reporter registry of `run` and `diff`: each reporter's files per mode and its renderer, loaded only to write.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../config-error.js";
import type { DiffRun } from "../diff/diff-types.js";
import type { ResultsDocument } from "../report/model.js";

/** What each mode's reports are rendered from: a run's redacted results document, a diff's redacted comparison. */
export interface ReportInputs {
  run: ResultsDocument;
  diff: DiffRun;
}

export type ReportMode = keyof ReportInputs;

/** The files one reporter writes for one input: name inside --report-dir → text. */
export type ReportFiles = [file: string, text: string][];

export interface ModeReport<Mode extends ReportMode> {
  /** The file it writes inside --report-dir, as --help shows it (a pattern when it writes one per side). */
  file: string;
  /**
   * Loads the renderer (a dynamic import, so `--help`, `--version` and a run without --report-dir never load it)
   * and returns what it writes for one input.
   */
  load(): Promise<(input: ReportInputs[Mode]) => ReportFiles>;
}

/** One reporter: the modes it serves, each with its file and renderer. */
export type Reporter = { [Mode in ReportMode]?: ModeReport<Mode> };

/** A reporter writing one file from its mode's input. */
function single<Mode extends ReportMode>(
  file: string,
  load: () => Promise<(input: ReportInputs[Mode]) => string>,
): ModeReport<Mode> {
  return {
    file,
    load: async () => {
      const render = await load();
      return (input) => [[file, render(input)]];
    },
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/*
 * Every reporter, in the order they are listed and written. A diff's files are named apart from a run's, so both
 * can share a folder. Adding a reporter is one entry here; test/report/reporters.test.ts renders each mode it claims.
 */
export const REPORTERS = {
  junit: {
    run: single("junit.xml", async () => (await import("../report/junit.js")).renderJUnit),
    diff: single("diff-junit.xml", async () => {
      const { renderDiffJUnit } = await import("../diff/artifacts.js");
      return (run: DiffRun) => renderDiffJUnit(run.report);
    }),
  },
  json: {
    run: single("results.json", async () => json),
    diff: single("diff.json", async () => (run: DiffRun) => json(run.report)),
  },
  html: {
    run: single("report.html", async () => (await import("../report/html.js")).renderHtml),
    diff: single("diff.html", async () => {
      const { renderDiffHtml } = await import("../diff/artifacts.js");
      return (run: DiffRun) => renderDiffHtml(run.report);
    }),
  },
  har: {
    run: single("exchanges.har", async () => (await import("../report/har.js")).renderHar),
    // One file per side (baseline, candidate, baseline-2): see src/diff/har.ts for why.
    diff: {
      file: "diff-{baseline,candidate,baseline-2}.har",
      load: async () => (await import("../diff/har.js")).renderDiffHars,
    },
  },
  markdown: {
    run: single("summary.md", async () => (await import("../report/markdown.js")).renderMarkdown),
    diff: single("diff.md", async () => {
      const { formatDiffMarkdown } = await import("../diff/report.js");
      return (run: DiffRun) => formatDiffMarkdown(run.report);
    }),
  },
  ctrf: {
    // The Common Test Report Format JSON that CI test-report actions read; run only (a diff is no test run).
    run: single("ctrf.json", async () => (await import("../report/ctrf.js")).renderCtrf),
  },
} as const satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof REPORTERS;

/** The reporters of one mode, in registry order. */
export function reportersOf(mode: ReportMode): ReporterName[] {
  return (Object.keys(REPORTERS) as ReporterName[]).filter(
    (name) => (REPORTERS[name] as Reporter)[mode] !== undefined,
  );
}

function modeReport<Mode extends ReportMode>(name: ReporterName, mode: Mode): ModeReport<Mode> {
  const report = (REPORTERS[name] as Reporter)[mode];
  if (report === undefined) {
    throw new ConfigError(`the ${name} reporter writes nothing for ${mode}`);
  }
  return report as ModeReport<Mode>;
}

/** --report-dir's help: each file of the mode and the reporter writing it. */
export function reportFilesHelp(mode: ReportMode): string {
  return reportersOf(mode)
    .map((name) => `${modeReport(name, mode).file} (${name})`)
    .join(", ");
}

/** --reporter values (repeated or comma-separated) for one mode; every reporter of the mode when none is named. */
export function parseReporters(
  names: readonly string[] | undefined,
  mode: ReportMode = "run",
): ReporterName[] {
  const known = reportersOf(mode);
  if (names === undefined || names.length === 0) {
    return known;
  }
  const unknown = names.filter((name) => !(known as string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `unknown reporter ${unknown.join(", ")}${mode === "run" ? "" : ` for ${mode}`}: choose from ${known.join(", ")}`,
    );
  }
  return known.filter((name) => names.includes(name));
}

/** Creates the directory up front, so a path that cannot be written is exit 2 before any case runs. */
export async function prepareReportDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new ConfigError(
      `cannot create the report directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/**
 * Writes the chosen reporters' files for one mode and returns the paths written, in registry order (a diff's
 * HARs in side order). The input must be redacted already: nothing here looks at its values.
 */
export async function writeReports<Mode extends ReportMode>(
  dir: string,
  mode: Mode,
  input: ReportInputs[Mode],
  reporters: readonly ReporterName[] = reportersOf(mode),
): Promise<string[]> {
  await prepareReportDir(dir);
  const written: string[] = [];
  for (const name of reportersOf(mode).filter((known) => reporters.includes(known))) {
    const render = await modeReport(name, mode).load();
    for (const [file, text] of render(input)) {
      const path = join(dir, file);
      await writeFile(path, text, "utf8");
      written.push(path);
    }
  }
  return written;
}
