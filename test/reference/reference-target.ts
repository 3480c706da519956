// The reference started over real HTTP for the reference tests: the admin's token, fresh numbers, and the assertions every answer must pass.
import { request as httpRequest } from "node:http";
import request, { type Response } from "supertest";
import { expect } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { type JsonSchema, loadContract, requireOperation } from "../../src/contract/contract.js";
import { schemasFor } from "../../src/contract/schema-validator.js";
import {
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type RunningReference,
  startReference,
} from "../../src/reference/index.js";

export const contract = await loadContract();
export const schemas = schemasFor(contract);
export const errorResponseSchema = contract.document.components?.schemas?.ErrorResponse as JsonSchema;
export const VNAME = "Acme Plumbing Co";
export const CERT = encodeCertificate({ vname: VNAME });
export const ADMIN_BASIC = basic("admin", "secret");

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

let nextNumber = 5_550_100_000;
export function freshNumber(): { cc: string; phone_number: string } {
  nextNumber += 1;
  return { cc: "1", phone_number: String(nextNumber) };
}

/** What the assertions read from an answer, from supertest or from a raw node:http exchange. */
export type Answer = Pick<Response, "status" | "headers" | "body">;

/** Sends bytes exactly as given (supertest re-serializes a Buffer under a JSON content type). */
export function rawPost(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url);
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A started reference with the admin's token, and the assertions every answer must pass. */
export class Target {
  token = "";
  private constructor(
    readonly ref: RunningReference,
    readonly apiStatus: "stable" | "deprecated",
  ) {}

  static async start(options: ReferenceOptions = {}): Promise<Target> {
    const ref = await startReference(options);
    const target = new Target(ref, ref.profile === "sunset" ? "deprecated" : "stable");
    target.token = await target.login();
    return target;
  }

  async login(authorization = ADMIN_BASIC): Promise<string> {
    const res = await request(this.ref.url).post("/v1/users/login").set("authorization", authorization);
    this.conforms(res, "login");
    expect(res.status).toBe(200);
    return res.body.users[0].token as string;
  }

  account(body: unknown, token = this.token): Promise<Response> {
    return request(this.ref.url)
      .post("/v1/account")
      .set("authorization", `Bearer ${token}`)
      .send(body as object);
  }

  verify(body: unknown, token = this.token): Promise<Response> {
    return request(this.ref.url)
      .post("/v1/account/verify")
      .set("authorization", `Bearer ${token}`)
      .send(body as object);
  }

  twoStep(method: "post" | "delete", body?: unknown, token = this.token): Promise<Response> {
    const call = request(this.ref.url)
      [method]("/v1/settings/account/two-step")
      .set("authorization", `Bearer ${token}`);
    return body === undefined ? call : call.send(body as object);
  }

  async state(state: string, params: Record<string, unknown> = {}, action?: string): Promise<Response> {
    return request(this.ref.url)
      .post(PROVIDER_STATE_PATH)
      .send({ state, params, ...(action === undefined ? {} : { action }) });
  }

  async setup(state: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const res = await this.state(state, params);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Record<string, unknown>;
  }

  /** JSON content type, the profile's meta, and a body matching the contract's schema for the status. */
  conforms(res: Answer, operationId?: string): void {
    expect(res.status).toBeLessThan(500);
    expect(res.headers["content-type"]).toMatch(/^application\/json(;|$)/);
    expect(res.body.meta).toEqual({ version: "v2.45.1", api_status: this.apiStatus });
    const schema =
      operationId === undefined
        ? errorResponseSchema
        : schemas.responseSchema(requireOperation(contract, operationId), res.status);
    if (schema === undefined) {
      throw new Error(`the contract declares no schema for ${operationId} ${res.status}`);
    }
    expect(schemas.check(schema, res.body)).toEqual([]);
  }

  error(res: Answer, status: number, code: number, operationId?: string): { details: string } {
    expect({ status: res.status, code: res.body.errors?.[0]?.code }, JSON.stringify(res.body)).toEqual({
      status,
      code,
    });
    expect(res.body.errors[0].title).toBe(contract.errorTitles.get(code));
    this.conforms(res, operationId);
    return res.body.errors[0] as { details: string };
  }

  /** 202 with the decoded vname, as requestCode promises for a number not registered. */
  codeSent(res: Response, vname = VNAME): void {
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.account).toEqual([{ vname }]);
    this.conforms(res, "requestCode");
  }

  /** 201 whose body is {meta} only. */
  registered(res: Response, operationId = "requestCode"): void {
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Object.keys(res.body)).toEqual(["meta"]);
    this.conforms(res, operationId);
  }

  close(): Promise<void> {
    return this.ref.close();
  }
}

export function valid(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...freshNumber(), method: "sms", cert: CERT, ...extra };
}
