// Every kind of leaf the Home state tree holds, and what depends on the kind: its payload type,
// its abi.encode and digest, and which contract its awayBinding names. The Atomic Auctions leaves
// (lockup, result, escrow ack, receipt) are encoded in leaves.ts, the risk-state, collateral
// account and account-lockup leaves in risk-leaves.ts. Encoding: circuits/ENCODING.md.
import {
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  encodeAuctionResult,
  encodeEscrowAck,
  encodeLockup,
  encodeReceipt,
  fieldDigest,
  type AuctionResultPayload,
  type EscrowAckPayload,
  type LockupPayload,
  type ReceiptPayload,
} from "./leaves.ts";
import {
  KIND_ACCOUNT_LOCKUP,
  KIND_COLLATERAL_ACCOUNT,
  KIND_RISK_STATE,
  encodeAccountLockup,
  encodeCollateralAccount,
  encodeRiskState,
  type AccountLockupPayload,
  type CollateralAccountPayload,
  type RiskStatePayload,
} from "./risk-leaves.ts";

/** The kinds of leaf the Home chain writes. */
export const LEAF_KINDS = [KIND_LOCKUP, KIND_AUCTION_RESULT, KIND_ESCROW_ACK, KIND_RECEIPT, KIND_RISK_STATE, KIND_COLLATERAL_ACCOUNT, KIND_ACCOUNT_LOCKUP] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];

export function isLeafKind(k: number): k is LeafKind {
  return (LEAF_KINDS as readonly number[]).includes(k);
}

/**
 * The contract a leaf's awayBinding names: the escrow (escrow acks), the settlement contract
 * (lockups, results, receipts, account lockups), or none ("home": the risk state and collateral
 * accounts, whose awayBinding is HOME_GLOBAL_BINDING = 0).
 */
export function leafContract(kind: LeafKind): "escrow" | "settlement" | "home" {
  if (kind === KIND_ESCROW_ACK) return "escrow";
  return kind === KIND_RISK_STATE || kind === KIND_COLLATERAL_ACCOUNT ? "home" : "settlement";
}

/** The payload type of each leaf kind. */
export interface LeafPayloads {
  1: LockupPayload;
  2: AuctionResultPayload;
  3: EscrowAckPayload;
  4: ReceiptPayload;
  5: RiskStatePayload;
  6: CollateralAccountPayload;
  7: AccountLockupPayload;
}

/** A payload with its leaf kind (a discriminated union: `kind` says which payload it is). */
export type KindedPayload<K extends LeafKind = LeafKind> = { [k in K]: { kind: k; payload: LeafPayloads[k] } }[K];

/** abi.encode of a leaf's payload, by its kind (ENCODING.md "Leaf payloads", "Risk state and collateral accounts"). */
export function encodeLeafPayload(p: KindedPayload): Uint8Array {
  switch (p.kind) {
    case KIND_LOCKUP:
      return encodeLockup(p.payload);
    case KIND_AUCTION_RESULT:
      return encodeAuctionResult(p.payload);
    case KIND_ESCROW_ACK:
      return encodeEscrowAck(p.payload);
    case KIND_RECEIPT:
      return encodeReceipt(p.payload);
    case KIND_RISK_STATE:
      return encodeRiskState(p.payload);
    case KIND_COLLATERAL_ACCOUNT:
      return encodeCollateralAccount(p.payload);
    case KIND_ACCOUNT_LOCKUP:
      return encodeAccountLockup(p.payload);
  }
}

/** A leaf's payloadDigest: keccak256 of its abi.encode'd payload, mod r. */
export function leafPayloadDigest(p: KindedPayload): bigint {
  return fieldDigest(encodeLeafPayload(p));
}
