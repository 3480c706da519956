// A minimal loopback HTTP client for the benchmarks' setup steps (login, provider states, state checks).
import { request } from "node:http";

export interface Reply {
  status: number;
  text: string;
  json: unknown;
}

/** One request with a 5 s limit; rejects on a transport error so a broken setup stops the benchmark. */
export function call(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Reply> {
  const url = new URL(path, baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const sent = payload
    ? { "content-type": "application/json", "content-length": String(payload.length), ...headers }
    : headers;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: sent, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} did not answer within 5 s`)));
    req.on("error", reject);
    req.end(payload);
  });
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Logs the admin in and returns a Bearer header value. */
export async function adminBearer(baseUrl: string, username: string, password: string): Promise<string> {
  const reply = await call(baseUrl, "POST", "/v1/users/login", {
    authorization: basicAuth(username, password),
  });
  const users =
    typeof reply.json === "object" && reply.json !== null ? Reflect.get(reply.json, "users") : undefined;
  const token = Array.isArray(users) ? Reflect.get(Object(users[0]), "token") : undefined;
  if (reply.status !== 200 || typeof token !== "string") {
    throw new Error(`logging in at ${baseUrl} answered ${reply.status}: ${reply.text.slice(0, 200)}`);
  }
  return `Bearer ${token}`;
}

/** Sets up (or tears down) a provider state through the reference's hook; throws unless it answers 200. */
export async function providerState(
  stateUrl: string,
  state: string,
  params: Record<string, string>,
  action: "setup" | "teardown" = "setup",
): Promise<Record<string, unknown>> {
  const reply = await call(stateUrl, "POST", "", {}, { state, params, action });
  if (reply.status !== 200 || typeof reply.json !== "object" || reply.json === null) {
    throw new Error(
      `provider state ${state} (${action}) answered ${reply.status}: ${reply.text.slice(0, 200)}`,
    );
  }
  return { ...reply.json };
}
