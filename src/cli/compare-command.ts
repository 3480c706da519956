// `compare`: reads results.json files of several runs and writes the case × implementation grid as HTML and JSON.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { prepareReportDir } from "../pipeline/reporters.js";
import { compareResults, readResults } from "../report/compare.js";
import { renderCompareHtml } from "../report/compare-html.js";
import type { Output } from "./run-command.js";

export interface CompareFlags {
  out: string;
}

export const COMPARE_FILES = { html: "compare.html", json: "compare.json" } as const;

/** Exit 0 once the grid is written (differences are the point, not a failure); a bad input file is exit 2. */
export async function compareCommand(files: string[], flags: CompareFlags, output: Output): Promise<number> {
  const inputs = [];
  for (const file of files) {
    inputs.push({ file, document: await readResults(file) });
  }
  const comparison = compareResults(inputs);
  await prepareReportDir(flags.out);
  const htmlPath = join(flags.out, COMPARE_FILES.html);
  const jsonPath = join(flags.out, COMPARE_FILES.json);
  await writeFile(htmlPath, renderCompareHtml(comparison), "utf8");
  await writeFile(jsonPath, `${JSON.stringify(comparison, null, 2)}\n`, "utf8");
  for (const note of comparison.notes) {
    output.out(`Note: ${note}`);
  }
  for (const [index, implementation] of comparison.implementations.entries()) {
    output.out(`${index + 1}. ${implementation.summary}`);
  }
  const differing = comparison.requirements.flatMap((row) => row.cases).filter((row) => row.differs).length;
  output.out(`${differing} case(s) differ between implementations. Wrote ${htmlPath} and ${jsonPath}`);
  return 0;
}
