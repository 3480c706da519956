// The reference's request bodies and connections over real HTTP: malformed and mislabelled bodies, limits, framing, pipelining.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import request, { type Response } from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_BASIC, rawPost, Target, valid } from "./reference-target.js";

describe("bodies, routing and connections", () => {
  let t: Target;
  beforeAll(async () => {
    t = await Target.start();
  });
  afterAll(() => t.close());

  const raw = (body: string, type: string | undefined): Promise<Response> => {
    const call = request(t.ref.url).post("/v1/account").set("authorization", `Bearer ${t.token}`).send(body);
    // superagent picks a content type for a string body; unset it to send none at all.
    return type === undefined ? call.unset("content-type") : call.set("content-type", type);
  };

  it.each([
    ["not JSON", "{not json", "application/json"],
    ["an array", "[]", "application/json"],
    ["a string", '"cc"', "application/json"],
    ["null", "null", "application/json"],
    ["empty", "", "application/json"],
    [
      "form pairs labelled form-encoded",
      "cc=1&phone_number=5550100001&method=sms",
      "application/x-www-form-urlencoded",
    ],
    ["form pairs labelled JSON", "cc=1&phone_number=5550100001&method=sms", "application/json"],
    ["not JSON labelled text/plain", "{not json", "text/plain"],
    ["an array with no Content-Type", "[]", undefined],
  ])("answers 400/1025 to a body that is %s", async (_label, body, type) => {
    t.error(await raw(body, type), 400, 1025, "requestCode");
  });

  // Mislabelled JSON is a MAY of the contract; real clients send it (a PHP SDK's JSON goes out form-encoded).
  it.each([
    ["text/plain", "text/plain"],
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
    ["application/json in a non-UTF-8 charset", "application/json; charset=latin1"],
    ["no Content-Type", undefined],
  ])("serves a JSON object body labelled %s by what it is: 202", async (_label, type) => {
    t.codeSent(await raw(JSON.stringify(valid()), type));
  });

  it("with requireJsonContentType, answers 400/1025 to JSON labelled otherwise, and serves JSON", async () => {
    const strict = await Target.start({ requireJsonContentType: true });
    try {
      const send = (type: string | undefined) => {
        const call = request(strict.ref.url)
          .post("/v1/account")
          .set("authorization", `Bearer ${strict.token}`)
          .send(JSON.stringify(valid()));
        return type === undefined ? call.unset("content-type") : call.set("content-type", type);
      };
      for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
        strict.error(await send(type), 400, 1025, "requestCode");
      }
      strict.codeSent(await send("application/json"));
    } finally {
      await strict.close();
    }
  });

  it("answers 400/1025 to bytes that are not UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"cc":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const headers = { authorization: `Bearer ${t.token}`, "content-type": "application/json" };
    const res = await rawPost(t.ref.url, "/v1/account", headers, bytes);
    expect(t.error(res, 400, 1025, "requestCode").details).toMatch(/not valid JSON/);
  });

  it("accepts application/json with a UTF-8 charset parameter", async () => {
    t.codeSent(await raw(JSON.stringify(valid()), "application/json; charset=UTF-8"));
  });

  it("answers 413 to a body over the limit, closes that connection, and answers the next request", async () => {
    const res = await t.account(valid({ padding: "x".repeat(100_000) }));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    t.error(res, 413, 1025, "requestCode");
    t.codeSent(await t.account(valid()));
  });

  it("answers 413 to a chunked body that passes the limit while streaming", async () => {
    const small = await Target.start({ maxBodyBytes: 1024 });
    try {
      const { port } = new URL(small.ref.url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            path: "/v1/account",
            method: "POST",
            headers: { authorization: `Bearer ${small.token}`, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.write(`{"cc":"${"1".repeat(600)}`);
        req.write(`${"2".repeat(600)}"`);
      });
      expect(status).toBe(413);
      small.codeSent(await small.account(valid()));
    } finally {
      await small.close();
    }
  });

  it("frames every answer with Content-Length, never chunked", async () => {
    const answers = [
      await t.account(valid()),
      await raw("{not json", "application/json"),
      await request(t.ref.url).post("/v1/nothing"),
      await request(t.ref.url).post("/v1/users/login").set("authorization", ADMIN_BASIC),
    ];
    for (const res of answers) {
      expect(res.headers["transfer-encoding"]).toBeUndefined();
      expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.text));
    }
  });

  it("answers pipelined requests on one connection in their order", async () => {
    const { port } = new URL(t.ref.url);
    const body = JSON.stringify(valid());
    const post = (path: string): string =>
      [
        `POST ${path} HTTP/1.1`,
        "Host: 127.0.0.1",
        `Authorization: Bearer ${t.token}`,
        "Content-Type: application/json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "",
        body,
      ].join("\r\n");
    const text = await new Promise<string>((resolve, reject) => {
      let received = "";
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(post("/v1/nothing") + post("/v1/account") + post("/v1/nothing"));
      });
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received += chunk;
        if ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length === 3) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on("error", reject);
    });
    expect(text.match(/HTTP\/1\.1 (\d{3})/g)).toEqual(["HTTP/1.1 404", "HTTP/1.1 202", "HTTP/1.1 404"]);
  });

  it("survives a client that goes away halfway through its body, and answers the next request", async () => {
    const { port } = new URL(t.ref.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          [
            "POST /v1/account HTTP/1.1",
            "Host: 127.0.0.1",
            `Authorization: Bearer ${t.token}`,
            "Content-Type: application/json",
            "Content-Length: 500",
            "",
            '{"cc":"1","phone_',
          ].join("\r\n"),
          () => {
            socket.destroy();
            resolve();
          },
        );
      });
      socket.on("error", reject);
    });
    t.codeSent(await t.account(valid()));
  });
});
