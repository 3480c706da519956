// `npm run bench [-- --only startup,warm,…]`: runs the parts in bench/lib (start-up and cold, warm, overhead, Dredd, req/s, explore, proxy) and writes their figures.
import { loadavg } from "node:os";
import { loadCases } from "../src/cases/load-cases.js";
import { encodeCertificate } from "../src/cert/certificate.js";
import { loadContract } from "../src/contract/contract.js";
import { DEFAULT_ADMIN } from "../src/reference/index.js";
import { buildDist } from "./lib/build.js";
import { planCpus } from "./lib/cpus.js";
import { adminBearer } from "./lib/http.js";
import { overheadSection, warmSection } from "./lib/in-process.js";
import { describeMachine, machineMarkdown } from "./lib/machine.js";
import { type ServerChild, startServerChild } from "./lib/processes.js";
import { writeSection } from "./lib/results-file.js";
import { exploreSection, proxySection } from "./lib/script-parts.js";
import { attemptSection, type BenchContext, type BenchSection, log } from "./lib/section.js";
import { sideBySideSection } from "./lib/side-by-side.js";
import { startUpSection } from "./lib/startup.js";
import { table } from "./lib/stats.js";
import { throughputSection } from "./lib/throughput.js";

/** Every part, in the order they run. */
const SECTIONS: BenchSection[] = [
  startUpSection,
  warmSection,
  overheadSection,
  sideBySideSection,
  throughputSection,
  exploreSection,
  proxySection,
];

/** The parts `--only a,b` names (every part without it); an unknown name is an error, not a silent full run. */
function chosenSections(args: string[]): BenchSection[] {
  const at = args.indexOf("--only");
  if (at === -1) {
    return SECTIONS;
  }
  const names = (args[at + 1] ?? "").split(",").filter(Boolean);
  const unknown = names.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes part names: ${SECTIONS.map((section) => section.name).join(", ")}`);
  }
  return SECTIONS.filter((section) => names.includes(section.name));
}

async function main(): Promise<void> {
  const sections = chosenSections(process.argv.slice(2));
  const partial = sections.length < SECTIONS.length;
  const machine = describeMachine(["dredd", "@stoplight/prism-cli", "autocannon", "supertest", "typescript"]);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  log(`wa-account-conformance benchmarks, ${machine.date}`);
  log(`${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node ${machine.node}`);
  log("\nbuilding the CLI");
  const built = await buildDist();
  log(`  ${built}`);
  const contract = await loadContract();
  const cpus = planCpus();
  let reference: Promise<{ child: ServerChild; bearer: string }> | undefined;
  const context: BenchContext = {
    contract,
    cases: await loadCases(contract),
    cert: encodeCertificate({ vname: "Acme Plumbing Co" }),
    cpus,
    reference: () => {
      reference ??= (async () => {
        log("\nstarting the reference (registration-open) in its own process");
        const child = await startServerChild("reference", cpus);
        return {
          child,
          bearer: await adminBearer(child.url, DEFAULT_ADMIN.username, DEFAULT_ADMIN.password),
        };
      })();
      return reference;
    },
  };
  const outcomes = [];
  try {
    for (const section of sections) {
      log(`\n${section.title}`);
      outcomes.push(await attemptSection(section, context));
    }
  } finally {
    await (await reference?.catch(() => undefined))?.child.stop();
  }

  const figures = table(
    ["measure", "figure", "details"],
    outcomes.flatMap((outcome) => outcome.rows),
  );
  const targets = table(
    ["target", "measured", "verdict"],
    outcomes.flatMap((outcome) => outcome.verdicts),
  );
  const notes = outcomes.flatMap((outcome) => outcome.notes);
  const loadAfter = loadavg()[0] ?? Number.NaN;
  // Other work on the machine slows every figure; the 1-minute load average before and after says how much there was.
  const loadNote = `Load average (1 min) before the run ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)} on ${machine.cores} cores (the benchmark itself keeps about 2 busy)${
    loadBefore > machine.cores / 2
      ? "; other work was running before it started, so the figures may be pessimistic"
      : ""
  }.`;
  log(`\n${figures}\n\n${targets}\n\n${loadNote}`);
  for (const note of notes) {
    log(`\n${note}`);
  }
  if (partial) {
    // results.md holds whole runs only, so its figures always come from one run of every part.
    log("\n--only: bench/results.md is left as it was");
    return;
  }
  writeSection(
    "run",
    [
      "## npm run bench",
      "",
      machineMarkdown(machine),
      `- Build: ${built}`,
      `- Cores during the req/s measurements: ${cpus.description}.`,
      `- ${loadNote}`,
      "",
      figures,
      "",
      "Targets (from issues 7 and 13; missed ones are shown as missed):",
      "",
      targets,
      "",
      "How each figure is measured:",
      "",
      ...sections.flatMap((section) => section.how),
      ...(notes.length > 0 ? ["", ...notes] : []),
    ].join("\n"),
  );
  log("\nwritten to bench/results.md");
}

await main();
// Every server and child this script started is stopped; nothing is left that should keep it alive.
process.exit(0);
