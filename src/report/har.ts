// A HAR 1.2 file of every exchange the cases made, one page per profile run (or per diff side), from redacted exchanges.
import { STATUS_CODES } from "node:http";
import type { Entry, Har, Header, Page } from "har-format";
import type { ExchangeDoc, ResultsDocument } from "./model.js";

const toHeaders = (headers: Record<string, string>): Header[] =>
  Object.entries(headers).map(([name, value]) => ({ name, value }));

function queryOf(url: string): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

function entryOf(exchange: ExchangeDoc, pageref: string, comment: string): Entry {
  const { request, response } = exchange;
  const requestType = headerValue(request.headers, "content-type") ?? "application/octet-stream";
  const responseType = headerValue(response.headers, "content-type") ?? "";
  return {
    pageref,
    startedDateTime: exchange.startedAt,
    time: exchange.durationMs,
    comment,
    request: {
      method: request.method,
      url: request.url,
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: toHeaders(request.headers),
      queryString: queryOf(request.url),
      ...(request.body === undefined
        ? {}
        : {
            postData: {
              mimeType: requestType,
              text: request.body,
              ...(request.truncatedFrom === undefined
                ? {}
                : { comment: "cut: see bodySize for the size sent" }),
            },
          }),
      headersSize: -1,
      bodySize: request.body === undefined ? 0 : (request.truncatedFrom ?? Buffer.byteLength(request.body)),
    },
    response: {
      status: response.status,
      statusText: STATUS_CODES[response.status] ?? "",
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: toHeaders(response.headers),
      content: {
        size: response.truncatedFrom ?? Buffer.byteLength(response.body),
        mimeType: responseType,
        text: response.body,
        ...(response.truncatedFrom === undefined ? {} : { comment: "cut: see size for the size received" }),
      },
      redirectURL: headerValue(response.headers, "location") ?? "",
      headersSize: -1,
      bodySize: response.truncatedFrom ?? Buffer.byteLength(response.body),
    },
    cache: {},
    // The kit measures one span from sending to the end of the body; HAR wants it split, so it is all "wait".
    timings: { send: 0, wait: exchange.durationMs, receive: 0 },
  };
}

/** One page of a HAR log: its entries are exchanges, each with a comment naming the case and step that sent it. */
export interface HarPageInput {
  id: string;
  startedAt: string;
  title: string;
  entries: { exchange: ExchangeDoc; comment: string }[];
}

/**
 * A HAR 1.2 log of already redacted exchanges; `secretsRedacted` only picks the log's warning. Shared with `diff`,
 * whose exchanges are not in a results document, so its files read like `run`'s.
 */
export function renderHarLog(
  creator: { name: string; version: string },
  secretsRedacted: boolean,
  pageInputs: readonly HarPageInput[],
): string {
  const pages: Page[] = [];
  const entries: Entry[] = [];
  for (const page of pageInputs) {
    pages.push({ id: page.id, startedDateTime: page.startedAt, title: page.title, pageTimings: {} });
    for (const { exchange, comment } of page.entries) {
      entries.push(entryOf(exchange, page.id, comment));
    }
  }
  const har: Har = {
    log: {
      version: "1.2",
      creator: { name: creator.name, version: creator.version },
      pages,
      entries,
      comment: secretsRedacted
        ? "Credentials, tokens and sensitive fields are replaced by [REDACTED]."
        : "Recorded with --include-secrets: this file holds credentials. Do not share it.",
    },
  };
  return `${JSON.stringify(har, null, 2)}\n`;
}

export function renderHar(document: ResultsDocument): string {
  const pages = document.runs.map((run, index): HarPageInput => {
    const id = `run_${index + 1}_${run.profile}`;
    return {
      id,
      startedAt: run.startedAt,
      title: `${run.profile}: ${run.target.name} (${run.target.url})`,
      entries: run.cases.flatMap((testCase) =>
        testCase.exchanges.map((exchange) => ({
          exchange,
          comment: `${testCase.id} step ${exchange.step}: ${testCase.verdict}`,
        })),
      ),
    };
  });
  return renderHarLog(document.manifest.kit, document.manifest.secretsRedacted, pages);
}
