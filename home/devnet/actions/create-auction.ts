// `create-auction`: a sealed-bid auction of `sellAmount` of the sell asset for the buy asset. Mode
// 1: the sell asset is escrowed on Away (ack-escrow before clearing). Mode 2: the auctioneer's
// lockup backs the loan of the sell asset from the named LP, and must cover its credit with interest.
// Refused while the circuit breaker is HARD.
import { ACTION_REQUESTS, HomeError, type ActionRequest } from "../../api/index.ts";
import { MODE_BORROW_TO_AUCTION, MODE_BORROW_TO_BID } from "../../model/index.ts";
import { zeroAddress } from "viem";
import { assertAcceptsNew } from "../../risk/index.ts";
import { underRisk } from "../risk.ts";
import { allocateAuctionId, awayChainOf, checkUsableLock, defineAction, lockOf, sameAddress, type LockupRecord } from "../auctions-state.ts";

type Request = ActionRequest<"create-auction">;

function checkFields(req: Request, now: bigint): void {
  if (sameAddress(req.sellAsset, req.buyAsset)) throw new HomeError("invalid-request", "sellAsset and buyAsset must differ");
  if (req.mode !== MODE_BORROW_TO_BID && req.mode !== MODE_BORROW_TO_AUCTION) {
    throw new HomeError("invalid-request", `field 'mode' must be 1 (market makers borrow to bid) or 2 (auctioneer borrowed to auction), got ${req.mode}`);
  }
  if (req.commitDeadline <= now) throw new HomeError("invalid-request", `commitDeadline ${req.commitDeadline} is not in the future (Home time ${now})`);
  if (req.revealDeadline <= req.commitDeadline) throw new HomeError("invalid-request", "revealDeadline must be after commitDeadline");
  if (req.settleDeadline <= req.revealDeadline) throw new HomeError("invalid-request", "settleDeadline must be after revealDeadline");
}

export const createAuction = defineAction({
  type: "create-auction",
  request: ACTION_REQUESTS["create-auction"],
  check(state, req, now, params) {
    checkFields(req, now);
    underRisk(() => assertAcceptsNew(state.risk, "auction"));
    const { chainId: awayChainId } = awayChainOf(params, req.awayChainId);
    const lp = req.lp ?? zeroAddress;
    let lock: LockupRecord | null = null;
    if (req.mode === MODE_BORROW_TO_BID) {
      if (req.auctioneerLockId !== 0n || req.auctioneerMaxRateBps !== 0 || !sameAddress(lp, zeroAddress)) {
        throw new HomeError("invalid-request", "mode 1 auctions take no auctioneerLockId / auctioneerMaxRateBps / lp");
      }
    } else {
      if (req.auctioneerLockId === 0n) throw new HomeError("invalid-request", "mode 2 auctions need auctioneerLockId (the auctioneer's lockup backing the LP loan)");
      if (sameAddress(lp, zeroAddress)) {
        throw new HomeError("invalid-request", "mode 2 auctions need lp: the Away LP whose terms (rate, minimum price for the buy asset) the loan is taken under");
      }
      lock = lockOf(state, req.auctioneerLockId, "auctioneerLockId");
      checkUsableLock(lock, "auctioneerLockId", { addr: req.auctioneer, field: "auctioneer" }, { addr: req.sellAsset, field: "sellAsset" }, {
        principal: req.sellAmount,
        rateBps: req.auctioneerMaxRateBps,
        settleDeadline: req.settleDeadline,
        awayChainId,
      });
    }
    return { req, lp, lock, awayChainId };
  },
  apply(state, _params, { req, lp, lock, awayChainId }) {
    const auctionId = allocateAuctionId(state);
    if (lock) lock.heldBy = auctionId;
    state.auctions.set(auctionId, {
      auctionId,
      awayChainId,
      auctioneer: req.auctioneer,
      sellAsset: req.sellAsset,
      sellAmount: req.sellAmount,
      buyAsset: req.buyAsset,
      mode: req.mode,
      reservePrice: req.reservePrice,
      commitDeadline: req.commitDeadline,
      revealDeadline: req.revealDeadline,
      settleDeadline: req.settleDeadline,
      auctioneerLockId: req.auctioneerLockId,
      auctioneerMaxRateBps: req.auctioneerMaxRateBps,
      lp,
      status: "open",
      commits: [],
      bids: [],
      escrowAck: null,
      result: null,
      receipt: null,
    });
    return { result: { auctionId }, writes: [] };
  },
});
