// Whether the console is coloured (NO_COLOR, FORCE_COLOR, a terminal) and how a text is painted when it is.
import { styleText } from "node:util";

export type Style = Parameters<typeof styleText>[0];

export interface ConsoleStyle {
  color: boolean;
}

/**
 * Colour when FORCE_COLOR asks for it (any value but 0 or false, as Node's own tools read it: it wins over
 * NO_COLOR), never when NO_COLOR is set to anything non-empty (no-color.org), else only on a terminal.
 */
export function colorFor(env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    return !["0", "false"].includes(force.trim().toLowerCase());
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") {
    return false;
  }
  return isTerminal;
}

/**
 * The text in `format` when the style colours. `validateStream: false`: the decision is colorFor's alone; from
 * Node 22 styleText would otherwise drop the colour whenever process.stdout is not a terminal, FORCE_COLOR or not.
 */
export function paint(style: ConsoleStyle, format: Style, text: string): string {
  return style.color ? styleText(format, text, { validateStream: false }) : text;
}
