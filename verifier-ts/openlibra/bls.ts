// BLS12-381 as Open Libra uses it (crates/diem-crypto/src/bls12381): min-pk (public keys in G1,
// 48 bytes compressed; signatures in G2, 96 bytes), proof-of-possession ciphersuite. Aggregate
// verification of one message under the sum of the signers' keys, as ValidatorVerifier does.
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { BLS_DST } from "../../home/model/bls.ts";
import { OpenLibraError } from "./errors.ts";

/** Signature DST: BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_. */
export const SIGNATURE_DST = BLS_DST;
/** Proof-of-possession DST: the PoP signs the 48-byte public key. */
export const POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

const bls = bls12_381.longSignatures;
type G1Point = ReturnType<typeof bls.getPublicKey>;
type G2Point = ReturnType<typeof bls.hash>;

const keyCache = new Map<string, G1Point>();

/** Decodes a compressed G1 public key (on the curve, in the subgroup, not the identity). */
export function decodePublicKey(bytes: Uint8Array): G1Point {
  const hex = bytesToKey(bytes);
  const hit = keyCache.get(hex);
  if (hit) return hit;
  let p: G1Point;
  try {
    p = bls12_381.G1.Point.fromBytes(bytes);
    p.assertValidity();
  } catch (e) {
    throw new OpenLibraError("InvalidPublicKey", `BLS public key ${hex.slice(0, 16)}... does not decode: ${(e as Error).message}`);
  }
  if (p.is0()) throw new OpenLibraError("InvalidPublicKey", "BLS public key is the identity");
  if (keyCache.size > 4096) keyCache.clear();
  keyCache.set(hex, p);
  return p;
}

/** Decodes a compressed G2 signature (on the curve and in the subgroup, as blst's sig_groupcheck). */
export function decodeSignature(bytes: Uint8Array): G2Point {
  try {
    const s = bls.Signature.fromBytes(bytes);
    s.assertValidity();
    return s;
  } catch (e) {
    throw new OpenLibraError("InvalidSignature", `BLS signature does not decode: ${(e as Error).message}`);
  }
}

function bytesToKey(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Sum of public keys (PublicKey::aggregate; keys are trusted to have verified PoPs); may be the identity. */
export function aggregatePublicKeys(keys: readonly Uint8Array[]): G1Point {
  if (keys.length === 0) throw new OpenLibraError("InsufficientVotingPower", "no signers to aggregate");
  // Summed here rather than with noble's aggregatePublicKeys, which throws on an identity sum.
  return keys.map(decodePublicKey).reduce((a, b) => a.add(b));
}

/** True when `signature` signs `message` (raw bytes, hashed to G2 with `dst`) under the sum of `keys`. */
export function verifyAggregateSignature(keys: readonly Uint8Array[], message: Uint8Array, signature: Uint8Array, dst: string = SIGNATURE_DST): boolean {
  const sig = decodeSignature(signature);
  const agg = aggregatePublicKeys(keys);
  if (agg.is0()) return false; // keys that sum to the identity verify nothing (blst refuses them too)
  return bls.verify(sig, bls.hash(message, dst), agg);
}

/** Proof of possession: the key's own signature over its 48 bytes with the PoP DST. */
export function verifyProofOfPossession(publicKey: Uint8Array, pop: Uint8Array): boolean {
  return verifyAggregateSignature([publicKey], publicKey, pop, POP_DST);
}

/** Signs `message` (raw bytes) with a 32-byte secret key; 96-byte compressed signature. */
export function blsSign(secretKey: Uint8Array, message: Uint8Array, dst: string = SIGNATURE_DST): Uint8Array {
  return bls.Signature.toBytes(bls.sign(bls.hash(message, dst), secretKey));
}

/**
 * The aggregate of each key's own signature of `message` (raw bytes): the message is hashed to G2
 * once and the signatures are summed as points, not encoded and decoded one by one.
 */
export function blsAggregateSign(secretKeys: readonly Uint8Array[], message: Uint8Array, dst: string = SIGNATURE_DST): Uint8Array {
  if (secretKeys.length === 0) throw new RangeError("no secret keys to sign with");
  const hashed = bls.hash(message, dst);
  return bls.Signature.toBytes(secretKeys.map((sk) => bls.sign(hashed, sk)).reduce((a, b) => a.add(b)));
}

/** Sum of compressed signatures, compressed. */
export function aggregateSignatures(signatures: readonly Uint8Array[]): Uint8Array {
  return bls.Signature.toBytes(bls.aggregateSignatures(signatures.map(decodeSignature)));
}

/** 48-byte compressed public key of a secret key. */
export function blsPublicKeyOf(secretKey: Uint8Array): Uint8Array {
  return bls.getPublicKey(secretKey).toBytes(true);
}

/** The proof of possession a validator registers: its signature over its public key with the PoP DST. */
export function proofOfPossession(secretKey: Uint8Array): Uint8Array {
  return blsSign(secretKey, blsPublicKeyOf(secretKey), POP_DST);
}
