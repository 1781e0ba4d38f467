// The BLS12-381 binding check of a Home validator set: every non-empty slot's consensus key
// signed its (attestation key, address) binding (ENCODING.md "BLS binding"), the set is well
// formed (canonical empty slots, keys on BabyJubJub, u64 powers, total power > 0), and it
// hashes to the claimed validatorSetRoot. Uses the Home model's browser-safe helpers.
import { verifyBinding } from "../home/model/bls.ts";
import { checkValidatorSet, isEmptySlot, totalPower, validatorSetRoot, type ValidatorSet } from "../home/model/validators.ts";

export type ValidatorSetCheck =
  | { ok: true; root: bigint; totalPower: bigint; boundSlots: number }
  | { ok: false; reason: string; /** The failing slot, when one slot is at fault. */ slot?: number };

/**
 * Check a validator set against the root a header (or checkpoint) claims for it.
 * Never throws; reports the first problem found.
 */
export function checkValidatorSetBindings(set: ValidatorSet, expectedRoot: bigint): ValidatorSetCheck {
  const shape = checkValidatorSet(set, { checkBindings: false });
  if (!shape.ok) return { ok: false, reason: `malformed validator set: ${shape.reason ?? "invalid"}` };
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
