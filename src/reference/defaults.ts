// The reference's default limits: a leaf, so `serve --help` can show them without loading the reference.

/** What the store holds at most; every cap is well above what a conformance run or `npm run bench:load` makes. */
export interface StoreCaps {
  /** Users made through the hook (the admin and `--user` users are not counted); past it the hook answers 503. */
  maxUsers: number;
  /** Live sessions of one user; past it that user's oldest session is dropped. */
  maxSessionsPerUser: number;
  /** Numbers with any state; past it the oldest number is forgotten, as a real server's expiry would drop it. */
  maxNumbers: number;
}

export const DEFAULT_STORE_CAPS: StoreCaps = {
  maxUsers: 1_000,
  maxSessionsPerUser: 100,
  maxNumbers: 100_000,
};

export const DEFAULT_MAX_CONNECTIONS = 800;
export const DEFAULT_MAX_FAILED_LOGINS = 100;
