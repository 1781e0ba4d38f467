// Collateral accounts: one deposit backing lockups on two Away chains in three assets,
// over-credit refused at the exact boundary, credit freed by release and slash, withdrawal
// limits at the lockups' own terms, the breaker's effect on new lockups only, price falls,
// ownership and id checks, refusals that change nothing, and the leaf payloads.

import { describe, expect, it } from "vitest";
import type { Address, Bytes32 } from "../../../home/model/index.ts";
import {
  accountLockupPayload,
  accountPosition,
  availableCredit,
  collateralAccountPayload,
  depositCollateral,
  emptyCollateralBook,
  openAccount,
  openLockup,
  releaseLockup,
  resolveRiskConfig,
  slashLockup,
  varianceOfVolBps,
  withdrawCollateral,
  type BreakerState,
  type CollateralBook,
  type OpenLockupRequest,
  type RiskState,
} from "../../../home/risk/index.ts";
import { E18, refusal, usd } from "./helpers.ts";

const CHAIN_A = 31337n;
const CHAIN_B = 31338n;
const USDC_A: Address = "0xa0000000000000000000000000000000000000a0";
const USDC_B: Address = "0xb0000000000000000000000000000000000000b0";
const WETH_B: Address = "0xc0000000000000000000000000000000000000c0";
const SETTLE_A: Address = "0x5e77000000000000000000000000000000000a0a";
const SETTLE_B: Address = "0x5e77000000000000000000000000000000000b0b";
const OWNER: Bytes32 = "0x00000000000000000000000000000000000000000000000000000000000a11ce";
const OTHER: Bytes32 = "0x0000000000000000000000000000000000000000000000000000000000000b0b";

const cfg = resolveRiskConfig({
  assets: [
    { awayChainId: CHAIN_A, address: USDC_A, symbol: "USDC", decimals: 6, price: E18 },
    { awayChainId: CHAIN_B, address: USDC_B, symbol: "USDC", decimals: 6, price: E18 },
    { awayChainId: CHAIN_B, address: WETH_B, symbol: "WETH", decimals: 18, price: 2000n * E18 },
  ],
});
const LIBRA = 1_000_000n; // libraDecimals 6
const USDC = 1_000_000n;

/** A risk state at LIBRA price `price` (USD decimal string) and breaker `breaker`; NORMAL at 30 bps is the standard tier (130%). */
function market(price: string, breaker: BreakerState = "NORMAL", volBps = 30): RiskState {
  return { tick: 5n, price: usd(price), variance: varianceOfVolBps(volBps), breaker, calmTicks: 0 };
}

function lock(lockId: bigint, awayChainId: bigint, creditAsset: Address, creditLimit: bigint, accountId = 1n): OpenLockupRequest {
  return { accountId, owner: OWNER, lockId, awayChainId, settlement: awayChainId === CHAIN_A ? SETTLE_A : SETTLE_B, creditAsset, creditLimit };
}

/** 30,000 LIBRA at 0.50 USD: 15,000 USD of collateral. */
function bookWithAccount(): CollateralBook {
  const book = emptyCollateralBook();
  openAccount(book, { accountId: 1n, owner: OWNER, deposit: 30_000n * LIBRA });
  return book;
}

/** Expects `f` to be refused with `code` and the book to be exactly as before. */
function refusedUnchanged(book: CollateralBook, f: () => unknown, code: Parameters<typeof refusal>[1]): string {
  const before = structuredClone(book);
  const msg = refusal(f, code);
  expect(book).toEqual(before);
  return msg;
}

describe("one account backing lockups on two Away chains", () => {
  it("opens lockups in different assets and chains against one deposit, up to the exact limit", () => {
    const book = bookWithAccount();
    const m = market("0.5");
    const l1 = openLockup(book, lock(1n, CHAIN_A, USDC_A, 6_000n * USDC), m, cfg); // 6000 USD -> needs 7800
    expect(l1).toMatchObject({ creditValue: 6_000n * E18, ratioBps: 13_000, needValue: 7_800n * E18, libraPrice: usd("0.5"), openedTick: 5n, status: "open", settlement: SETTLE_A });
    const l2 = openLockup(book, lock(2n, CHAIN_B, WETH_B, 2n * E18), m, cfg); // 4000 USD -> needs 5200
    expect(l2.needValue).toBe(5_200n * E18);
    expect(accountPosition(book, 1n, m, cfg)).toEqual({
      collateral: 30_000n * LIBRA,
      collateralValue: 15_000n * E18,
      openLockups: 2,
      openCreditValue: 10_000n * E18,
      openNeedValue: 13_000n * E18,
      headroomValue: 2_000n * E18,
      withdrawable: 30_000n * LIBRA - 26_000n * LIBRA, // 13,000 USD at 0.50 is 26,000 LIBRA
    });
    // 2000 USD of headroom at 130% backs floor(2000 / 1.3) = 1538.461538 USDC
    const max = availableCredit(book, 1n, CHAIN_B, USDC_B, m, cfg);
    expect(max).toBe(1_538_461_538n);
    const msg = refusedUnchanged(book, () => openLockup(book, lock(3n, CHAIN_B, USDC_B, max + 1n), m, cfg), "InsufficientCollateral");
    expect(msg).toBe(
      "lockup refused: account 1 (30000 LIBRA, worth 15000 USD at 0.5 USD per LIBRA) can back at most 1538.461538 USDC more at 130%, " +
        "asked 1538.461539 USDC (its 2 open lockups need 13000 USD, this one 2000.000001 USD)",
    );
    openLockup(book, lock(3n, CHAIN_B, USDC_B, max), m, cfg);
    expect(availableCredit(book, 1n, CHAIN_A, USDC_A, m, cfg)).toBe(0n);
    refusedUnchanged(book, () => openLockup(book, lock(4n, CHAIN_A, USDC_A, 1n), m, cfg), "InsufficientCollateral");
  });

  it("credit is freed when a receipt releases a lockup, and a slash takes the lockup's need in LIBRA at the current price", () => {
    const book = bookWithAccount();
    const m = market("0.5");
    openLockup(book, lock(1n, CHAIN_A, USDC_A, 6_000n * USDC), m, cfg);
    openLockup(book, lock(2n, CHAIN_B, WETH_B, 2n * E18), m, cfg);
    refusedUnchanged(book, () => openLockup(book, lock(3n, CHAIN_A, USDC_A, 5_000n * USDC), m, cfg), "InsufficientCollateral");
    expect(releaseLockup(book, 1n)).toMatchObject({ freedNeedValue: 7_800n * E18, lockup: { status: "released" } });
    expect(accountPosition(book, 1n, m, cfg).headroomValue).toBe(9_800n * E18);
    openLockup(book, lock(3n, CHAIN_A, USDC_A, 5_000n * USDC), m, cfg); // fits now (needs 6500)
    // default on chain B: 5200 USD of LIBRA at 0.50 = 10,400 LIBRA leaves the account
    const s = slashLockup(book, 2n, m, cfg);
    expect(s).toMatchObject({ slashed: 10_400n * LIBRA, shortfall: 0n, lockup: { status: "slashed" } });
    expect(collateralAccountPayload(book, 1n)).toEqual({
      accountId: 1n,
      owner: OWNER,
      collateral: 19_600n * LIBRA,
      slashed: 10_400n * LIBRA,
      openLockups: 1,
      openCreditValue: 5_000n * E18,
      openNeedValue: 6_500n * E18,
    });
    refusal(() => releaseLockup(book, 2n), "LockupNotOpen");
    refusal(() => slashLockup(book, 1n, m, cfg), "LockupNotOpen");
    refusal(() => releaseLockup(book, 99n), "UnknownLockup");
  });

  it("a slash takes at most what the account holds and reports the shortfall", () => {
    const book = bookWithAccount();
    openLockup(book, lock(1n, CHAIN_A, USDC_A, 10_000n * USDC), market("0.5"), cfg); // needs 13,000 USD
    const crash = market("0.25"); // 30,000 LIBRA now worth 7,500 USD; 13,000 USD is 52,000 LIBRA
    expect(slashLockup(book, 1n, crash, cfg)).toMatchObject({ slashed: 30_000n * LIBRA, shortfall: 22_000n * LIBRA });
    expect(book.accounts.get(1n)).toMatchObject({ collateral: 0n, slashed: 30_000n * LIBRA, openLockIds: [] });
  });
});

describe("withdrawals", () => {
  it("can never take the account below what its open lockups need at their own terms", () => {
    const book = bookWithAccount();
    const m = market("0.5");
    openLockup(book, lock(1n, CHAIN_B, WETH_B, 2n * E18), m, cfg); // needs 5200 USD = 10,400 LIBRA at 0.50
    expect(accountPosition(book, 1n, m, cfg).withdrawable).toBe(19_600n * LIBRA);
    const msg = refusedUnchanged(book, () => withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 19_600n * LIBRA + 1n }, m, cfg), "WithdrawalTooLarge");
    expect(msg).toBe("withdrawal refused: account 1 can withdraw at most 19600 LIBRA of 30000 LIBRA, asked 19600.000001 LIBRA (its 1 open lockups need 5200 USD at 0.5 USD per LIBRA)");
    expect(withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 19_600n * LIBRA }, m, cfg)).toEqual({ collateral: 10_400n * LIBRA });
    refusedUnchanged(book, () => withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 1n }, m, cfg), "WithdrawalTooLarge");
    // the price rises: the same lockup needs fewer LIBRA, so some become free
    const up = market("0.52");
    expect(accountPosition(book, 1n, up, cfg).withdrawable).toBe(10_400n * LIBRA - 10_000n * LIBRA);
    // released: everything can go
    releaseLockup(book, 1n);
    expect(withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 10_400n * LIBRA }, m, cfg)).toEqual({ collateral: 0n });
  });

  it("a price fall blocks withdrawals and new lockups, but liquidates nothing", () => {
    const book = bookWithAccount();
    openLockup(book, lock(1n, CHAIN_A, USDC_A, 10_000n * USDC), market("0.5"), cfg); // needs 13,000 of 15,000 USD
    const down = market("0.4"); // collateral worth 12,000 USD < 13,000 needed
    expect(accountPosition(book, 1n, down, cfg)).toMatchObject({ collateralValue: 12_000n * E18, headroomValue: 0n, withdrawable: 0n });
    refusedUnchanged(book, () => withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 1n }, down, cfg), "WithdrawalTooLarge");
    refusedUnchanged(book, () => openLockup(book, lock(2n, CHAIN_A, USDC_A, 1n), down, cfg), "InsufficientCollateral");
    expect(book.lockups.get(1n)!.status).toBe("open");
    // a top-up restores it: 2,500 LIBRA more at 0.40 = 1,000 USD
    depositCollateral(book, { accountId: 1n, owner: OWNER, amount: 2_500n * LIBRA });
    expect(accountPosition(book, 1n, down, cfg)).toMatchObject({ headroomValue: 0n, withdrawable: 0n });
    depositCollateral(book, { accountId: 1n, owner: OWNER, amount: 1n * LIBRA });
    expect(accountPosition(book, 1n, down, cfg).withdrawable).toBe(1n * LIBRA);
  });
});

describe("the ratio new lockups get; existing lockups keep their terms", () => {
  it("aggressive 120% only in a calm NORMAL market; SOFT raises it to 175% and refuses what 130% allowed; HARD refuses all", () => {
    const calm = market("0.5", "NORMAL", 10);
    const standard = market("0.5");
    const soft = market("0.5", "SOFT", 90);
    const hard = market("0.5", "HARD", 400);
    const credit = 11_000n * USDC; // needs 13,200 at 120%, 14,300 at 130%, 19,250 at 175%
    for (const [m, ratio] of [[calm, 12_000], [standard, 13_000]] as const) {
      const book = bookWithAccount();
      expect(openLockup(book, lock(1n, CHAIN_A, USDC_A, credit), m, cfg).ratioBps).toBe(ratio);
    }
    const book = bookWithAccount();
    expect(refusedUnchanged(book, () => openLockup(book, lock(1n, CHAIN_A, USDC_A, credit), soft, cfg), "InsufficientCollateral")).toMatch(/at most 8571\.428571 USDC more at 175%/);
    expect(refusedUnchanged(book, () => openLockup(book, lock(1n, CHAIN_A, USDC_A, 1n), hard, cfg), "BreakerHard")).toMatch(/^circuit breaker is HARD/);
    expect(availableCredit(book, 1n, CHAIN_A, USDC_A, hard, cfg)).toBe(0n);
    expect(accountPosition(book, 1n, hard, cfg).headroomValue).toBe(0n);
    // withdrawals still work in HARD
    expect(withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: LIBRA }, hard, cfg)).toEqual({ collateral: 29_999n * LIBRA });
  });

  it("a lockup keeps its ratio after the breaker moves; new lockups count the old ones at max(own, current) ratio", () => {
    const book = bookWithAccount();
    const standard = market("0.5");
    openLockup(book, lock(1n, CHAIN_A, USDC_A, 6_000n * USDC), standard, cfg); // 130%: needs 7,800
    const soft = market("0.5", "SOFT", 90);
    // In SOFT the old lockup counts at 175% for new credit (10,500), leaving 4,500 USD: 2571.428571 USDC at 175%.
    expect(availableCredit(book, 1n, CHAIN_B, USDC_B, soft, cfg)).toBe(2_571_428_571n);
    // (counted at its own 130% it would leave 7,200 USD, and this would fit)
    refusedUnchanged(book, () => openLockup(book, lock(2n, CHAIN_B, USDC_B, 2_571_428_572n), soft, cfg), "InsufficientCollateral");
    const l2 = openLockup(book, lock(2n, CHAIN_B, USDC_B, 2_000n * USDC), soft, cfg); // 175%: needs 3,500
    expect(book.lockups.get(1n)).toMatchObject({ ratioBps: 13_000, needValue: 7_800n * E18 }); // its terms did not change
    // withdrawals use each lockup's own terms: 7,800 + 3,500 = 11,300 USD = 22,600 LIBRA kept
    expect(accountPosition(book, 1n, soft, cfg)).toMatchObject({ openNeedValue: 11_300n * E18, withdrawable: 7_400n * LIBRA });
    // back in a calm NORMAL market (120%) the SOFT lockup still counts at its own 175%
    const calm = market("0.5", "NORMAL", 10);
    expect(accountPosition(book, 1n, calm, cfg).headroomValue).toBe(15_000n * E18 - 7_800n * E18 - 3_500n * E18);
    expect(accountLockupPayload(l2)).toEqual({ lockId: 2n, accountId: 1n, ratioBps: 17_500, libraPrice: usd("0.5"), creditValue: 2_000n * E18, needValue: 3_500n * E18, openedTick: 5n });
  });
});

describe("identities, ownership and amounts", () => {
  it("refuses what does not exist, is duplicated, is not the caller's, or is out of range, and changes nothing", () => {
    const book = bookWithAccount();
    const m = market("0.5");
    openLockup(book, lock(1n, CHAIN_A, USDC_A, 100n * USDC), m, cfg);
    expect(refusedUnchanged(book, () => openLockup(book, { ...lock(2n, CHAIN_A, USDC_A, 1n), owner: OTHER }, m, cfg), "NotOwner")).toBe(
      `collateral account 1 belongs to ${OWNER}, not ${OTHER}`,
    );
    refusedUnchanged(book, () => withdrawCollateral(book, { accountId: 1n, owner: OTHER, amount: 1n }, m, cfg), "NotOwner");
    refusedUnchanged(book, () => depositCollateral(book, { accountId: 1n, owner: OTHER, amount: 1n }), "NotOwner");
    expect(refusedUnchanged(book, () => openLockup(book, lock(2n, CHAIN_A, USDC_A, 1n, 9n), m, cfg), "UnknownAccount")).toBe("collateral account 9 does not exist");
    expect(refusedUnchanged(book, () => openLockup(book, lock(1n, CHAIN_A, USDC_A, 1n), m, cfg), "DuplicateLockup")).toBe("lockup 1 already exists");
    expect(refusedUnchanged(book, () => openLockup(book, lock(2n, CHAIN_A, USDC_B, 1n), m, cfg), "UnknownAsset")).toBe(
      `credit asset ${USDC_B} on Away chain ${CHAIN_A} has no price in the risk config`,
    );
    refusedUnchanged(book, () => openLockup(book, lock(2n, CHAIN_A, USDC_A, 0n), m, cfg), "BadAmount");
    refusedUnchanged(book, () => openLockup(book, lock(1n << 64n, CHAIN_A, USDC_A, 1n), m, cfg), "BadAmount");
    refusedUnchanged(book, () => openLockup(book, { ...lock(2n, CHAIN_A, USDC_A, 1n), settlement: "0x1234" }, m, cfg), "BadAmount");
    refusedUnchanged(book, () => openAccount(book, { accountId: 1n, owner: OWNER, deposit: 1n }), "DuplicateAccount");
    refusedUnchanged(book, () => openAccount(book, { accountId: 2n, owner: OWNER, deposit: 0n }), "BadAmount");
    refusedUnchanged(book, () => openAccount(book, { accountId: 2n, owner: "0x01", deposit: 1n }), "BadAmount");
    refusedUnchanged(book, () => withdrawCollateral(book, { accountId: 1n, owner: OWNER, amount: 0n }, m, cfg), "BadAmount");
    // asset addresses match case-insensitively, owners too
    openLockup(book, { ...lock(2n, CHAIN_A, USDC_A.toUpperCase().replace("0X", "0x") as Address, 1n), owner: OWNER.toUpperCase().replace("0X", "0x") as Bytes32 }, m, cfg);
  });

  it("accounts are separate: one account's collateral never backs another's lockups", () => {
    const book = bookWithAccount();
    openAccount(book, { accountId: 2n, owner: OTHER, deposit: 2_000n * LIBRA }); // 1,000 USD
    const m = market("0.5");
    refusedUnchanged(book, () => openLockup(book, { ...lock(1n, CHAIN_A, USDC_A, 1_000n * USDC, 2n), owner: OTHER }, m, cfg), "InsufficientCollateral");
    openLockup(book, { ...lock(1n, CHAIN_A, USDC_A, 769n * USDC, 2n), owner: OTHER }, m, cfg);
    expect(accountPosition(book, 1n, m, cfg).openLockups).toBe(0);
    expect(collateralAccountPayload(book, 2n)).toMatchObject({ openLockups: 1, openCreditValue: 769n * E18 });
  });
});
