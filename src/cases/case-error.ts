// The case loader's error: a leaf, so the CLI's top-level handler can recognize it without loading the cases.

/** A case file or rule that breaks the format or refers to something that does not exist; exit 2. */
export class CaseError extends Error {
  override name = "CaseError";
}
