// `clear-auction`: after the reveal deadline, clears at one uniform price (clearing.ts) and writes
// the result leaf. Locks of bids that did not fill are freed; cleared at or after the settle
// deadline, the result has no fills (nobody's collateral is at stake without a chance to settle).
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import { KIND_AUCTION_RESULT, MODE_BORROW_TO_BID, lockupsHeldByResult, type AuctionResultPayload, type Fill } from "../../model/index.ts";
import { auctionOf, defineAction, leafWrite } from "../auctions-state.ts";
import { clearUniformPrice } from "../clearing.ts";

export const clearAuction = defineAction({
  type: "clear-auction",
  request: ACTION_REQUESTS["clear-auction"],
  check(state, req, now) {
    const a = auctionOf(state, req.auctionId);
    if (a.status !== "open") throw new HomeError("wrong-phase", `auction ${a.auctionId} is already ${a.status}`);
    if (now < a.revealDeadline) throw new HomeError("wrong-phase", `auction ${a.auctionId} cannot clear before its reveal deadline ${a.revealDeadline} (Home time ${now})`);
    if (a.mode === MODE_BORROW_TO_BID && !a.escrowAck) {
      throw new HomeError("escrow-not-acknowledged", `auction ${a.auctionId}: the sell asset's escrow deposit is not acknowledged yet (ack-escrow)`);
    }
    return { a, now };
  },
  apply(state, params, { a, now }) {
    const expired = now >= a.settleDeadline;
    const out = clearUniformPrice(
      a.sellAmount,
      a.reservePrice,
      expired ? [] : a.bids.map((b) => ({ amount: b.amount, limitPrice: b.limitPrice, commitSeq: b.commitSeq, borrows: b.lockId !== 0n, data: b })),
      params.maxFills,
      params.maxLockFills,
    );
    const fills: Fill[] = out.fills.map((f) => ({
      winner: f.bid.data.bidder,
      sellAmount: f.sellAmount,
      payAmount: f.payAmount,
      lockId: f.bid.data.lockId,
      maxRateBps: f.bid.data.maxRateBps,
    }));
    const result: AuctionResultPayload = {
      auctionId: a.auctionId,
      auctioneer: a.auctioneer,
      sellAsset: a.sellAsset,
      sellAmount: a.sellAmount,
      buyAsset: a.buyAsset,
      clearingPrice: out.clearingPrice,
      mode: a.mode,
      auctioneerLockId: a.auctioneerLockId,
      auctioneerMaxRateBps: a.auctioneerMaxRateBps,
      lp: a.lp,
      settleDeadline: a.settleDeadline,
      clearedAt: now,
      fills,
    };
    // Locks of bids that did not fill are free again; with no fills nothing will settle.
    const held = new Set(lockupsHeldByResult(result));
    for (const l of state.lockups.values()) if (l.heldBy === a.auctionId && !held.has(l.payload.lockId)) l.heldBy = null;
    a.result = result;
    a.status = "cleared";
    return {
      result: { auctionId: a.auctionId, clearingPrice: out.clearingPrice, sold: out.sold, unsold: out.unsold, fills: fills.length, expired },
      writes: [leafWrite(params, a.awayChainId, a.auctionId, { kind: KIND_AUCTION_RESULT, payload: result })],
    };
  },
});
