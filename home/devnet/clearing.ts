// Uniform-price clearing of a sealed-bid auction (pure function, no state).
//
// Rule (documented in home/devnet/README.md):
//  - bids below the reserve price, or for zero amount, are ignored;
//  - the remaining bids fill in order of limit price, highest first; bids at the same
//    limit price fill in order of their commit (earlier commit first);
//  - each bid takes min(its amount, what is left); the last accepted bid may be partially
//    filled; at most `maxFills` bids are accepted, and at most `maxBorrowing` of them may
//    borrow (bids with `borrows`; the Settlement circuit has K lockup slots): a borrowing
//    bid met after that many are accepted is skipped;
//  - every fill pays the same price: the lowest limit price among the accepted bids;
//    payAmount = floor(fill.sellAmount * clearingPrice / PRICE_SCALE);
//  - whatever is not sold stays with the auctioneer; with no accepted bid the clearing
//    price is 0 and there are no fills.
import { payAmountFor } from "../model/index.ts";

export { PRICE_SCALE } from "../model/index.ts";

export interface ClearingBid<T = unknown> {
  /** Sell-asset base units wanted. */
  amount: bigint;
  /** Highest price accepted: buy-asset base units per sell-asset base unit, times PRICE_SCALE. */
  limitPrice: bigint;
  /** Commit order (smaller = earlier). */
  commitSeq: number;
  /** The bid borrows against a lockup (counts against maxBorrowing). */
  borrows?: boolean;
  /** Caller data carried through to the fill (bidder, lockId, ...). */
  data: T;
}

export interface ClearingFill<T = unknown> {
  bid: ClearingBid<T>;
  sellAmount: bigint;
  payAmount: bigint;
}

export interface ClearingOutcome<T = unknown> {
  clearingPrice: bigint;
  fills: ClearingFill<T>[];
  sold: bigint;
  unsold: bigint;
}

export function clearUniformPrice<T>(
  sellAmount: bigint,
  reservePrice: bigint,
  bids: ClearingBid<T>[],
  maxFills: number,
  maxBorrowing: number = Number.MAX_SAFE_INTEGER,
): ClearingOutcome<T> {
  const eligible = bids
    .filter((b) => b.amount > 0n && b.limitPrice >= reservePrice)
    .sort((a, b) => (a.limitPrice === b.limitPrice ? a.commitSeq - b.commitSeq : a.limitPrice > b.limitPrice ? -1 : 1));
  const taken: { bid: ClearingBid<T>; sellAmount: bigint }[] = [];
  let remaining = sellAmount;
  let borrowing = 0;
  for (const bid of eligible) {
    if (remaining === 0n || taken.length >= maxFills) break;
    if (bid.borrows) {
      if (borrowing >= maxBorrowing) continue;
      borrowing++;
    }
    const take = bid.amount < remaining ? bid.amount : remaining;
    taken.push({ bid, sellAmount: take });
    remaining -= take;
  }
  if (taken.length === 0) return { clearingPrice: 0n, fills: [], sold: 0n, unsold: sellAmount };
  const clearingPrice = taken[taken.length - 1]!.bid.limitPrice;
  const fills = taken.map((t) => ({ ...t, payAmount: payAmountFor(t.sellAmount, clearingPrice) }));
  return { clearingPrice, fills, sold: sellAmount - remaining, unsold: remaining };
}
