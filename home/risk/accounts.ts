// Collateral accounts: an owner deposits LIBRA into one account and opens lockups against it
// on several Away chains and settlement contracts. Values are in a common unit, USD scaled by
// 1e18 (VALUE_SCALE), all rounded against the borrower:
//
//   collateralValue(C)  = floor(C * libraPrice / 10^libraDecimals)
//   creditValue(l)      = ceil(creditLimit * asset.price / 10^asset.decimals)
//   needValue(l)        = ceil(creditValue(l) * ratioBps(l) / 10000)          (the lockup's own terms)
//
// Rules (R = the current ratio, P = the current LIBRA price, from the risk engine):
//   open     sum over open l of ceil(creditValue(l) * max(ratioBps(l), R) / 10000)
//            + ceil(creditValue(new) * R / 10000)  <=  collateralValue(C) at P
//            (refused in HARD; the new lockup's terms are R and P and never change)
//   withdraw C - amount >= ceil(sum of needValue(open l) * 10^libraDecimals / P)
//   release  the lockup's credit is freed (settled receipt, or expiry while it backs nothing)
//   slash    the credit is freed and min(C, ceil(needValue(l) * 10^libraDecimals / P)) LIBRA leaves
//            the account (defaulted receipt)
//
// A price fall can leave an account's open lockups needing more than its collateral is worth;
// nothing is liquidated (settlement is atomic), but the account opens nothing and withdraws
// nothing until the price recovers or lockups close. Functions mutate the book in place and
// return an outcome; they check everything before the first change, so a throw changes nothing
// (the devnet still runs each action on a copy, as applyAction does).

import { BPS, VALUE_SCALE, assertUint, hexToBytes, type AccountLockupPayload, type Address, type Bytes32, type CollateralAccountPayload } from "../model/index.ts";
import { assetKey, type AssetConfig, type RiskConfig } from "./config.ts";
import { lockupTerms, type RiskState } from "./engine.ts";
import { RiskError } from "./errors.ts";
import { ceilDiv, formatDecimal } from "./fixed.ts";
import { formatPrice } from "./price.ts";

export type LockupStatus = "open" | "released" | "slashed";

export interface CollateralAccount {
  accountId: bigint;
  owner: Bytes32;
  /** LIBRA base units held. */
  collateral: bigint;
  /** LIBRA base units slashed so far. */
  slashed: bigint;
  /** Open lockups, in opening order. */
  openLockIds: bigint[];
}

export interface AccountLockup {
  lockId: bigint;
  accountId: bigint;
  awayChainId: bigint;
  /** The Away settlement contract the lockup is for. */
  settlement: Address;
  creditAsset: Address;
  /** Credit in base units of creditAsset. */
  creditLimit: bigint;
  creditValue: bigint;
  /** The lockup's terms: ratio and LIBRA price when it opened. */
  ratioBps: number;
  libraPrice: bigint;
  needValue: bigint;
  openedTick: bigint;
  status: LockupStatus;
}

export interface CollateralBook {
  accounts: Map<bigint, CollateralAccount>;
  lockups: Map<bigint, AccountLockup>;
}

export function emptyCollateralBook(): CollateralBook {
  return { accounts: new Map(), lockups: new Map() };
}

// ---- valuation ----

export function collateralValue(amount: bigint, libraPrice: bigint, cfg: RiskConfig): bigint {
  return (amount * libraPrice) / 10n ** BigInt(cfg.libraDecimals);
}

export function creditValueOf(asset: AssetConfig, creditLimit: bigint): bigint {
  return ceilDiv(creditLimit * asset.price, 10n ** BigInt(asset.decimals));
}

export function needValueAt(creditValue: bigint, ratioBps: number): bigint {
  return ceilDiv(creditValue * BigInt(ratioBps), BPS);
}

/** The least LIBRA worth at least `value` at `libraPrice`. */
export function libraCovering(value: bigint, libraPrice: bigint, cfg: RiskConfig): bigint {
  return ceilDiv(value * 10n ** BigInt(cfg.libraDecimals), libraPrice);
}

export function findAsset(cfg: RiskConfig, awayChainId: bigint, address: Address): AssetConfig {
  const key = assetKey(awayChainId, address);
  const a = cfg.assets.find((x) => assetKey(x.awayChainId, x.address) === key);
  if (!a) throw new RiskError("UnknownAsset", `credit asset ${address} on Away chain ${awayChainId} has no price in the risk config`);
  return a;
}

/** A value in USD with 6 decimals: what the account has rounded down, what lockups need rounded up. */
const usdDown = (value: bigint) => `${formatDecimal((value * 1_000_000n) / VALUE_SCALE, 6)} USD`;
const usdUp = (value: bigint) => `${formatDecimal(ceilDiv(value * 1_000_000n, VALUE_SCALE), 6)} USD`;
const libra = (amount: bigint, cfg: RiskConfig) => `${formatDecimal(amount, cfg.libraDecimals)} LIBRA`;
const assetAmount = (amount: bigint, a: AssetConfig) => `${formatDecimal(amount, a.decimals)} ${a.symbol}`;

// ---- views ----

function openLockups(book: CollateralBook, account: CollateralAccount): AccountLockup[] {
  return account.openLockIds.map((id) => book.lockups.get(id)!);
}

/** Sum of the open lockups' needs, each at max(own ratio, ratioFloorBps); floor 0 gives their own terms. */
export function openNeedValue(book: CollateralBook, account: CollateralAccount, ratioFloorBps = 0): bigint {
  let sum = 0n;
  for (const l of openLockups(book, account)) sum += ratioFloorBps > l.ratioBps ? needValueAt(l.creditValue, ratioFloorBps) : l.needValue;
  return sum;
}

function openCreditValue(book: CollateralBook, account: CollateralAccount): bigint {
  return openLockups(book, account).reduce((s, l) => s + l.creditValue, 0n);
}

export interface AccountPosition {
  collateral: bigint;
  collateralValue: bigint;
  openLockups: number;
  openCreditValue: bigint;
  /** What the open lockups need at their own terms (the withdrawal rule). */
  openNeedValue: bigint;
  /** Collateral value left for new lockups at the current ratio (0 when none, or in HARD). */
  headroomValue: bigint;
  /** LIBRA that can be withdrawn now. */
  withdrawable: bigint;
}

export function accountOf(book: CollateralBook, accountId: bigint): CollateralAccount {
  const a = book.accounts.get(accountId);
  if (!a) throw new RiskError("UnknownAccount", `collateral account ${accountId} does not exist`);
  return a;
}

function withdrawableOf(book: CollateralBook, account: CollateralAccount, libraPrice: bigint, cfg: RiskConfig): bigint {
  const kept = libraCovering(openNeedValue(book, account), libraPrice, cfg);
  return account.collateral > kept ? account.collateral - kept : 0n;
}

export function accountPosition(book: CollateralBook, accountId: bigint, risk: RiskState, cfg: RiskConfig): AccountPosition {
  const account = accountOf(book, accountId);
  const value = collateralValue(account.collateral, risk.price, cfg);
  let headroomValue = 0n;
  if (risk.breaker !== "HARD") {
    const needNow = openNeedValue(book, account, lockupTerms(risk, cfg).ratioBps);
    headroomValue = value > needNow ? value - needNow : 0n;
  }
  return {
    collateral: account.collateral,
    collateralValue: value,
    openLockups: account.openLockIds.length,
    openCreditValue: openCreditValue(book, account),
    openNeedValue: openNeedValue(book, account),
    headroomValue,
    withdrawable: withdrawableOf(book, account, risk.price, cfg),
  };
}

/** The largest credit limit (base units of the asset) a new lockup could get now; 0 in HARD. */
export function availableCredit(book: CollateralBook, accountId: bigint, awayChainId: bigint, creditAsset: Address, risk: RiskState, cfg: RiskConfig): bigint {
  const asset = findAsset(cfg, awayChainId, creditAsset);
  const { headroomValue } = accountPosition(book, accountId, risk, cfg);
  if (headroomValue === 0n) return 0n;
  // ceil(ceil(c * p / 10^d) * R / BPS) <= H  <=>  c <= floor(floor(H * BPS / R) * 10^d / p)
  const maxCreditValue = (headroomValue * BPS) / BigInt(lockupTerms(risk, cfg).ratioBps);
  return (maxCreditValue * 10n ** BigInt(asset.decimals)) / asset.price;
}

// ---- transitions ----

function checkAmount(x: bigint, what: string): void {
  if (x < 1n || x >= 1n << 256n) throw new RiskError("BadAmount", `${what} must be an integer in 1..2^256-1, got ${x}`);
}

function checkId(x: bigint, what: string): void {
  try {
    assertUint(x, 64, what);
  } catch {
    throw new RiskError("BadAmount", `${what} must be an integer in 0..2^64-1, got ${x}`);
  }
}

function checkHex(x: string, bytes: number, what: string): void {
  try {
    hexToBytes(x, bytes);
  } catch {
    throw new RiskError("BadAmount", `${what} must be ${bytes} bytes of 0x hex, got '${x}'`);
  }
}

function ownedAccount(book: CollateralBook, accountId: bigint, owner: Bytes32): CollateralAccount {
  const a = accountOf(book, accountId);
  if (a.owner.toLowerCase() !== owner.toLowerCase()) throw new RiskError("NotOwner", `collateral account ${accountId} belongs to ${a.owner}, not ${owner}`);
  return a;
}

export function openAccount(book: CollateralBook, req: { accountId: bigint; owner: Bytes32; deposit: bigint }): CollateralAccount {
  checkId(req.accountId, "accountId");
  checkHex(req.owner, 32, "owner");
  checkAmount(req.deposit, "deposit");
  if (book.accounts.has(req.accountId)) throw new RiskError("DuplicateAccount", `collateral account ${req.accountId} already exists`);
  const account: CollateralAccount = { accountId: req.accountId, owner: req.owner, collateral: req.deposit, slashed: 0n, openLockIds: [] };
  book.accounts.set(req.accountId, account);
  return account;
}

export function depositCollateral(book: CollateralBook, req: { accountId: bigint; owner: Bytes32; amount: bigint }): { collateral: bigint } {
  checkAmount(req.amount, "amount");
  const a = ownedAccount(book, req.accountId, req.owner);
  a.collateral += req.amount;
  return { collateral: a.collateral };
}

export function withdrawCollateral(
  book: CollateralBook,
  req: { accountId: bigint; owner: Bytes32; amount: bigint },
  risk: RiskState,
  cfg: RiskConfig,
): { collateral: bigint } {
  checkAmount(req.amount, "amount");
  const a = ownedAccount(book, req.accountId, req.owner);
  const max = withdrawableOf(book, a, risk.price, cfg);
  if (req.amount > max) {
    throw new RiskError(
      "WithdrawalTooLarge",
      `withdrawal refused: account ${a.accountId} can withdraw at most ${libra(max, cfg)} of ${libra(a.collateral, cfg)}, ` +
        `asked ${libra(req.amount, cfg)} (its ${a.openLockIds.length} open lockups need ${usdUp(openNeedValue(book, a))} at ${formatPrice(risk.price)} USD per LIBRA)`,
    );
  }
  a.collateral -= req.amount;
  return { collateral: a.collateral };
}

export interface OpenLockupRequest {
  accountId: bigint;
  owner: Bytes32;
  lockId: bigint;
  awayChainId: bigint;
  settlement: Address;
  creditAsset: Address;
  creditLimit: bigint;
}

/** Opens a lockup against the account at the current ratio and price (see the rules above). */
export function openLockup(book: CollateralBook, req: OpenLockupRequest, risk: RiskState, cfg: RiskConfig): AccountLockup {
  checkId(req.lockId, "lockId");
  checkId(req.awayChainId, "awayChainId");
  checkHex(req.settlement, 20, "settlement");
  checkHex(req.creditAsset, 20, "creditAsset");
  checkAmount(req.creditLimit, "creditLimit");
  if (book.lockups.has(req.lockId)) throw new RiskError("DuplicateLockup", `lockup ${req.lockId} already exists`);
  const a = ownedAccount(book, req.accountId, req.owner);
  const asset = findAsset(cfg, req.awayChainId, req.creditAsset);
  const terms = lockupTerms(risk, cfg);
  const creditValue = creditValueOf(asset, req.creditLimit);
  const needValue = needValueAt(creditValue, terms.ratioBps);
  const value = collateralValue(a.collateral, terms.libraPrice, cfg);
  const needed = openNeedValue(book, a, terms.ratioBps);
  if (needed + needValue > value) {
    const max = availableCredit(book, a.accountId, req.awayChainId, req.creditAsset, risk, cfg);
    throw new RiskError(
      "InsufficientCollateral",
      `lockup refused: account ${a.accountId} (${libra(a.collateral, cfg)}, worth ${usdDown(value)} at ${formatPrice(terms.libraPrice)} USD per LIBRA) ` +
        `can back at most ${assetAmount(max, asset)} more at ${formatDecimal(BigInt(terms.ratioBps), 2)}%, asked ${assetAmount(req.creditLimit, asset)} ` +
        `(its ${a.openLockIds.length} open lockups need ${usdUp(needed)}, this one ${usdUp(needValue)})`,
    );
  }
  return addLockup(book, a, { ...req, creditValue, needValue, ratioBps: terms.ratioBps, libraPrice: terms.libraPrice, openedTick: terms.tick });
}

/** A lockup whose credit the caller valued and whose terms it fixed (recordLockup). */
export interface RecordLockupRequest extends OpenLockupRequest {
  creditValue: bigint;
  ratioBps: number;
  libraPrice: bigint;
  openedTick: bigint;
}

/**
 * Records a lockup the caller has valued and covered itself, without the cover rule of
 * openLockup: for a one-lockup account whose credit limit was derived from its own deposit at
 * `ratioBps` (the devnet's `lock` with a `collateral` amount, priced by its own exchange rate).
 * needValue is ceil(creditValue * ratioBps / BPS) as for every lockup.
 */
export function recordLockup(book: CollateralBook, req: RecordLockupRequest): AccountLockup {
  checkId(req.lockId, "lockId");
  checkAmount(req.creditLimit, "creditLimit");
  if (book.lockups.has(req.lockId)) throw new RiskError("DuplicateLockup", `lockup ${req.lockId} already exists`);
  const a = ownedAccount(book, req.accountId, req.owner);
  return addLockup(book, a, { ...req, needValue: needValueAt(req.creditValue, req.ratioBps) });
}

function addLockup(book: CollateralBook, a: CollateralAccount, l: RecordLockupRequest & { needValue: bigint }): AccountLockup {
  const lockup: AccountLockup = {
    lockId: l.lockId,
    accountId: a.accountId,
    awayChainId: l.awayChainId,
    settlement: l.settlement,
    creditAsset: l.creditAsset,
    creditLimit: l.creditLimit,
    creditValue: l.creditValue,
    ratioBps: l.ratioBps,
    libraPrice: l.libraPrice,
    needValue: l.needValue,
    openedTick: l.openedTick,
    status: "open",
  };
  book.lockups.set(lockup.lockId, lockup);
  a.openLockIds.push(lockup.lockId);
  return lockup;
}

function openLockupOf(book: CollateralBook, lockId: bigint): AccountLockup {
  const l = book.lockups.get(lockId);
  if (!l) throw new RiskError("UnknownLockup", `lockup ${lockId} is not in any collateral account`);
  if (l.status !== "open") throw new RiskError("LockupNotOpen", `lockup ${lockId} is already ${l.status}`);
  return l;
}

function close(book: CollateralBook, l: AccountLockup, status: Exclude<LockupStatus, "open">): CollateralAccount {
  const a = book.accounts.get(l.accountId)!;
  a.openLockIds = a.openLockIds.filter((id) => id !== l.lockId);
  l.status = status;
  return a;
}

/** Releases an open lockup (settled, or expired while backing nothing): its credit is freed. */
export function releaseLockup(book: CollateralBook, lockId: bigint): { lockup: AccountLockup; freedNeedValue: bigint } {
  const l = openLockupOf(book, lockId);
  close(book, l, "released");
  return { lockup: l, freedNeedValue: l.needValue };
}

/**
 * Slashes an open lockup (defaulted): its credit is freed and LIBRA worth its needValue at the
 * current price leaves the account, as much as the account still holds (`shortfall` is the rest).
 */
export function slashLockup(book: CollateralBook, lockId: bigint, risk: RiskState, cfg: RiskConfig): { lockup: AccountLockup; slashed: bigint; shortfall: bigint } {
  const l = openLockupOf(book, lockId);
  const owed = libraCovering(l.needValue, risk.price, cfg);
  const a = close(book, l, "slashed");
  const slashed = owed < a.collateral ? owed : a.collateral;
  a.collateral -= slashed;
  a.slashed += slashed;
  return { lockup: l, slashed, shortfall: owed - slashed };
}

// ---- leaves ----

export function collateralAccountPayload(book: CollateralBook, accountId: bigint): CollateralAccountPayload {
  const a = accountOf(book, accountId);
  return {
    accountId: a.accountId,
    owner: a.owner,
    collateral: a.collateral,
    slashed: a.slashed,
    openLockups: a.openLockIds.length,
    openCreditValue: openCreditValue(book, a),
    openNeedValue: openNeedValue(book, a),
  };
}

export function accountLockupPayload(l: AccountLockup): AccountLockupPayload {
  return {
    lockId: l.lockId,
    accountId: l.accountId,
    ratioBps: l.ratioBps,
    libraPrice: l.libraPrice,
    creditValue: l.creditValue,
    needValue: l.needValue,
    openedTick: l.openedTick,
  };
}
