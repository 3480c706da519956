// The public face of the embedded reference implementation, the kit's default target.
export { createReferenceHandler } from "./handler.js";
export {
  DEFAULT_ADMIN,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_FAILED_LOGINS,
  PROVIDER_STATE_PATH,
  REFERENCE_RULES,
  type ReferenceOptions,
  type ReferenceRequest,
  type ReferenceResponse,
  type ReferenceRewrite,
  type ReferenceRule,
  type ReferenceSwitches,
  type ReferenceTweaks,
  type RewriteRule,
  type RunningReference,
} from "./options.js";
export { PROVIDER_STATES, type ProviderStateName } from "./provider-state-hook.js";
export { SUNSET_DETAILS } from "./routes.js";
export { isLoopbackHost, mountReference, startReference } from "./server.js";
export { DEFAULT_STORE_CAPS, type StoreCaps } from "./store.js";
