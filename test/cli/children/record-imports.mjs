// Preload for test/cli/start-up.test.ts: appends to the file in RECORD_IMPORTS the URL of every module the process resolves, and at exit every CommonJS module it loaded.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

const file = process.env.RECORD_IMPORTS;
register(new URL("./record-imports-hooks.mjs", import.meta.url), { data: { file } });
process.on("exit", () => {
  const loaded = Object.keys(createRequire(import.meta.url).cache).map((path) => pathToFileURL(path).href);
  appendFileSync(file, loaded.map((url) => `${url}\n`).join(""));
});
