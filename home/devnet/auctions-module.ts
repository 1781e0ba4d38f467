// The Atomic Auctions module of the simulated Home chain: collateral accounts and lockups, escrow
// acknowledgements, sealed-bid uniform-price auctions, and settlement/default receipts. One
// handler per action (actions/*.ts: its request schema, its check and its apply); the state and
// what they share are in auctions-state.ts.
//
// `applyAction` is synchronous and deterministic: given the state, the request body and the
// context recorded with the action (time, LIBRA price, collateral ratio, verified Away evidence)
// it mutates `state` and returns the state-tree leaves to write. Callers run it on a copy of the
// state and keep the copy only when it returns (see chain.ts), so a rejected action changes
// nothing. Rules are documented in home/devnet/README.md.
import type { ActionType } from "../api/index.ts";
import { depositAction, openAccountAction, withdrawAction } from "./actions/accounts.ts";
import { ackEscrow } from "./actions/ack-escrow.ts";
import { clearAuction } from "./actions/clear-auction.ts";
import { commitBid } from "./actions/commit-bid.ts";
import { consumeReceipt } from "./actions/consume-receipt.ts";
import { createAuction } from "./actions/create-auction.ts";
import { lock } from "./actions/lock.ts";
import { releaseLock } from "./actions/release-lock.ts";
import { revealBid } from "./actions/reveal-bid.ts";
import type { Action, ActionContext, ActionOutcome, AwayRequirement, ModuleParams, ModuleState } from "./auctions-state.ts";

export { ACTION_TYPES, isActionType, type ActionType } from "../api/index.ts";
export { bidCommitment } from "../model/index.ts";
export {
  creditLimitFor,
  emptyModuleState,
  type ActionContext,
  type ActionOutcome,
  type AuctionRecord,
  type AuctionStatus,
  type AwayEvidence,
  type AwayRequirement,
  type BidRecord,
  type CommitRecord,
  type LeafWrite,
  type LockupRecord,
  type ModuleParams,
  type ModuleState,
} from "./auctions-state.ts";

const ACTIONS: { [T in ActionType]: Action<T> } = {
  "open-account": openAccountAction,
  deposit: depositAction,
  withdraw: withdrawAction,
  lock,
  "release-lock": releaseLock,
  "ack-escrow": ackEscrow,
  "create-auction": createAuction,
  "commit-bid": commitBid,
  "reveal-bid": revealBid,
  "clear-auction": clearAuction,
  "consume-receipt": consumeReceipt,
};

/** Applies one action to `state` (mutating it). Throws HomeError for any refusal. */
export function applyAction<T extends ActionType>(state: ModuleState, params: ModuleParams, type: T, body: unknown, ctx: ActionContext): ActionOutcome<T> {
  const action: Action<T> = ACTIONS[type];
  return action.apply(state, params, body, ctx);
}

/** For ack-escrow / consume-receipt: validates the request against the state and says what to read on Away. */
export function awayRequirement(state: ModuleState, params: ModuleParams, type: ActionType, body: unknown, nowMs: number): AwayRequirement | null {
  return ACTIONS[type].awayRequirement(state, params, body, nowMs);
}
