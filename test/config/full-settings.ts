// A config with every key of run's config file, shared by the config tests (and checked against the published schema).
import type { TargetSettings } from "../../src/config/config.js";

export const FULL_SETTINGS: TargetSettings = {
  target: "http://127.0.0.1:9090",
  name: "Vendor X",
  profile: "sunset",
  token: "tok",
  username: "admin",
  password: "secret",
  stateUrl: "http://127.0.0.1:9090/_conformance/provider-states",
  timeoutMs: 2500,
  insecure: true,
  concurrency: 4,
  strict: true,
  cases: ["registered-number-answers-201"],
  states: {
    "number-registered": { cc: "1", phone_number: "5550100001" },
    "two-step-enabled": { cc: "44", phone_number: "7700900123", pin: "123456" },
    "code-sent": { codeHeader: "X-Test-Code" },
    "non-admin-user": { token: "user-token" },
    "sms-attempts-exhausted": { smsLimit: 3 },
    "number-unregistered": true,
    "registration-blocked": false,
  },
};
