// Failure handling by cause. An Away revert is decoded into its custom error with the contracts'
// own ABIs (relayer/generated/away-abi.ts, generated from the Hardhat artifacts) and classified by
// the error's name, per job kind, into what the relayer does next:
//   done     the work is already done on chain (a header at that height, a closed receipt);
//   wait     it can clear on its own (a guardian pause, an LP's or a winner's terms or funds, gas):
//            retried with backoff until the result's pause-extended deadline (headers: always);
//   reprove  prove again against a fresher header (StaleHeader, UnknownHeader, InvalidProof);
//   expired  the settlement window closed (settle): settlement is impossible, a default follows;
//   fatal    the proven data or the chains contradict the call (a malformed result, a conflicting
//            header): no retry can help; the job fails with its cause for an operator.
// The table below names every error the generated ABI has, so a contract that adds one does not
// typecheck until somebody decides what it means.
import { decodeErrorResult, decodeEventLog, type Address, type Hex, type Log } from "viem";
import { AWAY_ERRORS_ABI, SETTLEMENT_EVENTS_ABI } from "./generated/away-abi.ts";
import type { AwayTxKind, Cause } from "./jobs.ts";

export type Disposition = "done" | "wait" | "reprove" | "expired" | "fatal";

export type AwayErrorName = (typeof AWAY_ERRORS_ABI)[number]["name"];

/** What an error means, whoever meets it (then `dispositionOf` says what each job kind does). */
type Family =
  | "paused" // the guardian paused the light client: wait for the unpause
  | "header-known" // a header at or above that height is stored
  | "receipt-closed" // the auction's receipt is closed
  | "window-closed" // settle after the extended deadline
  | "window-open" // recordDefault before the extended deadline
  | "header-needed" // the proof's header is too old or not stored
  | "bad-proof" // the proof did not verify: make it again
  | "epoch" // the light client is at another epoch than the header's
  | "conflict" // the header contradicts what the light client holds or trusts
  | "no-verifier" // the light client has no verifier for the proof's kind (fixed at deployment)
  | "result-shape" // the proven result or lockups cannot be settled by anyone, ever
  | "party" // an LP, a winner or the auctioneer is not ready (terms, capital, funds, approvals)
  | "gas" // the call ran out of gas
  | "anchor-certificate" // an Open Libra LedgerInfo or voucher does not verify against the anchor's validator set
  | "voucher-conflict" // the anchor already records another attestation set for the voucher's epoch
  | "other"; // not something the relayer's calls should meet (admin paths, deposits)

const FAMILIES: Record<AwayErrorName, Family> = {
  ClientPaused: "paused",
  HeightNotIncreasing: "header-known",
  ReceiptExists: "receipt-closed",
  DeadlinePassed: "window-closed",
  DeadlineNotReached: "window-open",
  StaleHeader: "header-needed",
  UnknownHeader: "header-needed",
  InvalidProof: "bad-proof",
  PublicInputNotInField: "bad-proof",
  WrongEpoch: "epoch",
  UnvouchedValidatorSet: "epoch", // anchored client: the anchor has no voucher of the next epoch's set yet (it may come)
  // the anchor (OpenLibraLightClient): at another epoch than the LedgerInfo's, or not yet holding the voucher's epoch
  UnknownEpoch: "epoch",
  ConflictingVoucher: "voucher-conflict",
  MalformedLedgerInfo: "anchor-certificate",
  MalformedEpochState: "anchor-certificate",
  MalformedSetOpening: "anchor-certificate",
  MalformedKeyHints: "anchor-certificate",
  SetOpeningMismatch: "anchor-certificate",
  NotEpochEnding: "anchor-certificate",
  WrongNextEpoch: "anchor-certificate",
  InvalidValidatorSet: "anchor-certificate",
  BitmaskLength: "anchor-certificate",
  BitmaskOutOfRange: "anchor-certificate",
  InsufficientVotingPower: "anchor-certificate",
  InvalidPublicKey: "anchor-certificate",
  InvalidSignature: "anchor-certificate",
  SignatureMismatch: "anchor-certificate",
  ConflictingHeader: "conflict",
  VerifierUnavailable: "no-verifier",
  HeaderSettlementUnavailable: "no-verifier", // settleWithHeader on a light client without the combined verifier
  WrongValidatorSet: "conflict",
  WrongChainId: "conflict",
  MalformedMeta: "conflict",
  InvalidResult: "result-shape",
  LockupMismatch: "result-shape",
  TooManyFills: "result-shape",
  TooManyLockups: "result-shape",
  ZeroDigest: "result-shape",
  InvalidFill: "result-shape",
  WrongBorrower: "result-shape",
  WrongCreditAsset: "result-shape",
  LockupNotLocked: "result-shape",
  // LP side
  LpOfferMissing: "party",
  LpRateAboveCap: "party",
  RepayAssetNotAccepted: "party",
  PriceBelowLpLimit: "party",
  InsufficientCapital: "party",
  CreditLimitTooLow: "party", // owed depends on the LP's rate
  // winner / auctioneer side
  PaymentFailed: "party",
  AuctioneerPaymentMissing: "party",
  CallbackFailed: "party",
  LockupExpired: "party",
  LockAlreadyConsumed: "party",
  NoDeposit: "party",
  InsufficientDeposit: "party",
  CommitmentMismatch: "party",
  InsufficientBalance: "party",
  InsufficientAllowance: "party",
  SafeERC20FailedOperation: "party", // a token transfer returned false or (no code) nothing
  InsufficientGas: "gas",
  ReentrancyGuardReentrantCall: "other",
  OnlySelf: "other",
  NotSettlement: "other",
  NotGuardian: "other",
  InvalidConfig: "other",
  ChainIdTooLarge: "other",
  ZeroAmount: "other",
  AmountTooLarge: "other",
  UnexpectedTransferAmount: "other",
  RateTooHigh: "other",
  ListFull: "other",
  RepayAssetIsLentAsset: "other",
  DepositExists: "other",
  AuctionClosed: "other",
  RefundNotAvailable: "other",
  RefundTimeInPast: "other",
};

/** Families only the anchor's calls meet: nothing the light client's or the settlement's calls can revert with. */
const NOT_MET = { "anchor-certificate": "wait", "voucher-conflict": "wait" } as const;

const HEADER_DISPOSITION: Record<Family, Disposition> = {
  paused: "wait", "header-known": "done", "receipt-closed": "wait", "window-closed": "wait", "window-open": "wait",
  "header-needed": "wait", "bad-proof": "reprove", epoch: "wait", conflict: "fatal", "no-verifier": "fatal", "result-shape": "wait",
  party: "wait", gas: "wait", other: "wait", ...NOT_MET,
};

const SETTLE_DISPOSITION: Record<Family, Disposition> = {
  paused: "wait", "header-known": "wait", "receipt-closed": "done", "window-closed": "expired", "window-open": "wait",
  "header-needed": "reprove", "bad-proof": "reprove", epoch: "wait", conflict: "wait", "no-verifier": "wait", "result-shape": "fatal",
  party: "wait", gas: "wait", other: "wait", ...NOT_MET,
};

/**
 * Open Libra epoch changes and vouchers (the anchor's calls): the anchor at another epoch waits (the
 * handler finds an epoch change already made, or the voucher's epoch not reached yet, before it sends);
 * a certificate that does not verify against the anchor's set, or a voucher of another attestation set
 * than the one the anchor records, is Home's data contradicting the anchor: no retry clears it.
 */
const OPEN_LIBRA_DISPOSITION: Record<Family, Disposition> = {
  ...SETTLE_DISPOSITION, "receipt-closed": "wait", "window-closed": "wait", "header-needed": "wait", "bad-proof": "wait", "result-shape": "wait",
  "anchor-certificate": "fatal", "voucher-conflict": "fatal",
};

const DEFAULT_DISPOSITION: Record<Family, Disposition> = { ...SETTLE_DISPOSITION, "window-closed": "wait" };

const BY_KIND: Record<AwayTxKind, Record<Family, Disposition>> = {
  header: HEADER_DISPOSITION,
  rotation: HEADER_DISPOSITION,
  settle: SETTLE_DISPOSITION,
  default: DEFAULT_DISPOSITION,
  "ol-epoch": OPEN_LIBRA_DISPOSITION,
  voucher: OPEN_LIBRA_DISPOSITION,
};

function isAwayErrorName(name: string): name is AwayErrorName {
  return Object.hasOwn(FAMILIES, name);
}

/**
 * What a job of `kind` does about an Away error. Unknown names (a revert without data, a
 * selector of another contract) are retried: giving up could cost a user their collateral.
 */
export function dispositionOf(kind: AwayTxKind, name: string | undefined): Disposition {
  if (!name || !isAwayErrorName(name)) return "wait";
  return BY_KIND[kind][FAMILIES[name]];
}

/**
 * The light client refused the header a settle transaction carried (settleWithHeader): a later
 * header is stored, another epoch or validator set, no combined verifier. The settlement falls
 * back to a header job and a plain settle.
 */
export function carriedHeaderRefused(name: string | undefined): boolean {
  if (!name || !isAwayErrorName(name)) return false;
  const f = FAMILIES[name];
  return f === "header-known" || f === "epoch" || f === "conflict" || f === "no-verifier";
}

/** The error names a job kind counts as "already done" (the submitter reports them as done). */
export function doneErrors(kind: AwayTxKind): string[] {
  return (Object.keys(FAMILIES) as AwayErrorName[]).filter((n) => dispositionOf(kind, n) === "done");
}

export interface DecodedRevert {
  /** Custom error name, or undefined when the data matches no Away error. */
  name?: AwayErrorName;
  args: readonly unknown[];
  data?: Hex;
}

/** Decode revert data (a custom error) with the Away contracts' ABIs. */
export function decodeRevert(data: Hex | undefined): DecodedRevert {
  if (!data || data.length < 10) return { args: [], data };
  try {
    const r = decodeErrorResult({ abi: AWAY_ERRORS_ABI, data });
    return { name: r.errorName as AwayErrorName, args: r.args ?? [], data };
  } catch {
    return { args: [], data };
  }
}

const show = (v: unknown): string => (typeof v === "bigint" ? v.toString() : String(v));

/** A decoded revert as a Cause (`kind` "revert" for a refused call, "fill" for one failed fill). */
export function revertCause(r: DecodedRevert, kind: "revert" | "fill" = "revert", fallback = "reverted without a known error"): Cause {
  if (!r.name) return { kind, name: "UnknownRevert", message: r.data && r.data !== "0x" ? `${fallback} (data ${r.data.slice(0, 10)}...)` : fallback };
  return { kind, name: r.name, message: `${r.name}(${r.args.map(show).join(", ")})` };
}

export interface FillFailure {
  fillIndex: number;
  revert: DecodedRevert;
}

/** The FillFailed events a settle transaction emitted (fills that stay open), decoded. */
export function fillFailures(logs: readonly Log[], settlement: Address): FillFailure[] {
  const out: FillFailure[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== settlement.toLowerCase()) continue;
    try {
      const ev = decodeEventLog({ abi: SETTLEMENT_EVENTS_ABI, data: log.data, topics: log.topics });
      if (ev.eventName === "FillFailed") out.push({ fillIndex: Number(ev.args.fillIndex), revert: decodeRevert(ev.args.reason) });
    } catch {
      /* another event */
    }
  }
  return out;
}

/** The extended deadline a DeadlineNotReached/DeadlinePassed revert carries (unix seconds), if any. */
export function deadlineOf(r: DecodedRevert): bigint | undefined {
  return (r.name === "DeadlineNotReached" || r.name === "DeadlinePassed") && typeof r.args[0] === "bigint" ? r.args[0] : undefined;
}
