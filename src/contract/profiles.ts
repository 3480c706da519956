// Profile names: any contract's are strings from its x-profiles; the kit's own are a generated leaf, so the CLI's option help need not load the contract.
import { KIT_PROFILES } from "./profiles.generated.js";

/** A profile a target claims: a name from its contract's x-profiles. */
export type ProfileName = string;

/** A profile of the kit's own contract (openapi/openapi.yaml), which the embedded reference implements. */
export type KitProfileName = (typeof KIT_PROFILES)[number];

/** The kit's own contract's profiles, in its order: the first is the default. */
export const PROFILES: readonly ProfileName[] = KIT_PROFILES;
