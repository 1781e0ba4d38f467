// The Atomic Auctions module of the simulated Home chain: collateral lockups, escrow
// acknowledgements, sealed-bid uniform-price auctions, and settlement/default receipts.
//
// `applyAction` is synchronous and deterministic: given the state, the request body and
// the context recorded with the action (time, LIBRA price, collateral ratio, verified Away
// evidence) it mutates `state` and returns the state-tree leaves to write. Callers run it
// on a copy of the state and keep the copy only when it returns (see chain.ts), so a
// rejected action changes nothing. Rules are documented in home/devnet/README.md.
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import {
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  LOCK_STATUS_LOCKED,
  LOCK_STATUS_RELEASED,
  LOCK_STATUS_SLASHED,
  MODE_BORROW_TO_AUCTION,
  OUTCOME_DEFAULTED,
  OUTCOME_SETTLED,
  STATE_DEPTH,
  allFillsMask,
  auctionResultDigest,
  awayBinding,
  creditNeeded,
  decodeReceiptWord,
  escrowAckDigest,
  expiryCoversDeadline,
  leafKey,
  lockupDigest,
  maxPayment,
  nextFreeId,
  positionOf,
  receiptDigest,
  refundAfterDeadline,
  type AuctionResultPayload,
  type EscrowAckPayload,
  type Fill,
  type LockupPayload,
  type ReceiptPayload,
} from "../model/index.ts";
import { clearUniformPrice, PRICE_SCALE } from "./clearing.ts";
import { badRequest, conflict, notFound, unprocessable } from "./errors.ts";
import { address, asObject, bytes32, onlyFields, smallInt, uint, type Body } from "./input.ts";

export const ACTION_TYPES = [
  "lock",
  "release-lock",
  "ack-escrow",
  "create-auction",
  "commit-bid",
  "reveal-bid",
  "clear-auction",
  "consume-receipt",
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export function isActionType(x: string): x is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(x);
}

export interface ModuleParams {
  awayChainId: bigint;
  settlementAddress: Hex;
  escrowAddress: Hex;
  /** Most fills an auction result may have. */
  maxFills: number;
  /** Most fills that borrow against a lockup (the Settlement circuit's K lockup slots). */
  maxLockFills: number;
}

export interface LockupRecord {
  payload: LockupPayload;
  /** LIBRA base units deposited and locked. */
  collateral: bigint;
  /** LIBRA price used (credit-asset base units per LIBRA base unit, times 1e18). */
  priceScaled: bigint;
  collateralRatioPercent: number;
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
  lockups: Map<bigint, LockupRecord>;
  auctions: Map<bigint, AuctionRecord>;
  /**
   * State-tree positions reserved by allocated ids (position -> leafKey): a lock id reserves its
   * lockup leaf, an auction id its result, escrow-ack and receipt leaves, before any is written.
   */
  positions: Map<bigint, bigint>;
}

export function emptyModuleState(): ModuleState {
  return { nextLockId: 1n, nextAuctionId: 1n, nextCommitSeq: 1, lockups: new Map(), auctions: new Map(), positions: new Map() };
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Hex;
const LOCK_KINDS = [KIND_LOCKUP];
const AUCTION_KINDS = [KIND_AUCTION_RESULT, KIND_ESCROW_ACK, KIND_RECEIPT];

/**
 * Allocates the next id whose leaves (of `kinds`) land on free state-tree positions and reserves
 * them: an id that collides is skipped, so Home never gets stuck on a taken position (rule 7).
 */
function allocateId(state: ModuleState, start: bigint, kinds: number[]): bigint {
  const keysOf = (id: bigint) => kinds.map((k) => leafKey(k, id));
  const id = nextFreeId(start, (i) => keysOf(i).map((key) => positionOf(key, STATE_DEPTH)), (p) => state.positions.has(p));
  for (const key of keysOf(id)) state.positions.set(positionOf(key, STATE_DEPTH), key);
  return id;
}

export type LeafPayload = LockupPayload | AuctionResultPayload | EscrowAckPayload | ReceiptPayload;

export interface LeafWrite {
  kind: number;
  id: bigint;
  leafKey: bigint;
  awayBinding: bigint;
  payloadDigest: bigint;
  payload: LeafPayload;
}

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

export interface ActionOutcome {
  result: Record<string, unknown>;
  writes: LeafWrite[];
}

/** Sealed-bid commitment: keccak256(abi.encode(uint64 auctionId, address bidder, uint256 amount, uint256 limitPrice, uint64 lockId, uint16 maxRateBps, bytes32 salt)). */
export function bidCommitment(b: { auctionId: bigint; bidder: Hex; amount: bigint; limitPrice: bigint; lockId: bigint; maxRateBps: number; salt: Hex }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint64" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint64" }, { type: "uint16" }, { type: "bytes32" }],
      [b.auctionId, b.bidder, b.amount, b.limitPrice, b.lockId, b.maxRateBps, b.salt],
    ),
  );
}

/** creditLimit = floor(collateralValue * 100 / ratioPercent), collateralValue = floor(collateral * price). */
export function creditLimitFor(collateral: bigint, priceScaled: bigint, ratioPercent: number): bigint {
  const value = (collateral * priceScaled) / PRICE_SCALE;
  return (value * 100n) / BigInt(ratioPercent);
}

const sec = (ms: number) => BigInt(Math.floor(ms / 1000));
const same = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase();

function auctionOf(state: ModuleState, body: Body): AuctionRecord {
  const id = uint(body, "auctionId", 64);
  const a = state.auctions.get(id);
  if (!a) throw notFound(`auction ${id} not found`);
  return a;
}

function lockOf(state: ModuleState, id: bigint, field: string): LockupRecord {
  const l = state.lockups.get(id);
  if (!l) throw notFound(`${field} ${id}: no such lockup`);
  return l;
}

/**
 * Checks that a lock can back a loan of up to `principal` at up to `rateBps` in an auction whose
 * settlement window ends at `settleDeadline` (the same rules Away applies: home/model/rules.ts).
 */
function checkUsableLock(
  l: LockupRecord,
  field: string,
  who: { addr: Hex; field: string },
  asset: { addr: Hex; field: string },
  loan: { principal: bigint; rateBps: number; settleDeadline: bigint },
): void {
  const id = l.payload.lockId;
  if (l.payload.status !== LOCK_STATUS_LOCKED) throw conflict(`${field} ${id} is not locked (status ${l.payload.status})`);
  if (l.heldBy !== null) throw conflict(`${field} ${id} already backs auction ${l.heldBy}`);
  if (!same(l.payload.borrower, who.addr)) throw unprocessable(`${field} ${id} belongs to borrower ${l.payload.borrower}, not ${who.field} ${who.addr}`);
  if (!same(l.payload.creditAsset, asset.addr)) throw unprocessable(`${field} ${id} gives credit in ${l.payload.creditAsset}, not in ${asset.field} ${asset.addr}`);
  if (!expiryCoversDeadline(l.payload.expiry, loan.settleDeadline)) {
    throw unprocessable(`${field} ${id} expires at ${l.payload.expiry}; it must expire after the settle deadline ${loan.settleDeadline}`, "lock-expires-too-early");
  }
  const needed = creditNeeded(loan.principal, loan.rateBps);
  if (l.payload.creditLimit < needed) {
    throw unprocessable(
      `insufficient credit: ${field} ${id} has credit limit ${l.payload.creditLimit}, the loan needs ${needed} (principal up to ${loan.principal} plus interest at up to ${loan.rateBps} bps)`,
      "credit-too-low",
    );
  }
}

function leaf(params: ModuleParams, kind: number, id: bigint, payload: LeafPayload): LeafWrite {
  const contract = kind === KIND_ESCROW_ACK ? params.escrowAddress : params.settlementAddress;
  let payloadDigest: bigint;
  if (kind === KIND_LOCKUP) payloadDigest = lockupDigest(payload as LockupPayload);
  else if (kind === KIND_AUCTION_RESULT) payloadDigest = auctionResultDigest(payload as AuctionResultPayload);
  else if (kind === KIND_ESCROW_ACK) payloadDigest = escrowAckDigest(payload as EscrowAckPayload);
  else payloadDigest = receiptDigest(payload as ReceiptPayload);
  return { kind, id, leafKey: leafKey(kind, id), awayBinding: awayBinding(params.awayChainId, contract), payloadDigest, payload };
}

function lockLeaf(params: ModuleParams, l: LockupRecord): LeafWrite {
  return leaf(params, KIND_LOCKUP, l.payload.lockId, { ...l.payload });
}

/** What an Away-checked action needs read from the Away chain (checked before any RPC call). */
export type AwayRequirement =
  | { kind: "escrow"; auctionId: bigint; depositor: Hex; asset: Hex; amount: bigint; refundNotBefore: bigint }
  | { kind: "receipt"; auctionId: bigint };

/** For ack-escrow / consume-receipt: validates the request against the state and says what to read. */
export function awayRequirement(state: ModuleState, type: ActionType, rawBody: unknown): AwayRequirement | null {
  if (type !== "ack-escrow" && type !== "consume-receipt") return null;
  const body = asObject(rawBody);
  if (type === "ack-escrow") {
    const { a, refundNotBefore } = checkAckEscrow(state, body);
    return { kind: "escrow", auctionId: a.auctionId, depositor: a.auctioneer, asset: a.sellAsset, amount: a.sellAmount, refundNotBefore };
  }
  const a = checkConsumeReceipt(state, body);
  return { kind: "receipt", auctionId: a.auctionId };
}

function checkAckEscrow(state: ModuleState, body: Body): { a: AuctionRecord; refundNotBefore: bigint } {
  onlyFields(body, ["auctionId", "refundNotBefore", "depositor", "asset", "amount"], "ack-escrow");
  const a = auctionOf(state, body);
  if (a.mode !== 1) throw conflict(`auction ${a.auctionId} is mode ${a.mode}: only mode 1 auctions escrow the sell asset`);
  if (a.escrowAck) throw conflict(`escrow deposit of auction ${a.auctionId} is already acknowledged`);
  if (a.status !== "open") throw conflict(`auction ${a.auctionId} is ${a.status}`);
  // Optional fields restate the expected deposit; they must agree with the auction.
  if (body.depositor !== undefined && !same(address(body, "depositor"), a.auctioneer)) throw unprocessable(`depositor must be the auctioneer ${a.auctioneer}`);
  if (body.asset !== undefined && !same(address(body, "asset"), a.sellAsset)) throw unprocessable(`asset must be the sell asset ${a.sellAsset}`);
  if (body.amount !== undefined && uint(body, "amount", 256) !== a.sellAmount) throw unprocessable(`amount must be the sell amount ${a.sellAmount}`);
  // The deposit must stay in the escrow while the auction can settle (rule 4).
  const refundNotBefore = uint(body, "refundNotBefore", 64);
  if (!refundAfterDeadline(refundNotBefore, a.settleDeadline)) {
    throw unprocessable(
      `escrow deposit of auction ${a.auctionId} can be refunded from ${refundNotBefore}; it must not be refundable before the settle deadline ${a.settleDeadline} has passed (refundNotBefore > settleDeadline)`,
      "refund-too-early",
    );
  }
  return { a, refundNotBefore };
}

function checkConsumeReceipt(state: ModuleState, body: Body): AuctionRecord {
  onlyFields(body, ["auctionId"], "consume-receipt");
  const a = auctionOf(state, body);
  if (a.receipt) throw conflict(`receipt of auction ${a.auctionId} was already consumed (outcome ${a.receipt.outcome})`, "receipt-consumed");
  if (a.status !== "cleared" || !a.result) throw conflict(`auction ${a.auctionId} has no result yet (status ${a.status})`);
  return a;
}

/** Applies one action to `state` (mutating it). Throws ApiError for any rejection. */
export function applyAction(state: ModuleState, params: ModuleParams, type: ActionType, rawBody: unknown, ctx: ActionContext): ActionOutcome {
  const body = asObject(rawBody);
  const now = sec(ctx.nowMs);
  switch (type) {
    case "lock": {
      onlyFields(body, ["owner", "borrower", "creditAsset", "collateral", "expiry"], "lock");
      const owner = bytes32(body, "owner");
      const borrower = address(body, "borrower");
      const creditAsset = address(body, "creditAsset");
      const collateral = uint(body, "collateral", 256, { min: 1n });
      const expiry = uint(body, "expiry", 64);
      if (expiry <= now) throw badRequest(`expiry ${expiry} is not in the future (Home time ${now})`);
      const creditLimit = creditLimitFor(collateral, ctx.priceScaled, ctx.collateralRatioPercent);
      if (creditLimit === 0n) throw unprocessable(`collateral ${collateral} is worth no credit at the configured LIBRA price`);
      const lockId = allocateId(state, state.nextLockId, LOCK_KINDS);
      state.nextLockId = lockId + 1n;
      const rec: LockupRecord = {
        payload: { lockId, owner, borrower, creditAsset, creditLimit, expiry, status: LOCK_STATUS_LOCKED },
        collateral,
        priceScaled: ctx.priceScaled,
        collateralRatioPercent: ctx.collateralRatioPercent,
        heldBy: null,
      };
      state.lockups.set(lockId, rec);
      return { result: { lockId, creditLimit }, writes: [lockLeaf(params, rec)] };
    }

    case "release-lock": {
      onlyFields(body, ["lockId"], "release-lock");
      const lockId = uint(body, "lockId", 64);
      const l = lockOf(state, lockId, "lockId");
      if (l.payload.status !== LOCK_STATUS_LOCKED) throw conflict(`lockup ${lockId} is not locked (status ${l.payload.status})`);
      if (l.heldBy !== null) throw conflict(`lockup ${lockId} backs auction ${l.heldBy}; it is released by that auction's receipt`);
      if (now < l.payload.expiry) throw conflict(`lockup ${lockId} expires at ${l.payload.expiry}; Home time is ${now}`);
      l.payload.status = LOCK_STATUS_RELEASED;
      return { result: { lockId, status: l.payload.status }, writes: [lockLeaf(params, l)] };
    }

    case "create-auction": {
      onlyFields(
        body,
        ["auctioneer", "sellAsset", "sellAmount", "buyAsset", "mode", "reservePrice", "commitDeadline", "revealDeadline", "settleDeadline", "auctioneerLockId", "auctioneerMaxRateBps", "lp"],
        "create-auction",
      );
      const auctioneer = address(body, "auctioneer");
      const sellAsset = address(body, "sellAsset");
      const buyAsset = address(body, "buyAsset");
      if (same(sellAsset, buyAsset)) throw badRequest("sellAsset and buyAsset must differ");
      const sellAmount = uint(body, "sellAmount", 256, { min: 1n });
      const mode = smallInt(body, "mode", 8);
      if (mode !== 1 && mode !== 2) throw badRequest(`field 'mode' must be 1 (market makers borrow to bid) or 2 (auctioneer borrowed to auction), got ${mode}`);
      const reservePrice = uint(body, "reservePrice", 256, { fallback: 0n });
      const commitDeadline = uint(body, "commitDeadline", 64);
      const revealDeadline = uint(body, "revealDeadline", 64);
      const settleDeadline = uint(body, "settleDeadline", 64);
      if (commitDeadline <= now) throw badRequest(`commitDeadline ${commitDeadline} is not in the future (Home time ${now})`);
      if (revealDeadline <= commitDeadline) throw badRequest("revealDeadline must be after commitDeadline");
      if (settleDeadline <= revealDeadline) throw badRequest("settleDeadline must be after revealDeadline");
      const auctioneerLockId = uint(body, "auctioneerLockId", 64, { fallback: 0n });
      const auctioneerMaxRateBps = smallInt(body, "auctioneerMaxRateBps", 16, 0);
      if (auctioneerMaxRateBps > 10000) throw badRequest("auctioneerMaxRateBps must be at most 10000");
      const lp = body.lp === undefined ? ZERO_ADDRESS : address(body, "lp");
      let lockRec: LockupRecord | null = null;
      if (mode === 1) {
        if (auctioneerLockId !== 0n || auctioneerMaxRateBps !== 0 || !same(lp, ZERO_ADDRESS)) {
          throw badRequest("mode 1 auctions take no auctioneerLockId / auctioneerMaxRateBps / lp");
        }
      } else {
        if (auctioneerLockId === 0n) throw badRequest("mode 2 auctions need auctioneerLockId (the auctioneer's lockup backing the LP loan)");
        if (same(lp, ZERO_ADDRESS)) throw badRequest("mode 2 auctions need lp: the Away LP whose terms (rate, minimum price for the buy asset) the loan is taken under");
        lockRec = lockOf(state, auctioneerLockId, "auctioneerLockId");
        checkUsableLock(lockRec, "auctioneerLockId", { addr: auctioneer, field: "auctioneer" }, { addr: sellAsset, field: "sellAsset" }, {
          principal: sellAmount,
          rateBps: auctioneerMaxRateBps,
          settleDeadline,
        });
      }
      const auctionId = allocateId(state, state.nextAuctionId, AUCTION_KINDS);
      state.nextAuctionId = auctionId + 1n;
      if (lockRec) lockRec.heldBy = auctionId;
      state.auctions.set(auctionId, {
        auctionId,
        auctioneer,
        sellAsset,
        sellAmount,
        buyAsset,
        mode,
        reservePrice,
        commitDeadline,
        revealDeadline,
        settleDeadline,
        auctioneerLockId,
        auctioneerMaxRateBps,
        lp,
        status: "open",
        commits: [],
        bids: [],
        escrowAck: null,
        result: null,
        receipt: null,
      });
      return { result: { auctionId }, writes: [] };
    }

    case "commit-bid": {
      onlyFields(body, ["auctionId", "commitment"], "commit-bid");
      const a = auctionOf(state, body);
      const commitment = bytes32(body, "commitment");
      if (a.status !== "open" || now >= a.commitDeadline) throw conflict(`auction ${a.auctionId} is not taking bids (commit deadline ${a.commitDeadline}, Home time ${now})`);
      if (a.commits.some((c) => c.commitment === commitment)) throw conflict(`commitment ${commitment} was already submitted to auction ${a.auctionId}`);
      const seq = state.nextCommitSeq++;
      a.commits.push({ seq, commitment, atMs: ctx.nowMs, revealed: false });
      return { result: { auctionId: a.auctionId, commitSeq: seq }, writes: [] };
    }

    case "reveal-bid": {
      onlyFields(body, ["auctionId", "bidder", "amount", "limitPrice", "lockId", "maxRateBps", "salt"], "reveal-bid");
      const a = auctionOf(state, body);
      const bidder = address(body, "bidder");
      const amount = uint(body, "amount", 256, { min: 1n });
      const limitPrice = uint(body, "limitPrice", 256);
      const lockId = uint(body, "lockId", 64, { fallback: 0n });
      const maxRateBps = smallInt(body, "maxRateBps", 16, 0);
      const salt = bytes32(body, "salt");
      if (maxRateBps > 10000) throw badRequest("maxRateBps must be at most 10000");
      if (a.status !== "open" || now < a.commitDeadline || now >= a.revealDeadline) {
        throw conflict(`auction ${a.auctionId} is not in its reveal phase (from ${a.commitDeadline} to ${a.revealDeadline}, Home time ${now})`);
      }
      const commitment = bidCommitment({ auctionId: a.auctionId, bidder, amount, limitPrice, lockId, maxRateBps, salt });
      const c = a.commits.find((x) => x.commitment === commitment);
      if (!c) throw unprocessable(`no commitment of auction ${a.auctionId} matches this bid (commitment ${commitment})`);
      if (c.revealed) throw conflict(`the bid with commitment ${commitment} was already revealed`);
      if (a.mode === 2 && (lockId !== 0n || maxRateBps !== 0)) throw unprocessable("bids in mode 2 auctions pay from own funds: lockId and maxRateBps must be 0");
      if (lockId !== 0n) {
        const l = lockOf(state, lockId, "lockId");
        checkUsableLock(l, "lockId", { addr: bidder, field: "bidder" }, { addr: a.buyAsset, field: "buyAsset" }, {
          principal: maxPayment(amount, limitPrice),
          rateBps: maxRateBps,
          settleDeadline: a.settleDeadline,
        });
        l.heldBy = a.auctionId;
      }
      c.revealed = true;
      a.bids.push({ commitSeq: c.seq, bidder, amount, limitPrice, lockId, maxRateBps });
      return { result: { auctionId: a.auctionId, commitSeq: c.seq }, writes: [] };
    }

    case "clear-auction": {
      onlyFields(body, ["auctionId"], "clear-auction");
      const a = auctionOf(state, body);
      if (a.status !== "open") throw conflict(`auction ${a.auctionId} is already ${a.status}`);
      if (now < a.revealDeadline) throw conflict(`auction ${a.auctionId} cannot clear before its reveal deadline ${a.revealDeadline} (Home time ${now})`);
      if (a.mode === 1 && !a.escrowAck) throw conflict(`auction ${a.auctionId}: the sell asset's escrow deposit is not acknowledged yet (ack-escrow)`);
      // Cleared at or after its settle deadline, a result could only default: it gets no fills, so
      // no winner's collateral is at stake without a chance to settle.
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
      // Locks of bids that did not fill are free again; with no fills nothing will settle.
      const used = new Set(fills.filter((f) => f.lockId !== 0n).map((f) => f.lockId));
      if (fills.length > 0 && a.mode === 2) used.add(a.auctioneerLockId);
      for (const l of state.lockups.values()) if (l.heldBy === a.auctionId && !used.has(l.payload.lockId)) l.heldBy = null;
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
      a.result = result;
      a.status = "cleared";
      return {
        result: { auctionId: a.auctionId, clearingPrice: out.clearingPrice, sold: out.sold, unsold: out.unsold, fills: fills.length, expired },
        writes: [leaf(params, KIND_AUCTION_RESULT, a.auctionId, result)],
      };
    }

    case "ack-escrow": {
      const { a, refundNotBefore } = checkAckEscrow(state, body);
      const ev = ctx.evidence;
      if (!ev) throw new Error("ack-escrow applied without Away evidence");
      const payload: EscrowAckPayload = { auctionId: a.auctionId, depositor: a.auctioneer, asset: a.sellAsset, amount: a.sellAmount, refundNotBefore };
      a.escrowAck = payload;
      return { result: { auctionId: a.auctionId, awayBlock: ev.blockNumber }, writes: [leaf(params, KIND_ESCROW_ACK, a.auctionId, payload)] };
    }

    case "consume-receipt": {
      const a = checkConsumeReceipt(state, body);
      const ev = ctx.evidence;
      if (!ev) throw new Error("consume-receipt applied without Away evidence");
      const receipt = receiptFromWord(a, BigInt(ev.value));
      const writes: LeafWrite[] = [leaf(params, KIND_RECEIPT, a.auctionId, receipt)];
      const released: bigint[] = [];
      const slashed: bigint[] = [];
      for (const [lockId, slash] of lockOutcomes(a.result!, receipt)) {
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
    }
  }
}

/** The receipt Home records from a verified Away word: only a closed, well-formed one. */
function receiptFromWord(a: AuctionRecord, word: bigint): ReceiptPayload {
  const r = a.result!;
  let w;
  try {
    w = decodeReceiptWord(word);
  } catch (e) {
    throw unprocessable(`receipt of auction ${a.auctionId}: ${(e as Error).message}`, "receipt-invalid");
  }
  if (w.outcome !== OUTCOME_SETTLED && w.outcome !== OUTCOME_DEFAULTED) {
    if (w.outcome === 0) {
      throw conflict(`receipt of auction ${a.auctionId} is still open on Away (fills settled so far: mask ${w.settledMask}); Home consumes it once it is closed`, "receipt-open");
    }
    throw unprocessable(`receipt of auction ${a.auctionId} has unknown outcome ${w.outcome}`, "receipt-invalid");
  }
  const all = allFillsMask(r.fills.length);
  if ((w.settledMask & ~all) !== 0n || (w.outcome === OUTCOME_SETTLED && (w.settledMask !== all || w.auctioneerBlamed))) {
    throw unprocessable(`receipt of auction ${a.auctionId} does not fit its ${r.fills.length} fills (outcome ${w.outcome}, mask ${w.settledMask})`, "receipt-invalid");
  }
  return { auctionId: a.auctionId, outcome: w.outcome, recordedAt: w.recordedAt, settledMask: w.settledMask, auctioneerBlamed: w.auctioneerBlamed };
}

/**
 * What each lockup of a result gets from its closed receipt (rule 2): a fill's lockup is released
 * when its fill settled and slashed when it did not; the mode-2 auctioneer's lockup is slashed only
 * when the auctioneer's own payment failed. Returns [lockId, slash] pairs.
 */
export function lockOutcomes(r: AuctionResultPayload, receipt: ReceiptPayload): [bigint, boolean][] {
  if (r.mode === MODE_BORROW_TO_AUCTION) return [[r.auctioneerLockId, receipt.auctioneerBlamed]];
  return r.fills.flatMap((f, i): [bigint, boolean][] => (f.lockId === 0n ? [] : [[f.lockId, ((receipt.settledMask >> BigInt(i)) & 1n) === 0n]]));
}
