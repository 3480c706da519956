// The test file a user's vitest runs (defineConformanceConfig includes it): the whole conformance run as tests.
import { defineConformanceSuite } from "./suite.js";

await defineConformanceSuite();
