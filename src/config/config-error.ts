// The error for bad flags, environment, config or data files; the CLI maps it to exit 2.
export class ConfigError extends Error {
  override name = "ConfigError";
}
