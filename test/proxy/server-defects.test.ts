// Planted server defects behind the proxy: each defect one exchange (or the state seen) can show is reported against the server with its requirement.
import { afterEach, describe, expect, it } from "vitest";
import { encodeCertificate } from "../../src/cert/certificate.js";
import { sessionOutcome } from "../../src/proxy/proxy-report.js";
import { type ReferenceRewrite, type ReferenceRule, SUNSET_DETAILS } from "../../src/reference/index.js";
import {
  adminToken,
  CODE_HEADER,
  contract,
  exchange,
  freshNumber,
  type Proxied,
  proxiedReference,
  type Sent,
} from "./support.js";

let proxy: Proxied | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

const cert = encodeCertificate({ vname: "Acme Plumbing Co" });

/** The reference with rules switched off, or with its answers rewritten by a function (the tests' own seam). */
async function behind(
  plant: { skip: ReferenceRule[] } | { rewrite: ReferenceRewrite },
): Promise<{ proxy: Proxied; post: (path: string, body: unknown) => Sent }> {
  proxy = await proxiedReference(
    "skip" in plant ? { tweaks: { skip: plant.skip } } : { rewriteAnswer: plant.rewrite },
  );
  const token = await adminToken(proxy.url);
  const post = (path: string, body: unknown): Sent => ({
    method: "POST",
    path,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { proxy, post };
}

/** The server-side failures of a result, as "LEVEL requirement". */
const serverFailures = (failures: { level: string; requirement: string; check: string }[]) =>
  failures.filter((failure) => failure.check.startsWith("server:")).map((f) => `${f.level} ${f.requirement}`);

describe("a planted server defect, shown by one exchange", () => {
  it("a vname that is not the cert's: register-new-number-answers-202-with-vname FAILs", async () => {
    const { proxy, post } = await behind({
      rewrite: (request, response) =>
        response.status === 202 && request.path === "/v1/account"
          ? { ...response, body: { ...(response.body as object), account: [{ vname: "Someone Else" }] } }
          : undefined,
    });
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    expect(serverFailures(result.failures)).toEqual(["MUST register-new-number-answers-202-with-vname"]);
    expect(result.verdict).toBe("FAIL");
  });

  it("a JSON body labelled text/plain: json-body-has-json-content-type FAILs", async () => {
    const { proxy, post } = await behind({
      rewrite: (_request, response) => ({
        ...response,
        headers: { ...response.headers, "content-type": "text/plain" },
      }),
    });
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    expect(serverFailures(result.failures)).toContain("MUST json-body-has-json-content-type");
  });

  it("a title that is not the catalogue's: error-titles-are-canonical WARNs", async () => {
    const { proxy, post } = await behind({
      rewrite: (_request, response) => {
        const body = response.body as { errors?: { code: number; title: string }[] };
        return body.errors === undefined
          ? undefined
          : {
              ...response,
              body: { ...body, errors: body.errors.map((error) => ({ ...error, title: "Oops" })) },
            };
      },
    });
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "fax", cert }));
    expect(serverFailures(result.failures)).toEqual(["SHOULD error-titles-are-canonical"]);
  });

  it("a 200 where the contract documents 201 or 202: responses-match-contract-schema FAILs", async () => {
    const { proxy, post } = await behind({
      rewrite: (request, response) =>
        request.path === "/v1/account" ? { ...response, status: 200 } : undefined,
    });
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    expect(serverFailures(result.failures)).toContain("MUST responses-match-contract-schema");
  });

  it("a 500: no-5xx-for-client-input FAILs", async () => {
    const { proxy, post } = await behind({
      rewrite: (request, response) =>
        request.path === "/v1/account" ? { ...response, status: 500 } : undefined,
    });
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    expect(serverFailures(result.failures)).toContain("MUST no-5xx-for-client-input");
  });

  it("no validation: an invalid request answered 202 FAILs the server too, under the client's requirement", async () => {
    const { proxy, post } = await behind({ skip: ["validation"] });
    const { answer, result } = await exchange(
      proxy,
      post("/v1/account", { ...freshNumber(), method: "fax", cert }),
    );
    expect(answer.status).toBe(202);
    expect(result.failures.map((failure) => `${failure.check.split(":")[0]} ${failure.requirement}`)).toEqual(
      ["client invalid-field-rejected-with-1008-or-1009", "server invalid-field-rejected-with-1008-or-1009"],
    );
  });
});

describe("a planted server defect, shown by the state seen", () => {
  it("a number answered 201, then 202 (a target that forgets it): register-registered-number-answers-201 FAILs", async () => {
    let answered = false;
    const { proxy, post } = await behind({
      rewrite: (request, response) => {
        if (request.path !== "/v1/account" || answered) {
          return undefined;
        }
        answered = true;
        return { ...response, status: 201, body: { meta: (response.body as { meta: unknown }).meta } };
      },
    });
    const body = { ...freshNumber(), method: "voice", cert };
    expect((await exchange(proxy, post("/v1/account", body))).answer.status).toBe(201);
    const { answer, result } = await exchange(proxy, post("/v1/account", body));
    expect(answer.status).toBe(202);
    expect(serverFailures(result.failures)).toEqual(["MUST register-registered-number-answers-201"]);
    expect(result.failures[0]?.check).toBe("server: state.registered");
  });

  it("a verified number answered 202 again: verified-number-answers-201 FAILs", async () => {
    const { proxy, post } = await behind({ skip: ["registered-check"] });
    const body = { ...freshNumber(), method: "voice", cert };
    const requested = await exchange(proxy, post("/v1/account", body));
    const code = String(requested.answer.headers[CODE_HEADER]);
    expect((await exchange(proxy, post("/v1/account/verify", { code }))).answer.status).toBe(201);
    const { result } = await exchange(proxy, post("/v1/account", body));
    expect(serverFailures(result.failures)).toEqual(["MUST verified-number-answers-201"]);
  });

  it("a code verified twice (any code accepted): verify-wrong-code-rejected FAILs", async () => {
    const { proxy, post } = await behind({ skip: ["verify-code"] });
    const requested = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    const code = String(requested.answer.headers[CODE_HEADER]);
    expect((await exchange(proxy, post("/v1/account/verify", { code }))).result.failures).toEqual([]);
    const { answer, result } = await exchange(proxy, post("/v1/account/verify", { code }));
    expect(answer.status).toBe(201);
    expect(serverFailures(result.failures)).toEqual(["MUST verify-wrong-code-rejected"]);
  });

  it("the sunset block lifted after it was seen: sunset-blocks-registration-with-1005 FAILs, and the profile is sunset", async () => {
    let blocked = false;
    const { proxy, post } = await behind({
      // Blocks the first registration only, as a target whose block does not hold.
      rewrite: (request, response) => {
        if (request.path !== "/v1/account" || blocked) {
          return undefined;
        }
        blocked = true;
        return {
          status: 403,
          headers: response.headers,
          body: { errors: [{ code: 1005, title: "Access denied", details: SUNSET_DETAILS }] },
        };
      },
    });
    expect(
      (await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }))).result.failures,
    ).toEqual([]);
    const { result } = await exchange(proxy, post("/v1/account", { ...freshNumber(), method: "sms", cert }));
    expect(serverFailures(result.failures)).toEqual(["MUST sunset-blocks-registration-with-1005"]);
    const outcome = sessionOutcome(contract, proxy.session, false);
    expect(outcome.run.profile).toBe("sunset");
    expect(outcome.exitCode).toBe(1);
  });
});
