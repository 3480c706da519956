// One proxy session: turns each forwarded exchange into a judged result (client, server, state), prints its line, and keeps what the reports need within bounds.
import type { CheckContext } from "../checks/check.js";
import type { Contract, Level, ProfileName } from "../contract/contract.js";
import { type ContractSchemas, schemasFor } from "../contract/schema-validator.js";
import type { Exchange, IncomingResponse } from "../exchange.js";
import type { Redactor } from "../report/redact.js";
import type { CaseResult, Verdict } from "../runner/results.js";
import type { ForwardedExchange } from "./forward.js";
import { judgeRequest } from "./judge-request.js";
import { judgeAnswer } from "./judge-response.js";
import { Findings } from "./judgement.js";
import { type OperationMatch, operationMatcher, pathOf } from "./match-operation.js";
import { TrafficState } from "./traffic-state.js";

/** Bytes of bodies the session keeps for the reports; past it each later body keeps its first KiB. */
export const RETAINED_BODY_BUDGET = 64 * 1024 * 1024;
const RETAINED_BODY_MIN = 1024;
/** Results kept in full; past it, passing exchanges are only counted. */
export const MAX_KEPT_RESULTS = 100_000;

const LEVEL_VERDICT: Record<Level, Verdict> = { MUST: "FAIL", SHOULD: "WARN", MAY: "INFO" };

export interface SessionOutput {
  out(text: string): void;
}

export interface ProxySessionOptions {
  contract: Contract;
  redactor: Redactor;
  upstream: URL;
  output: SessionOutput;
  /** Print only exchanges that did not pass. */
  quiet?: boolean;
  /** The profile the target claims; undefined infers it (sunset once the sunset block is seen). */
  profile?: ProfileName;
}

/** A raw header list as a record: names in lower case, repeated fields joined as RFC 9110 5.3 allows. */
export function headerRecord(rawHeaders: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    record[name] = record[name] === undefined ? value : `${record[name]}, ${value}`;
  }
  return record;
}

function parseJson(text: string): { json: unknown; isJson: boolean } {
  if (text.trim() === "") {
    return { json: undefined, isJson: false };
  }
  try {
    return { json: JSON.parse(text), isJson: true };
  } catch {
    return { json: undefined, isJson: false };
  }
}

export class ProxySession {
  readonly startedAt = new Date().toISOString();
  readonly results: CaseResult[] = [];
  /** When each kept exchange ended (ms since the epoch), for the reports' times. */
  readonly endTimes = new Map<CaseResult, number>();
  /** Passing exchanges past MAX_KEPT_RESULTS, counted only. */
  passedNotKept = 0;
  /** Exchanges the upstream answered, and those it could not be reached for. */
  answered = 0;
  unreachable = 0;
  /** meta.version as the upstream reported it. */
  targetVersion: string | undefined;
  readonly #schemas: ContractSchemas;
  readonly #match: (method: string, target: string) => OperationMatch;
  readonly #state: TrafficState;
  #count = 0;
  #retained = 0;
  /**
   * Exchanges the redactor has not learned from yet. Learning (tokens, codes, sensitive fields) is the costliest
   * part of an exchange's judging, and only a printed line needs it at once: before a line is printed, every
   * exchange before it is learned, so a token answered earlier is redacted in it; the reports learn from all.
   */
  readonly #unlearned: Exchange[] = [];

  constructor(readonly options: ProxySessionOptions) {
    this.#schemas = schemasFor(options.contract);
    this.#match = operationMatcher(options.contract);
    this.#state = new TrafficState(options.contract);
  }

  /** The profile of the report: the one claimed, else sunset once the block was seen. */
  get profile(): ProfileName {
    return this.options.profile ?? (this.#state.sunsetSeen ? "sunset" : "registration-open");
  }

  /** Judges one exchange, prints its line and keeps its result; never throws for anything the traffic holds. */
  record(forwarded: ForwardedExchange): CaseResult {
    this.#count += 1;
    const id = `exchange-${this.#count}`;
    const { contract } = this.options;
    const exchange = this.#exchangeOf(forwarded);
    this.#unlearned.push(exchange);
    const findings = new Findings(contract);
    const match = this.#match(forwarded.request.method, forwarded.request.url);
    const request = judgeRequest(findings, this.#schemas, match, {
      method: forwarded.request.method,
      headers: exchange.request.headers,
      bodyText: exchange.request.body ?? "",
      bodyBytes: forwarded.request.body.size,
      bodyComplete: forwarded.request.body.complete,
    });
    const operation = match.kind === "operation" ? match.operation : undefined;
    const answered = forwarded.response !== undefined;
    if (answered) {
      this.answered += 1;
      this.#noteVersion(exchange.response);
    } else if (forwarded.failure?.kind !== "reset") {
      this.unreachable += 1;
    }
    if (match.kind === "outside-contract") {
      this.#state.forget();
    } else if (answered && forwarded.failure === undefined) {
      const context: CheckContext = {
        contract,
        schemas: this.#schemas,
        operation,
        requestBody: request.body,
        response: exchange.response,
      };
      judgeAnswer(findings, context, request);
      if (operation !== undefined && request.body !== undefined && request.refusedUnder.length === 0) {
        this.#state.judge(findings, operation, request.body, exchange.response);
      }
    }
    const result = this.#result(id, forwarded, exchange, findings, request.notJudged);
    this.#print(result, exchange);
    if (this.#keep(result, exchange)) {
      this.endTimes.set(result, forwarded.startedAt + forwarded.durationMs);
    }
    return result;
  }

  #exchangeOf(forwarded: ForwardedExchange): Exchange {
    const { request, response } = forwarded;
    const requestBody = request.body.size === 0 ? undefined : request.body.bytes().toString("utf8");
    let incoming: IncomingResponse;
    if (response === undefined) {
      incoming = {
        status: 0,
        headers: {},
        bodyText: "",
        json: undefined,
        isJson: false,
        durationMs: forwarded.durationMs,
        closed: { reason: forwarded.failure?.reason ?? "no answer" },
      };
    } else {
      const bodyText = response.body.bytes().toString("utf8");
      incoming = {
        status: response.status,
        headers: headerRecord(response.rawHeaders),
        bodyText,
        ...(response.body.complete ? parseJson(bodyText) : { json: undefined, isJson: false }),
        durationMs: forwarded.durationMs,
        ...(response.body.complete ? {} : { bodyBytes: response.body.size }),
      };
    }
    return {
      request: {
        method: request.method,
        path: request.url,
        headers: headerRecord(request.rawHeaders),
        ...(requestBody === undefined ? {} : { body: requestBody }),
        url: new URL(
          `${this.options.upstream.pathname.replace(/\/+$/, "")}${originForm(request.url)}`,
          this.options.upstream,
        ).toString(),
      },
      response: incoming,
    };
  }

  #noteVersion(response: IncomingResponse): void {
    const meta = (response.json as { meta?: { version?: unknown } } | undefined)?.meta;
    if (typeof meta?.version === "string" && this.targetVersion === undefined) {
      this.targetVersion = meta.version.slice(0, 100);
    }
  }

  #result(
    id: string,
    forwarded: ForwardedExchange,
    exchange: Exchange,
    findings: Findings,
    notJudged: string[],
  ): CaseResult {
    const status = forwarded.response?.status;
    const path = pathOf(forwarded.request.url);
    const description = `${forwarded.request.method} ${path} → ${status ?? "no answer"}`;
    const { contract } = this.options;
    const verdicts = findings.broken.map((item) => LEVEL_VERDICT[item.level]);
    let verdict: Verdict = verdicts.includes("FAIL")
      ? "FAIL"
      : verdicts.includes("WARN")
        ? "WARN"
        : verdicts.includes("INFO")
          ? "INFO"
          : findings.judged.size === 0
            ? "SKIP"
            : "PASS";
    let reason: string | undefined;
    if (forwarded.failure !== undefined) {
      verdict = "ERROR";
      reason =
        forwarded.failure.kind === "reset"
          ? `the upstream's answer broke off: ${forwarded.failure.reason}`
          : `the upstream could not be reached (${forwarded.failure.kind}): ${forwarded.failure.reason}; the client got the proxy's 502`;
    } else if (verdict === "SKIP") {
      reason = `not judged: ${notJudged.join("; ") || "nothing of the contract applies"}`;
    } else {
      const first = findings.broken.find((item) => item.level !== "MAY");
      reason =
        first === undefined
          ? undefined
          : `${first.requirement} (${first.side}): expected ${first.expected}, received ${first.received}`;
    }
    return {
      id,
      description,
      profile: this.profile,
      requirements: [...findings.judged].map((requirement) => ({
        id: requirement,
        level: contract.requirementById.get(requirement)?.level ?? "MUST",
      })),
      verdict,
      ...(reason === undefined ? {} : { reason }),
      failures: findings.broken
        .filter((item) => item.level !== "MAY")
        .map(({ requirement, level, check, expected, received, side }) => ({
          requirement,
          level,
          check: `${side}: ${check}`,
          expected,
          received,
          step: 1,
        })),
      observations: findings.broken
        .filter((item) => item.level === "MAY")
        .map((item) => ({
          requirement: item.requirement,
          step: 1,
          summary: `${item.side}: ${item.check}: ${item.received}`,
        })),
      exchanges: [exchange],
      durationMs: Math.round(forwarded.durationMs * 1000) / 1000,
    };
  }

  #print(result: CaseResult, exchange: Exchange): void {
    if (this.options.quiet && (result.verdict === "PASS" || result.verdict === "SKIP")) {
      return;
    }
    const { redactor, output } = this.options;
    this.#learnPending();
    const lines = [
      `${result.verdict.padEnd(5)} #${this.#count} ${result.description} (${Math.round(exchange.response.durationMs)} ms)`,
    ];
    for (const failure of result.failures) {
      lines.push(
        `      ${failure.level} ${failure.requirement} [${failure.check}]: expected ${failure.expected}; received ${failure.received}`,
      );
    }
    for (const observation of result.observations) {
      lines.push(`      MAY ${observation.requirement} [${observation.summary}]`);
    }
    if ((result.verdict === "ERROR" || result.verdict === "SKIP") && result.reason !== undefined) {
      lines.push(`      ${result.reason}`);
    }
    output.out(redactor.text(lines.join("\n")));
  }

  #learnPending(): void {
    for (const exchange of this.#unlearned.splice(0)) {
      this.options.redactor.learnFromExchange(exchange);
    }
  }

  /** Keeps the result for the reports, its bodies within the budget; false when it is only counted. */
  #keep(result: CaseResult, exchange: Exchange): boolean {
    if (this.results.length >= MAX_KEPT_RESULTS && result.verdict === "PASS") {
      // Dropped from the reports, so they will not learn from it: learned now, whole.
      this.#learnPending();
      this.passedNotKept += 1;
      return false;
    }
    const cut = (text: string | undefined): string | undefined => {
      if (text === undefined) {
        return undefined;
      }
      const limit = this.#retained + text.length <= RETAINED_BODY_BUDGET ? text.length : RETAINED_BODY_MIN;
      this.#retained += Math.min(limit, text.length);
      return text.length <= limit ? text : text.slice(0, limit);
    };
    if (
      this.#retained + (exchange.request.body?.length ?? 0) + exchange.response.bodyText.length >
      RETAINED_BODY_BUDGET
    ) {
      // Bodies are about to be cut: learned first, whole, so a secret in the part cut off is still known.
      this.#learnPending();
    }
    const requestBody = cut(exchange.request.body);
    const responseBody = cut(exchange.response.bodyText) ?? "";
    if (responseBody.length < exchange.response.bodyText.length) {
      exchange.response.bodyBytes ??= Buffer.byteLength(exchange.response.bodyText);
      exchange.response.bodyText = responseBody;
      exchange.response.json = undefined;
    }
    if (requestBody !== undefined) {
      exchange.request.body = requestBody;
    }
    this.results.push(result);
    return true;
  }
}

/** The path and query of a request-target, in origin form. */
function originForm(target: string): string {
  if (target.startsWith("/")) {
    return target;
  }
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return `/${target}`;
  }
}
