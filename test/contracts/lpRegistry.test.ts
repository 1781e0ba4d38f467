// LPRegistry on its own: best offer (cheapest with enough capital that accepts the repayment
// asset; ties to the earliest listed), capital accounting, and its access rules.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { numberToHex, type Address } from "viem";
import { connectChain, deployStack, expectRevert, send, type Role, type Stack } from "./fixtures.ts";
import { E6 } from "./home-scenario.ts";

let s: Stack;
let snap: string;
const ZERO = "0x0000000000000000000000000000000000000000";

beforeAll(async () => {
  s = await deployStack(await connectChain());
  snap = await s.chain.snapshot();
});

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

async function lp(role: Role, rate: number, amount: bigint, accepts: Address[] = []) {
  await send(s, role, s.registry, "setOffer", [s.parties.usdc, rate, accepts]);
  if (amount > 0n) {
    await send(s, role, s.usdc, "mint", [s.account[role], amount]);
    await send(s, role, s.usdc, "approve", [s.registry.address, amount]);
    await send(s, role, s.registry, "deposit", [s.parties.usdc, amount]);
  }
}
const best = (amount: bigint, repay: Address = s.parties.usdc) => s.registry.read.bestOffer([s.parties.usdc, amount, repay]);

describe("LPRegistry.bestOffer", () => {
  it("is the cheapest offer with enough capital; none -> (0, 0)", async () => {
    expect(await best(1n)).toEqual([ZERO, 0]);
    await lp("carol", 10, 1_000n * E6);
    await lp("dave", 8, 100n * E6);
    await lp("bob", 12, 5_000n * E6);
    expect(await best(100n * E6)).toEqual([s.account.dave, 8]);
    expect(await best(101n * E6)).toEqual([s.account.carol, 10]);
    expect(await best(1_001n * E6)).toEqual([s.account.bob, 12]);
    expect(await best(5_001n * E6)).toEqual([ZERO, 0]);
  });

  it("ties go to the earliest listed LP, also after a rate change", async () => {
    await lp("alice", 10, 1_000n * E6);
    await lp("carol", 10, 1_000n * E6);
    expect(await best(1n)).toEqual([s.account.alice, 10]);
    await send(s, "alice", s.registry, "setOffer", [s.parties.usdc, 11, []]);
    expect(await best(1n)).toEqual([s.account.carol, 10]);
    await send(s, "alice", s.registry, "setOffer", [s.parties.usdc, 10, []]);
    expect(await best(1n)).toEqual([s.account.alice, 10]);
    expect(await s.registry.read.lendersOf([s.parties.usdc])).toEqual([s.account.alice, s.account.carol]);
  });

  it("needs the LP to accept the repayment asset (its own asset always)", async () => {
    await lp("carol", 10, 1_000n * E6);
    await lp("alice", 15, 1_000n * E6, [s.parties.weth]);
    expect(await best(1n, s.parties.weth)).toEqual([s.account.alice, 15]);
    expect(await s.registry.read.accepts([s.account.carol, s.parties.usdc, s.parties.usdc])).toBe(true);
    await send(s, "alice", s.registry, "setRepayAsset", [s.parties.usdc, s.parties.weth, false]);
    expect(await best(1n, s.parties.weth)).toEqual([ZERO, 0]);
    await send(s, "carol", s.registry, "setRepayAsset", [s.parties.usdc, s.parties.weth, true]);
    expect(await best(1n, s.parties.weth)).toEqual([s.account.carol, 10]);
  });

  it("capital without a listed offer is never lent", async () => {
    await send(s, "bob", s.usdc, "mint", [s.account.bob, 10n]);
    await send(s, "bob", s.usdc, "approve", [s.registry.address, 10n]);
    await send(s, "bob", s.registry, "deposit", [s.parties.usdc, 10n]);
    expect(await s.registry.read.capitalOf([s.account.bob, s.parties.usdc])).toBe(10n);
    expect(await best(1n)).toEqual([ZERO, 0]);
  });
});

describe("LPRegistry capital and access", () => {
  it("deposits and withdraws per LP and asset", async () => {
    await lp("carol", 10, 1_000n * E6);
    await expectRevert(s.registry.write.withdraw([s.parties.usdc, 1_000n * E6 + 1n], { account: s.wallet.carol.account }), "InsufficientCapital(address,address,uint256,uint256)");
    await expectRevert(s.registry.write.withdraw([s.parties.usdc, 1n], { account: s.wallet.bob.account }), "InsufficientCapital(address,address,uint256,uint256)");
    await send(s, "carol", s.registry, "withdraw", [s.parties.usdc, 400n * E6]);
    expect(await s.registry.read.capitalOf([s.account.carol, s.parties.usdc])).toBe(600n * E6);
    expect(await s.usdc.read.balanceOf([s.account.carol])).toBe(400n * E6);
    expect(await s.usdc.read.balanceOf([s.registry.address])).toBe(600n * E6);
    await expectRevert(s.registry.write.deposit([s.parties.usdc, 0n], { account: s.wallet.carol.account }), "ZeroAmount()");
  });

  it("rejects rates above 100% and lends only to the settlement contract", async () => {
    await expectRevert(s.registry.write.setOffer([s.parties.usdc, 10_001, []], { account: s.wallet.carol.account }), "RateTooHigh(uint16)");
    await lp("carol", 10_000, 1_000n * E6);
    await expectRevert(s.registry.write.draw([s.account.carol, s.parties.usdc, 1n, s.account.w1], { account: s.wallet.carol.account }), "NotSettlement()");
    await expectRevert(s.registry.write.credit([s.account.carol, s.parties.usdc, 1n], { account: s.wallet.carol.account }), "NotSettlement()");
  });

  it("caps the number of LPs per asset", async () => {
    const max = Number(await s.registry.read.MAX_LENDERS_PER_ASSET());
    for (let i = 0; i < max + 1; i++) {
      const addr = numberToHex(0x10000n + BigInt(i), { size: 20 }) as Address;
      await s.chain.rpc("hardhat_impersonateAccount", [addr]);
      await s.chain.rpc("hardhat_setBalance", [addr, "0xde0b6b3a7640000"]);
      const call = s.registry.write.setOffer([s.parties.usdc, 5, []], { account: addr });
      if (i < max) await s.chain.publicClient.waitForTransactionReceipt({ hash: await call });
      else await expectRevert(call, "TooManyLenders(address)");
    }
    expect((await s.registry.read.lendersOf([s.parties.usdc])).length).toBe(max);
  });
});
