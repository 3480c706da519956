#!/usr/bin/env node
// Entry point of the CLI: runs the compiled kit from dist/ and exits with its code.
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    "error: the kit is not built; run `npm run build` (`npm start` and `npm test` do it for you)\n",
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exit(await main(process.argv));
