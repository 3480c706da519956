// Starts the embedded reference implementation once per profile, as the default targets of a run.
import { PROFILES, type ProfileName } from "../contract/contract.js";
import { DEFAULT_ADMIN, type ReferenceOptions, startReference } from "../reference/index.js";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, type TargetConfig } from "./target.js";

export interface EmbeddedTargets {
  targets: TargetConfig[];
  close(): Promise<void>;
}

/** The embedded reference runs more cases at once than a remote target would welcome. */
const EMBEDDED_CONCURRENCY = Math.max(DEFAULT_CONCURRENCY, 16);

export async function startEmbeddedTargets(
  profiles: readonly ProfileName[] = PROFILES,
  overrides: Partial<Pick<TargetConfig, "timeoutMs" | "strict" | "concurrency">> = {},
  referenceOptions: ReferenceOptions = {},
): Promise<EmbeddedTargets> {
  const running = await Promise.all(
    profiles.map((profile) => startReference({ ...referenceOptions, profile })),
  );
  const admin = referenceOptions.admin ?? DEFAULT_ADMIN;
  const targets = running.map(
    (reference): TargetConfig => ({
      url: reference.url,
      profile: reference.profile,
      name: `embedded reference (${reference.profile})`,
      username: admin.username,
      password: admin.password,
      ...(reference.stateUrl === undefined ? {} : { stateUrl: reference.stateUrl }),
      states: {},
      timeoutMs: overrides.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      insecure: false,
      concurrency: overrides.concurrency ?? EMBEDDED_CONCURRENCY,
      strict: overrides.strict ?? false,
    }),
  );
  return {
    targets,
    close: async () => {
      await Promise.all(running.map((reference) => reference.close()));
    },
  };
}
