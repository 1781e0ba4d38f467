// `consume-receipt`: Home reads the auction's AtomicSettlement receipt word on Away (verified
// eth_getProof; the chain reads it: `away`), consumes it once it is closed, and releases or
// slashes each lockup the result holds by its own fill's outcome (rule 2).
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import {
  KIND_RECEIPT,
  LOCK_STATUS_RELEASED,
  LOCK_STATUS_SLASHED,
  OUTCOME_SETTLED,
  lockOutcomes,
  readReceiptWord,
  type AuctionResultPayload,
  type ReceiptPayload,
} from "../../model/index.ts";
import { auctionOf, defineAction, leafWrite, lockLeaf, type AuctionRecord, type LeafWrite } from "../auctions-state.ts";

/** The receipt Home records from a verified Away word: only a closed one that fits the result. */
function closedReceipt(a: AuctionRecord, result: AuctionResultPayload, word: bigint): ReceiptPayload {
  const r = readReceiptWord(result, word);
  if (r.status === "open") {
    throw new HomeError("receipt-open", `receipt of auction ${a.auctionId} is still open on Away (fills settled so far: mask ${r.settledMask}); Home consumes it once it is closed`);
  }
  if (r.status === "invalid") throw new HomeError("receipt-invalid", `receipt of auction ${a.auctionId}: ${r.reason}`);
  return r.receipt;
}

export const consumeReceipt = defineAction({
  type: "consume-receipt",
  request: ACTION_REQUESTS["consume-receipt"],
  check(state, req) {
    const a = auctionOf(state, req.auctionId);
    if (a.receipt) throw new HomeError("receipt-consumed", `receipt of auction ${a.auctionId} was already consumed (outcome ${a.receipt.outcome})`);
    if (a.status !== "cleared" || !a.result) throw new HomeError("wrong-phase", `auction ${a.auctionId} has no result yet (status ${a.status})`);
    return { a, result: a.result };
  },
  away: ({ a }) => ({ kind: "receipt", auctionId: a.auctionId }),
  apply(state, params, { a, result }, ctx) {
    const ev = ctx.evidence;
    if (!ev) throw new Error("consume-receipt applied without Away evidence");
    const receipt = closedReceipt(a, result, BigInt(ev.value));
    const writes: LeafWrite[] = [leafWrite(params, a.auctionId, { kind: KIND_RECEIPT, payload: receipt })];
    const released: bigint[] = [];
    const slashed: bigint[] = [];
    for (const [lockId, slash] of lockOutcomes(result, receipt)) {
      const l = state.lockups.get(lockId);
      if (!l || l.heldBy !== a.auctionId) continue;
      l.heldBy = null;
      l.payload.status = slash ? LOCK_STATUS_SLASHED : LOCK_STATUS_RELEASED;
      (slash ? slashed : released).push(lockId);
      writes.push(lockLeaf(params, l));
    }
    a.receipt = receipt;
    a.status = receipt.outcome === OUTCOME_SETTLED ? "settled" : "defaulted";
    return {
      result: { auctionId: a.auctionId, outcome: receipt.outcome, recordedAt: receipt.recordedAt, settledMask: receipt.settledMask, auctioneerBlamed: receipt.auctioneerBlamed, released, slashed },
      writes,
    };
  },
});
