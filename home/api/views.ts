// Reply schemas of the Home API's read routes (home/devnet/API.md), and the leaf payloads they
// carry. Each schema decodes the JSON the devnet sends into the model's types and encodes them
// back; the TypeScript types of the replies are inferred from them (z.output).
import * as z from "zod";
import type { Address, Hex } from "viem";
import {
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_ACCOUNT_LOCKUP,
  KIND_COLLATERAL_ACCOUNT,
  KIND_RECEIPT,
  KIND_RISK_STATE,
  LEAF_KINDS,
  STATE_DEPTH,
  headerFromJSON,
  headerToJSON,
  signedHeaderFromJSON,
  signedHeaderToJSON,
  validatorSetFromJSON,
  validatorSetToJSON,
  type AccountLockupPayload,
  type AuctionResultPayload,
  type CollateralAccountPayload,
  type RiskStatePayload,
  type EscrowAckPayload,
  type Fill,
  type KindedPayload,
  type LeafKind,
  type LeafPayloads,
  type LockupPayload,
  type ReceiptPayload,
  type StateProof,
} from "../model/index.ts";
import { address, bytes32, count, hexBytes, modelJSON, u256, u64 } from "./codecs.ts";

// ---------------------------------------------------------------- leaf payloads

export const LockupPayloadJSON = z.strictObject({
  lockId: u64,
  owner: bytes32,
  borrower: address,
  creditAsset: address,
  creditLimit: u256,
  expiry: u64,
  status: count,
}) satisfies z.ZodType<LockupPayload, unknown>;

export const FillJSON = z.strictObject({
  winner: address,
  sellAmount: u256,
  payAmount: u256,
  lockId: u64,
  maxRateBps: count,
}) satisfies z.ZodType<Fill, unknown>;

export const AuctionResultPayloadJSON = z.strictObject({
  auctionId: u64,
  auctioneer: address,
  sellAsset: address,
  sellAmount: u256,
  buyAsset: address,
  clearingPrice: u256,
  mode: count,
  auctioneerLockId: u64,
  auctioneerMaxRateBps: count,
  lp: address,
  settleDeadline: u64,
  clearedAt: u64,
  fills: z.array(FillJSON),
}) satisfies z.ZodType<AuctionResultPayload, unknown>;

export const EscrowAckPayloadJSON = z.strictObject({
  auctionId: u64,
  depositor: address,
  asset: address,
  amount: u256,
  refundNotBefore: u64,
}) satisfies z.ZodType<EscrowAckPayload, unknown>;

export const ReceiptPayloadJSON = z.strictObject({
  auctionId: u64,
  outcome: count,
  recordedAt: u64,
  settledMask: u64,
  auctioneerBlamed: z.boolean(),
}) satisfies z.ZodType<ReceiptPayload, unknown>;

export const RiskStatePayloadJSON = z.strictObject({
  tick: u64,
  breaker: count,
  ratioBps: count,
  libraPrice: u256,
  variance: u256,
  calmTicks: count,
}) satisfies z.ZodType<RiskStatePayload, unknown>;

export const CollateralAccountPayloadJSON = z.strictObject({
  accountId: u64,
  owner: bytes32,
  collateral: u256,
  slashed: u256,
  openLockups: count,
  openCreditValue: u256,
  openNeedValue: u256,
}) satisfies z.ZodType<CollateralAccountPayload, unknown>;

export const AccountLockupPayloadJSON = z.strictObject({
  lockId: u64,
  accountId: u64,
  ratioBps: count,
  libraPrice: u256,
  creditValue: u256,
  needValue: u256,
  openedTick: u64,
}) satisfies z.ZodType<AccountLockupPayload, unknown>;

export const LeafEntryJSON = z.strictObject({ leafKey: u256, awayBinding: u256, payloadDigest: u256 });

// ---------------------------------------------------------------- chain

export const RootReply = z.strictObject({ service: z.string(), docs: z.string(), status: z.string() });

export const StatusReply = z.strictObject({
  homeChainId: count,
  height: u64,
  epoch: u64,
  headerHash: u256,
  timestampMs: u64,
  nowMs: count,
  epochBlocks: count,
  blockMs: count,
  capacity: count,
  active: count,
  /** The first (default) Away chain, as in awayChains[0]. */
  awayChainId: u64,
  settlementAddress: address,
  escrowAddress: address,
  /** The Away RPC URL, "in-process" for a client object, null when none is configured. */
  awayRpc: z.string().nullable(),
  /** Every Away chain leaves may be bound to; lock and create-auction name one by awayChainId (default: the first). */
  awayChains: z.array(z.strictObject({ chainId: u64, settlementAddress: address, escrowAddress: address, awayRpc: z.string().nullable() })),
  confirmations: count,
  libraPrice: z.string(),
  collateralRatioPercent: count,
  maxFills: count,
  maxLockFills: count,
  pendingLeaves: count,
});
export type StatusView = z.output<typeof StatusReply>;

const SignedHeaderJSON = modelJSON("signed header", signedHeaderFromJSON, signedHeaderToJSON);

/** A signed header with its quorum (GET /headers/{height}, /headers/latest, POST /admin/blocks). */
export const BlockReply = z.strictObject({
  height: u64,
  epoch: u64,
  headerHash: u256,
  epochEnd: z.boolean(),
  quorum: z.boolean(),
  signedPower: u256,
  totalPower: u256,
  /** The header carries the validators' aggregate signature (AggregatedHeaderQuorum proves it). */
  aggregated: z.boolean(),
  signedHeader: SignedHeaderJSON,
});
export type BlockView = z.output<typeof BlockReply>;

export const HeaderRangeReply = z.strictObject({ from: u64, to: u64, latest: u64, headers: z.array(BlockReply) });
export type HeaderRangeView = z.output<typeof HeaderRangeReply>;

export const HeaderOnlyReply = z.strictObject({ headerHash: u256, header: modelJSON("header", headerFromJSON, headerToJSON) });
export type HeaderOnlyView = z.output<typeof HeaderOnlyReply>;

export const ValidatorSetReply = z.strictObject({
  epoch: u64,
  root: u256,
  validatorSet: modelJSON("validator set", validatorSetFromJSON, validatorSetToJSON),
});
export type ValidatorSetView = z.output<typeof ValidatorSetReply>;

// ---------------------------------------------------------------- state proofs

/** A state proof of leaf (kind, id) at one height, with the leaf's payload when it is included. */
export interface StateProofOf<K extends LeafKind> {
  height: bigint;
  stateRoot: bigint;
  headerHash: bigint;
  kind: K;
  id: bigint;
  proof: StateProof;
  /** The payload (when included). */
  payload: LeafPayloads[K] | null;
  /** abi.encode of the payload, whose keccak mod r is the leaf's payloadDigest. */
  payloadAbi: Hex | null;
  /** The Away contract of the leaf's awayBinding (when included). */
  awayContract: Address | null;
}
export type StateProofView = { [K in LeafKind]: StateProofOf<K> }[LeafKind];

/** Everything of a state proof but the leaf's kind and payload. */
export type StateProofCommon = Omit<StateProofOf<LeafKind>, "kind" | "payload">;

/** A state proof view from its parts: the leaf's kinded payload, or none (kind alone). */
export function stateProofView(common: StateProofCommon, kind: LeafKind, leaf: KindedPayload | null): StateProofView {
  if (leaf === null) return { ...common, kind, payload: null };
  switch (leaf.kind) {
    case KIND_LOCKUP:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_AUCTION_RESULT:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_ESCROW_ACK:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_RECEIPT:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_RISK_STATE:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_COLLATERAL_ACCOUNT:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
    case KIND_ACCOUNT_LOCKUP:
      return { ...common, kind: leaf.kind, payload: leaf.payload };
  }
}

/**
 * The wire form (flat: the proof's leafKey, included, leaf and siblings beside the block fields)
 * of a state proof of one kind, decoded into StateProofOf<K> (the proof nested as the model's StateProof).
 */
function stateProofOf<K extends LeafKind>(kind: K, payload: z.ZodType<LeafPayloads[K], unknown>) {
  const wire = z.strictObject({
    height: u64,
    stateRoot: u256,
    headerHash: u256,
    kind: z.literal(kind),
    id: u64,
    leafKey: u256,
    included: z.boolean(),
    leaf: LeafEntryJSON.nullable(),
    siblings: z.array(u256).length(STATE_DEPTH),
    payload: payload.nullable(),
    payloadAbi: hexBytes.nullable(),
    awayContract: address.nullable(),
  });
  return z.codec(wire, z.custom<StateProofOf<K>>(), {
    decode: (w) => ({
      height: w.height,
      stateRoot: w.stateRoot,
      headerHash: w.headerHash,
      kind: w.kind,
      id: w.id,
      proof: { leafKey: w.leafKey, siblings: w.siblings, leaf: w.leaf, included: w.included },
      payload: w.payload,
      payloadAbi: w.payloadAbi,
      awayContract: w.awayContract,
    }),
    encode: (p) => ({
      height: p.height,
      stateRoot: p.stateRoot,
      headerHash: p.headerHash,
      kind: p.kind,
      id: p.id,
      leafKey: p.proof.leafKey,
      included: p.proof.included,
      leaf: p.proof.leaf,
      siblings: p.proof.siblings,
      payload: p.payload,
      payloadAbi: p.payloadAbi,
      awayContract: p.awayContract,
    }),
  });
}

export const LockupProofReply = stateProofOf(KIND_LOCKUP, LockupPayloadJSON);
export const ResultProofReply = stateProofOf(KIND_AUCTION_RESULT, AuctionResultPayloadJSON);
export const EscrowAckProofReply = stateProofOf(KIND_ESCROW_ACK, EscrowAckPayloadJSON);
export const ReceiptProofReply = stateProofOf(KIND_RECEIPT, ReceiptPayloadJSON);
export const RiskStateProofReply = stateProofOf(KIND_RISK_STATE, RiskStatePayloadJSON);
export const CollateralAccountProofReply = stateProofOf(KIND_COLLATERAL_ACCOUNT, CollateralAccountPayloadJSON);
export const AccountLockupProofReply = stateProofOf(KIND_ACCOUNT_LOCKUP, AccountLockupPayloadJSON);

/** GET /state/proof: the proof of any kind (the reply's `kind` says which payload it carries). */
export const StateProofReply = z.union([
  LockupProofReply,
  ResultProofReply,
  EscrowAckProofReply,
  ReceiptProofReply,
  RiskStateProofReply,
  CollateralAccountProofReply,
  AccountLockupProofReply,
]);

/** GET /auctions/{id}/settlement-proof: the result leaf and its lockups in slot order, at one height. */
export const SettlementProofReply = z.strictObject({
  height: u64,
  stateRoot: u256,
  headerHash: u256,
  result: ResultProofReply,
  lockups: z.array(LockupProofReply),
});
export type SettlementProofView = z.output<typeof SettlementProofReply>;

/** The leaf kind query parameter of GET /state/proof. */
const KIND_OF_TEXT = {
  "1": KIND_LOCKUP,
  "2": KIND_AUCTION_RESULT,
  "3": KIND_ESCROW_ACK,
  "4": KIND_RECEIPT,
  "5": KIND_RISK_STATE,
  "6": KIND_COLLATERAL_ACCOUNT,
  "7": KIND_ACCOUNT_LOCKUP,
} as const;
const TEXT_OF_KIND = { 1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7" } as const satisfies Record<LeafKind, keyof typeof KIND_OF_TEXT>;
const kindError = { error: "must be 1 (lockup), 2 (auction result), 3 (escrow ack), 4 (receipt), 5 (risk state), 6 (collateral account) or 7 (account lockup)" };
export const leafKindParam = z.codec(z.enum(["1", "2", "3", "4", "5", "6", "7"], kindError), z.union(LEAF_KINDS.map((k) => z.literal(k)), kindError), {
  decode: (s) => KIND_OF_TEXT[s],
  encode: (k) => TEXT_OF_KIND[k],
});

// ---------------------------------------------------------------- module state

export const LockupReply = z.strictObject({
  ...LockupPayloadJSON.shape,
  /** The collateral account backing the lockup. */
  accountId: u64,
  /** `lock` with `collateral`: LIBRA base units deposited (into its one-lockup account); 0 for a lockup against an account. */
  collateral: u256,
  /** `lock` with `collateral`: the --libra-price used (credit-asset base units per LIBRA base unit, times 1e18); 0 otherwise. */
  priceScaled: u256,
  /** The lockup's collateral ratio (its terms): basis points, and in whole percent rounded up. */
  ratioBps: count,
  collateralRatioPercent: count,
  /** The auction the lockup backs, or null. */
  heldBy: u64.nullable(),
  /** The Away chain whose settlement contract may borrow against the lockup. */
  awayChainId: u64,
});
export type LockupView = z.output<typeof LockupReply>;
export const LockupsReply = z.strictObject({ lockups: z.array(LockupReply) });

// ---------------------------------------------------------------- risk and collateral accounts

export const BREAKER_STATES = ["NORMAL", "SOFT", "HARD", "RECOVERY"] as const;

/** GET /risk: the risk engine's state for the block being built (its leaf enters that block's stateRoot). */
export const RiskReply = z.strictObject({
  /** Risk tick = the height of the block being built (the next sealed block). */
  tick: u64,
  breaker: z.enum(BREAKER_STATES),
  /** The collateral ratio a lockup opened now gets, basis points (in HARD: what RECOVERY will use). */
  ratioBps: count,
  /** Whether new lockups and auctions are accepted (false in HARD). */
  acceptsNew: z.boolean(),
  /** USD per whole LIBRA at this tick, decimal, and times 1e18. */
  libraPrice: z.string(),
  libraPriceScaled: u256,
  /** EWMA per-tick volatility (standard deviation of simple returns), basis points, rounded down. */
  volatilityBps: count,
  /** EWMA variance times 1e18 (the leaf's value). */
  variance: u256,
  calmTicks: count,
  /** The risk-state leaf's payload as the next block commits it. */
  leaf: RiskStatePayloadJSON,
});
export type RiskView = z.output<typeof RiskReply>;

export const LOCKUP_STATUSES = ["open", "released", "slashed"] as const;

export const AccountLockupJSON = z.strictObject({
  lockId: u64,
  awayChainId: u64,
  settlement: address,
  creditAsset: address,
  creditLimit: u256,
  /** USD times 1e18, rounded up. */
  creditValue: u256,
  ratioBps: count,
  libraPrice: u256,
  /** ceil(creditValue * ratioBps / 10000). */
  needValue: u256,
  openedTick: u64,
  status: z.enum(LOCKUP_STATUSES),
});

/** GET /accounts/{accountId}: a collateral account, what it can still do at the current risk state, and its lockups. */
export const AccountReply = z.strictObject({
  accountId: u64,
  owner: bytes32,
  /** LIBRA base units held, and slashed so far. */
  collateral: u256,
  slashed: u256,
  /** Value units (USD times 1e18): the collateral at the current price (rounded down), the open lockups' credit and need at their own terms. */
  collateralValue: u256,
  openLockups: count,
  openCreditValue: u256,
  openNeedValue: u256,
  /** Collateral value left for new lockups at the current ratio (0 in HARD). */
  headroomValue: u256,
  /** LIBRA base units that can be withdrawn now. */
  withdrawable: u256,
  /** Every lockup the account has backed, open or closed, in opening order. */
  lockups: z.array(AccountLockupJSON),
});
export type AccountView = z.output<typeof AccountReply>;

export const AUCTION_STATUSES = ["open", "cleared", "settled", "defaulted"] as const;

export const AuctionReply = z.strictObject({
  auctionId: u64,
  /** The Away chain the auction settles on (its leaves are bound to its contracts there). */
  awayChainId: u64,
  auctioneer: address,
  sellAsset: address,
  sellAmount: u256,
  buyAsset: address,
  mode: count,
  reservePrice: u256,
  commitDeadline: u64,
  revealDeadline: u64,
  settleDeadline: u64,
  auctioneerLockId: u64,
  auctioneerMaxRateBps: count,
  lp: address,
  status: z.enum(AUCTION_STATUSES),
  commits: z.array(z.strictObject({ seq: count, commitment: bytes32, atMs: count, revealed: z.boolean() })),
  bids: z.array(
    z.strictObject({ commitSeq: count, bidder: address, amount: u256, limitPrice: u256, lockId: u64, maxRateBps: count }),
  ),
  escrowAck: EscrowAckPayloadJSON.nullable(),
  result: AuctionResultPayloadJSON.nullable(),
  receipt: ReceiptPayloadJSON.nullable(),
});
export type AuctionView = z.output<typeof AuctionReply>;
export const AuctionsReply = z.strictObject({ auctions: z.array(AuctionReply) });
