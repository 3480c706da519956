// curl reproducers: one line, secrets as shell variables, and run through bash they send the same request again.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadContract } from "../../src/contract/contract.js";
import type { Exchange } from "../../src/exchange.js";
import { curlReproducer, reproducerVariables } from "../../src/report/curl.js";
import { Redactor } from "../../src/report/redact.js";

const TOKEN = "tok_live_5d9a8c7b6e5f4a3b2c1d";
const PIN = "839201";

interface Echo {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** An echo server on loopback: answers with what it received, so the reproduced request can be compared. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const echo: Echo = {
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body: Buffer.concat(chunks).toString("utf8"),
      };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(echo));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function exchangeOf(headers: Record<string, string>, body?: string): Exchange {
  return {
    request: {
      method: "POST",
      path: "/v1/account",
      url: `${base}/v1/account`,
      headers,
      ...(body === undefined ? {} : { body }),
    },
    response: { status: 400, headers: {}, bodyText: "", json: undefined, isJson: false, durationMs: 1 },
  };
}

/**
 * Runs a reproducer in bash with the variables set (without -i, so only the body prints), and returns what the
 * echo server received. Asynchronous: the server answers from this same process.
 */
async function replay(command: string, variables: Record<string, string>): Promise<Echo> {
  const { stdout } = await promisify(execFile)("bash", ["-c", command.replace(" -i ", " ")], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...variables },
    encoding: "utf8",
    timeout: 10_000,
  });
  return JSON.parse(stdout) as Echo;
}

const HAS_CURL = existsSync("/usr/bin/curl");

describe("curlReproducer", () => {
  it("is one line with secrets as shell variables", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const body = JSON.stringify({ cc: "1", phone_number: "5550100001", pin: PIN });
    const command = curlReproducer(
      exchangeOf({ authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body),
      redactor,
    );
    expect(command).not.toContain("\n");
    expect(command).not.toContain(TOKEN);
    expect(command).not.toContain(PIN);
    expect(command).toMatch(/^curl -sS -i -X POST '/);
    expect(reproducerVariables(command)).toEqual(["TOKEN", "PIN"]);
  });

  it.skipIf(!HAS_CURL)("sends the same request again once the variables are set", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const body = JSON.stringify({ cc: "1", phone_number: "5550100001", pin: PIN, note: "it's" });
    const command = curlReproducer(
      exchangeOf({ authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body),
      redactor,
    );
    const echo = await replay(command, { TOKEN, PIN });
    expect(echo).toMatchObject({ method: "POST", url: "/v1/account", authorization: `Bearer ${TOKEN}` });
    expect(echo.body).toBe(body);
  });

  it.skipIf(!HAS_CURL)("keeps a body with newlines, quotes and non-ASCII exact, on one line", async () => {
    const redactor = Redactor.forContract(await loadContract());
    const body = `{"cc":"1",\n\t"vname":"Café 'Ñandú' \\ 東京"\r\n`;
    const command = curlReproducer(exchangeOf({ "content-type": "application/json" }, body), redactor);
    expect(command).not.toMatch(/[\n\r]/);
    expect((await replay(command, {})).body).toBe(body);
  });

  it.skipIf(!HAS_CURL)("turns Basic credentials into -u with the password as $PASSWORD", async () => {
    const redactor = new Redactor();
    const basic = `Basic ${Buffer.from("admin:S3cret-Pass").toString("base64")}`;
    const command = curlReproducer(exchangeOf({ authorization: basic }), redactor);
    expect(command).toContain(`-u 'admin:'"$PASSWORD"`);
    expect(command).not.toContain("S3cret-Pass");
    expect((await replay(command, { PASSWORD: "S3cret-Pass" })).authorization).toBe(basic);
  });

  it.skipIf(!HAS_CURL)("sends a body that went without a Content-Type without one again", async () => {
    const body = '{"cc":"1","phone_number":"5550100001"}';
    const command = curlReproducer(exchangeOf({}, body), new Redactor());
    expect(command).toContain("-H 'Content-Type:'");
    const echo = await replay(command, {});
    expect(echo.contentType).toBeUndefined();
    expect(echo.body).toBe(body);
  });

  it("shows the values as sent when redaction is off (--include-secrets)", async () => {
    const redactor = Redactor.forContract(await loadContract(), { enabled: false });
    const command = curlReproducer(
      exchangeOf({ authorization: `Bearer ${TOKEN}` }, `{"pin":"${PIN}"}`),
      redactor,
    );
    expect(command).toContain(TOKEN);
    expect(command).toContain(PIN);
    expect(reproducerVariables(command)).toEqual([]);
  });
});
