// The tweaks' named switches resolved at start; kept apart from the rewrite interpreter, which the options must not load.
import { isPlainObject } from "../json-text.js";
import { knownKeys, refuse } from "./tweak-shared.js";
import type { ReferenceSwitches } from "./tweak-types.js";

/** The vname a 202 answers, as the vname switch says; undefined when the decoded name is answered. */
export function vnameSwitch(
  switches: ReferenceSwitches | undefined,
): ((decoded: string, fields: Record<string, unknown>) => string) | undefined {
  if (switches === undefined) {
    return undefined;
  }
  knownKeys("switches", switches, ["vname", "formFields"]);
  const choice = switches.vname;
  if (choice === undefined) {
    return undefined;
  }
  if (choice === "echo-cert") {
    return (_decoded, fields) => String(fields.cert);
  }
  if (choice === "latin1") {
    return (decoded) => Buffer.from(decoded, "utf8").toString("latin1");
  }
  if (isPlainObject(choice) && typeof choice.constant === "string") {
    knownKeys("switches.vname", choice, ["constant"]);
    const constant = choice.constant;
    return () => constant;
  }
  return refuse(
    "switches.vname",
    `must be echo-cert, latin1 or { constant: <name> }, got ${JSON.stringify(choice)}`,
  );
}
