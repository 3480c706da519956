// The runner's own errors, a leaf the CLI's top-level handler imports: an unreachable target (exit 3), a refused login (exit 2).

/** The target (or its state hook) did not answer at all, which the CLI maps to exit 3. */
export class TargetUnreachableError extends Error {
  override name = "TargetUnreachableError";
}

/** The login could not give a token; with the target's answer so the user can fix their credentials. */
export class LoginError extends Error {
  override name = "LoginError";
}
