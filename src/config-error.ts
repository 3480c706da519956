// The error for bad flags, environment, config or data files: a leaf, so any folder may throw it; the CLI maps it to exit 2.
export class ConfigError extends Error {
  override name = "ConfigError";
}
