// What the HTML report and the comparison page share: escaping, verdict colours, the page shell with its lockdown.
import type { RequirementVerdict } from "./model.js";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** A tagged template that escapes every interpolated value unless it is already markup (see `raw`). */
export class Markup {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export const raw = (html: string) => new Markup(html);

type Part = string | number | Markup | undefined | null | false | Part[];

function render(part: Part): string {
  if (part === undefined || part === null || part === false) {
    return "";
  }
  if (Array.isArray(part)) {
    return part.map(render).join("");
  }
  if (part instanceof Markup) {
    return part.html;
  }
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? "");
  });
  return new Markup(out);
}

/** The verdict as a class-safe token: UNEXERCISED and the six verdicts are all letters. */
export const verdictClass = (verdict: RequirementVerdict | "NONE") => `v-${verdict}`;

export const BASE_CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa;
  --PASS: #1a7f37; --FAIL: #cf222e; --WARN: #9a6700; --INFO: #0969da; --SKIP: #6e7781; --ERROR: #8250df;
  --UNEXERCISED: #bc4c00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
main { max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
h1 { font-size: 28px; margin: 0; } h2 { font-size: 20px; margin: 32px 0 12px; border-bottom: 1px solid var(--line);
  padding-bottom: 6px; } h3 { font-size: 16px; margin: 20px 0 8px; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 4px 0;
  white-space: pre-wrap; word-break: break-all; max-height: 420px; overflow: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
.muted { color: var(--muted); }
.badge { display: inline-block; min-width: 4.2em; padding: 1px 6px; border-radius: 10px; color: #fff; font-weight: 600;
  font-size: 12px; text-align: center; }
.v-PASS { --v: var(--PASS); } .v-FAIL { --v: var(--FAIL); } .v-WARN { --v: var(--WARN); } .v-INFO { --v: var(--INFO); }
.v-SKIP { --v: var(--SKIP); } .v-ERROR { --v: var(--ERROR); } .v-UNEXERCISED { --v: var(--UNEXERCISED); }
.v-NONE { --v: #d1d9e0; }
.badge { background: var(--v); }
.badge.excused { background: repeating-linear-gradient(135deg, var(--v), var(--v) 6px, #8c959f 6px, #8c959f 12px); }
.banner { margin: 0 -24px 16px; padding: 20px 24px; color: #fff; }
.banner p { margin: 4px 0 0; opacity: .95; }
.outcome-conformant { background: var(--PASS); }
.outcome-conformant-with-excused-failures { background: #4d7c0f; }
.outcome-partial { background: #a16207; }
.outcome-not-conformant { background: var(--FAIL); }
`;

/**
 * A complete page: no network at all (the Content-Security-Policy forbids every fetch, so a stray URL in a
 * body cannot load anything), styles and script inline.
 */
export function page(title: string, css: string, body: Markup, script = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${BASE_CSS}${css}</style>
</head>
<body>
${body.html}
${script === "" ? "" : `<script>${script}</script>`}
</body>
</html>
`;
}
