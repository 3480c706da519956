// Opens the HTML report of a planted-bug run in Debian's headless Chromium: counts, filters, links, reproducers, no network.
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

    await page.locator('.filters button[data-filter="FAIL"]').click();
    expect(await page.locator("details.case:visible").count()).toBe(counts.FAIL);
    expect(await page.locator('details.case:visible[data-verdict="FAIL"]').count()).toBe(counts.FAIL);
    expect(await page.locator("#shown-count").textContent()).toBe(String(counts.FAIL));
    expect(await page.locator('.filters button[data-filter="FAIL"]').getAttribute("aria-pressed")).toBe(
      "true",
    );
    await page.locator("#cases").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, "html-report-fail-filter.png") });

    await page.locator('.filters button[data-filter="all"]').click();
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

  it("lists the failed cases at the top, each a link that opens its case, even one a filter hid", async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    // Right under the outcome banner, before the count cards.
    expect(await page.locator("#outcome + *").getAttribute("id")).toBe("failed");
    const links = page.locator("#failed a");
    expect(await links.count()).toBe(document.summary.counts.FAIL + document.summary.counts.ERROR);
    const href = (await links.first().getAttribute("href")) ?? "";
    expect(href).toMatch(/^#case-registration-open-/);
    const linked = page.locator(href);

    // Closed and hidden (the PASS filter), the link still shows it open.
    await linked.evaluate((element) => {
      // No DOM types here (the kit's tsconfig has no DOM lib): the element is a <details>.
      (element as unknown as { open: boolean }).open = false;
    });
    expect(await linked.getAttribute("open")).toBeNull();
    await page.locator('.filters button[data-filter="PASS"]').click();
    expect(await linked.isVisible()).toBe(false);
    await links.first().click();
    await expect.poll(() => linked.getAttribute("open")).not.toBeNull();
    expect(await linked.isVisible()).toBe(true);
    expect(page.url().endsWith(href)).toBe(true);

    // An excused or passing case is closed: opened through its link on load.
    const passed = document.runs[0]?.cases.find((testCase) => testCase.verdict === "PASS");
    const anchor = `case-registration-open-${passed?.id}`;
    await page.goto(`${pathToFileURL(join(dir, "report.html")).href}#${anchor}`);
    await expect.poll(() => page.locator(`[id="${anchor}"]`).getAttribute("open")).not.toBeNull();
    await page.close();
  }, 60_000);

  it("filters the cases when a count card is clicked, by keyboard too", async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    const counts = document.summary.counts;
    const card = page.locator('#counts button[data-filter="FAIL"]');
    expect(await card.getAttribute("aria-pressed")).toBe("false");
    await card.click();
    expect(await page.locator("details.case:visible").count()).toBe(counts.FAIL);
    expect(await card.getAttribute("aria-pressed")).toBe("true");
    // The toolbar follows the card.
    expect(await page.locator('.filters button[data-filter="FAIL"]').getAttribute("aria-pressed")).toBe(
      "true",
    );
    await page.locator('#counts button[data-filter="INFO"]').focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("details.case:visible").count()).toBe(counts.INFO);
    expect(await page.locator('details.case:visible[data-verdict="INFO"]').count()).toBe(counts.INFO);
    // A card with no case cannot be chosen.
    expect(await page.locator('#counts button[data-filter="SKIP"]').isDisabled()).toBe(counts.SKIP === 0);
    await page.close();
  }, 60_000);

  it("shows a repeated Expected / Received pair once with its count, and the commands that set TOKEN and CERT", async () => {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, "report.html")).href);
    // A case whose failures repeat one Expected / Received pair: one row, with the count.
    const repeated = document.runs
      .flatMap((run) => run.cases)
      .find((testCase) => {
        const pairs = testCase.failures.map((failure) => `${failure.expected}\u0000${failure.received}`);
        return new Set(pairs).size < pairs.length;
      });
    expect(repeated).toBeDefined();
    const failures = repeated?.failures ?? [];
    const distinct = new Set(failures.map((failure) => `${failure.expected}\u0000${failure.received}`)).size;
    const section = page.locator(`[id="case-registration-open-${repeated?.id}"]`);
    const rows = section.locator("table.failures tbody tr");
    expect(await rows.count()).toBe(distinct);
    const collapsed = section.locator("table.failures tbody tr:not([data-repeats='1'])").first();
    const times = Number(await collapsed.getAttribute("data-repeats"));
    expect(times).toBeGreaterThan(1);
    expect(await collapsed.locator(".repeats").textContent()).toBe(`× ${times}`);

    // The reproducer says how to set TOKEN and CERT, before the curl command that uses them.
    const voice = page.locator("#case-registration-open-new-number-by-voice-answers-202");
    const setup = voice.locator("pre.setup");
    expect(await setup.count()).toBe(2);
    expect(await voice.locator('pre.setup[data-variable="TOKEN"]').textContent()).toMatch(
      /^TOKEN=\$\(curl .*"\$PASSWORD".* \| node -e /,
    );
    expect(await voice.locator('pre.setup[data-variable="CERT"]').textContent()).toBe(
      "CERT=$(wa-account-conformance cert --vname 'Voice Line Ltd')",
    );
    expect(await voice.locator("h4 + p").textContent()).toContain("Set PASSWORD yourself first");
    await section.scrollIntoViewIfNeeded();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "html-report-case.png") });
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
