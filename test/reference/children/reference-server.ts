// A child process for tests that need the reference in a process of its own: starts it with the JSON options in argv[2] and prints its URL.
import { type ReferenceOptions, startReference } from "../../../src/reference/index.js";

const options = JSON.parse(process.argv[2] ?? "{}") as ReferenceOptions;
const reference = await startReference(options);
process.stdout.write(`${reference.url}\n`);
// Stopped by its parent; a closed stdin (the parent gone) stops it too, so no test leaves it behind.
process.stdin.on("end", () => {
  void reference.close().then(() => process.exit(0));
});
process.stdin.resume();
