// Known failures of one target: reads an expected-failures file, excuses what it lists, finds stale and expired entries.
import { ConfigError } from "../config-error.js";
import type { ProfileName } from "../contract/contract.js";
import { readDataFile } from "../data-file.js";
import type { CaseResult, Excusals, ProfileRun, Verdict } from "../runner/results.js";
import { describeErrors, validatorFor } from "../schemas.js";

/** One entry as written in the file. */
export interface BaselineEntry {
  case?: string;
  requirement?: string;
  reason: string;
  issue?: string;
  expires?: string;
}

/** An entry, normalized: what it names and why. */
export interface Excuse {
  kind: "case" | "requirement";
  id: string;
  reason: string;
  issue?: string;
  expires?: string;
}

/**
 * in-use: the target still fails what the entry names; stale: it now passes (remove the entry); expired: past
 * its date; not-run: nothing it names ran to a verdict (not selected, other profile, skipped).
 */
export type EntryStatus = "in-use" | "stale" | "expired" | "not-run";

export interface EntryOutcome {
  entry: Excuse;
  status: EntryStatus;
  /** Case results and unexercised requirements it excused. */
  excused: number;
  /** For stale and expired entries: what is wrong and what to do. */
  message?: string;
}

export interface BaselineOutcome {
  file: string;
  entries: EntryOutcome[];
  /** One line per stale or expired entry; any of them fails the run. */
  problems: string[];
}

/** Verdicts an entry can excuse: those that fail a run (WARN only under --strict, but excusing it is harmless). */
const EXCUSABLE: ReadonlySet<Verdict> = new Set<Verdict>(["FAIL", "ERROR", "WARN"]);
/** Verdicts that show the target no longer fails what an entry names. */
const PASSING: ReadonlySet<Verdict | "UNEXERCISED"> = new Set<Verdict | "UNEXERCISED">(["PASS", "INFO"]);

const label = (excuse: Excuse) => `${excuse.kind} ${excuse.id}`;

/** Today's date in UTC as YYYY-MM-DD, the form `expires` is written in. */
export function utcDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export class Baseline {
  readonly #byCase = new Map<string, Excuse>();
  readonly #byRequirement = new Map<string, Excuse>();

  /** `today` is YYYY-MM-DD; an entry expiring today still excuses. */
  constructor(
    readonly file: string,
    readonly entries: readonly Excuse[],
    readonly today: string,
  ) {
    for (const entry of entries) {
      (entry.kind === "case" ? this.#byCase : this.#byRequirement).set(entry.id, entry);
    }
  }

  isExpired(entry: Excuse): boolean {
    return entry.expires !== undefined && entry.expires < this.today;
  }

  #active(entry: Excuse | undefined): Excuse | undefined {
    return entry === undefined || this.isExpired(entry) ? undefined : entry;
  }

  /**
   * The entries that excuse a case result, or undefined when it is not excused: a case entry excuses its FAIL,
   * ERROR or WARN; requirement entries excuse a FAIL or WARN when every failure that decides the verdict
   * (MUST ones; SHOULD ones too under --strict or for a WARN) is on an excused requirement.
   */
  excuseFor(result: CaseResult, strict: boolean): Excuse[] | undefined {
    if (!EXCUSABLE.has(result.verdict)) {
      return undefined;
    }
    const byCase = this.#active(this.#byCase.get(result.id));
    if (byCase) {
      return [byCase];
    }
    if (result.verdict === "ERROR") {
      // An ERROR has no failure to pin on a requirement: only its case can be excused.
      return undefined;
    }
    const deciding = result.failures.filter(
      (failure) =>
        failure.level === "MUST" || (failure.level === "SHOULD" && (strict || result.verdict === "WARN")),
    );
    if (deciding.length === 0) {
      return undefined;
    }
    const excuses = new Map<string, Excuse>();
    for (const failure of deciding) {
      const entry = this.#active(this.#byRequirement.get(failure.requirement));
      if (!entry) {
        return undefined;
      }
      excuses.set(entry.id, entry);
    }
    return [...excuses.values()];
  }

  /** The entry that excuses a MUST requirement no case exercised (the target cannot reach its states). */
  excuseForUnexercised(requirementId: string): Excuse[] | undefined {
    const entry = this.#active(this.#byRequirement.get(requirementId));
    return entry ? [entry] : undefined;
  }

  /** Which entries were used, which are stale or expired; the problems fail the run. */
  evaluate(runs: ProfileRun[], strict: boolean): BaselineOutcome {
    const excusedCount = new Map<Excuse, number>();
    const bump = (excuses: Excuse[] | undefined) => {
      for (const excuse of excuses ?? []) {
        excusedCount.set(excuse, (excusedCount.get(excuse) ?? 0) + 1);
      }
    };
    for (const run of runs) {
      for (const result of run.results) {
        bump(this.excuseFor(result, strict));
      }
      for (const outcome of run.requirements) {
        if (outcome.requirement.level === "MUST" && outcome.verdict === "UNEXERCISED") {
          bump(this.excuseForUnexercised(outcome.requirement.id));
        }
      }
    }
    const problems: string[] = [];
    const entries = this.entries.map((entry): EntryOutcome => {
      const excused = excusedCount.get(entry) ?? 0;
      if (this.isExpired(entry)) {
        const message = `the expected failure for ${label(entry)} expired on ${entry.expires} ("${entry.reason}"): fix the target or renew the entry in ${this.file}`;
        problems.push(message);
        return { entry, status: "expired", excused, message };
      }
      const seen = this.#verdictsOf(entry, runs);
      if (seen.length === 0) {
        return { entry, status: "not-run", excused };
      }
      if (seen.every((item) => PASSING.has(item.verdict))) {
        const where = seen.map((item) => `${item.verdict} in ${item.profile}`).join(", ");
        const what = entry.kind === "case" ? "the case now passes" : "the requirement no longer fails";
        const message = `the expected failure for ${label(entry)} is stale: ${what} (${where}); remove the entry from ${this.file}`;
        problems.push(message);
        return { entry, status: "stale", excused, message };
      }
      return { entry, status: "in-use", excused };
    });
    return { file: this.file, entries, problems };
  }

  /** The verdicts an entry's case or requirement got, in every profile where it ran to one. */
  #verdictsOf(
    entry: Excuse,
    runs: ProfileRun[],
  ): { profile: ProfileName; verdict: Verdict | "UNEXERCISED" }[] {
    const seen: { profile: ProfileName; verdict: Verdict | "UNEXERCISED" }[] = [];
    for (const run of runs) {
      if (entry.kind === "case") {
        for (const result of run.results) {
          if (result.id === entry.id && result.verdict !== "SKIP") {
            seen.push({ profile: run.profile, verdict: result.verdict });
          }
        }
      } else {
        for (const outcome of run.requirements) {
          const unexercised = outcome.verdict === "UNEXERCISED";
          // An unexercised SHOULD or MAY requirement says nothing either way.
          if (outcome.requirement.id === entry.id && (!unexercised || outcome.requirement.level === "MUST")) {
            seen.push({ profile: run.profile, verdict: outcome.verdict });
          }
        }
      }
    }
    return seen;
  }
}

export interface KnownIds {
  cases: Iterable<string>;
  requirements: Iterable<string>;
}

/**
 * Reads and validates an expected-failures file (YAML, or JSON by its .json extension). Every problem is a
 * ConfigError (exit 2) naming the entry: a format error, an unknown case or requirement id, a duplicate.
 */
export async function loadBaseline(
  path: string,
  known: KnownIds,
  today: string = utcDate(),
): Promise<Baseline> {
  const data = await readDataFile(path, "the expected-failures file");
  const validate = validatorFor("expectedFailures");
  if (!validate(data)) {
    const oneOf = (validate.errors ?? []).filter((error) => error.keyword === "oneOf");
    const hints = oneOf.map(
      (error) => `  ${error.instancePath}: give exactly one of "case" or "requirement"`,
    );
    throw new ConfigError(
      `the expected-failures file ${path} is invalid:\n${[describeErrors(validate.errors), ...hints]
        .filter(Boolean)
        .join("\n")}`,
    );
  }
  const raw = (data as { expectedFailures: BaselineEntry[] }).expectedFailures;
  const caseIds = new Set(known.cases);
  const requirementIds = new Set(known.requirements);
  const problems: string[] = [];
  const seen = new Set<string>();
  const entries = raw.map((item, index): Excuse => {
    const kind = item.case !== undefined ? "case" : "requirement";
    const id = (item.case ?? item.requirement) as string;
    const where = `/expectedFailures/${index}`;
    if (kind === "case" && !caseIds.has(id)) {
      problems.push(`  ${where}: unknown case id ${id} (wa-account-conformance list shows them all)`);
    }
    if (kind === "requirement" && !requirementIds.has(id)) {
      problems.push(`  ${where}: unknown requirement id ${id} (see x-requirements in openapi/openapi.yaml)`);
    }
    if (seen.has(`${kind}:${id}`)) {
      problems.push(`  ${where}: ${kind} ${id} is listed twice`);
    }
    seen.add(`${kind}:${id}`);
    return {
      kind,
      id,
      reason: item.reason,
      ...(item.issue === undefined ? {} : { issue: item.issue }),
      ...(item.expires === undefined ? {} : { expires: item.expires }),
    };
  });
  if (problems.length > 0) {
    throw new ConfigError(`the expected-failures file ${path} is invalid:\n${problems.join("\n")}`);
  }
  return new Baseline(path, entries, today);
}

/** The baseline as summarize() sees it: what it excuses, and the stale or expired entries that fail the run. */
export function toExcusals(baseline: Baseline, strict: boolean, outcome: BaselineOutcome): Excusals {
  return {
    isExcused: (result) => baseline.excuseFor(result, strict) !== undefined,
    isUnexercisedExcused: (_profile, id) => baseline.excuseForUnexercised(id) !== undefined,
    problems: outcome.problems,
  };
}
