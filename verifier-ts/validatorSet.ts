// Acceptance of a Home validator set: the set is well formed (canonical empty slots, u64
// powers, total power > 0), every non-empty slot's attestation key passes Home's registration
// rules (proof of possession for this chain and its address, prime-order subgroup, not the
// identity; no key twice or with its negation: home/model attestation-key.ts), every
// non-empty slot's consensus key signed its (attestation key, address) binding (ENCODING.md
// "BLS binding"), and the set hashes to the claimed validatorSetRoot. Uses the Home model's
// browser-safe helpers, so verifier-ts applies exactly the rules Home registers keys with.
import type { AttestationKeyErrorCode } from "../home/model/attestation-key.ts";
import { verifyBinding } from "../home/model/bls.ts";
import { checkValidatorSet, isEmptySlot, totalPower, validatorSetRoot, type ValidatorSet } from "../home/model/validators.ts";

export type ValidatorSetCheck =
  | { ok: true; root: bigint; totalPower: bigint; boundSlots: number }
  | {
      ok: false;
      reason: string;
      /** The failing slot, when one slot is at fault. */
      slot?: number;
      /** Which attestation-key rule refused the set (rogue key without a proof of possession, small-order key, duplicate...). */
      code?: AttestationKeyErrorCode;
    };

/**
 * Check a validator set of Home chain `chainId` against the root a header (or checkpoint)
 * claims for it. Never throws; reports the first problem found.
 */
export function checkValidatorSetBindings(set: ValidatorSet, expectedRoot: bigint, chainId: number): ValidatorSetCheck {
  const shape = checkValidatorSet(set, chainId, { checkBindings: false });
  if (!shape.ok) {
    const reason = shape.code ? (shape.reason ?? "refused attestation key") : `malformed validator set: ${shape.reason ?? "invalid"}`;
    return { ok: false, reason, ...(shape.slot !== undefined ? { slot: shape.slot } : {}), ...(shape.code ? { code: shape.code } : {}) };
  }
  let bound = 0;
  for (let i = 0; i < set.validators.length; i++) {
    const v = set.validators[i]!;
    if (isEmptySlot(v)) continue;
    if (!verifyBinding(v)) return { ok: false, slot: i, reason: `slot ${i}: BLS binding signature does not verify` };
    bound++;
  }
  let root: bigint;
  try {
    root = validatorSetRoot(set);
  } catch (e) {
    return { ok: false, reason: `cannot hash validator set: ${(e as Error).message}` };
  }
  if (root !== expectedRoot) return { ok: false, reason: `validator set root ${root} is not the claimed ${expectedRoot}` };
  return { ok: true, root, totalPower: totalPower(set), boundSlots: bound };
}
