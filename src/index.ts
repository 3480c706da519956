// wa-account-conformance from code: run the matrix, start or mount the reference, load the contract and cases, the result types.
export type { Case } from "./cases/case-types.js";
export { loadCases } from "./cases/load-cases.js";
export { ConfigError, resolveRunSettings, type TargetSettings } from "./config/config.js";
export {
  type Contract,
  loadContract,
  type Operation,
  PROFILES,
  type ProfileName,
  type Requirement,
} from "./contract/contract.js";
export {
  MAX_REPEAT,
  type RunEvents,
  type RunOutcome,
  type RunRequest,
  runConformance,
} from "./pipeline/run-conformance.js";
export {
  createReferenceHandler,
  DEFAULT_ADMIN,
  mountReference,
  PROVIDER_STATE_PATH,
  type ReferenceOptions,
  type RunningReference,
  startReference,
} from "./reference/index.js";
export { TargetUnreachableError } from "./runner/errors.js";
export type {
  CaseResult,
  FlakyCase,
  PartialRun,
  ProfileRun,
  RequirementOutcome,
  RunSummary,
  Verdict,
} from "./runner/results.js";
export type { TargetConfig } from "./runner/target.js";
