// The names of a run's reporters and the file each writes: a leaf, so `run --help` need not load the renderers.
export const REPORTERS = ["junit", "json", "html", "har", "markdown"] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The file each reporter writes, inside --report-dir. */
export const REPORT_FILES: Record<ReporterName, string> = {
  junit: "junit.xml",
  json: "results.json",
  html: "report.html",
  har: "exchanges.har",
  markdown: "summary.md",
};
