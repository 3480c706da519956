// A run keeps large answer bodies whole only within a budget, then their start and size: memory bounded whatever the target sends.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCases } from "../../src/cases/load-cases.js";
import { loadContract } from "../../src/contract/contract.js";
import { createReferenceHandler, DEFAULT_ADMIN } from "../../src/reference/index.js";
import { Redactor } from "../../src/report/redact.js";
import { runMatrix } from "../../src/runner/run-matrix.js";

const contract = await loadContract();
const CASES = [
  "request-without-token-answers-401",
  "get-account-is-observed",
  "verify-with-nothing-pending-is-rejected",
];
const cases = (await loadCases(contract)).filter((testCase) => CASES.includes(testCase.id));
/** 200 KiB of JSON: large (over 64 KiB), so judged and then kept within the budget, or cut. */
const BODY = JSON.stringify({
  meta: { version: "v2.45.1", api_status: "stable" },
  pad: "z".repeat(200 * 1024),
});

let server: Server;
let url = "";

beforeAll(async () => {
  const handle = createReferenceHandler(contract, {});
  server = createServer((req, res) => {
    if (req.url?.startsWith("/v1/account")) {
      req.resume();
      res.writeHead(400, { "content-type": "application/json" }).end(BODY);
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("large bodies once judged", () => {
  it("lose their parsed value, stay whole while the budget lasts, then keep only their start and size", async () => {
    const retention = { left: BODY.length + 10 };
    const run = await runMatrix(
      contract,
      cases,
      {
        url,
        profile: "registration-open",
        name: "big answers",
        username: DEFAULT_ADMIN.username,
        password: DEFAULT_ADMIN.password,
        states: {},
        timeoutMs: 5000,
        insecure: false,
        concurrency: 1,
        strict: false,
      },
      { retention },
    );
    const responses = run.results.flatMap((result) => result.exchanges.map((exchange) => exchange.response));
    expect(responses).toHaveLength(3);
    // Judged on the whole body first: the bodies were JSON, whatever is kept of them now.
    expect(responses.every((response) => response.isJson && response.json === undefined)).toBe(true);
    const [whole, ...cut] = responses;
    expect(whole?.bodyText).toBe(BODY);
    expect(whole?.bodyBytes).toBeUndefined();
    for (const response of cut) {
      expect(response.bodyBytes).toBe(Buffer.byteLength(BODY));
      expect(response.bodyText).toBe(BODY.slice(0, 128 * 1024));
    }
    expect(retention.left).toBe(10);
    const shown = new Redactor({ enabled: true }).shownBody(
      cut[0]?.bodyText ?? "",
      64 * 1024,
      cut[0]?.bodyBytes,
    );
    expect(shown.body).toMatch(/… \[cut: \d+ bytes in all; the run kept only the start\]$/);
    expect(shown.truncatedFrom).toBe(Buffer.byteLength(BODY));
  });
});
