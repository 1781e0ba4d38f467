// BLS12-381 consensus keys (min-pk: public keys in G1, signatures in G2, proof-of-possession
// ciphersuite) and the binding by which a validator's consensus key vouches for its
// EdDSA attestation key. Encoding: circuits/ENCODING.md, "Validators and the validator set".

import { bls12_381 } from "@noble/curves/bls12-381.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { PublicKey } from "./eddsa.ts";
import { bigIntToBytesBE, isFieldElement } from "./field.ts";
import type { Validator } from "./validators.ts";

/** Signature DST of the proof-of-possession ciphersuite. */
export const BLS_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/** Prefix of the binding message. */
export const BINDING_PREFIX = "OLZK_ATTESTATION_BINDING_V1";
export const BLS_PUBLIC_KEY_BYTES = 48;
export const BLS_SIGNATURE_BYTES = 96;

const bls = bls12_381.longSignatures;
const KEYGEN_INFO = new TextEncoder().encode("OLZK_BLS_KEYGEN_V1");

/**
 * Deterministic BLS key pair from a seed of any length (at least 16 bytes): the seed is
 * stretched with HKDF-SHA256 to the 48 bytes noble's keygen reduces into a scalar.
 */
export function blsKeyFromSeed(seed: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  if (!(seed instanceof Uint8Array) || seed.length < 16) throw new RangeError("BLS seed must be at least 16 bytes");
  const ikm = hkdf(sha256, seed, undefined, KEYGEN_INFO, bls.lengths.seed ?? 48);
  const { secretKey, publicKey } = bls.keygen(ikm);
  return { secretKey, publicKey: publicKey.toBytes(true) };
}

/** 48-byte compressed G1 public key of a BLS secret key. */
export function blsPublicKey(secretKey: Uint8Array): Uint8Array {
  return bls.getPublicKey(secretKey).toBytes(true);
}

/** utf8("OLZK_ATTESTATION_BINDING_V1") || Ax (32 BE) || Ay (32 BE) || address (32). */
export function bindingMessage(pub: PublicKey, address: Uint8Array): Uint8Array {
  if (!isFieldElement(pub.Ax) || !isFieldElement(pub.Ay)) throw new RangeError("attestation key coordinates must be field elements");
  if (!(address instanceof Uint8Array) || address.length !== 32) throw new RangeError("validator address must be 32 bytes");
  const prefix = new TextEncoder().encode(BINDING_PREFIX);
  const out = new Uint8Array(prefix.length + 96);
  out.set(prefix, 0);
  out.set(bigIntToBytesBE(pub.Ax, 32), prefix.length);
  out.set(bigIntToBytesBE(pub.Ay, 32), prefix.length + 32);
  out.set(address, prefix.length + 64);
  return out;
}

/** 96-byte compressed G2 signature of the binding message with the consensus key. */
export function signBinding(blsSecret: Uint8Array, pub: PublicKey, address: Uint8Array): Uint8Array {
  const h = bls.hash(bindingMessage(pub, address), BLS_DST);
  return bls.Signature.toBytes(bls.sign(h, blsSecret));
}

/** True when v.bindingSignature is v's consensus key signing (attestationKey, address). Never throws. */
export function verifyBinding(v: Validator): boolean {
  try {
    if (v.blsPublicKey.length !== BLS_PUBLIC_KEY_BYTES || v.bindingSignature.length !== BLS_SIGNATURE_BYTES) return false;
    const h = bls.hash(bindingMessage(v.attestationKey, v.address), BLS_DST);
    return bls.verify(v.bindingSignature, h, v.blsPublicKey);
  } catch {
    return false;
  }
}
