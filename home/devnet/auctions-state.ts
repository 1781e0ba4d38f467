// The Atomic Auctions module's state (lockups, auctions with their sealed bids, reserved
// state-tree positions) and what its actions share: id allocation, the leaf writes, the lock
// checks, the sealed-bid commitment, and `defineAction`, which gives each action (actions/*.ts)
// its request schema, its check and its apply. Rules: home/devnet/README.md, home/model/rules.ts.
import * as z from "zod";
import type { Hex } from "viem";
import { HomeError, describeIssues, type ActionResult, type ActionType } from "../api/index.ts";
import {
  HOME_GLOBAL_BINDING,
  KIND_ACCOUNT_LOCKUP,
  KIND_AUCTION_RESULT,
  KIND_COLLATERAL_ACCOUNT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  KIND_RISK_STATE,
  LOCK_STATUS_LOCKED,
  RISK_STATE_ID,
  STATE_DEPTH,
  BPS,
  PRICE_SCALE,
  awayBinding,
  creditNeeded,
  expiryCoversDeadline,
  leafContract,
  leafKey,
  leafPayloadDigest,
  nextFreeId,
  positionOf,
  type AuctionResultPayload,
  type EscrowAckPayload,
  type KindedPayload,
  type LeafKind,
  type LockupPayload,
  type ReceiptPayload,
} from "../model/index.ts";
import {
  accountLockupPayload,
  collateralAccountPayload,
  emptyCollateralBook,
  initialRiskState,
  type AccountLockup,
  type CollateralBook,
  type RiskConfig,
  type RiskState,
} from "../risk/index.ts";

/** An Away chain leaves are bound to: its chain id and the two contracts the leaf kinds belong to. */
export interface AwayChainParams {
  chainId: bigint;
  settlementAddress: Hex;
  escrowAddress: Hex;
}

export interface ModuleParams {
  /** The Away chains lockups and auctions may be bound to; the first is the default of lock and create-auction. */
  aways: AwayChainParams[];
  /** Most fills an auction result may have. */
  maxFills: number;
  /** Most fills that borrow against a lockup (the Settlement circuit's K lockup slots). */
  maxLockFills: number;
  /** The risk engine's parameters and credit assets (--risk-config). */
  risk: RiskConfig;
}

export interface LockupRecord {
  payload: LockupPayload;
  /** The Away chain the lockup leaf is bound to (its settlement contract borrows against it). */
  awayChainId: bigint;
  /** The collateral account backing the lockup (the book's lockup of the same id holds its terms). */
  accountId: bigint;
  /** `lock` with `collateral`: LIBRA base units deposited into its one-lockup account; 0 for a lockup against an account. */
  collateral: bigint;
  /** `lock` with `collateral`: the --libra-price used (credit-asset base units per LIBRA base unit, times 1e18); 0 otherwise. */
  priceScaled: bigint;
  /** The lockup's collateral ratio, basis points (its terms, fixed at opening). */
  ratioBps: number;
  /** Auction whose bid, creation or result holds this lock (it backs at most one at a time). */
  heldBy: bigint | null;
}

export interface CommitRecord {
  seq: number;
  commitment: Hex;
  atMs: number;
  revealed: boolean;
}

export interface BidRecord {
  commitSeq: number;
  bidder: Hex;
  amount: bigint;
  limitPrice: bigint;
  lockId: bigint;
  maxRateBps: number;
}

export type AuctionStatus = "open" | "cleared" | "settled" | "defaulted";

export interface AuctionRecord {
  auctionId: bigint;
  /** The Away chain the auction settles on: its result, escrow-ack and receipt leaves are bound to it and Home reads its escrow and receipt there. */
  awayChainId: bigint;
  auctioneer: Hex;
  sellAsset: Hex;
  sellAmount: bigint;
  buyAsset: Hex;
  mode: number;
  reservePrice: bigint;
  commitDeadline: bigint;
  revealDeadline: bigint;
  settleDeadline: bigint;
  auctioneerLockId: bigint;
  auctioneerMaxRateBps: number;
  /** Mode 2: the LP whose terms the auction was created under (zero address in mode 1). */
  lp: Hex;
  status: AuctionStatus;
  commits: CommitRecord[];
  bids: BidRecord[];
  escrowAck: EscrowAckPayload | null;
  result: AuctionResultPayload | null;
  receipt: ReceiptPayload | null;
}

export interface ModuleState {
  nextLockId: bigint;
  nextAuctionId: bigint;
  nextCommitSeq: number;
  nextAccountId: bigint;
  lockups: Map<bigint, LockupRecord>;
  auctions: Map<bigint, AuctionRecord>;
  /**
   * State-tree positions reserved by allocated ids (position -> leafKey): a lock id reserves its
   * lockup leaf, an auction id its result, escrow-ack and receipt leaves, before any is written.
   */
  positions: Map<bigint, bigint>;
  /** The risk engine's state: tick (= the height of the block being built), price, volatility, breaker. */
  risk: RiskState;
  /** Collateral accounts and the terms of every lockup (home/risk accounts.ts). */
  book: CollateralBook;
}

/** The module at genesis: the risk engine at tick 0 with the series' genesis price, and the risk-state leaf's position reserved. */
export function emptyModuleState(riskConfig: RiskConfig, genesisPrice: bigint): ModuleState {
  const riskKey = leafKey(KIND_RISK_STATE, RISK_STATE_ID);
  return {
    nextLockId: 1n,
    nextAuctionId: 1n,
    nextCommitSeq: 1,
    nextAccountId: 1n,
    lockups: new Map(),
    auctions: new Map(),
    positions: new Map([[positionOf(riskKey, STATE_DEPTH), riskKey]]),
    risk: initialRiskState(riskConfig, genesisPrice),
    book: emptyCollateralBook(),
  };
}

/** A lock id writes its lockup leaf and the account-lockup leaf that links it to its account (ENCODING.md). */
const LOCK_KINDS: LeafKind[] = [KIND_LOCKUP, KIND_ACCOUNT_LOCKUP];
const AUCTION_KINDS: LeafKind[] = [KIND_AUCTION_RESULT, KIND_ESCROW_ACK, KIND_RECEIPT];
const ACCOUNT_KINDS: LeafKind[] = [KIND_COLLATERAL_ACCOUNT];

/**
 * Allocates the next id whose leaves (of `kinds`) land on free state-tree positions and reserves
 * them: an id that collides is skipped, so Home never gets stuck on a taken position (rule 7).
 */
function allocateId(state: ModuleState, start: bigint, kinds: LeafKind[]): bigint {
  const keysOf = (id: bigint) => kinds.map((k) => leafKey(k, id));
  const id = nextFreeId(start, (i) => keysOf(i).map((key) => positionOf(key, STATE_DEPTH)), (p) => state.positions.has(p));
  for (const key of keysOf(id)) state.positions.set(positionOf(key, STATE_DEPTH), key);
  return id;
}

export function allocateLockId(state: ModuleState): bigint {
  const id = allocateId(state, state.nextLockId, LOCK_KINDS);
  state.nextLockId = id + 1n;
  return id;
}

export function allocateAuctionId(state: ModuleState): bigint {
  const id = allocateId(state, state.nextAuctionId, AUCTION_KINDS);
  state.nextAuctionId = id + 1n;
  return id;
}

export function allocateAccountId(state: ModuleState): bigint {
  const id = allocateId(state, state.nextAccountId, ACCOUNT_KINDS);
  state.nextAccountId = id + 1n;
  return id;
}

/** A state-tree leaf an action writes: its kind and payload, id, key, binding and digest. */
export type LeafWrite = KindedPayload & { id: bigint; leafKey: bigint; awayBinding: bigint; payloadDigest: bigint };

/** Away-chain facts verified (by eth_getProof) before the action was applied, and recorded with it. */
export interface AwayEvidence {
  blockNumber: string;
  blockHash: Hex;
  stateRoot: Hex;
  slot: Hex;
  value: string;
}

export interface ActionContext {
  nowMs: number;
  /** LIBRA price times 1e18. */
  priceScaled: bigint;
  collateralRatioPercent: number;
  evidence?: AwayEvidence;
}

export interface ActionOutcome<T extends ActionType> {
  result: ActionResult<T>;
  writes: LeafWrite[];
}

/** What an Away-checked action needs read from the Away chain (checked before any RPC call). */
export type AwayRequirement = { awayChainId: bigint } & (
  | { kind: "escrow"; auctionId: bigint; depositor: Hex; asset: Hex; amount: bigint; refundNotBefore: bigint }
  | { kind: "receipt"; auctionId: bigint }
);

/** The Away chain `chainId` names (undefined: the first, the default), or a refusal naming the configured ones. */
export function awayChainOf(params: ModuleParams, chainId: bigint | undefined): AwayChainParams {
  if (chainId === undefined) return params.aways[0]!;
  const c = params.aways.find((a) => a.chainId === chainId);
  if (!c) throw new HomeError("unknown-away-chain", `awayChainId ${chainId} is not an Away chain of this Home (configured: ${params.aways.map((a) => a.chainId).join(", ")})`);
  return c;
}

/** creditLimit = floor(collateralValue * 100 / ratioPercent), collateralValue = floor(collateral * price). */
export function creditLimitFor(collateral: bigint, priceScaled: bigint, ratioPercent: number): bigint {
  return creditLimitForBps(collateral, priceScaled, ratioPercent * 100);
}

/** creditLimit = floor(collateralValue * 10000 / ratioBps), collateralValue = floor(collateral * price). */
export function creditLimitForBps(collateral: bigint, priceScaled: bigint, ratioBps: number): bigint {
  const value = (collateral * priceScaled) / PRICE_SCALE;
  return (value * BPS) / BigInt(ratioBps);
}

/** Home time of an action in unix seconds (module deadlines compare seconds). */
export const secondsOf = (ms: number) => BigInt(Math.floor(ms / 1000));
export const sameAddress = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase();

export function auctionOf(state: ModuleState, id: bigint): AuctionRecord {
  const a = state.auctions.get(id);
  if (!a) throw new HomeError("auction-not-found", `auction ${id} not found`);
  return a;
}

export function lockOf(state: ModuleState, id: bigint, field: string): LockupRecord {
  const l = state.lockups.get(id);
  if (!l) throw new HomeError("lockup-not-found", `${field} ${id}: no such lockup`);
  return l;
}

/**
 * Checks that a lock can back a loan of up to `principal` at up to `rateBps` in an auction whose
 * settlement window ends at `settleDeadline` (the same rules Away applies: home/model/rules.ts).
 */
export function checkUsableLock(
  l: LockupRecord,
  field: string,
  who: { addr: Hex; field: string },
  asset: { addr: Hex; field: string },
  loan: { principal: bigint; rateBps: number; settleDeadline: bigint; awayChainId: bigint },
): void {
  const id = l.payload.lockId;
  // The lockup leaf is bound to one chain's settlement contract: only that contract can borrow against it.
  if (l.awayChainId !== loan.awayChainId) throw new HomeError("wrong-away-chain", `${field} ${id} is bound to Away chain ${l.awayChainId}, not to the auction's chain ${loan.awayChainId}`);
  if (l.payload.status !== LOCK_STATUS_LOCKED) throw new HomeError("lockup-not-locked", `${field} ${id} is not locked (status ${l.payload.status})`);
  if (l.heldBy !== null) throw new HomeError("lockup-in-use", `${field} ${id} already backs auction ${l.heldBy}`);
  if (!sameAddress(l.payload.borrower, who.addr)) throw new HomeError("wrong-borrower", `${field} ${id} belongs to borrower ${l.payload.borrower}, not ${who.field} ${who.addr}`);
  if (!sameAddress(l.payload.creditAsset, asset.addr)) {
    throw new HomeError("wrong-credit-asset", `${field} ${id} gives credit in ${l.payload.creditAsset}, not in ${asset.field} ${asset.addr}`);
  }
  if (!expiryCoversDeadline(l.payload.expiry, loan.settleDeadline)) {
    throw new HomeError("lock-expires-too-early", `${field} ${id} expires at ${l.payload.expiry}; it must expire after the settle deadline ${loan.settleDeadline}`);
  }
  const needed = creditNeeded(loan.principal, loan.rateBps);
  if (l.payload.creditLimit < needed) {
    throw new HomeError(
      "credit-too-low",
      `insufficient credit: ${field} ${id} has credit limit ${l.payload.creditLimit}, the loan needs ${needed} (principal up to ${loan.principal} plus interest at up to ${loan.rateBps} bps)`,
    );
  }
}

/**
 * The leaf write of a payload, bound to the contract its kind belongs to on Away chain
 * `awayChainId` (the chain of its lockup or auction), or Home-global (null) for the risk-state
 * and account leaves.
 */
export function leafWrite(params: ModuleParams, awayChainId: bigint | null, id: bigint, leaf: KindedPayload): LeafWrite {
  return { ...leaf, id, leafKey: leafKey(leaf.kind, id), awayBinding: leafBinding(params, leaf.kind, awayChainId), payloadDigest: leafPayloadDigest(leaf) };
}

/** The awayBinding of a leaf kind: its Away contract's on chain `awayChainId`, or 0 for the Home-global risk-state and account leaves. */
export function leafBinding(params: ModuleParams, kind: LeafKind, awayChainId: bigint | null): bigint {
  const contract = leafContract(kind);
  if (contract === "home") return HOME_GLOBAL_BINDING;
  if (awayChainId === null) throw new Error(`a kind ${kind} leaf is bound to an Away chain, and none was given`);
  const chain = awayChainOf(params, awayChainId);
  return awayBinding(chain.chainId, contract === "escrow" ? chain.escrowAddress : chain.settlementAddress);
}

export function lockLeaf(params: ModuleParams, l: LockupRecord): LeafWrite {
  return leafWrite(params, l.awayChainId, l.payload.lockId, { kind: KIND_LOCKUP, payload: { ...l.payload } });
}

/** The KIND_COLLATERAL_ACCOUNT leaf of an account as it is now (rewritten on every change). */
export function accountLeaf(params: ModuleParams, state: ModuleState, accountId: bigint): LeafWrite {
  return leafWrite(params, null, accountId, { kind: KIND_COLLATERAL_ACCOUNT, payload: collateralAccountPayload(state.book, accountId) });
}

/** The KIND_ACCOUNT_LOCKUP leaf of a lockup: its account and terms (written once, at opening). */
export function accountLockupLeaf(params: ModuleParams, l: AccountLockup): LeafWrite {
  return leafWrite(params, l.awayChainId, l.lockId, { kind: KIND_ACCOUNT_LOCKUP, payload: accountLockupPayload(l) });
}

/** One action of the module: how its body decodes, what it reads on Away first, how it applies. */
export interface Action<T extends ActionType> {
  readonly type: T;
  /** For actions checked on Away: validates the request against the state and says what to read. */
  awayRequirement(state: ModuleState, params: ModuleParams, body: unknown, nowMs: number): AwayRequirement | null;
  /** Validates and applies the action to `state` (mutating it); throws HomeError on any refusal. */
  apply(state: ModuleState, params: ModuleParams, body: unknown, ctx: ActionContext): ActionOutcome<T>;
}

export interface ActionDefinition<T extends ActionType, R, C> {
  type: T;
  /** The request schema (home/api ACTION_REQUESTS, or a variant of it). */
  request: z.ZodType<R, unknown>;
  /** Checks the decoded request against the state and the module's params (Home time `now`, unix seconds); returns what apply needs. */
  check(state: ModuleState, req: R, now: bigint, params: ModuleParams): C;
  /** What to read from the Away chain before applying, from the checked request. */
  away?: (checked: C) => AwayRequirement;
  apply(state: ModuleState, params: ModuleParams, checked: C, ctx: ActionContext): ActionOutcome<T>;
}

/** Decodes a request body with the action's schema; a refusal is "invalid-request" naming the field. */
function decodeRequest<R>(type: ActionType, schema: z.ZodType<R, unknown>, body: unknown): R {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HomeError("invalid-request", "request body must be a JSON object");
  const r = schema.safeParse(body, { reportInput: true });
  if (r.success) return r.data;
  const allowed = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  throw new HomeError("invalid-request", describeIssues(r.error, "field", type, allowed));
}

export function defineAction<T extends ActionType, R, C>(def: ActionDefinition<T, R, C>): Action<T> {
  const checked = (state: ModuleState, params: ModuleParams, body: unknown, nowMs: number) =>
    def.check(state, decodeRequest(def.type, def.request, body), secondsOf(nowMs), params);
  return {
    type: def.type,
    awayRequirement: (state, params, body, nowMs) => (def.away ? def.away(checked(state, params, body, nowMs)) : null),
    apply: (state, params, body, ctx) => def.apply(state, params, checked(state, params, body, ctx.nowMs), ctx),
  };
}
