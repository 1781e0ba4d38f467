// The settlement rules Home and Away must apply identically (DESIGN section 11, rule 3): credit a
// loan needs, when a lockup can back a loan, the settlement window, the Home-side time margins,
// what a mode-2 LP is owed, and how Home picks state-tree ids that never collide. The devnet module,
// the relayer and the contract tests use these; the Solidity twins are in
// contracts/lib/SettlementRules.sol and are checked against these on shared vectors.
// Encoding: circuits/ENCODING.md, "Settlement rules".
import { fillSettled } from "./away-storage.ts";
import { BPS, MODE_BORROW_TO_AUCTION, PRICE_SCALE, lockupSlotIds, type AuctionResultPayload, type ReceiptPayload } from "./leaves.ts";

/** Most fills an auction result may have: the receipt word keeps one settled bit per fill. */
export const MAX_FILLS = 64;

function ceilDiv(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

function rate(rateBps: number): bigint {
  if (!Number.isInteger(rateBps) || rateBps < 0 || rateBps > 10_000) throw new RangeError(`rate must be 0..10000 bps, got ${rateBps}`);
  return BigInt(rateBps);
}

/** Interest on a loan: ceil(principal * rateBps / 10000), paid in full to the LP. */
export function interestFor(principal: bigint, rateBps: number): bigint {
  return ceilDiv(principal * rate(rateBps), BPS);
}

/** Credit a lockup must give for a loan of `principal` at up to `rateBps`: principal plus the interest. */
export function creditNeeded(principal: bigint, rateBps: number): bigint {
  return principal + interestFor(principal, rateBps);
}

/** The most a bid can pay: floor(amount * limitPrice / 1e18) (a fill pays at most this). */
export function maxPayment(amount: bigint, limitPrice: bigint): bigint {
  return (amount * limitPrice) / PRICE_SCALE;
}

/** A fill's payment at the clearing price: floor(sellAmount * clearingPrice / 1e18). */
export function payAmountFor(sellAmount: bigint, clearingPrice: bigint): bigint {
  return (sellAmount * clearingPrice) / PRICE_SCALE;
}

/**
 * What a mode-2 LP is owed for lending `sellAmount` at `rateBps`, in the buy asset:
 * ceil(creditNeeded(sellAmount, rateBps) * clearingPrice / 1e18).
 */
export function mode2Owed(sellAmount: bigint, rateBps: number, clearingPrice: bigint): bigint {
  return ceilDiv(creditNeeded(sellAmount, rateBps) * clearingPrice, PRICE_SCALE);
}

/**
 * A lockup can back a loan at time `t` (unix seconds) while t < expiry + extension, where the
 * extension is the light client's paused time since the result cleared (0 on Home).
 */
export function lockUsableAt(expiry: bigint, t: bigint, extension = 0n): boolean {
  return t < expiry + extension;
}

/** settle is possible while t <= settleDeadline + extension; recordDefault only after that. */
export function withinSettleWindow(settleDeadline: bigint, t: bigint, extension = 0n): boolean {
  return t <= settleDeadline + extension;
}

/**
 * Home requires a lockup that backs an auction to outlive its settlement window: expiry >
 * settleDeadline (strictly), so the lock is still usable in the window's last second.
 */
export function expiryCoversDeadline(expiry: bigint, settleDeadline: bigint): boolean {
  return expiry > settleDeadline;
}

/**
 * Home acknowledges an escrow deposit only if it cannot be refunded while the auction can still
 * settle: refundNotBefore > settleDeadline (both extended by the same paused time on Away).
 */
export function refundAfterDeadline(refundNotBefore: bigint, settleDeadline: bigint): boolean {
  return refundNotBefore > settleDeadline;
}

/**
 * The first id >= `start` none of whose state-tree positions is taken. Home allocates lock and
 * auction ids with it and reserves the positions of every leaf the id will ever write, so an
 * action never meets a taken position and the counter always moves (an id that collides is
 * skipped, not retried).
 */
export function nextFreeId(start: bigint, positionsOf: (id: bigint) => bigint[], taken: (position: bigint) => boolean): bigint {
  for (let id = start; ; id++) {
    const ps = positionsOf(id);
    if (new Set(ps).size === ps.length && ps.every((p) => !taken(p))) return id;
  }
}

/**
 * The lockups a cleared result keeps holding until its receipt: those of its fills in slot order
 * (`lockupSlotIds`), none when nothing filled (no settlement will happen, the locks are free).
 */
export function lockupsHeldByResult(result: AuctionResultPayload): bigint[] {
  return result.fills.length === 0 ? [] : lockupSlotIds(result);
}

/**
 * What each lockup of a result gets from its closed receipt (rule 2): a fill's lockup is released
 * when its fill settled and slashed when it did not; the mode-2 auctioneer's lockup is slashed only
 * when the auctioneer's own payment failed. Returns [lockId, slash] pairs.
 */
export function lockOutcomes(result: AuctionResultPayload, receipt: ReceiptPayload): [bigint, boolean][] {
  if (result.mode === MODE_BORROW_TO_AUCTION) return [[result.auctioneerLockId, receipt.auctioneerBlamed]];
  return result.fills.flatMap((f, i): [bigint, boolean][] => (f.lockId === 0n ? [] : [[f.lockId, !fillSettled(receipt.settledMask, i)]]));
}
