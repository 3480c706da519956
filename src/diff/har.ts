// The diff's HAR files, one per side, rendered by the run's HAR writer from the exchanges runDiffWithExchanges kept.
import { type HarPageInput, renderHarLog } from "../report/har.js";
import { kitInfo } from "../report/manifest.js";
import { exchangeDocs } from "../report/model.js";
import type { DiffRun, SideExchanges, SideInfo } from "./diff-types.js";

/*
 * One file per side rather than one for the whole diff: browsers' network panels (Chrome, Firefox, Safari) and
 * proxies such as Charles or Fiddler import a HAR as one flat list and show neither its pages nor its comments, so
 * in one file two sides on the same host (the diff allows it) could not be told apart. Files per side open side
 * by side, feed tools that compare two HARs, and list the cases in the same order (diff.json's), so they line up.
 */
export const DIFF_HAR_FILES: Record<SideInfo["role"], string> = {
  baseline: "diff-baseline.har",
  candidate: "diff-candidate.har",
  "baseline-2": "diff-baseline-2.har",
};

/** The HAR of one side: one page named after the side, an entry per exchange naming the case, step and outcome. */
export function renderDiffHar(side: SideExchanges): string {
  const { role, name, url, resultsFile } = side.side;
  const where = side.recorded ? `recorded in ${resultsFile ?? "a results file"}` : (url ?? "");
  const page: HarPageInput = {
    id: `diff_${role}`,
    startedAt: side.startedAt,
    title: `${role}: ${name}${where === "" || where === name ? "" : ` (${where})`}`,
    entries: side.cases.flatMap((testCase) =>
      exchangeDocs(testCase.exchanges, testCase.startedAt).map((exchange) => ({
        exchange,
        comment: `${testCase.id} step ${exchange.step} on ${role}: ${testCase.verdict}, diff ${testCase.status}${
          side.recorded ? " (recorded earlier, not sent by this diff)" : ""
        }`,
      })),
    ),
  };
  return renderHarLog(kitInfo(), side.secretsRedacted, [page]);
}

/** Every side's HAR file of a diff, in side order (baseline, candidate, baseline-2): file name → text. */
export function renderDiffHars(run: DiffRun): [file: string, text: string][] {
  return run.exchanges.map((side) => [DIFF_HAR_FILES[side.side.role], renderDiffHar(side)]);
}
