// `consume-receipt`: Home reads the auction's AtomicSettlement receipt word on Away (verified
// eth_getProof; the chain reads it: `away`), consumes it once it is closed, and releases or
// slashes each lockup the result holds by its own fill's outcome (rule 2), in its collateral
// account too: a released lockup's credit is freed, a slashed one's also takes LIBRA worth its
// need at the current price out of the account (home/risk accounts.ts).
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
import { releaseLockup, slashLockup } from "../../risk/index.ts";
import { accountLeaf, auctionOf, defineAction, leafWrite, lockLeaf, type AuctionRecord, type LeafWrite, type LockupRecord, type ModuleParams, type ModuleState } from "../auctions-state.ts";
import { underRisk } from "../risk.ts";

/** The receipt Home records from a verified Away word: only a closed one that fits the result. */
function closedReceipt(a: AuctionRecord, result: AuctionResultPayload, word: bigint): ReceiptPayload {
  const r = readReceiptWord(result, word);
  if (r.status === "open") {
    throw new HomeError("receipt-open", `receipt of auction ${a.auctionId} is still open on Away (fills settled so far: mask ${r.settledMask}); Home consumes it once it is closed`);
  }
  if (r.status === "invalid") throw new HomeError("receipt-invalid", `receipt of auction ${a.auctionId}: ${r.reason}`);
  return r.receipt;
}

/** Closes a lockup the receipt settles (released) or slashes, on Home and in its account. */
function closeLockup(state: ModuleState, params: ModuleParams, l: LockupRecord, slash: boolean): void {
  l.heldBy = null;
  l.payload.status = slash ? LOCK_STATUS_SLASHED : LOCK_STATUS_RELEASED;
  const id = l.payload.lockId;
  underRisk(() => (slash ? slashLockup(state.book, id, state.risk, params.risk) : releaseLockup(state.book, id)));
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
  away: ({ a }) => ({ kind: "receipt", awayChainId: a.awayChainId, auctionId: a.auctionId }),
  apply(state, params, { a, result }, ctx) {
    const ev = ctx.evidence;
    if (!ev) throw new Error("consume-receipt applied without Away evidence");
    const receipt = closedReceipt(a, result, BigInt(ev.value));
    const writes: LeafWrite[] = [leafWrite(params, a.awayChainId, a.auctionId, { kind: KIND_RECEIPT, payload: receipt })];
    const released: bigint[] = [];
    const slashed: bigint[] = [];
    const accounts = new Set<bigint>();
    for (const [lockId, slash] of lockOutcomes(result, receipt)) {
      const l = state.lockups.get(lockId);
      if (!l || l.heldBy !== a.auctionId) continue;
      closeLockup(state, params, l, slash);
      (slash ? slashed : released).push(lockId);
      accounts.add(l.accountId);
      writes.push(lockLeaf(params, l));
    }
    for (const accountId of accounts) writes.push(accountLeaf(params, state, accountId));
    a.receipt = receipt;
    a.status = receipt.outcome === OUTCOME_SETTLED ? "settled" : "defaulted";
    return {
      result: { auctionId: a.auctionId, outcome: receipt.outcome, recordedAt: receipt.recordedAt, settledMask: receipt.settledMask, auctioneerBlamed: receipt.auctioneerBlamed, released, slashed },
      writes,
    };
  },
});
