// Risk-state, collateral-account and account-lockup leaves (proposed, ENCODING.md "Risk state
// and collateral accounts"): payloads against hand-built Solidity abi.encode words, digests as
// keccak mod r, keys distinct from the other kinds, and values out of their ABI types refused.

import { keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import {
  BREAKER_HARD,
  BREAKER_NORMAL,
  BREAKER_RECOVERY,
  BREAKER_SOFT,
  FIELD_MODULUS,
  HOME_GLOBAL_BINDING,
  KIND_ACCOUNT_LOCKUP,
  KIND_AUCTION_RESULT,
  KIND_COLLATERAL_ACCOUNT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  KIND_RISK_STATE,
  RISK_STATE_ID,
  accountLockupDigest,
  bytesToHex,
  collateralAccountDigest,
  encodeAccountLockup,
  encodeCollateralAccount,
  encodeRiskState,
  leafKey,
  riskStateDigest,
  type AccountLockupPayload,
  type CollateralAccountPayload,
  type RiskStatePayload,
} from "../../../home/model/index.ts";

/** One 32-byte ABI word (unsigned integer or left-padded bytes), without 0x. */
const word = (x: bigint | `0x${string}`) => (typeof x === "bigint" ? x : BigInt(x)).toString(16).padStart(64, "0");
const digestOf = (hex: string) => BigInt(keccak256(hex as `0x${string}`)) % FIELD_MODULUS;

const OWNER = "0x00000000000000000000000000000000000000000000000000000000000a11ce" as const;

const risk: RiskStatePayload = { tick: 4242n, breaker: BREAKER_SOFT, ratioBps: 17_500, libraPrice: 5n * 10n ** 17n, variance: 123_456_789_012_345n, calmTicks: 0 };
const account: CollateralAccountPayload = {
  accountId: 9n,
  owner: OWNER,
  collateral: 30_000n * 10n ** 6n,
  slashed: 17n,
  openLockups: 2,
  openCreditValue: 10_000n * 10n ** 18n,
  openNeedValue: 13_000n * 10n ** 18n,
};
const link: AccountLockupPayload = { lockId: 77n, accountId: 9n, ratioBps: 13_000, libraPrice: 5n * 10n ** 17n, creditValue: 6_000n * 10n ** 18n, needValue: 7_800n * 10n ** 18n, openedTick: 4000n };

describe("risk and account leaves", () => {
  it("have their own kinds and keys; the risk state is the single id 0; account leaves bind no Away contract", () => {
    const kinds = [KIND_LOCKUP, KIND_AUCTION_RESULT, KIND_ESCROW_ACK, KIND_RECEIPT, KIND_RISK_STATE, KIND_COLLATERAL_ACCOUNT, KIND_ACCOUNT_LOCKUP];
    expect(kinds).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(kinds.map((k) => leafKey(k, 1n))).size).toBe(kinds.length);
    expect(RISK_STATE_ID).toBe(0n);
    expect(HOME_GLOBAL_BINDING).toBe(0n);
    expect([BREAKER_NORMAL, BREAKER_SOFT, BREAKER_HARD, BREAKER_RECOVERY]).toEqual([1, 2, 3, 4]);
  });

  it("encodes the risk state as 6 static words", () => {
    const hex = "0x" + [word(4242n), word(2n), word(17_500n), word(risk.libraPrice), word(risk.variance), word(0n)].join("");
    expect(bytesToHex(encodeRiskState(risk))).toBe(hex);
    expect(riskStateDigest(risk)).toBe(digestOf(hex));
    expect(riskStateDigest({ ...risk, breaker: BREAKER_HARD })).not.toBe(riskStateDigest(risk));
  });

  it("encodes a collateral account as 7 static words", () => {
    const hex = "0x" + [word(9n), OWNER.slice(2), word(account.collateral), word(17n), word(2n), word(account.openCreditValue), word(account.openNeedValue)].join("");
    expect(bytesToHex(encodeCollateralAccount(account))).toBe(hex);
    expect(collateralAccountDigest(account)).toBe(digestOf(hex));
  });

  it("encodes an account lockup link as 7 static words", () => {
    const hex = "0x" + [word(77n), word(9n), word(13_000n), word(link.libraPrice), word(link.creditValue), word(link.needValue), word(4000n)].join("");
    expect(bytesToHex(encodeAccountLockup(link))).toBe(hex);
    expect(accountLockupDigest(link)).toBe(digestOf(hex));
  });

  it("refuses values out of their types", () => {
    expect(() => encodeRiskState({ ...risk, breaker: 0 })).toThrow(/breaker state must be 1..4/);
    expect(() => encodeRiskState({ ...risk, breaker: 5 })).toThrow(/breaker state/);
    expect(() => encodeRiskState({ ...risk, ratioBps: 2 ** 32 })).toThrow();
    expect(() => encodeRiskState({ ...risk, tick: 1n << 64n })).toThrow();
    expect(() => encodeCollateralAccount({ ...account, collateral: -1n })).toThrow();
    expect(() => encodeCollateralAccount({ ...account, owner: "0x1234" })).toThrow();
    expect(() => encodeAccountLockup({ ...link, accountId: 1n << 64n })).toThrow();
  });
});
