// The names of the diff's reporters and the file each writes: a leaf, so `diff --help` need not load the renderers.
export const DIFF_REPORTERS = ["json", "markdown", "junit", "html", "har"] as const;
export type DiffReporterName = (typeof DIFF_REPORTERS)[number];

/**
 * The file each reporter writes inside --report-dir; named apart from a run's, so both can share a folder. The
 * HAR reporter writes one file per side (DIFF_HAR_FILES), so its entry is the pattern shown in --help.
 */
export const DIFF_REPORT_FILES: Record<DiffReporterName, string> = {
  json: "diff.json",
  markdown: "diff.md",
  junit: "diff-junit.xml",
  html: "diff.html",
  har: "diff-{baseline,candidate,baseline-2}.har",
};
