// The devnet's deterministic validators: keys derived from the seed, and the rotation
// rule that gives each epoch its validator set.
//
// Identity j (0, 1, 2, ...) has attestation key sha256("olzk-devnet/attestation" | seed | j),
// BLS seed sha256("olzk-devnet/bls" | seed | j) and Home address sha256("olzk-devnet/address" | seed | j).
// Every identity registers its attestation key with Home's AttestationKeyRegistry (proof of
// possession for the chain id and its address; the registry refuses rogue, small-order,
// duplicate and negated keys) before it is seated.
// Epoch 0 seats identities 0..active-1 in slots 0..active-1. Going from epoch e to e+1,
// slot s_e = uint32(sha256("olzk-devnet/rotate" | seed | e)) mod active gets the fresh
// identity active + e; every other slot keeps its validator. Slot i has power powers[i]
// (default 1,000,000 each, like Open Libra). Slots active..capacity-1 are empty.
import { sha256 } from "@noble/hashes/sha2.js";
import {
  AttestationKeyRegistry,
  blsKeyFromSeed,
  derivePublicKey,
  emptyValidator,
  makeProofOfPossession,
  signBinding,
  validatorSetRoot,
  type ValidatorSet,
  type Validator,
} from "../model/index.ts";

const enc = new TextEncoder();

function derive(label: string, seed: string, n: bigint | number): Uint8Array {
  return sha256(enc.encode(`olzk-devnet/${label}|${seed}|${n}`));
}

export interface Identity {
  index: number;
  attestationPrivateKey: Uint8Array;
  /** The consensus (BLS12-381) secret key behind validator.blsPublicKey: it signs Open Libra LedgerInfos and vouchers (openlibra.ts). */
  blsSecretKey: Uint8Array;
  validator: Omit<Validator, "power">;
}

export interface ValidatorSimOptions {
  seed: string;
  /** Home chain id: the proofs of possession are for it. */
  chainId: number;
  capacity: number;
  active: number;
  /** Power per slot (length `active`). */
  powers: bigint[];
}

export class ValidatorSim {
  private readonly identities = new Map<number, Identity>();
  private readonly members: number[][] = []; // members[e][slot] = identity index
  private readonly sets = new Map<bigint, { set: ValidatorSet; root: bigint }>();
  /** Home's attestation-key registry: every identity is registered here before it is seated. */
  readonly registry: AttestationKeyRegistry;

  constructor(readonly opts: ValidatorSimOptions) {
    const { capacity, active, powers } = opts;
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) throw new RangeError(`capacity must be a power of two, got ${capacity}`);
    if (!Number.isInteger(active) || active < 1 || active > capacity) throw new RangeError(`active must be 1..${capacity}, got ${active}`);
    if (powers.length !== active || powers.some((p) => p <= 0n || p >> 64n !== 0n)) throw new RangeError(`need ${active} powers, each 1..2^64-1`);
    this.members.push(Array.from({ length: active }, (_, i) => i));
    this.registry = new AttestationKeyRegistry(opts.chainId);
  }

  identity(index: number): Identity {
    let id = this.identities.get(index);
    if (!id) {
      const { seed } = this.opts;
      const prv = derive("attestation", seed, index);
      const pub = derivePublicKey(prv);
      const address = derive("address", seed, index);
      const bls = blsKeyFromSeed(derive("bls", seed, index));
      const created: Identity = {
        index,
        attestationPrivateKey: prv,
        blsSecretKey: bls.secretKey,
        validator: {
          attestationKey: pub,
          address,
          blsPublicKey: bls.publicKey,
          bindingSignature: signBinding(bls.secretKey, pub, address),
          proofOfPossession: makeProofOfPossession(prv, address, this.opts.chainId),
        },
      };
      this.registry.register(created.validator);
      this.identities.set(index, created);
      id = created;
    }
    return id;
  }

  /** Slot that changes validator when epoch `e` ends. */
  rotatingSlot(e: bigint): number {
    const h = derive("rotate", this.opts.seed, e);
    return (((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0) % this.opts.active;
  }

  /** Identity indices seated in slots 0..active-1 during epoch e. */
  membersOf(epoch: bigint): number[] {
    if (epoch < 0n) throw new RangeError("negative epoch");
    if (epoch > 10_000_000n) throw new RangeError("epoch too large for the devnet");
    while (BigInt(this.members.length) <= epoch) {
      const e = this.members.length - 1;
      const next = [...this.members[e]!];
      next[this.rotatingSlot(BigInt(e))] = this.opts.active + e;
      this.members.push(next);
    }
    return this.members[Number(epoch)]!;
  }

  /** The validator set of an epoch (cached; never mutate the result). */
  setOf(epoch: bigint): ValidatorSet {
    return this.entry(epoch).set;
  }

  rootOf(epoch: bigint): bigint {
    return this.entry(epoch).root;
  }

  private entry(epoch: bigint): { set: ValidatorSet; root: bigint } {
    let e = this.sets.get(epoch);
    if (!e) {
      const members = this.membersOf(epoch);
      const validators: Validator[] = [];
      for (let slot = 0; slot < this.opts.capacity; slot++) {
        if (slot < members.length) validators.push({ ...this.identity(members[slot]!).validator, power: this.opts.powers[slot]! });
        else validators.push(emptyValidator());
      }
      const set: ValidatorSet = { epoch, capacity: this.opts.capacity, validators };
      e = { set, root: validatorSetRoot(set) };
      this.sets.set(epoch, e);
      if (this.sets.size > 64) this.sets.delete(this.sets.keys().next().value!);
    }
    return e;
  }

  /** Attestation private keys per slot for signing in `epoch`; null for empty or offline slots. */
  signingKeys(epoch: bigint, offline: ReadonlySet<number>): (Uint8Array | null)[] {
    const members = this.membersOf(epoch);
    return Array.from({ length: this.opts.capacity }, (_, slot) =>
      slot < members.length && !offline.has(slot) ? this.identity(members[slot]!).attestationPrivateKey : null,
    );
  }
}
