// Circuit parameter profiles. `dev` is what tests, CI and the local devnet use (fits the 2^16 dev
// powers of tau in ../shared/ptau); `prod` is the production profile (Open Libra mainnet had 41
// validators, so N = 64), documented and compiled for the constraint snapshot but not set up in CI.
export interface CircuitProfile {
  /** HeaderQuorum validator slots (power of two). */
  N: number;
  /** State tree depth (ENCODING.md STATE_DEPTH). */
  depth: number;
  /** Settlement lockup slots K. */
  lockups: number;
  /** Dev artifacts come from a single-party setup and must be refused outside dev. */
  insecure: boolean;
}

export const PROFILES = {
  dev: { N: 4, depth: 32, lockups: 2, insecure: true },
  /** dev with a 16-slot validator set (needs the 2^17 dev ptau): the N = 16 end-to-end benchmark. */
  dev16: { N: 16, depth: 32, lockups: 2, insecure: true },
  prod: { N: 64, depth: 32, lockups: 4, insecure: false },
} as const satisfies Record<string, CircuitProfile>;

export type ProfileName = keyof typeof PROFILES;

/** The compileCircuit parameters of each top-level circuit for a profile. */
export function circuitParams(profile: CircuitProfile): { HeaderQuorum: { N: number }; Settlement: { depth: number; lockups: number } } {
  return { HeaderQuorum: { N: profile.N }, Settlement: { depth: profile.depth, lockups: profile.lockups } };
}
