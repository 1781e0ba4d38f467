// Anchored acceptance of a Home attestation set (DESIGN section 10): the set of epoch E is taken
// only when a quorum (total * 2 / 3 + 1 of the voting power) of the real Open Libra validators of
// epoch E signed a voucher for its commitment (circuits/ENCODING.md, "Attestation-set voucher").
// The same rule as an anchored HomeLightClient (contracts/HomeLightClient.sol). The caller brings
// the Open Libra set of epoch E already verified (e.g. from ratchetEpochChain from a waypoint).
import type { EpochState } from "./openlibra/bcs.ts";
import { OpenLibraError, type OpenLibraErrorCode } from "./openlibra/errors.ts";
import type { QuorumCertificate } from "./openlibra/quorum.ts";
import type { TrustedLedger } from "./openlibra/ratchet.ts";
import { verifyVoucher, type Voucher } from "./openlibra/voucher.ts";

/** What anchors one epoch's attestation set: the verified Open Libra set of that epoch and its voucher. */
export interface SetAnchor {
  epochState: EpochState;
  voucher: Voucher;
}

export type AnchorCheck =
  | { ok: true; vouchedBy: QuorumCertificate }
  | {
      ok: false;
      /** OpenLibraError codes: EpochMismatch (set, voucher and attestation epochs differ), VoucherMismatch (another root), the quorum's codes. */
      code: OpenLibraErrorCode;
      reason: string;
    };

/**
 * Checks that the attestation set `root` of Home epoch `epoch` is the one `anchor.voucher` vouches
 * for, signed by a quorum of `anchor.epochState`, the Open Libra set of that epoch. Never throws.
 */
export function checkAnchoredSet(epoch: bigint, root: bigint, anchor: SetAnchor): AnchorCheck {
  const { epochState, voucher } = anchor;
  if (epochState.epoch !== epoch) {
    return { ok: false, code: "EpochMismatch", reason: `the Open Libra validator set is of epoch ${epochState.epoch}, the attestation set of epoch ${epoch}` };
  }
  try {
    return { ok: true, vouchedBy: verifyVoucher(epochState, voucher, root) };
  } catch (e) {
    if (e instanceof OpenLibraError) return { ok: false, code: e.code, reason: `attestation set ${root} of epoch ${epoch} is not vouched for: ${e.message}` };
    throw e;
  }
}

/**
 * Pairs each voucher with the Open Libra set of its epoch that `ledger` established (a set some
 * verified epoch change handed over to). A voucher of an epoch the ledger has no set for is an
 * UnverifiedLedgerInfo OpenLibraError.
 */
export function anchorsFromLedger(ledger: TrustedLedger, vouchers: readonly Voucher[]): SetAnchor[] {
  return vouchers.map((voucher) => {
    const epochState = ledger.changes.map((c) => c.next).find((s) => s.epoch === voucher.epoch);
    if (!epochState) {
      const known = ledger.changes.map((c) => c.next.epoch).join(", ");
      throw new OpenLibraError("UnverifiedLedgerInfo", `no verified Open Libra validator set of epoch ${voucher.epoch} to check its voucher against (known: ${known})`);
    }
    return { epochState, voucher };
  });
}
