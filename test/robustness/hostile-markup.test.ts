// Text a target controls (error details, meta.version) stays inert in every report: no live link, image or tag.
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { convert } from "xmlbuilder2";
import {
  closeTargets,
  expectJudged,
  hostileAfterLogin,
  runAgainst,
  TEST_LIMIT_MS,
} from "./hostile-support.js";

afterEach(closeTargets);

/** markdown-it renders GitHub-flavoured tables and autolinks; typed here for the one call the test makes. */
type MarkdownIt = new (options: { html: boolean; linkify: boolean }) => { render(text: string): string };
const MarkdownIt = createRequire(import.meta.url)("markdown-it") as MarkdownIt;

/** Every way out of a code span or into live markup a target could try, all pointing at one host. */
const PAYLOAD = [
  "` `` ``` ````",
  "<img src=https://evil.example/i.png>",
  "[a](https://evil.example/a)",
  "![i](https://evil.example/i.png)",
  "<a href=https://evil.example/b>b</a>",
  "| ` | </details> <script>alert(1)</script>",
  "\\` \\| www.evil.example/c https://evil.example/d",
].join(" ");

/** What a rendered page shows outside code: where a link, an image or a tag would be live. */
const outsideCode = (rendered: string) =>
  rendered.replace(/<code>[\s\S]*?<\/code>/g, "").replace(/<pre>[\s\S]*?<\/pre>/g, "");

describe("a target whose error messages hold Markdown and HTML", () => {
  it(
    "shows them in summary.md as code that cannot be broken, and escaped in report.html and junit.xml",
    async () => {
      const url = await hostileAfterLogin((req, res) => {
        req.resume();
        res.writeHead(400, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            meta: { version: `v2 ${PAYLOAD}` },
            errors: [{ code: 1005, title: PAYLOAD, details: PAYLOAD }],
          }),
        );
      });
      const run = await runAgainst(url);
      expectJudged(run);

      const summary = run.artifacts.get("summary.md") ?? "";
      expect(summary).toContain("evil.example");
      const rendered = new MarkdownIt({ html: true, linkify: true }).render(summary);
      expect(outsideCode(rendered)).not.toContain("evil.example");
      expect(rendered).not.toMatch(/<(img|a|script)\b/);

      const page = run.artifacts.get("report.html") ?? "";
      expect(page).toContain("&lt;img src=https://evil.example/i.png&gt;");
      expect(page).not.toMatch(/<(img|a)\b[^>]*evil\.example/);
      expect(page).not.toContain("<script>alert(1)");

      // JUnit parses, and holds the text as text.
      const junit = run.artifacts.get("junit.xml") ?? "";
      expect(() => convert(junit, { format: "object" })).not.toThrow();
      expect(junit).toContain("&lt;img src=https://evil.example/i.png&gt;");
      expect(junit).not.toContain("<img");
    },
    TEST_LIMIT_MS,
  );
});
