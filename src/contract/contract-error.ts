// The contract's error: a leaf, so the CLI's top-level handler can recognize it without loading the contract.

/** Raised for a contract that cannot be read or breaks the kit's own rules; the CLI maps it to exit 2. */
export class ContractError extends Error {
  override name = "ContractError";
}
