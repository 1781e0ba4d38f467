// The devnet's validators as attestation signers (home/attestation/): every seated identity runs
// an AttestationSigner with its own attestation key; after each block is sealed, a coordinator
// session over the online slots makes the header's aggregate signature (the per-validator
// signatures are made too: both schemes, one set of offline switches). Each signer takes the
// validator set from the devnet's registry (ValidatorSim) and validates the header against the
// chain's own view of the block being sealed, never against the coordinator's word.
//
// Spent nonce pairs go to <dataDir>/attestation-nonces.sqlite (durable across restarts), or to
// memory with --memory. Signers of this one process share a SessionCache of pure computations.
import { join } from "node:path";
import {
  AttestationSigner,
  MemoryNonceStore,
  SessionCache,
  coordinateSession,
  type Exclusion,
  type NonceStore,
  type SessionRequest,
  type SignerEndpoint,
} from "../attestation/index.ts";
import { SqliteNonceStore } from "../attestation/sqlite-nonce-store.ts";
import { headerHash, type AggregateSignature, type Header } from "../model/index.ts";
import type { ValidatorSim } from "./validator-sim.ts";

/** Devnet controls of the aggregated scheme (POST /admin/attestation); not persisted. */
export interface AttestationControls {
  /** Make aggregate signatures (default true); false: blocks carry per-validator signatures only. */
  aggregate: boolean;
  /** Slots that commit nonces but never return a partial signature (each session restarts without them). */
  dropouts: number[];
}

export interface AttestationResult {
  aggregate: AggregateSignature | null;
  rounds: number;
  excluded: Exclusion[];
}

export class DevnetAttestation {
  private readonly store: NonceStore & { close?: () => void; batch?: <T>(fn: () => T) => T };
  private readonly cache = new SessionCache();
  private readonly signers = new Map<number, AttestationSigner>();
  /** The header being sealed: what every validator's own view of the chain holds. */
  private sealing: { header: Header; hash: bigint } | null = null;
  controls: AttestationControls = { aggregate: true, dropouts: [] };

  constructor(
    private readonly sim: ValidatorSim,
    private readonly chainId: number,
    dataDir: string | null,
  ) {
    this.store = dataDir === null ? new MemoryNonceStore() : new SqliteNonceStore(join(dataDir, "attestation-nonces.sqlite"));
  }

  private signer(identity: number): AttestationSigner {
    let s = this.signers.get(identity);
    if (!s) {
      s = new AttestationSigner({
        privateKey: this.sim.identity(identity).attestationPrivateKey,
        chainId: this.chainId,
        store: this.store,
        registry: (epoch) => this.sim.setOf(epoch),
        validateHeader: (h) => this.validate(h),
        cache: this.cache,
      });
      this.signers.set(identity, s);
    }
    return s;
  }

  private validate(h: Header): true | string {
    if (!this.sealing) return "this validator is not attesting a block now";
    if (h === this.sealing.header) return true; // the very header being sealed (no need to hash it 64 times)
    return headerHash(h) === this.sealing.hash || `not the block this validator's chain is sealing at height ${this.sealing.header.height}`;
  }

  /** Runs a signing session for `header` with the online, non-empty slots of its epoch. */
  attest(header: Header, offline: ReadonlySet<number>): AttestationResult {
    if (!this.controls.aggregate) return { aggregate: null, rounds: 0, excluded: [] };
    const set = this.sim.setOf(header.epoch);
    const members = this.sim.membersOf(header.epoch);
    const dropouts = new Set(this.controls.dropouts);
    const endpoints: SignerEndpoint[] = [];
    members.forEach((identity, slot) => {
      if (offline.has(slot) || set.validators[slot]!.power === 0n) return;
      const s = this.signer(identity);
      endpoints.push({
        slot,
        commit: () => s.commit(slot),
        sign: (req: SessionRequest) => {
          if (dropouts.has(slot)) {
            s.discardNonces();
            throw new Error(`slot ${slot} dropped out (devnet dropout switch)`);
          }
          return s.sign(req);
        },
      });
    });
    this.sealing = { header, hash: headerHash(header) };
    try {
      // Every partial signature stays in this process until the block is stored, so the session's
      // spent pairs may be synced once at its end (SqliteNonceStore.batch) rather than 64 times.
      const session = () => coordinateSession({ chainId: this.chainId, set, header, signers: endpoints, cache: this.cache });
      const out = this.store.batch ? this.store.batch(session) : session();
      for (const s of this.signers.values()) s.discardNonces(); // nothing from an abandoned round is ever reused
      return out;
    } finally {
      this.sealing = null;
    }
  }

  close(): void {
    this.store.close?.();
  }
}
