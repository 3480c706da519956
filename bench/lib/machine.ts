// Describes the machine and the versions of every tool a benchmark used, for the header of bench/results.md.
import { readFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/paths.js";

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  versions: Record<string, string>;
  date: string;
}

/** The installed version of a package, read from its package.json (its exports may hide it from require). */
export function installedVersion(name: string): string {
  const path = name === "." ? "package.json" : join("node_modules", name, "package.json");
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(PACKAGE_ROOT, path), "utf8"));
    const version =
      typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "version") : undefined;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "not installed";
  }
}

export function describeMachine(packages: readonly string[]): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    node: process.version,
    versions: Object.fromEntries(
      [".", ...packages].map((name) => [
        name === "." ? "wa-account-conformance" : name,
        installedVersion(name),
      ]),
    ),
    date: new Date().toISOString(),
  };
}

export function machineMarkdown(machine: Machine): string {
  const versions = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(", ");
  return [
    `- Date: ${machine.date}`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} memory, ${machine.os}`,
    `- Node ${machine.node}; ${versions}`,
  ].join("\n");
}
