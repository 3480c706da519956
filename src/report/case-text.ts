// A case's failures and excuses as plain text, for the reports that carry text (JUnit, CTRF).
import type { CaseDoc, ExcuseDoc } from "./model.js";

/** "excused by case x: reason (issue), until date", joined with "; ". */
export function excuseText(excused: ExcuseDoc[]): string {
  return excused
    .map(
      (excuse) =>
        `excused by ${excuse.kind} ${excuse.id}: ${excuse.reason}${excuse.issue ? ` (${excuse.issue})` : ""}${
          excuse.expires ? `, until ${excuse.expires}` : ""
        }`,
    )
    .join("; ");
}

/** Each failure's Expected / Received / Requirement, then the reproducers; "" when the case has neither. */
export function failureText(testCase: CaseDoc): string {
  const lines = testCase.failures.map(
    (failure) =>
      `Expected: ${failure.expected}\nReceived: ${failure.received}\nRequirement: ${failure.requirement} (${failure.level}), step ${failure.step}, check ${failure.check}`,
  );
  if (testCase.reproducers.length > 0) {
    lines.push(`Reproduce:\n${testCase.reproducers.join("\n")}`);
  }
  return lines.join("\n\n");
}
