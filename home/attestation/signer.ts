// A validator's attestation signer: publishes two-nonce commitments and computes its partial
// signature only from what it knows itself: its own registry view of the epoch's validator
// set and a header it has validated against its own view of Home. The coordinator's request
// is checked, never trusted (DESIGN section 9).
//
// Nonces: each scalar from 64 uniform random bytes (512 bits) reduced mod l; the secret pair
// stays in memory; a pair is spent by its first partial signature and recorded as spent in
// the NonceStore (durably) before s_i is returned.

import { sha256 } from "@noble/hashes/sha2.js";
import {
  BABYJUB_SUBORDER,
  bytesToBigIntLE,
  bytesToHex,
  derivePublicKey,
  expandPrivateKey,
  mulBase8,
  type Header,
  type PublicKey,
  type ValidatorSet,
} from "../model/index.ts";
import type { NonceStore } from "./nonce-store.ts";
import { AttestationError, sessionContext, type NonceCommitment, type SessionCache, type SessionRequest } from "./session.ts";

const L = BABYJUB_SUBORDER;

export interface SignerOptions {
  /** The validator's 32-byte attestation private key (circomlibjs EdDSA-Poseidon format). */
  privateKey: Uint8Array;
  /** Home chain id. */
  chainId: number;
  /** Where spent nonce pairs are recorded (SqliteNonceStore on disk for a real signer). */
  store: NonceStore;
  /** The validator set of an epoch from the signer's own view of Home; undefined when unknown. */
  registry: (epoch: bigint) => ValidatorSet | undefined;
  /**
   * Whether the signer's own view of Home holds exactly this header (and it should be signed):
   * true, or a reason to refuse.
   */
  validateHeader: (header: Header) => true | string;
  /** Uniform random bytes (default: crypto.getRandomValues). */
  randomBytes?: (n: number) => Uint8Array;
  /** A memo of pure session computations shared by signers simulated in one process (session.ts). */
  cache?: SessionCache;
}

function defaultRandom(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** Id under which a commitment is recorded: sha256 of the signer's key and both nonce points. */
export function nonceId(key: PublicKey, c: Pick<NonceCommitment, "R1" | "R2">): string {
  const text = [key.Ax, key.Ay, c.R1.x, c.R1.y, c.R2.x, c.R2.y].join(":");
  return bytesToHex(sha256(new TextEncoder().encode(text))).slice(2);
}

export class AttestationSigner {
  readonly publicKey: PublicKey;
  /** 8 * a, the pruned secret scalar (an integer up to 2^255, used mod l). */
  private readonly secret: bigint;
  /** Unspent secret nonce pairs by commitment id. */
  private readonly pending = new Map<string, { r1: bigint; r2: bigint }>();
  private readonly random: (n: number) => Uint8Array;

  constructor(private readonly opts: SignerOptions) {
    this.publicKey = derivePublicKey(opts.privateKey);
    this.secret = expandPrivateKey(opts.privateKey).s;
    this.random = opts.randomBytes ?? defaultRandom;
  }

  private randomScalar(): bigint {
    for (;;) {
      const bytes = this.random(64);
      if (!(bytes instanceof Uint8Array) || bytes.length !== 64) throw new RangeError("randomBytes must return the number of bytes asked for");
      const k = bytesToBigIntLE(bytes) % L;
      if (k !== 0n) return k;
    }
  }

  /** The slot of this signer's key in `set`, or -1. */
  slotIn(set: ValidatorSet): number {
    return set.validators.findIndex((v) => v.power !== 0n && v.attestationKey.Ax === this.publicKey.Ax && v.attestationKey.Ay === this.publicKey.Ay);
  }

  /**
   * A fresh nonce pair for `slot`: only its commitment leaves the signer. Throws NonceRepeated
   * when the generator returns a pair that was already spent (it is then never used).
   */
  commit(slot: number): NonceCommitment {
    const r1 = this.randomScalar();
    const r2 = this.randomScalar();
    const c = { slot, R1: mulBase8(r1), R2: mulBase8(r2) };
    const id = nonceId(this.publicKey, c);
    if (this.opts.store.isSpent(id) || this.pending.has(id)) {
      throw new AttestationError("NonceRepeated", "the random generator returned a nonce pair that was already used; refusing it", slot);
    }
    this.pending.set(id, { r1, r2 });
    return c;
  }

  /** Forgets unspent pairs (they are never used later); e.g. when a session is abandoned. */
  discardNonces(): void {
    this.pending.clear();
  }

  /**
   * The partial signature s_i for a session request. Refuses (AttestationError) a header the
   * signer's own view does not hold, a set other than its registry's, a signer set without its
   * slot or without quorum, bad or repeated nonce points, an identity Apk, and a commitment it
   * holds no unspent pair for. The pair is recorded as spent before s_i is returned.
   */
  sign(req: SessionRequest): bigint {
    const verdict = this.opts.validateHeader(req.header);
    if (verdict !== true) throw new AttestationError("HeaderRejected", `refusing to sign a header this signer did not validate: ${verdict}`);
    const set = this.opts.registry(req.header.epoch);
    if (!set) throw new AttestationError("SetMismatch", `this signer knows no validator set for epoch ${req.header.epoch}`);
    const slot = this.slotIn(set);
    if (slot < 0) throw new AttestationError("NotInSignerSet", `this signer's key is not in the set of epoch ${req.header.epoch}`);
    if (req.signers?.[slot] !== true) throw new AttestationError("NotInSignerSet", `slot ${slot} is not in the signer set`, slot);
    const ctx = sessionContext(this.opts.chainId, set, req, this.opts.cache);
    const mine = req.commitments.find((c) => c.slot === slot)!;
    const id = nonceId(this.publicKey, mine);
    if (this.opts.store.isSpent(id)) throw new AttestationError("NonceReused", `slot ${slot}'s nonce pair was already used for a partial signature`, slot);
    const pair = this.pending.get(id);
    if (!pair) throw new AttestationError("UnknownNonce", `slot ${slot} holds no unspent nonce pair with this commitment`, slot);
    const s = (pair.r1 + ctx.b * pair.r2 + ctx.hm * this.secret) % L;
    // Spend the pair: gone from memory, then durably recorded, only then is s released.
    this.pending.delete(id);
    this.opts.store.markSpent(id);
    return s;
  }
}
