// The steps `run` and `diff` share: the chosen cases, the one redactor of a set of targets, a target probed before any case.
import type { Case } from "../cases/case-types.js";
import { loadCases } from "../cases/load-cases.js";
import { type Contract, loadContract } from "../contract/contract.js";
import { Redactor } from "../report/redact.js";
import { probeTarget } from "../runner/run-matrix.js";
import { probeStateHook } from "../runner/states.js";
import { type TargetConfig, targetSecrets } from "../runner/target.js";
import { selectCases } from "./select-cases.js";

export interface LoadedCases {
  contract: Contract;
  /** Every case of the kit (a baseline's ids and a partial run's share are checked against them). */
  allCases: Case[];
  /** The cases the user named (all when none). */
  cases: Case[];
}

/**
 * The contract and the cases (the kit's, or the ones `contract` and `caseDir` name), with the ones named by --case
 * (or the settings) selected; an unknown id is exit 2.
 */
export async function loadSelectedCases(
  ids: string[] | undefined,
  sources: { contract?: string; caseDir?: string } = {},
): Promise<LoadedCases> {
  const contract = await loadContract(sources.contract);
  const allCases = await loadCases(contract, sources.caseDir);
  return { contract, allCases, cases: selectCases(allCases, ids) };
}

/**
 * The one redactor for the console and every artifact of a run or a diff: it knows the targets' credentials and
 * state data before anything is sent, and learns tokens and codes from the exchanges as they come.
 */
export function redactorFor(contract: Contract, targets: TargetConfig[], includeSecrets: boolean): Redactor {
  const secrets = targetSecrets(targets, contract);
  return Redactor.forContract(contract, {
    enabled: !includeSecrets,
    secrets: secrets.values,
    headers: secrets.headers,
  });
}

/**
 * Probes a target and its state hook once before any case, so an unreachable target or a broken hook is one clear
 * error (exit 3, or 2 for a hook that refuses) rather than a matrix of ERRORs. `side` names the target in the
 * error when several are in play (a diff's baseline, candidate, baseline-2).
 */
export async function prepareTarget(
  contract: Contract,
  target: TargetConfig,
  redactor: Redactor,
  side?: string,
): Promise<void> {
  try {
    await probeTarget(target, contract);
    await probeStateHook(target, redactor, contract);
  } catch (error) {
    if (side !== undefined && error instanceof Error) {
      error.message = `${side}: ${error.message}`;
    }
    throw error;
  }
}
