// `ack-escrow`: Home acknowledges a mode 1 auction's sell-asset deposit in Away AuctionEscrow,
// read with a verified eth_getProof under the auctioneer's key (the chain reads it: `away`).
// The deposit must not be refundable before the settle deadline has passed (rule 4).
import { ACTION_REQUESTS, HomeError, uintIn } from "../../api/index.ts";
import { KIND_ESCROW_ACK, MODE_BORROW_TO_BID, refundAfterDeadline, type EscrowAckPayload } from "../../model/index.ts";
import { auctionOf, defineAction, leafWrite, sameAddress } from "../auctions-state.ts";

// refundNotBefore is required; it is checked after the auction (which must exist, be mode 1, open
// and not acknowledged yet), so a request for a wrong auction is refused for that first.
const request = ACTION_REQUESTS["ack-escrow"].extend({ refundNotBefore: uintIn(64).optional() });

export const ackEscrow = defineAction({
  type: "ack-escrow",
  request,
  check(state, req) {
    const a = auctionOf(state, req.auctionId);
    if (a.mode !== MODE_BORROW_TO_BID) throw new HomeError("wrong-mode", `auction ${a.auctionId} is mode ${a.mode}: only mode 1 auctions escrow the sell asset`);
    if (a.escrowAck) throw new HomeError("escrow-already-acknowledged", `escrow deposit of auction ${a.auctionId} is already acknowledged`);
    if (a.status !== "open") throw new HomeError("wrong-phase", `auction ${a.auctionId} is ${a.status}`);
    // Optional fields restate the expected deposit; they must agree with the auction.
    if (req.depositor !== undefined && !sameAddress(req.depositor, a.auctioneer)) throw new HomeError("escrow-mismatch", `depositor must be the auctioneer ${a.auctioneer}`);
    if (req.asset !== undefined && !sameAddress(req.asset, a.sellAsset)) throw new HomeError("escrow-mismatch", `asset must be the sell asset ${a.sellAsset}`);
    if (req.amount !== undefined && req.amount !== a.sellAmount) throw new HomeError("escrow-mismatch", `amount must be the sell amount ${a.sellAmount}`);
    const refundNotBefore = req.refundNotBefore;
    if (refundNotBefore === undefined) throw new HomeError("invalid-request", "missing field 'refundNotBefore' (an unsigned integer below 2^64: unix seconds)");
    if (!refundAfterDeadline(refundNotBefore, a.settleDeadline)) {
      throw new HomeError(
        "refund-too-early",
        `escrow deposit of auction ${a.auctionId} can be refunded from ${refundNotBefore}; it must not be refundable before the settle deadline ${a.settleDeadline} has passed (refundNotBefore > settleDeadline)`,
      );
    }
    const payload: EscrowAckPayload = { auctionId: a.auctionId, depositor: a.auctioneer, asset: a.sellAsset, amount: a.sellAmount, refundNotBefore };
    return { a, payload };
  },
  away: ({ a, payload }) => ({ kind: "escrow", awayChainId: a.awayChainId, ...payload }),
  apply(_state, params, { a, payload }, ctx) {
    const ev = ctx.evidence;
    if (!ev) throw new Error("ack-escrow applied without Away evidence");
    a.escrowAck = payload;
    return { result: { auctionId: a.auctionId, awayBlock: BigInt(ev.blockNumber) }, writes: [leafWrite(params, a.awayChainId, a.auctionId, { kind: KIND_ESCROW_ACK, payload })] };
  },
});
