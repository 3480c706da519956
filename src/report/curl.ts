// One-line curl reproducers for failed steps, with every secret left as a shell variable the user fills in.
import { createHash } from "node:crypto";
import type { Exchange } from "../exchange.js";
import type { Redactor } from "./redact.js";

type Segment = { literal: string } | { variable: string };

/** A placeholder the redactor writes where a secret was; JSON-safe, so it survives re-serialized bodies. */
const placeholder = (name: string) => `@@WA_SECRET_${variableName(name)}@@`;
const PLACEHOLDER_PATTERN = /@@WA_SECRET_([A-Z0-9_]+)@@/g;

/** The shell variable a secret of this kind becomes: token → TOKEN, new_password → NEW_PASSWORD. */
function variableName(name: string): string {
  const upper = name.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  return upper === "CREDENTIALS" ? "BASIC_CREDENTIALS" : upper;
}

function segmentsOf(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
    if (match.index > last) {
      segments.push({ literal: text.slice(last, match.index) });
    }
    segments.push({ variable: match[1] ?? "SECRET" });
    last = match.index + match[0].length;
  }
  if (last < text.length) {
    segments.push({ literal: text.slice(last) });
  }
  return segments;
}

/** Single quotes, or ANSI-C $'...' when the text holds a newline or another control character (one line). */
function quoteLiteral(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is looked for.
  if (!/[\u0000-\u001f\u007f]/.test(text)) {
    return `'${text.replace(/'/g, `'\\''`)}'`;
  }
  const escaped = [...text]
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (char === "\\" || char === "'") {
        return `\\${char}`;
      }
      if (char === "\n") {
        return "\\n";
      }
      if (char === "\r") {
        return "\\r";
      }
      if (char === "\t") {
        return "\\t";
      }
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
    })
    .join("");
  return `$'${escaped}'`;
}

/** One shell word from literal text and variables, e.g. 'Authorization: Bearer '"$TOKEN". */
function shellWord(text: string): string {
  const segments = segmentsOf(text);
  if (segments.length === 0) {
    return "''";
  }
  return segments
    .map((segment) => ("variable" in segment ? `"$${segment.variable}"` : quoteLiteral(segment.literal)))
    .join("");
}

/** The shell variables a reproducer expects to be set, in order of first use. */
export function reproducerVariables(command: string): string[] {
  return [...new Set([...command.matchAll(/"\$([A-Z0-9_]+)"/g)].map((match) => match[1] ?? ""))];
}

/** Bodies up to this size go on the command line as they are; longer ones are rebuilt by a generated pipeline. */
export const MAX_INLINE_BODY_CHARS = 8 * 1024;
/** A reproducer longer than this cannot be pasted (and bloats every report it is in): the body is then left out. */
export const MAX_REPRODUCER_CHARS = 16 * 1024;
/** Runs of one character at least this long are written as `head -c N /dev/zero | tr '\0' C`. */
const MIN_RUN = 64;
/** Characters `tr` takes as themselves on every platform, needing no escape inside single quotes. */
const RUN_CHARACTERS = /^[A-Za-z0-9 ]$/;

/**
 * Shell commands whose output is exactly `text` with its placeholders' variables expanded: literal pieces through
 * printf, long runs of one character through head and tr (the oversized-body case sends 2 MiB of "x").
 */
function bodyCommands(text: string): string[] {
  const commands: string[] = [];
  const literal = (piece: string) => {
    if (piece !== "") {
      commands.push(`printf '%s' ${quoteLiteral(piece)}`);
    }
  };
  for (const segment of segmentsOf(text)) {
    if ("variable" in segment) {
      commands.push(`printf '%s' "$${segment.variable}"`);
      continue;
    }
    const piece = segment.literal;
    let last = 0;
    let index = 0;
    while (index < piece.length) {
      const char = piece[index] as string;
      let end = index + 1;
      while (end < piece.length && piece[end] === char) {
        end++;
      }
      if (end - index >= MIN_RUN && RUN_CHARACTERS.test(char)) {
        literal(piece.slice(last, index));
        commands.push(`head -c ${end - index} /dev/zero | tr '\\0' '${char}'`);
        last = end;
      }
      index = end;
    }
    literal(piece.slice(last));
  }
  return commands;
}

/**
 * A curl command that sends the request of an exchange again: method, URL, headers and body, with secrets as
 * shell variables ($TOKEN, $PASSWORD, $PIN, $CERT, ...); with redaction off (--include-secrets) as sent. A body
 * over MAX_INLINE_BODY_CHARS is piped in from a generated command that rebuilds it byte for byte; one that no
 * short command rebuilds is left out, with its size and SHA-256, rather than pasted as megabytes on one line.
 */
export function curlReproducer(exchange: Exchange, redactor: Redactor): string {
  const marked = redactor.withMarker(placeholder);
  const { request } = exchange;
  const words = [
    "curl",
    "-sS",
    "-i",
    "-X",
    request.method.toUpperCase(),
    shellWord(marked.text(request.url)),
  ];
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    const basic = /^Basic\s+(\S+)$/i.exec(value.trim());
    if (lower === "authorization" && basic?.[1] !== undefined) {
      // -u says what Basic means; the user name is not secret, the password is.
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) {
        const user = decoded.slice(0, colon);
        const password = redactor.enabled ? placeholder("password") : decoded.slice(colon + 1);
        words.push("-u", shellWord(`${user}:${password}`));
        continue;
      }
    }
    words.push("-H", shellWord(`${name}: ${marked.header(name, value)}`));
  }
  if (request.body === undefined) {
    return words.join(" ");
  }
  if (!Object.keys(request.headers).some((name) => name.toLowerCase() === "content-type")) {
    // The kit sent this body without a label; curl would add one (form-urlencoded) unless told not to.
    words.push("-H", "'Content-Type:'");
  }
  const body = marked.body(request.body);
  if (body.length <= MAX_INLINE_BODY_CHARS) {
    words.push("--data-binary", shellWord(body));
    return words.join(" ");
  }
  words.push("--data-binary", "@-");
  const rebuild = `{ ${bodyCommands(body).join("; ")}; } | ${words.join(" ")}`;
  if (rebuild.length <= MAX_REPRODUCER_CHARS) {
    return rebuild;
  }
  const digest = createHash("sha256").update(body).digest("hex");
  words[words.length - 1] = "@body.bin";
  return `${words.join(" ")} # body.bin: the body (${Buffer.byteLength(body)} bytes, SHA-256 ${digest}) is too large to show here`;
}

/** A shell assignment that sets one variable a reproducer uses, e.g. TOKEN=$(curl ... | node -e ...). */
export interface SetupCommandDoc {
  variable: string;
  command: string;
}

/** The shell word of a user name: as written, or "$USERNAME" when the report does not know it. */
const userWord = (user: string | undefined) =>
  user === undefined ? `"$USERNAME"':'"$PASSWORD"` : `${quoteLiteral(`${user}:`)}"$PASSWORD"`;

/**
 * TOKEN from the contract's login operation: a Basic login with "$PASSWORD" (never the password itself), and
 * the token read out of the answer by node (there with the kit; jq may not be), at `tokenPath` in its body.
 */
export function loginSetup(login: {
  method: string;
  url: string;
  user: string | undefined;
  tokenPath: readonly (string | number)[];
}): SetupCommandDoc {
  const access = login.tokenPath.map((key) => `[${JSON.stringify(key)}]`).join("");
  const script = `let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{process.stdout.write(String(JSON.parse(s)${access}))})`;
  const curl = [
    "curl",
    "-sS",
    "-X",
    login.method.toUpperCase(),
    "-u",
    userWord(login.user),
    quoteLiteral(login.url),
  ];
  return { variable: "TOKEN", command: `TOKEN=$(${curl.join(" ")} | node -e ${quoteLiteral(script)})` };
}

/** Shown when the report does not know the display name a case's certificate carried. */
export const VNAME_PLACEHOLDER = "<your verified display name>";

/** CERT from the kit's own cert command, for the display name the case used (or a placeholder to replace). */
export function certSetup(bin: string, vname: string | undefined, bare: boolean): SetupCommandDoc {
  const words = [
    bin,
    "cert",
    "--vname",
    quoteLiteral(vname ?? VNAME_PLACEHOLDER),
    ...(bare ? ["--bare"] : []),
  ];
  return { variable: "CERT", command: `CERT=$(${words.join(" ")})` };
}
