// The profiles a target can claim: a leaf, so the CLI's option definitions need not load the contract.
export const PROFILES = ["registration-open", "sunset"] as const;
export type ProfileName = (typeof PROFILES)[number];
