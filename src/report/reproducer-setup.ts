// The commands that set what a case's curl reproducers need and the kit can compute: TOKEN by a login, CERT by cert.
import type { Case } from "../cases/case-types.js";
import type { Contract } from "../contract/contract.js";
import type { ProfileRun } from "../runner/results.js";
import { certSetup, loginSetup, reproducerVariables, type SetupCommandDoc } from "./curl.js";
import { kitInfo } from "./manifest.js";
import type { Redactor } from "./redact.js";

/** A schema as walked for the token: properties and items are already dereferenced. */
interface WalkedSchema {
  properties?: Record<string, WalkedSchema>;
  items?: WalkedSchema;
}

/** Where a login answer holds its token: the path to the first property named `token`, arrays at [0]. */
function tokenPath(schema: WalkedSchema | undefined, depth = 0): (string | number)[] | undefined {
  if (schema === undefined || depth > 6) {
    return undefined;
  }
  if (schema.items !== undefined) {
    const inner = tokenPath(schema.items, depth + 1);
    return inner === undefined ? undefined : [0, ...inner];
  }
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (key === "token") {
      return [key];
    }
    const inner = tokenPath(property, depth + 1);
    if (inner !== undefined) {
      return [key, ...inner];
    }
  }
  return undefined;
}

/** The user a run's Basic logins named (not a secret; its password is), if any exchange recorded one. */
function basicUser(run: ProfileRun): string | undefined {
  for (const result of run.results) {
    for (const exchange of result.exchanges) {
      for (const [name, value] of Object.entries(exchange.request.headers)) {
        const basic = /^Basic\s+(\S+)$/i.exec(value.trim());
        if (name.toLowerCase() === "authorization" && basic?.[1] !== undefined) {
          const decoded = Buffer.from(basic[1], "base64").toString("utf8");
          if (decoded.includes(":")) {
            return decoded.slice(0, decoded.indexOf(":"));
          }
        }
      }
    }
  }
  return undefined;
}

/** TOKEN's setup for a run: a login by the contract's Basic-auth operation, at the run's target. */
export function tokenSetup(
  contract: Contract,
  run: ProfileRun,
  redactor: Redactor,
): SetupCommandDoc | undefined {
  const login = [...contract.operations.values()].find((operation) => operation.security === "basic");
  const success = [...(login?.responses.entries() ?? [])].find(([status]) => /^2/.test(status))?.[1];
  const path = tokenPath(success as WalkedSchema | undefined);
  if (login === undefined || path === undefined) {
    return undefined;
  }
  // The pieces from the run are redacted, not the command: "TOKEN=$(" reads as a token assignment to it.
  const user = basicUser(run);
  return loginSetup({
    method: login.method,
    url: redactor.text(`${run.targetUrl.replace(/\/+$/, "")}${login.path}`),
    user: user === undefined ? undefined : redactor.text(user),
    tokenPath: path,
  });
}

/** The setup commands for the variables a case's reproducers use: TOKEN by a login, CERT by the cert command. */
export function setupFor(
  reproducers: string[],
  testCase: Case | undefined,
  token: SetupCommandDoc | undefined,
): SetupCommandDoc[] {
  const variables = reproducerVariables(reproducers.join("\n"));
  const setup: SetupCommandDoc[] = [];
  if (variables.includes("TOKEN") && token !== undefined) {
    setup.push(token);
  }
  if (variables.includes("CERT")) {
    setup.push(certSetup(kitInfo().name, testCase?.vars.vname, testCase?.vars.cert_layout === "bare"));
  }
  return setup;
}
