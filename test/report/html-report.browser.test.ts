// Opens the HTML report of a planted-bug run in Debian's headless Chromium: counts render, a filter works, no network.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import type { ResultsDocument } from "../../src/report/model.js";
import { type PlantedTarget, runAgainst, runCli, startPlantedTarget, tempDir } from "./planted-run.js";

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Screenshots land in reports/ (gitignored), to be looked at by a person. */
const SCREENSHOTS = join(PACKAGE_ROOT, "reports", "screenshots");

describe.skipIf(!HAS_CHROMIUM)("the HTML report in headless Chromium", () => {
  let target: PlantedTarget;
  let dir: string;
  let document: ResultsDocument;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    target = await startPlantedTarget();
    dir = tempDir("browser");
    const run = await runAgainst(target.reference, dir, ["--reporter", "html,json"]);
    expect(run.exitCode).toBe(1);
    document = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as ResultsDocument;
    userDataDir = tempDir("chromium-profile");
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await target?.reference.close();
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  it("shows the outcome and the counts, filters by verdict, and loads nothing from the network", async () => {
    const page = await context.newPage();
    const requests: string[] = [];
    const pageErrors: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const url = pathToFileURL(join(dir, "report.html")).href;
    await page.goto(url);

    await expect.poll(() => page.locator("#outcome-title").textContent()).toBe("Not conformant");
    const counts = document.summary.counts;
    expect(counts.FAIL).toBeGreaterThan(0);
    expect(await page.locator('[data-count="FAIL"]').textContent()).toBe(String(counts.FAIL));
    expect(await page.locator('[data-count="PASS"]').textContent()).toBe(String(counts.PASS));
    const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
    expect(await page.locator("details.case").count()).toBe(total);
    expect(await page.locator("details.case:visible").count()).toBe(total);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "html-report-top.png") });

    await page.locator('button[data-filter="FAIL"]').click();
    expect(await page.locator("details.case:visible").count()).toBe(counts.FAIL);
    expect(await page.locator('details.case:visible[data-verdict="FAIL"]').count()).toBe(counts.FAIL);
    expect(await page.locator("#shown-count").textContent()).toBe(String(counts.FAIL));
    expect(await page.locator('button[data-filter="FAIL"]').getAttribute("aria-pressed")).toBe("true");
    await page.locator("#cases").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, "html-report-fail-filter.png") });

    await page.locator('button[data-filter="all"]').click();
    expect(await page.locator("details.case:visible").count()).toBe(total);

    // A failed case is open and shows its Expected / Received and a reproducer with placeholders.
    const failed = page.locator("#case-registration-open-new-number-answers-202-with-decoded-vname");
    expect(await failed.getAttribute("data-verdict")).toBe("FAIL");
    expect(await failed.getAttribute("open")).not.toBeNull();
    expect(await failed.locator("table").textContent()).toContain("status 202");
    expect(await failed.locator("pre.curl").first().textContent()).toContain('"$TOKEN"');

    expect(pageErrors).toEqual([]);
    expect(requests.every((request) => request.startsWith("file://"))).toBe(true);
    await page.close();
  }, 60_000);

  it("shows the comparison grid, and hides the cases on which implementations agree", async () => {
    const embedded = tempDir("browser-embedded");
    expect((await runCli(["run", "--report-dir", embedded, "--reporter", "json"])).exitCode).toBe(0);
    const out = tempDir("browser-compare");
    const compare = await runCli([
      "compare",
      join(embedded, "results.json"),
      join(dir, "results.json"),
      "--out",
      out,
    ]);
    expect(compare.exitCode).toBe(0);
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(out, "compare.html")).href);
    expect(await page.locator("#implementations tbody tr").count()).toBe(3);
    const rows = page.locator("tr.case-row");
    const all = await rows.count();
    expect(all).toBeGreaterThan(0);
    await page.locator("#only-differences").check();
    const differing = await page.locator("tr.case-row:visible").count();
    expect(differing).toBe(await page.locator('tr.case-row[data-differs="true"]').count());
    expect(differing).toBeGreaterThan(0);
    expect(differing).toBeLessThan(all);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "compare-differences.png"), fullPage: true });
    await page.close();
  }, 60_000);
});
