// EdDSA-Poseidon attestation signatures on BabyJubJub, byte-for-byte compatible
// with circomlibjs `eddsa.prv2pub` / `signPoseidon` / `verifyPoseidon` (and with
// circomlib's EdDSAPoseidonVerifier circuit).

import { blake512 } from "@noble/hashes/blake1.js";
import { BABYJUB_SUBORDER, addPoint, inCurve, mulBase8, mulPointScalar } from "./babyjub.ts";
import { bigIntToBytesLE, bytesToBigIntLE, isFieldElement } from "./field.ts";
import { poseidon } from "./poseidon.ts";

/** Attestation public key A = (Ax, Ay). */
export type PublicKey = { Ax: bigint; Ay: bigint };
/** EdDSA-Poseidon signature (R8, S). */
export type Signature = { R8x: bigint; R8y: bigint; S: bigint };

/** Length of an attestation private key in bytes. */
export const PRIVATE_KEY_BYTES = 32;

/**
 * The pruned secret scalar s (a multiple of 8, up to 2^255: reduce it mod l, never mod r) and
 * the 32-byte nonce prefix of a private key, as circomlibjs derives them. The public key is
 * (s / 8) * B8 = s * B, so an EdDSA response is r + hm * s mod l.
 */
export function expandPrivateKey(prv: Uint8Array): { s: bigint; prefix: Uint8Array } {
  if (!(prv instanceof Uint8Array) || prv.length !== PRIVATE_KEY_BYTES) {
    throw new RangeError(`attestation private key must be ${PRIVATE_KEY_BYTES} bytes`);
  }
  const h = blake512(prv);
  // Prune as circomlibjs does: clear the 3 low bits, clear bit 255, set bit 254.
  h[0] = h[0]! & 0xf8;
  h[31] = (h[31]! & 0x7f) | 0x40;
  return { s: bytesToBigIntLE(h.subarray(0, 32)), prefix: h.slice(32, 64) };
}

/** Public key of a 32-byte private key: (s >> 3) * B8 with s the pruned blake512 prefix. */
export function derivePublicKey(prv: Uint8Array): PublicKey {
  const { s } = expandPrivateKey(prv);
  const A = mulBase8(s >> 3n);
  return { Ax: A.x, Ay: A.y };
}

/** Signs field element `msg` (deterministic nonce, as circomlibjs). */
export function signPoseidon(prv: Uint8Array, msg: bigint): Signature {
  if (!isFieldElement(msg)) throw new RangeError("message must be a field element");
  const { s, prefix } = expandPrivateKey(prv);
  const A = mulBase8(s >> 3n);
  const nonceInput = new Uint8Array(64);
  nonceInput.set(prefix, 0);
  nonceInput.set(bigIntToBytesLE(msg, 32), 32);
  const r = bytesToBigIntLE(blake512(nonceInput)) % BABYJUB_SUBORDER;
  const R8 = mulBase8(r);
  const hm = poseidon([R8.x, R8.y, A.x, A.y, msg]);
  const S = (r + hm * s) % BABYJUB_SUBORDER;
  return { R8x: R8.x, R8y: R8.y, S };
}

/** Checks S * B8 == R8 + 8 * hm * A with hm = Poseidon(R8x, R8y, Ax, Ay, msg). */
export function verifyPoseidon(msg: bigint, sig: Signature, pub: PublicKey): boolean {
  if (!isFieldElement(msg)) return false;
  if (typeof sig !== "object" || sig === null || typeof pub !== "object" || pub === null) return false;
  const R8 = { x: sig.R8x, y: sig.R8y };
  const A = { x: pub.Ax, y: pub.Ay };
  if (!inCurve(R8) || !inCurve(A)) return false;
  if (typeof sig.S !== "bigint" || sig.S < 0n || sig.S >= BABYJUB_SUBORDER) return false;
  const hm = poseidon([R8.x, R8.y, A.x, A.y, msg]);
  const left = mulBase8(sig.S);
  const right = addPoint(R8, mulPointScalar(A, hm * 8n));
  return left.x === right.x && left.y === right.y;
}
