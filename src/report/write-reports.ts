// Writes the chosen artifacts of a run into the report directory, all rendered from one redacted document.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../config-error.js";
import { renderHar } from "./har.js";
import { renderHtml } from "./html.js";
import { renderJUnit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { ResultsDocument } from "./model.js";
import { REPORT_FILES, REPORTERS, type ReporterName } from "./reporters.js";

export { REPORT_FILES, REPORTERS, type ReporterName } from "./reporters.js";

const RENDERERS: Record<ReporterName, (document: ResultsDocument) => string> = {
  junit: renderJUnit,
  json: (document) => `${JSON.stringify(document, null, 2)}\n`,
  html: renderHtml,
  har: renderHar,
  markdown: renderMarkdown,
};

/** --reporter values (repeated or comma-separated); every reporter when none is named. */
export function parseReporters(names: readonly string[] | undefined): ReporterName[] {
  if (names === undefined || names.length === 0) {
    return [...REPORTERS];
  }
  const unknown = names.filter((name) => !(REPORTERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown reporter ${unknown.join(", ")}: choose from ${REPORTERS.join(", ")}`);
  }
  return REPORTERS.filter((name) => names.includes(name));
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

/** Writes each chosen artifact and returns the paths written, in REPORTERS order. */
export async function writeReports(
  dir: string,
  document: ResultsDocument,
  reporters: readonly ReporterName[],
): Promise<string[]> {
  await prepareReportDir(dir);
  const written: string[] = [];
  for (const name of reporters) {
    const path = join(dir, REPORT_FILES[name]);
    await writeFile(path, RENDERERS[name](document), "utf8");
    written.push(path);
  }
  return written;
}
