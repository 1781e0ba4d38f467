// `commit-bid`: a sealed bid's commitment (bidCommitment), before the auction's commit deadline.
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import { auctionOf, defineAction } from "../auctions-state.ts";

export const commitBid = defineAction({
  type: "commit-bid",
  request: ACTION_REQUESTS["commit-bid"],
  check(state, req, now) {
    const a = auctionOf(state, req.auctionId);
    if (a.status !== "open" || now >= a.commitDeadline) {
      throw new HomeError("wrong-phase", `auction ${a.auctionId} is not taking bids (commit deadline ${a.commitDeadline}, Home time ${now})`);
    }
    if (a.commits.some((c) => c.commitment === req.commitment)) {
      throw new HomeError("duplicate-commitment", `commitment ${req.commitment} was already submitted to auction ${a.auctionId}`);
    }
    return { a, commitment: req.commitment };
  },
  apply(state, _params, { a, commitment }, ctx) {
    const seq = state.nextCommitSeq++;
    a.commits.push({ seq, commitment, atMs: ctx.nowMs, revealed: false });
    return { result: { auctionId: a.auctionId, commitSeq: seq }, writes: [] };
  },
});
