// explore's reports: explore.json with the sequences, Markdown, JUnit, a HAR of the failing sequence and the failure as a ready case file; all redacted.

import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Contract } from "../contract/contract.js";
import type { Exchange } from "../exchange.js";
import { renderHarLog } from "../report/har.js";
import type { ExchangeDoc } from "../report/model.js";
import type { Redactor } from "../report/redact.js";
import { failureCase, failureCaseYaml } from "./case-file.js";
import type { StepRecord } from "./commands.js";
import type { ExploreOutcome } from "./explore.js";

const require = createRequire(import.meta.url);

export const EXPLORE_REPORT_FILES = {
  json: "explore.json",
  markdown: "explore.md",
  junit: "explore-junit.xml",
  har: "explore.har",
} as const;

/** The verdict of an exploration: failed when a sequence diverged (MUST, or SHOULD under --strict). */
export function exploreVerdict(outcome: ExploreOutcome): "pass" | "fail" {
  return outcome.failure === undefined ? "pass" : "fail";
}

function stepDoc(step: StepRecord, redactor: Redactor) {
  return {
    index: step.index,
    title: redactor.text(step.title),
    operation: step.operation,
    matched: step.matched ?? null,
    allowed: step.branches.map((branch) => ({
      label: branch.label,
      facts: branch.facts.map((f) => f.requirement),
    })),
    divergences: step.divergences.map((d) => ({ ...d, received: redactor.text(d.received) })),
    differences: step.differences.map((d) => ({
      ...d,
      baseline: redactor.text(d.baseline),
      candidate: redactor.text(d.candidate),
    })),
    exchanges: step.exchanges.map((exchange) => {
      const shown = redactor.exchange(exchange);
      return {
        request: { method: shown.request.method, url: shown.request.url, body: shown.request.body ?? null },
        response: {
          status: shown.response.status,
          headers: shown.response.headers,
          body: shown.response.bodyText,
        },
      };
    }),
  };
}

/** explore.json: the run's figures, the failing sequence step by step, SHOULD warnings. */
export function exploreDocument(outcome: ExploreOutcome, targets: string[], redactor: Redactor) {
  return {
    tool: "wa-account-conformance explore",
    mode: outcome.mode,
    seed: outcome.seed,
    profile: outcome.profile,
    targets: targets.map((url) => redactor.text(url)),
    verdict: exploreVerdict(outcome),
    sequences: outcome.sequences,
    generated: outcome.generated,
    steps: outcome.steps,
    interrupted: outcome.interrupted,
    durationMs: Math.round(outcome.durationMs),
    failure:
      outcome.failure === undefined
        ? null
        : {
            setup: outcome.failure.setup,
            shrinks: outcome.failure.shrinks,
            steps: outcome.failure.trace.map((step) => stepDoc(step, redactor)),
          },
    warnings: outcome.warnings.map(({ sequence, step }) => ({ sequence, step: stepDoc(step, redactor) })),
  };
}

/** One line per step of the failing sequence, and what broke: for the console and explore.md. */
export function describeFailure(outcome: ExploreOutcome, redactor: Redactor): string[] {
  const failure = outcome.failure;
  if (failure === undefined) {
    return [];
  }
  const lines = [
    `Shrunk to ${failure.trace.length} steps (${failure.shrinks} shrinks), from states ${failure.setup.states.join(", ")}:`,
  ];
  for (const step of failure.trace) {
    const statuses = step.exchanges.map((exchange) => exchange.response.status).join(" / ");
    lines.push(redactor.text(`  ${step.index}. ${step.title} -> ${statuses || "done"}`));
    for (const d of step.divergences) {
      lines.push(
        redactor.text(`     ${d.level} ${d.requirement}: expected ${d.expected}, got ${d.received}`),
      );
    }
    for (const d of step.differences) {
      lines.push(
        redactor.text(
          `     differs in ${d.aspect}${d.pointer ? ` ${d.pointer}` : ""}: baseline ${d.baseline}, candidate ${d.candidate}`,
        ),
      );
    }
  }
  return lines;
}

function markdown(outcome: ExploreOutcome, redactor: Redactor): string {
  const lines = [
    `# explore: ${exploreVerdict(outcome) === "pass" ? "no divergence" : "divergence found"}`,
    "",
    `- seed ${outcome.seed}, profile ${outcome.profile}, mode ${outcome.mode}`,
    `- ${outcome.sequences} sequences (${outcome.generated} generated), ${outcome.steps} steps, ${Math.round(outcome.durationMs)} ms${outcome.interrupted ? ", stopped by the budget" : ""}`,
    `- ${outcome.warnings.length} SHOULD warnings`,
  ];
  const failure = describeFailure(outcome, redactor);
  if (failure.length > 0) {
    lines.push("", "```", ...failure, "```");
  }
  return `${lines.join("\n")}\n`;
}

function junit(outcome: ExploreOutcome, redactor: Redactor): string {
  const { create } = require("xmlbuilder2") as typeof import("xmlbuilder2");
  const root = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "\uFFFD" });
  const suite = root.ele("testsuites").ele("testsuite", {
    name: `explore seed ${outcome.seed}`,
    tests: 1,
    failures: outcome.failure === undefined ? 0 : 1,
    time: (outcome.durationMs / 1000).toFixed(3),
  });
  const testCase = suite.ele("testcase", { name: `${outcome.sequences} sequences, ${outcome.steps} steps` });
  if (outcome.failure !== undefined) {
    testCase
      .ele("failure", { message: "a sequence diverged" })
      .txt(describeFailure(outcome, redactor).join("\n"));
  }
  return root.end({ prettyPrint: true });
}

function exchangeDoc(exchange: Exchange, step: number, redactor: Redactor): ExchangeDoc {
  const shown = redactor.exchange(exchange);
  return {
    step,
    startedAt: new Date().toISOString(),
    durationMs: shown.response.durationMs,
    request: {
      method: shown.request.method,
      url: shown.request.url,
      headers: shown.request.headers,
      ...(shown.request.body === undefined ? {} : { body: shown.request.body }),
    },
    response: {
      status: shown.response.status,
      headers: shown.response.headers,
      body: shown.response.bodyText,
    },
  };
}

/**
 * Writes the reports into `dir`; returns the files written. `caseRedactor` knows the user's secrets only: the
 * written case keeps the certificates and PINs the kit made itself, which it needs to reproduce the failure.
 */
export async function writeExploreReports(
  dir: string,
  outcome: ExploreOutcome,
  context: {
    contract: Contract;
    targets: string[];
    redactor: Redactor;
    caseRedactor: Redactor;
    version: string;
  },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const { redactor } = context;
  const written: string[] = [];
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    written.push(path);
  };
  await write(
    EXPLORE_REPORT_FILES.json,
    `${JSON.stringify(exploreDocument(outcome, context.targets, redactor), null, 2)}\n`,
  );
  await write(EXPLORE_REPORT_FILES.markdown, markdown(outcome, redactor));
  await write(EXPLORE_REPORT_FILES.junit, junit(outcome, redactor));
  const failure = outcome.failure;
  if (failure !== undefined) {
    const pages = context.targets.map((url, side) => ({
      id: `side-${side + 1}`,
      startedAt: new Date().toISOString(),
      title: redactor.text(`failing sequence against ${url}`),
      entries: failure.trace.flatMap((step) => {
        const exchange = step.exchanges[side];
        return exchange === undefined
          ? []
          : [{ exchange: exchangeDoc(exchange, step.index, redactor), comment: redactor.text(step.title) }];
      }),
    }));
    await write(
      EXPLORE_REPORT_FILES.har,
      renderHarLog({ name: "wa-account-conformance", version: context.version }, redactor.enabled, pages),
    );
    if (outcome.mode === "model") {
      const document = failureCase(context.contract, failure, outcome.seed, outcome.profile);
      const id = String(document.cases[0]?.id);
      await write(`${id}.yaml`, context.caseRedactor.text(failureCaseYaml(document)));
    }
  }
  return written;
}
