// The Atomic Auctions module's actions on the wire (POST /actions/{type}): each action's request
// body and the result it answers, and the reply around the result. The Home module decodes its
// requests with these schemas and the server encodes its results with them, so the devnet and
// its clients agree on every field (home/devnet/API.md, "Actions").
import * as z from "zod";
import { LEAF_KINDS } from "../model/index.ts";
import { address, bytes32, count, smallIntIn, u256, u64, uintIn } from "./codecs.ts";

const u64In = uintIn(64);
const positiveAmount = uintIn(256, 1n);
const rateBps = smallIntIn(10_000);

export const ACTION_TYPES = [
  "open-account",
  "deposit",
  "withdraw",
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

/** Request bodies, by action. Unknown fields are refused. */
/** deposit / withdraw: an amount of LIBRA into or out of the owner's collateral account. */
const accountAmount = z.strictObject({
  accountId: u64In,
  /** Home account, bytes32: must be the account's owner. */
  owner: bytes32,
  /** LIBRA base units, > 0. */
  amount: positiveAmount,
});

export const ACTION_REQUESTS = {
  "open-account": z.strictObject({
    /** Home account, bytes32. */
    owner: bytes32,
    /** LIBRA base units, > 0. */
    deposit: positiveAmount,
  }),
  deposit: accountAmount,
  withdraw: accountAmount,
  /**
   * Either `collateral` (deposit it into a new one-lockup account; the credit limit follows from
   * --libra-price and the stricter of --collateral-ratio and the risk ratio) or `accountId` and
   * `creditLimit` (a lockup against an existing account, within what its collateral supports).
   */
  lock: z.strictObject({
    /** Home account, bytes32 (with accountId: the account's owner). */
    owner: bytes32,
    /** Away address that may borrow against the lockup. */
    borrower: address,
    creditAsset: address,
    /** LIBRA base units, > 0. */
    collateral: positiveAmount.optional(),
    /** The collateral account backing the lockup. */
    accountId: u64In.optional(),
    /** Credit in base units of creditAsset, > 0. */
    creditLimit: positiveAmount.optional(),
    /** Unix seconds, in the future. */
    expiry: u64In,
    /** The Away chain whose settlement contract may borrow against it (default: Home's first Away chain). */
    awayChainId: u64In.optional(),
  }),
  "release-lock": z.strictObject({ lockId: u64In }),
  "ack-escrow": z.strictObject({
    auctionId: u64In,
    /** Of the deposit; must be after the settle deadline. */
    refundNotBefore: u64In,
    /** Optional restatements of the expected deposit: the auction's auctioneer, sell asset and amount. */
    depositor: address.optional(),
    asset: address.optional(),
    amount: uintIn(256).optional(),
  }),
  "create-auction": z.strictObject({
    auctioneer: address,
    sellAsset: address,
    sellAmount: positiveAmount,
    buyAsset: address,
    /** 1: market makers borrow to bid; 2: the auctioneer borrowed to auction. */
    mode: smallIntIn(255),
    /** Times 1e18 (default 0). */
    reservePrice: uintIn(256).default(0n),
    commitDeadline: u64In,
    revealDeadline: u64In,
    settleDeadline: u64In,
    /** Mode 2: the auctioneer's lockup backing the LP loan. */
    auctioneerLockId: u64In.default(0n),
    auctioneerMaxRateBps: rateBps.default(0),
    /** Mode 2: the Away LP the sell asset is borrowed from. */
    lp: address.optional(),
    /** The Away chain the auction settles on (default: Home's first Away chain); its lockups must be bound to the same chain. */
    awayChainId: u64In.optional(),
  }),
  "commit-bid": z.strictObject({ auctionId: u64In, commitment: bytes32 }),
  "reveal-bid": z.strictObject({
    auctionId: u64In,
    bidder: address,
    /** Sell-asset units wanted, > 0. */
    amount: positiveAmount,
    /** Times 1e18. */
    limitPrice: uintIn(256),
    /** 0 = own funds. */
    lockId: u64In.default(0n),
    maxRateBps: rateBps.default(0),
    salt: bytes32,
  }),
  "clear-auction": z.strictObject({ auctionId: u64In }),
  "consume-receipt": z.strictObject({ auctionId: u64In }),
} as const satisfies Record<ActionType, z.ZodType>;

/** Results, by action. */
const accountResult = z.strictObject({ accountId: u64, collateral: u256 });

export const ACTION_RESULTS = {
  "open-account": accountResult,
  deposit: accountResult,
  withdraw: accountResult,
  /** ratioBps: the lockup's collateral ratio (its terms); accountId: the account backing it. */
  lock: z.strictObject({ lockId: u64, creditLimit: u256, accountId: u64, ratioBps: count }),
  "release-lock": z.strictObject({ lockId: u64, status: count }),
  "ack-escrow": z.strictObject({ auctionId: u64, awayBlock: u64 }),
  "create-auction": z.strictObject({ auctionId: u64 }),
  "commit-bid": z.strictObject({ auctionId: u64, commitSeq: count }),
  "reveal-bid": z.strictObject({ auctionId: u64, commitSeq: count }),
  "clear-auction": z.strictObject({ auctionId: u64, clearingPrice: u256, sold: u256, unsold: u256, fills: count, expired: z.boolean() }),
  "consume-receipt": z.strictObject({
    auctionId: u64,
    outcome: count,
    recordedAt: u64,
    settledMask: u64,
    auctioneerBlamed: z.boolean(),
    released: z.array(u64),
    slashed: z.array(u64),
  }),
} as const satisfies Record<ActionType, z.ZodType>;

/** What an action body may be (numbers, decimal strings or bigints for integers). */
export type ActionBody<T extends ActionType> = z.input<(typeof ACTION_REQUESTS)[T]>;
/** An action's request once decoded. */
export type ActionRequest<T extends ActionType> = z.output<(typeof ACTION_REQUESTS)[T]>;
export type ActionResult<T extends ActionType> = z.output<(typeof ACTION_RESULTS)[T]>;

/** The leaves an action wrote (their kind, id and key). */
export const LeafRefJSON = z.strictObject({ kind: z.union(LEAF_KINDS.map((k) => z.literal(k))), id: u64, leafKey: u256 });

/**
 * The reply of POST /actions/{type}: the action's sequence number, the height of the block whose
 * stateRoot will include its leaves, its result and leaves; with ?wait=1 also the sealed block's
 * headerHash and stateRoot.
 */
function actionReply<T extends ActionType>(type: T) {
  const common = { seq: count, height: u64, type: z.literal(type), result: ACTION_RESULTS[type], leaves: z.array(LeafRefJSON) };
  return z.discriminatedUnion("sealed", [
    z.strictObject({ ...common, sealed: z.literal(false) }),
    z.strictObject({ ...common, sealed: z.literal(true), headerHash: u256, stateRoot: u256 }),
  ]);
}

export const ACTION_REPLIES = {
  "open-account": actionReply("open-account"),
  deposit: actionReply("deposit"),
  withdraw: actionReply("withdraw"),
  lock: actionReply("lock"),
  "release-lock": actionReply("release-lock"),
  "ack-escrow": actionReply("ack-escrow"),
  "create-auction": actionReply("create-auction"),
  "commit-bid": actionReply("commit-bid"),
  "reveal-bid": actionReply("reveal-bid"),
  "clear-auction": actionReply("clear-auction"),
  "consume-receipt": actionReply("consume-receipt"),
} as const satisfies Record<ActionType, z.ZodType>;
/** The reply of one action (its schema is ACTION_REPLIES[T]). */
export type ActionReply<T extends ActionType> = {
  seq: number;
  height: bigint;
  type: T;
  result: ActionResult<T>;
  leaves: z.output<typeof LeafRefJSON>[];
} & ({ sealed: false } | { sealed: true; headerHash: bigint; stateRoot: bigint });

const REPLIES: { [T in ActionType]: z.ZodType<ActionReply<T>, unknown> } = ACTION_REPLIES;
const REQUESTS: { [T in ActionType]: z.ZodType<ActionRequest<T>, unknown> } = ACTION_REQUESTS;

/** The reply schema of one action type. */
export function actionReplySchema<T extends ActionType>(type: T): z.ZodType<ActionReply<T>, unknown> {
  return REPLIES[type];
}

/** The request schema of one action type. */
export function actionRequestSchema<T extends ActionType>(type: T): z.ZodType<ActionRequest<T>, unknown> {
  return REQUESTS[type];
}

/** Query of POST /actions/{type}: `wait=1` (or `true`) answers once the block is sealed. */
export const ActionQuery = z.object({ wait: z.string().optional() });
export const waits = (q: z.output<typeof ActionQuery>): boolean => q.wait === "1" || q.wait === "true";
