// Finds every known secret in a text in one linear pass (Aho-Corasick), so no pattern is ever built from secrets.

/**
 * Secrets longer than this are searched one by one with their own KMP automaton instead of entering the shared
 * trie: a target can hand out a token of megabytes, and a trie node per character of it would cost far more memory
 * than the text it protects. There are few such secrets (the budget in redact.ts bounds them), each scan is linear.
 */
const LONG_SECRET = 1024;

/** A run of text to replace: [start, end) in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/**
 * The trie's transitions below the root in an open-addressing hash table of typed arrays (a Map keyed by
 * node * 65536 + code turns keys past 2^31 into heap numbers, and was most of the scan's time); the root's in a
 * flat table, since most characters of a text leave the search at the root.
 */
class Trie {
  readonly rootNext = new Int32Array(65536);
  #keysNode: Int32Array;
  #keysCode: Uint16Array;
  #values: Int32Array;
  #mask: number;
  /** Per node: failure link, depth, and the length of the longest secret that ends at it (0 for none). */
  fail: Int32Array;
  depth: Int32Array;
  out: Int32Array;

  constructor(secrets: readonly string[]) {
    const edges = secrets.reduce((sum, secret) => sum + secret.length, 0);
    let capacity = 16;
    while (capacity < 2 * edges) {
      capacity *= 2;
    }
    this.#mask = capacity - 1;
    this.#keysNode = new Int32Array(capacity).fill(-1);
    this.#keysCode = new Uint16Array(capacity);
    this.#values = new Int32Array(capacity);
    let count = 1;
    const depths: number[] = [0];
    const terminal: number[] = [0];
    const children: number[][] = [[]];
    for (const secret of secrets) {
      let node = 0;
      for (let i = 0; i < secret.length; i++) {
        const code = secret.charCodeAt(i);
        let child = this.#edge(node, code);
        if (child === 0) {
          child = count++;
          depths.push(i + 1);
          terminal.push(0);
          children.push([]);
          children[node]?.push(code);
          if (node === 0) {
            this.rootNext[code] = child;
          } else {
            this.#insert(node, code, child);
          }
        }
        node = child;
      }
      terminal[node] = secret.length;
    }
    this.fail = new Int32Array(count);
    this.depth = Int32Array.from(depths);
    this.out = Int32Array.from(terminal);
    // Breadth first, so a node's failure link (a shallower node) is final before the node's children need it.
    const queue = new Int32Array(count);
    let head = 0;
    let tail = 0;
    for (const code of children[0] ?? []) {
      queue[tail++] = this.rootNext[code] ?? 0;
    }
    while (head < tail) {
      const node = queue[head++] ?? 0;
      for (const code of children[node] ?? []) {
        const child = this.#edge(node, code);
        this.fail[child] = this.step(this.fail[node] ?? 0, code);
        if ((this.out[child] ?? 0) === 0) {
          this.out[child] = this.out[this.fail[child] ?? 0] ?? 0;
        }
        queue[tail++] = child;
      }
    }
  }

  #slot(node: number, code: number): number {
    return (Math.imul(node, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) & this.#mask;
  }

  #insert(node: number, code: number, child: number): void {
    let slot = this.#slot(node, code);
    while ((this.#keysNode[slot] ?? -1) !== -1) {
      slot = (slot + 1) & this.#mask;
    }
    this.#keysNode[slot] = node;
    this.#keysCode[slot] = code;
    this.#values[slot] = child;
  }

  /** The child of `node` by `code` below the root, or 0. */
  #lookup(node: number, code: number): number {
    let slot = this.#slot(node, code);
    for (;;) {
      const key = this.#keysNode[slot] ?? -1;
      if (key === -1) {
        return 0;
      }
      if (key === node && this.#keysCode[slot] === code) {
        return this.#values[slot] ?? 0;
      }
      slot = (slot + 1) & this.#mask;
    }
  }

  #edge(node: number, code: number): number {
    return node === 0 ? (this.rootNext[code] ?? 0) : this.#lookup(node, code);
  }

  /** The state after reading `code` in state `node`; amortized constant time over a scan. */
  step(node: number, code: number): number {
    let state = node;
    while (state !== 0) {
      const child = this.#lookup(state, code);
      if (child !== 0) {
        return child;
      }
      state = this.fail[state] ?? 0;
    }
    return this.rootNext[code] ?? 0;
  }
}

/** Knuth-Morris-Pratt for one long secret: linear in the text whatever the secret and the text repeat. */
class LongSecret {
  readonly border: Int32Array;
  constructor(readonly secret: string) {
    this.border = new Int32Array(secret.length + 1);
    this.border[0] = -1;
    let k = -1;
    for (let i = 0; i < secret.length; i++) {
      while (k >= 0 && secret.charCodeAt(k) !== secret.charCodeAt(i)) {
        k = this.border[k] ?? -1;
      }
      k++;
      this.border[i + 1] = k;
    }
  }

  /** Calls `found(end, matchedLength)` at every position; `matchedLength` is the secret's prefix matched so far. */
  scan(text: string, found: (end: number, matched: number) => void): void {
    const { secret, border } = this;
    let k = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      while (k >= 0 && (k === secret.length || secret.charCodeAt(k) !== code)) {
        k = border[k] ?? -1;
      }
      k++;
      found(i + 1, k);
    }
  }
}

/**
 * Adds [start, end) to spans that arrive by end position: one may start before the previous ones (a longer
 * secret), so they are merged on a stack and the list stays sorted and disjoint.
 */
function cover(spans: Span[], start: number, end: number): void {
  let from = start;
  let last = spans[spans.length - 1];
  while (last !== undefined && last.end > from) {
    from = Math.min(from, last.start);
    spans.pop();
    last = spans[spans.length - 1];
  }
  spans.push({ start: from, end });
}

/**
 * Where a text is cut, the kit writes an ellipsis; a secret cut there leaves a prefix of itself before it, which
 * is as much a leak. A prefix at least this long right before "…" (or at least twice this long at the very end
 * of a text) is covered too.
 */
const ELLIPSIS = 0x2026;

export class SecretMatcher {
  readonly #trie: Trie;
  readonly #long: LongSecret[];
  readonly #minPrefix: number;
  /** Longest secret: how far past a cut a secret could reach. */
  readonly longest: number;

  constructor(secrets: Iterable<string>, minPrefix: number) {
    const all = [...secrets].filter((secret) => secret.length > 0);
    this.#trie = new Trie(all.filter((secret) => secret.length <= LONG_SECRET));
    this.#long = all.filter((secret) => secret.length > LONG_SECRET).map((secret) => new LongSecret(secret));
    this.#minPrefix = minPrefix;
    this.longest = all.reduce((max, secret) => Math.max(max, secret.length), 0);
  }

  get empty(): boolean {
    return this.longest === 0;
  }

  /** Every span covered by a secret, merged where they overlap, in order. */
  spans(text: string): Span[] {
    if (this.empty || text.length === 0) {
      return [];
    }
    const minPrefix = this.#minPrefix;
    const length = text.length;
    const cutAt = (end: number, matched: number) =>
      matched >= minPrefix &&
      ((end < length && text.charCodeAt(end) === ELLIPSIS) || (end === length && matched >= 2 * minPrefix));
    const spans: Span[] = [];
    const trie = this.#trie;
    const { out, depth } = trie;
    let node = 0;
    for (let i = 0; i < length; i++) {
      node = trie.step(node, text.charCodeAt(i));
      if (node === 0) {
        continue;
      }
      const ended = out[node] ?? 0;
      const matched = depth[node] ?? 0;
      const reach = matched >= minPrefix && cutAt(i + 1, matched) ? matched : ended;
      if (reach > 0) {
        cover(spans, i + 1 - reach, i + 1);
      }
    }
    if (this.#long.length === 0) {
      return spans;
    }
    const lists = [spans];
    for (const long of this.#long) {
      const found: Span[] = [];
      long.scan(text, (end, matched) => {
        if (matched === long.secret.length || cutAt(end, matched)) {
          cover(found, end - matched, end);
        }
      });
      lists.push(found);
    }
    // Each list is sorted and disjoint; together they need one more merge.
    const merged: Span[] = [];
    for (const span of lists.flat().sort((a, b) => a.start - b.start)) {
      const last = merged[merged.length - 1];
      if (last !== undefined && span.start < last.end) {
        last.end = Math.max(last.end, span.end);
      } else {
        merged.push({ ...span });
      }
    }
    return merged;
  }

  /** The text with each covered span replaced by `marker`. */
  replace(text: string, marker: string): string {
    const spans = this.spans(text);
    if (spans.length === 0) {
      return text;
    }
    const parts: string[] = [];
    let last = 0;
    for (const span of spans) {
      parts.push(text.slice(last, span.start), marker);
      last = span.end;
    }
    parts.push(text.slice(last));
    return parts.join("");
  }
}
