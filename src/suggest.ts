// "Did you mean": the known name closest to a mistyped one, when it is close enough to be what was meant.
import { closest, distance } from "fastest-levenshtein";

/**
 * The candidate nearest to `word` by edit distance, or undefined when none is near: at most a third of the
 * word's length in edits (at least 2), so `timeout` finds `timeoutMs` and an unrelated word finds nothing.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const names = [...candidates];
  if (names.length === 0 || word === "") {
    return undefined;
  }
  const nearest = closest(word, names);
  return distance(word, nearest) <= Math.max(2, Math.floor(word.length / 3)) ? nearest : undefined;
}

/** " (did you mean X?)" for a near name, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const nearest = closestName(word, candidates);
  return nearest === undefined ? "" : ` (did you mean ${nearest}?)`;
}
