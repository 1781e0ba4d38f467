// `reveal-bid`: opens a committed bid in the reveal window. A lock-backed bid (mode 1) holds its
// lockup from now until the receipt; the lockup must cover the most the bid can pay plus interest.
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import { MODE_BORROW_TO_AUCTION, bidCommitment, maxPayment } from "../../model/index.ts";
import { auctionOf, checkUsableLock, defineAction, lockOf } from "../auctions-state.ts";

export const revealBid = defineAction({
  type: "reveal-bid",
  request: ACTION_REQUESTS["reveal-bid"],
  check(state, bid, now) {
    const a = auctionOf(state, bid.auctionId);
    if (a.status !== "open" || now < a.commitDeadline || now >= a.revealDeadline) {
      throw new HomeError("wrong-phase", `auction ${a.auctionId} is not in its reveal phase (from ${a.commitDeadline} to ${a.revealDeadline}, Home time ${now})`);
    }
    const commitment = bidCommitment({ ...bid, auctionId: a.auctionId });
    const commit = a.commits.find((x) => x.commitment === commitment);
    if (!commit) throw new HomeError("commitment-mismatch", `no commitment of auction ${a.auctionId} matches this bid (commitment ${commitment})`);
    if (commit.revealed) throw new HomeError("already-revealed", `the bid with commitment ${commitment} was already revealed`);
    if (a.mode === MODE_BORROW_TO_AUCTION && (bid.lockId !== 0n || bid.maxRateBps !== 0)) {
      throw new HomeError("invalid-bid", "bids in mode 2 auctions pay from own funds: lockId and maxRateBps must be 0");
    }
    let lock = null;
    if (bid.lockId !== 0n) {
      lock = lockOf(state, bid.lockId, "lockId");
      checkUsableLock(lock, "lockId", { addr: bid.bidder, field: "bidder" }, { addr: a.buyAsset, field: "buyAsset" }, {
        principal: maxPayment(bid.amount, bid.limitPrice),
        rateBps: bid.maxRateBps,
        settleDeadline: a.settleDeadline,
        awayChainId: a.awayChainId,
      });
    }
    return { a, bid, commit, lock };
  },
  apply(_state, _params, { a, bid, commit, lock }) {
    if (lock) lock.heldBy = a.auctionId;
    commit.revealed = true;
    a.bids.push({ commitSeq: commit.seq, bidder: bid.bidder, amount: bid.amount, limitPrice: bid.limitPrice, lockId: bid.lockId, maxRateBps: bid.maxRateBps });
    return { result: { auctionId: a.auctionId, commitSeq: commit.seq }, writes: [] };
  },
});
