// The run manifest: which kit, contract and case set produced a report, on which Node, and when.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { stringify } from "safe-stable-stringify";
import type { Case } from "../cases/case-types.js";
import { PACKAGE_JSON_PATH } from "../paths.js";

export interface KitInfo {
  name: string;
  version: string;
}

let kit: KitInfo | undefined;

/** The kit's name and version, from its package.json. */
export function kitInfo(): KitInfo {
  kit ??= (() => {
    const { name, version } = JSON.parse(readFileSync(PACKAGE_JSON_PATH, "utf8")) as KitInfo;
    return { name, version };
  })();
  return kit;
}

/**
 * SHA-256 of the cases a run selected, as key-sorted JSON: two runs with the same cases get the same hash
 * whatever order the loader built their objects in, and any change to a case (a step, an expectation) shows.
 */
export function caseSetSha256(cases: readonly Case[]): string {
  return createHash("sha256")
    .update(stringify(cases) ?? "[]")
    .digest("hex");
}
