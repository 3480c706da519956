// The conformance suite in this repository (`npx vitest run --project conformance`), as installed users run it.
import "../src/vitest/conformance.suite.js";
