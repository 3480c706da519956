// The runner's own error: the target (or its state hook) did not answer at all, which the CLI maps to exit 3.
export class TargetUnreachableError extends Error {
  override name = "TargetUnreachableError";
}
