// Differential mode: two targets' answers to the same step compared after diff's normalization rules, no model needed.
import {
  echoSubstitutions,
  formatOf,
  type NormalizedResponse,
  normalizeResponse,
} from "../diff/normalize.js";
import type { DiffRules } from "../diff/rules.js";
import type { Exchange } from "../exchange.js";
import { stringifyJson } from "../json-text.js";
import type { StepDifference } from "./commands.js";

const ABSENT = "(absent)";

const shown = (value: unknown): string =>
  value === undefined ? ABSENT : (stringifyJson(value) ?? String(value));

/** Every difference between the two answers that the rules leave: status, errors[0].code, body fields, headers. */
export function compareAnswers(
  rules: DiffRules,
): (baseline: Exchange, candidate: Exchange) => StepDifference[] {
  return (baseline, candidate) => {
    const left = normalizeResponse(baseline.response, rules);
    const right = normalizeResponse(candidate.response, rules, echoSubstitutions(baseline, candidate));
    const differences: StepDifference[] = [];
    if (left.status !== right.status) {
      differences.push({ aspect: "status", baseline: String(left.status), candidate: String(right.status) });
    }
    if (left.errorCode !== right.errorCode) {
      differences.push({
        aspect: "error-code",
        baseline: shown(left.errorCode),
        candidate: shown(right.errorCode),
      });
    }
    differences.push(...bodyDifferences(left, right), ...headerDifferences(left, right));
    return differences;
  };
}

function bodyDifferences(left: NormalizedResponse, right: NormalizedResponse): StepDifference[] {
  if (left.fields === undefined || right.fields === undefined) {
    return left.fields === right.fields && left.text === right.text
      ? []
      : [{ aspect: "body", baseline: left.text.slice(0, 200), candidate: right.text.slice(0, 200) }];
  }
  const differences: StepDifference[] = [];
  const pointers = new Set([...left.fields.keys(), ...right.fields.keys()]);
  for (const pointer of pointers) {
    const a = left.fields.get(pointer);
    const b = right.fields.get(pointer);
    if (a === undefined || b === undefined) {
      differences.push({ aspect: "body", pointer, baseline: shown(a?.value), candidate: shown(b?.value) });
      continue;
    }
    if (a.volatile !== undefined || b.volatile !== undefined) {
      continue; // present on both sides is all a volatile field must be
    }
    const same =
      a.format !== undefined ? formatOf(a.value) === formatOf(b.value) : shown(a.value) === shown(b.value);
    if (!same) {
      differences.push({ aspect: "body", pointer, baseline: shown(a.value), candidate: shown(b.value) });
    }
  }
  return differences;
}

function headerDifferences(left: NormalizedResponse, right: NormalizedResponse): StepDifference[] {
  const differences: StepDifference[] = [];
  for (const name of new Set([...left.headers.keys(), ...right.headers.keys()])) {
    const a = left.headers.get(name);
    const b = right.headers.get(name);
    if (a === undefined || b === undefined) {
      differences.push({
        aspect: "header",
        pointer: name,
        baseline: a?.value ?? ABSENT,
        candidate: b?.value ?? ABSENT,
      });
    } else if (!a.volatile && (a.format ? formatOf(a.value) !== formatOf(b.value) : a.value !== b.value)) {
      differences.push({ aspect: "header", pointer: name, baseline: a.value, candidate: b.value });
    }
  }
  return differences;
}
