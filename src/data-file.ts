// Reads a user's YAML or JSON file (config, rules, expected failures) and explains schema errors by key.
import { readFile } from "node:fs/promises";
import type { ErrorObject } from "ajv/dist/2020.js";
import { ConfigError } from "./config-error.js";
import { parseYaml } from "./yaml.js";

/**
 * The parsed content of a YAML file, or a JSON file by its .json extension; `what` names the file in messages
 * ("the config file"). Unreadable or unparsable files are a ConfigError (exit 2).
 */
export async function readDataFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const json = path.endsWith(".json");
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `${what} ${path} is not valid ${json ? "JSON" : "YAML"}: ${(error as Error).message}`,
    );
  }
}

/** One line per schema error, naming the key as a dotted path and why ("states.code-sent: ..."). */
export function explainByKey(errors: ErrorObject[] | null | undefined, limit = 8): string[] {
  const lines = (errors ?? [])
    .filter((error) => error.keyword !== "oneOf")
    .slice(0, limit)
    .map((error) => {
      const key = error.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
      const why =
        error.keyword === "additionalProperties"
          ? ` "${(error.params as { additionalProperty: string }).additionalProperty}" is not a known key`
          : ` ${error.message ?? "is invalid"}`;
      return `  ${key}:${why}`;
    });
  return [...new Set(lines)];
}
