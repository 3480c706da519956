// The shape every part of `npm run bench` has: a name for --only, the rows and target verdicts it measured, how it measures.
import type { Case } from "../../src/cases/case-types.js";
import type { Contract } from "../../src/contract/contract.js";
import type { CpuPlan } from "./cpus.js";
import type { ServerChild } from "./processes.js";

export const log = (text: string) => process.stdout.write(`${text}\n`);

/** What the parts share: the contract and cases loaded once, a test certificate, and one reference process. */
export interface BenchContext {
  contract: Contract;
  cases: Case[];
  cert: string;
  cpus: CpuPlan;
  /** The reference (registration-open) in its own process, started by the first part that asks for it. */
  reference(): Promise<{ child: ServerChild; bearer: string }>;
}

export interface SectionOutcome {
  /** Rows of the figures table: measure, figure, details. */
  rows: string[][];
  /** Rows of the targets table: target, measured, verdict. */
  verdicts: string[][];
  /** Sentences printed and written after the tables. */
  notes: string[];
}

export interface BenchSection {
  /** The name `npm run bench -- --only <name>` selects it by. */
  name: string;
  /** What the script prints as it starts the part. */
  title: string;
  /** How each of its figures is measured, as bullet points of results.md. */
  how: string[];
  run(context: BenchContext): Promise<SectionOutcome>;
}

/** Runs one part; a failure is reported and recorded as a row, never the end of the script. */
export async function attemptSection(section: BenchSection, context: BenchContext): Promise<SectionOutcome> {
  try {
    return await section.run(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`  ${section.name} failed: ${message}`);
    return { rows: [[section.name, "failed", message]], verdicts: [], notes: [] };
  }
}

/** Runs one piece of a part; a failure is reported and returned, so the part records it and goes on. */
export async function attempt<T>(name: string, work: () => Promise<T>): Promise<T | { failed: string }> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`  ${name} failed: ${message}`);
    return { failed: message };
  }
}

export function failed<T>(value: T | { failed: string }): value is { failed: string } {
  return typeof value === "object" && value !== null && "failed" in value;
}

export function met(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

/** Cold runs and start-up runs each count their best of this many (after one unrecorded run). */
export const COLD_RUNS = 5;

export const BIN = "bin/wa-account-conformance.js";
