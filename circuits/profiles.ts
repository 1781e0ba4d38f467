// Circuit parameter profiles. `dev` is what tests, CI and the local devnet use (fits the 2^16 dev
// powers of tau in ../shared/ptau); `prod` is the production profile (Open Libra mainnet has 41
// validators, so N = 64): its aggregated header circuit, Settlement(32, 4) and HeaderSettlement
// (both in one proof, 60.6k constraints) fit 2^16 too and are set up in CI; its per-validator HeaderQuorum(64) needs a 2^19 ptau and is built only by an
// operator holding the public ceremony file (prover/README.md).
export interface CircuitProfile {
  /** Validator slots of both header circuits (power of two). */
  N: number;
  /** State tree depth (ENCODING.md STATE_DEPTH). */
  depth: number;
  /** Settlement lockup slots K. */
  lockups: number;
  /** Dev artifacts come from a single-party setup and must be refused outside dev. */
  insecure: boolean;
  /**
   * Whether `olzk setup` builds the per-validator HeaderQuorum(N), the non-interactive fallback of
   * AggregatedHeaderQuorum(N) (always built). ~4.4k constraints per slot, so only where a ptau fits.
   */
  perValidator: boolean;
}

export const PROFILES = {
  dev: { N: 4, depth: 32, lockups: 2, insecure: true, perValidator: true },
  /** dev with a 16-slot validator set (the per-validator circuit needs the 2^17 dev ptau): the N = 16 end-to-end benchmark. */
  dev16: { N: 16, depth: 32, lockups: 2, insecure: true, perValidator: true },
  prod: { N: 64, depth: 32, lockups: 4, insecure: false, perValidator: false },
} as const satisfies Record<string, CircuitProfile>;

export type ProfileName = keyof typeof PROFILES;

/** The compileCircuit parameters of each top-level circuit for a profile. */
export function circuitParams(profile: CircuitProfile): {
  AggregatedHeaderQuorum: { N: number };
  HeaderQuorum: { N: number };
  Settlement: { depth: number; lockups: number };
  HeaderSettlement: { N: number; depth: number; lockups: number };
} {
  return {
    AggregatedHeaderQuorum: { N: profile.N },
    HeaderQuorum: { N: profile.N },
    Settlement: { depth: profile.depth, lockups: profile.lockups },
    HeaderSettlement: { N: profile.N, depth: profile.depth, lockups: profile.lockups },
  };
}
