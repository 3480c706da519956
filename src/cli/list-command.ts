// `list`: prints every case with its requirements, levels, states and description.
import type { Case } from "../cases/case-types.js";
import { loadCases } from "../cases/load-cases.js";
import { type Contract, loadContract } from "../contract/contract.js";
import type { Output } from "./run-command.js";

function requirementsOf(testCase: Case, contract: Contract): string {
  return testCase.requirements
    .map((id) => `${id} (${contract.requirementById.get(id)?.level ?? "?"})`)
    .join(", ");
}

export async function listCommand(
  options: { json?: boolean; profile?: string },
  output: Output,
): Promise<number> {
  const contract = await loadContract();
  const cases = (await loadCases(contract)).filter(
    (testCase) =>
      options.profile === undefined ||
      testCase.profiles.includes(options.profile as Case["profiles"][number]),
  );
  if (options.json) {
    output.out(
      JSON.stringify(
        cases.map((testCase) => ({
          id: testCase.id,
          description: testCase.description,
          requirements: testCase.requirements.map((id) => ({
            id,
            level: contract.requirementById.get(id)?.level,
          })),
          profiles: testCase.profiles,
          states: testCase.states.map((state) => state.name),
          source: testCase.source,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  for (const testCase of cases) {
    const states =
      testCase.states.length > 0 ? testCase.states.map((state) => state.name).join(", ") : "none";
    output.out(
      [
        testCase.id,
        `    ${testCase.description}`,
        `    requirements: ${requirementsOf(testCase, contract)}`,
        `    profiles: ${testCase.profiles.join(", ")}; states: ${states}; from ${testCase.source}`,
      ].join("\n"),
    );
  }
  output.out(`\n${cases.length} cases`);
  return 0;
}
