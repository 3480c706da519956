// Reads the results file of an earlier run as a diff baseline: tolerant of its shape, strict about what a diff needs.
import { readFile } from "node:fs/promises";
import { ConfigError } from "../config-error.js";
import { PROFILES, type ProfileName } from "../contract/contract.js";
import type { Exchange, IncomingResponse } from "../exchange.js";
import { RESULTS_SCHEMA_VERSION } from "../report/model.js";
import { type CaseResult, type Failure, VERDICTS, type Verdict } from "../runner/results.js";

/**
 * A baseline that is no longer running: the cases of one profile as an earlier run recorded them.
 *
 * The results.json that `run --report-dir` writes (src/report/model.ts, schemas/results.schema.json) is read as
 * is. Other shapes are accepted too (anything else in them is ignored), as JSON:
 * - `{"runs": [run, ...]}`, a bare `[run, ...]`, or one `run`; a run is `{"profile"?, "target"?: {"name",
 *   "url"} (or "targetName", "targetUrl"), "cases" or "results": [result, ...]}` (results.json's RunDoc, or a
 *   `ProfileRun` of src/runner/results.ts written as JSON);
 * - a result: `{"id", "verdict", "reason"?, "profile"?, "failures"?: [{"requirement", "check", "step"}],
 *   "exchanges": [exchange, ...]}`;
 * - an exchange: `{"request": {"method", "path" or "url", "body"?}, "response": {"status", "headers"?,
 *   and the body as "body" (text, as results.json has it, or a JSON value), "bodyText" or "json"}}`.
 */
export interface RecordedBaseline {
  file: string;
  profile: ProfileName | undefined;
  targetName: string | undefined;
  targetUrl: string | undefined;
  /** Whether the file's secrets were redacted (results.json's manifest.secretsRedacted): the live side must be too. */
  secretsRedacted: boolean;
  /** Cases whose recorded response body was cut (results.json keeps 64 KiB of a body). */
  truncated: Set<string>;
  /** When each case started in the earlier run (ms since the epoch), where the file says: dates its HAR entries. */
  startedAt: Map<string, number>;
  results: Map<string, CaseResult>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

class Reader {
  constructor(readonly file: string) {}

  fail(where: string, problem: string): never {
    throw new ConfigError(`the baseline results ${this.file} cannot be used: ${where} ${problem}`);
  }

  object(value: unknown, where: string): Json {
    return isObject(value) ? value : this.fail(where, "must be an object");
  }

  string(value: unknown, where: string): string {
    return typeof value === "string" ? value : this.fail(where, "must be a string");
  }

  optionalString(value: unknown, where: string): string | undefined {
    return value === undefined ? undefined : this.string(value, where);
  }
}

function headersOf(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (isObject(value)) {
    for (const [name, item] of Object.entries(value)) {
      if (typeof item === "string" || typeof item === "number") {
        headers[name.toLowerCase()] = String(item);
      } else if (Array.isArray(item)) {
        headers[name.toLowerCase()] = item.map(String).join(", ");
      }
    }
  }
  return headers;
}

/** The body as the run saw it: text and, when the text is JSON, its parsed value. */
function bodyOf(response: Json): Pick<IncomingResponse, "bodyText" | "json" | "isJson"> {
  const parse = (text: string) => {
    if (text.trim() === "") {
      return { bodyText: text, json: undefined, isJson: false };
    }
    try {
      return { bodyText: text, json: JSON.parse(text) as unknown, isJson: true };
    } catch {
      return { bodyText: text, json: undefined, isJson: false };
    }
  };
  if ("json" in response && response.json !== undefined && response.isJson !== false) {
    const text = typeof response.bodyText === "string" ? response.bodyText : JSON.stringify(response.json);
    return { bodyText: text, json: response.json, isJson: true };
  }
  if (typeof response.bodyText === "string") {
    return parse(response.bodyText);
  }
  if (typeof response.body === "string") {
    return parse(response.body);
  }
  if (response.body !== undefined && response.body !== null) {
    return { bodyText: JSON.stringify(response.body), json: response.body, isJson: true };
  }
  return { bodyText: "", json: undefined, isJson: false };
}

function readExchange(reader: Reader, value: unknown, where: string): Exchange {
  const exchange = reader.object(value, where);
  const request = reader.object(exchange.request, `${where}.request`);
  const response = reader.object(exchange.response, `${where}.response`);
  const method = reader.string(request.method, `${where}.request.method`);
  const url = reader.optionalString(request.url, `${where}.request.url`);
  let path = reader.optionalString(request.path, `${where}.request.path`);
  if (path === undefined && url !== undefined) {
    try {
      path = new URL(url).pathname;
    } catch {
      reader.fail(`${where}.request.url`, "is not a URL");
    }
  }
  if (path === undefined) {
    reader.fail(`${where}.request`, "needs a path (or url)");
  }
  const status = response.status;
  if (typeof status !== "number" || !Number.isInteger(status)) {
    reader.fail(`${where}.response.status`, "must be a whole number");
  }
  const body =
    typeof request.body === "string"
      ? request.body
      : request.body === undefined || request.body === null
        ? undefined
        : JSON.stringify(request.body);
  return {
    request: {
      method,
      path,
      url: url ?? path,
      headers: headersOf(request.headers),
      ...(body === undefined ? {} : { body }),
    },
    response: {
      status,
      headers: headersOf(response.headers),
      ...bodyOf(response),
      // results.json keeps the duration on the exchange, a ProfileRun on its response.
      durationMs:
        typeof response.durationMs === "number"
          ? response.durationMs
          : typeof exchange.durationMs === "number"
            ? exchange.durationMs
            : 0,
    },
  };
}

function readResult(reader: Reader, value: unknown, where: string, profile: ProfileName): CaseResult {
  const result = reader.object(value, where);
  const id = reader.string(result.id, `${where}.id`);
  const verdict = reader.string(result.verdict, `${where}.verdict`);
  if (!(VERDICTS as string[]).includes(verdict)) {
    reader.fail(`${where}.verdict`, `must be one of ${VERDICTS.join(", ")}, not ${JSON.stringify(verdict)}`);
  }
  const exchanges = result.exchanges === undefined ? [] : result.exchanges;
  if (!Array.isArray(exchanges)) {
    reader.fail(`${where}.exchanges`, "must be a list");
  }
  const reason = reader.optionalString(result.reason, `${where}.reason`);
  // The checks that failed, so a diff can tell which requirements a difference newly breaks; optional.
  const failures = (Array.isArray(result.failures) ? result.failures : []).flatMap((item): Failure[] =>
    isObject(item) &&
    typeof item.requirement === "string" &&
    typeof item.check === "string" &&
    typeof item.step === "number"
      ? [
          {
            requirement: item.requirement,
            level: item.level === "SHOULD" || item.level === "MAY" ? item.level : "MUST",
            check: item.check,
            step: item.step,
            expected: typeof item.expected === "string" ? item.expected : "",
            received: typeof item.received === "string" ? item.received : "",
          },
        ]
      : [],
  );
  return {
    id,
    description: typeof result.description === "string" ? result.description : "",
    profile,
    requirements: [],
    verdict: verdict as Verdict,
    ...(reason === undefined ? {} : { reason }),
    failures,
    observations: [],
    exchanges: exchanges.map((item, index) => readExchange(reader, item, `${where}.exchanges[${index}]`)),
    durationMs: 0,
  };
}

/**
 * Reads the runs of a results file and keeps the one of `profile` (or the only one there is). Each problem names
 * the place in the file, e.g. "runs[0].results[3].exchanges[0].response.status must be a whole number".
 */
export async function readBaselineResults(
  file: string,
  profile: ProfileName | undefined,
): Promise<RecordedBaseline> {
  const reader: Reader = new Reader(file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read the baseline results ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the baseline results ${file} are not valid JSON: ${(error as Error).message}`);
  }
  if (isObject(data) && data.schemaVersion !== undefined && data.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    reader.fail(
      "schemaVersion",
      `is ${JSON.stringify(data.schemaVersion)}; this kit reads version ${RESULTS_SCHEMA_VERSION}`,
    );
  }
  let runs: unknown[];
  let prefix: string;
  if (Array.isArray(data)) {
    runs = data;
    prefix = "";
  } else if (isObject(data) && Array.isArray(data.runs)) {
    runs = data.runs;
    prefix = "runs";
  } else if (isObject(data) && Array.isArray(data.results)) {
    runs = [data];
    prefix = "";
  } else {
    reader.fail("the file", 'holds neither "runs" nor "results": write the results of a run as JSON');
  }
  const located = runs.map((run, index) => {
    const where =
      prefix === "" && runs.length === 1 && !Array.isArray(data) ? "(top level)" : `${prefix}[${index}]`;
    const object = reader.object(run, where);
    const runProfile = reader.optionalString(object.profile, `${where}.profile`);
    if (runProfile !== undefined && !(PROFILES as readonly string[]).includes(runProfile)) {
      reader.fail(`${where}.profile`, `must be one of ${PROFILES.join(", ")}`);
    }
    const listKey = Array.isArray(object.cases) ? "cases" : "results";
    if (!Array.isArray(object[listKey])) {
      reader.fail(`${where}.cases`, "must be a list (or results)");
    }
    return { where, run: object, listKey, profile: runProfile as ProfileName | undefined };
  });
  const profiles = [...new Set(located.flatMap((entry) => (entry.profile ? [entry.profile] : [])))];
  const chosen = profile ?? (profiles.length === 1 ? profiles[0] : undefined);
  if (profile === undefined && profiles.length > 1) {
    throw new ConfigError(
      `the baseline results ${file} hold runs of ${profiles.join(" and ")}: choose one with --profile`,
    );
  }
  const matching = located.filter((entry) => entry.profile === undefined || entry.profile === chosen);
  if (matching.length === 0) {
    throw new ConfigError(
      `the baseline results ${file} hold no run of the ${chosen} profile (only ${profiles.join(", ")})`,
    );
  }
  const results = new Map<string, CaseResult>();
  const truncated = new Set<string>();
  const startedAt = new Map<string, number>();
  for (const entry of matching) {
    (entry.run[entry.listKey] as unknown[]).forEach((item, index) => {
      const where = `${entry.where}.${entry.listKey}[${index}]`;
      const result = readResult(reader, item, where, chosen ?? "registration-open");
      const resultProfile = isObject(item) ? item.profile : undefined;
      if (resultProfile !== undefined && chosen !== undefined && resultProfile !== chosen) {
        return;
      }
      results.set(result.id, result);
      const started =
        isObject(item) && typeof item.startedAt === "string" ? Date.parse(item.startedAt) : Number.NaN;
      if (!Number.isNaN(started)) {
        startedAt.set(result.id, started);
      }
      const exchanges = isObject(item) && Array.isArray(item.exchanges) ? item.exchanges : [];
      if (
        exchanges.some(
          (exchange) =>
            isObject(exchange) &&
            isObject(exchange.response) &&
            exchange.response.truncatedFrom !== undefined,
        )
      ) {
        truncated.add(result.id);
      }
    });
  }
  const ran = [...results.values()].filter((result) => result.verdict !== "SKIP");
  if (ran.length > 0 && ran.every((result) => result.exchanges.length === 0)) {
    throw new ConfigError(
      `the baseline results ${file} record no exchanges: a diff needs, for each case, every request (method, path, ` +
        "body) and response (status, headers, body) of the run",
    );
  }
  const first = matching[0]?.run;
  const target = isObject(first?.target) ? first.target : {};
  const firstString = (...values: unknown[]) =>
    values.find((value): value is string => typeof value === "string");
  const manifest = isObject(data) && isObject(data.manifest) ? data.manifest : {};
  return {
    file,
    profile: chosen,
    targetName: firstString(target.name, first?.targetName),
    targetUrl: firstString(target.url, first?.targetUrl),
    secretsRedacted: manifest.secretsRedacted === true,
    truncated,
    startedAt,
    results,
  };
}
