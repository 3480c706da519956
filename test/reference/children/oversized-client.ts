// A child process that sends the kit's 2 MiB oversized body N times with node:http and N times with supertest, and prints what each got as JSON.
import { request as httpRequest } from "node:http";
import request from "supertest";

const [url = "", token = "", countText = "50"] = process.argv.slice(2);
const count = Number(countText);
const body = Buffer.alloc(2 * 1024 * 1024, "a");
const bodyText = body.toString("latin1");
const { port } = new URL(url);

/** One exchange with node:http, Connection: close as the kit's client sends it; "413" or what went wrong. */
function viaHttp(): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/account",
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": body.length,
          connection: "close",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(String(res.statusCode)));
        res.on("error", (error) => resolve(`response error: ${error.message}`));
      },
    );
    req.on("error", (error) => resolve(`request error: ${error.message}`));
    req.end(body);
  });
}

async function viaSupertest(): Promise<string> {
  try {
    const res = await request(url)
      .post("/v1/account")
      .set("authorization", `Bearer ${token}`)
      .set("content-type", "application/json")
      .send(bodyText);
    return String(res.status);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const http: string[] = [];
const supertest: string[] = [];
for (let index = 0; index < count; index++) {
  http.push(await viaHttp());
  supertest.push(await viaSupertest());
}
process.stdout.write(`${JSON.stringify({ http, supertest })}\n`);
