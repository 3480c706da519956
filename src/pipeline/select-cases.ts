// Picks the cases a user named (--case, WA_CONFORMANCE_CASES), refusing ids that do not exist.

import type { Case } from "../cases/case-types.js";
import { ConfigError } from "../config-error.js";
import { didYouMean } from "../suggest.js";

export function selectCases(cases: Case[], ids: string[] | undefined): Case[] {
  if (!ids || ids.length === 0) {
    return cases;
  }
  const known = new Set(cases.map((testCase) => testCase.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const named = unknown.map((id) => `${id}${didYouMean(id, known)}`);
    throw new ConfigError(
      `unknown case id${unknown.length > 1 ? "s" : ""}: ${named.join(", ")}; wa-account-conformance list shows them all`,
    );
  }
  const wanted = new Set(ids);
  return cases.filter((testCase) => wanted.has(testCase.id));
}
