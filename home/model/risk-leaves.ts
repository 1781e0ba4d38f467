// State-tree leaves of Home's risk engine and collateral accounts (written by the devnet since
// issue 13's integration): the risk state (breaker state, current ratio, price, volatility),
// collateral accounts, and the link from a lockup to the account that backs it, with their
// abi.encode'd payloads and keccak-mod-r digests. Encoding: circuits/ENCODING.md, "Risk state
// and collateral accounts". The rules that produce these values live in home/risk/.

import { encodeAbiParameters } from "viem";
import { hexToBytes } from "./field.ts";
import { fieldDigest, type Bytes32 } from "./leaves.ts";

export const KIND_RISK_STATE = 5;
export const KIND_COLLATERAL_ACCOUNT = 6;
export const KIND_ACCOUNT_LOCKUP = 7;
/** The risk state is one leaf: id 0 of KIND_RISK_STATE. */
export const RISK_STATE_ID = 0n;

/** Circuit-breaker states as encoded in the risk-state payload (0 is never used). */
export const BREAKER_NORMAL = 1;
export const BREAKER_SOFT = 2;
export const BREAKER_HARD = 3;
export const BREAKER_RECOVERY = 4;

/** awayBinding of the risk-state and collateral-account leaves: they belong to no one Away contract. */
export const HOME_GLOBAL_BINDING = 0n;

/** Fixed-point scale of collateral and credit values: 1e18 value units are 1 USD. */
export const VALUE_SCALE = 10n ** 18n;
/** Fixed-point scale of the EWMA variance of per-tick returns: 1e18 is a variance of 1. */
export const VARIANCE_SCALE = 10n ** 18n;

export interface RiskStatePayload {
  /** Risk ticks since genesis (u64). */
  tick: bigint;
  /** BREAKER_NORMAL..BREAKER_RECOVERY. */
  breaker: number;
  /** Collateral ratio new lockups get, basis points (15000 = 150%); u32. */
  ratioBps: number;
  /** LIBRA price at this tick: USD per whole LIBRA, times 1e18. */
  libraPrice: bigint;
  /** EWMA variance of simple per-tick returns, times VARIANCE_SCALE. */
  variance: bigint;
  /** Consecutive calm ticks spent in RECOVERY (0 in other states); u32. */
  calmTicks: number;
}

export interface CollateralAccountPayload {
  accountId: bigint;
  /** Home account address of the owner, bytes32 hex. */
  owner: Bytes32;
  /** LIBRA base units held by the account (deposits - withdrawals - slashes). */
  collateral: bigint;
  /** LIBRA base units slashed from the account so far. */
  slashed: bigint;
  /** Number of open lockups (u32). */
  openLockups: number;
  /** Sum of the open lockups' creditValue (value units). */
  openCreditValue: bigint;
  /** Sum of the open lockups' needValue, each at its own ratio (value units). */
  openNeedValue: bigint;
}

export interface AccountLockupPayload {
  lockId: bigint;
  accountId: bigint;
  /** The lockup's own collateral ratio (its terms, fixed at opening), basis points; u32. */
  ratioBps: number;
  /** LIBRA price when the lockup opened (USD per LIBRA times 1e18). */
  libraPrice: bigint;
  /** Value of the credit limit (value units), rounded up. */
  creditValue: bigint;
  /** ceil(creditValue * ratioBps / BPS): the collateral value the lockup needs. */
  needValue: bigint;
  /** Risk tick at which the lockup opened (u64). */
  openedTick: bigint;
}

export const RISK_STATE_ABI = [
  { name: "tick", type: "uint64" },
  { name: "breaker", type: "uint8" },
  { name: "ratioBps", type: "uint32" },
  { name: "libraPrice", type: "uint256" },
  { name: "variance", type: "uint256" },
  { name: "calmTicks", type: "uint32" },
] as const;

export const COLLATERAL_ACCOUNT_ABI = [
  { name: "accountId", type: "uint64" },
  { name: "owner", type: "bytes32" },
  { name: "collateral", type: "uint256" },
  { name: "slashed", type: "uint256" },
  { name: "openLockups", type: "uint32" },
  { name: "openCreditValue", type: "uint256" },
  { name: "openNeedValue", type: "uint256" },
] as const;

export const ACCOUNT_LOCKUP_ABI = [
  { name: "lockId", type: "uint64" },
  { name: "accountId", type: "uint64" },
  { name: "ratioBps", type: "uint32" },
  { name: "libraPrice", type: "uint256" },
  { name: "creditValue", type: "uint256" },
  { name: "needValue", type: "uint256" },
  { name: "openedTick", type: "uint64" },
] as const;

export function encodeRiskState(p: RiskStatePayload): Uint8Array {
  if (p.breaker < BREAKER_NORMAL || p.breaker > BREAKER_RECOVERY) throw new RangeError(`breaker state must be 1..4, got ${p.breaker}`);
  return hexToBytes(encodeAbiParameters(RISK_STATE_ABI, [p.tick, p.breaker, p.ratioBps, p.libraPrice, p.variance, p.calmTicks]));
}

export function encodeCollateralAccount(p: CollateralAccountPayload): Uint8Array {
  return hexToBytes(
    encodeAbiParameters(COLLATERAL_ACCOUNT_ABI, [p.accountId, p.owner, p.collateral, p.slashed, p.openLockups, p.openCreditValue, p.openNeedValue]),
  );
}

export function encodeAccountLockup(p: AccountLockupPayload): Uint8Array {
  return hexToBytes(
    encodeAbiParameters(ACCOUNT_LOCKUP_ABI, [p.lockId, p.accountId, p.ratioBps, p.libraPrice, p.creditValue, p.needValue, p.openedTick]),
  );
}

export function riskStateDigest(p: RiskStatePayload): bigint {
  return fieldDigest(encodeRiskState(p));
}

export function collateralAccountDigest(p: CollateralAccountPayload): bigint {
  return fieldDigest(encodeCollateralAccount(p));
}

export function accountLockupDigest(p: AccountLockupPayload): bigint {
  return fieldDigest(encodeAccountLockup(p));
}

