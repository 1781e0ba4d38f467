// LPRegistry on its own: best offer (cheapest listed LP with enough capital; ties to the earliest
// listed), repayment terms with the LP's own minimum price, listing (capital >= minCapital, bounded,
// removable, outbid on a full list), capital accounting, and its access rules.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, maxUint256, numberToHex, type Address } from "viem";
import { connectChain, deployStack, expectRevert, send, type Instance, type Role, type Stack } from "./fixtures.ts";
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

const terms = (accepts: Address[]) => accepts.map((asset) => ({ asset, minPrice: 1n }));
async function lp(role: Role, rate: number, amount: bigint, accepts: Address[] = []) {
  await send(s, role, s.registry, "setOffer", [s.parties.usdc, rate, terms(accepts)]);
  if (amount > 0n) {
    await send(s, role, s.usdc, "mint", [s.account[role], amount]);
    await send(s, role, s.usdc, "approve", [s.registry.address, amount]);
    await send(s, role, s.registry, "deposit", [s.parties.usdc, amount]);
  }
}
const best = (amount: bigint) => s.registry.read.bestOffer([s.parties.usdc, amount]);

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

  it("keeps each LP's minimum price per repayment asset (its own asset always accepted)", async () => {
    await lp("carol", 10, 1_000n * E6);
    await send(s, "alice", s.registry, "setOffer", [s.parties.usdc, 15, [{ asset: s.parties.weth, minPrice: 7n }]]);
    expect(await s.registry.read.terms([s.account.alice, s.parties.usdc, s.parties.weth])).toEqual([true, 15, 7n]);
    expect(await s.registry.read.accepts([s.account.carol, s.parties.usdc, s.parties.usdc])).toBe(true);
    expect(await s.registry.read.accepts([s.account.carol, s.parties.usdc, s.parties.weth])).toBe(false);
    await send(s, "alice", s.registry, "setRepayTerm", [s.parties.usdc, s.parties.weth, 0n]);
    expect(await s.registry.read.accepts([s.account.alice, s.parties.usdc, s.parties.weth])).toBe(false);
    await expectRevert(
      s.registry.write.setRepayTerm([s.parties.usdc, s.parties.usdc, 1n], { account: s.wallet.alice.account }),
      "RepayAssetIsLentAsset(address)",
    );
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

  it("lists only LPs with an active offer and at least minCapital; withdrawing below it or removeOffer delists", async () => {
    const min = (await s.registry.read.minCapital()) as bigint;
    await send(s, "bob", s.registry, "setOffer", [s.parties.usdc, 5, []]);
    expect(await s.registry.read.lendersOf([s.parties.usdc])).toEqual([]); // no capital: not listed
    await lp("carol", 10, min);
    expect(await s.registry.read.lendersOf([s.parties.usdc])).toEqual([s.account.carol]);
    await send(s, "carol", s.registry, "withdraw", [s.parties.usdc, 1n]);
    expect(await s.registry.read.offerOf([s.account.carol, s.parties.usdc])).toEqual([10, true, false]);
    expect(await best(1n)).toEqual([ZERO, 0]);
    await lp("alice", 12, 5n * min);
    await send(s, "alice", s.registry, "removeOffer", [s.parties.usdc]);
    expect(await s.registry.read.lendersOf([s.parties.usdc])).toEqual([]);
    expect(await s.registry.read.capitalOf([s.account.alice, s.parties.usdc])).toBe(5n * min);
  });

  it("bounds the listing at 64: a newcomer with more capital takes the smallest one's place, dust is refused", async () => {
    const max = Number(await s.registry.read.MAX_LENDERS_PER_ASSET());
    const min = (await s.registry.read.minCapital()) as bigint;
    const addrs: Address[] = [];
    for (let i = 0; i < max; i++) {
      const addr = getAddress(numberToHex(0x10000n + BigInt(i), { size: 20 })) as Address;
      addrs.push(addr);
      await s.chain.rpc("hardhat_impersonateAccount", [addr]);
      await s.chain.rpc("hardhat_setBalance", [addr, "0xde0b6b3a7640000"]);
      await s.usdc.write.mint([addr, min + BigInt(i)]);
      await s.usdc.write.approve([s.registry.address, maxUint256], { account: addr });
      await s.registry.write.deposit([s.parties.usdc, min + BigInt(i)], { account: addr });
      await s.chain.publicClient.waitForTransactionReceipt({ hash: await s.registry.write.setOffer([s.parties.usdc, 5, []], { account: addr }) });
    }
    expect((await s.registry.read.lendersOf([s.parties.usdc])).length).toBe(max);
    // Not more capital than the smallest listed (min): refused.
    await send(s, "carol", s.usdc, "mint", [s.account.carol, min]);
    await send(s, "carol", s.usdc, "approve", [s.registry.address, maxUint256]);
    await send(s, "carol", s.registry, "deposit", [s.parties.usdc, min]);
    await expectRevert(s.registry.write.setOffer([s.parties.usdc, 10, []], { account: s.wallet.carol.account }), "ListFull(address,uint256)");
    // More capital: takes the smallest listing's place.
    await send(s, "carol", s.usdc, "mint", [s.account.carol, 1_000n * E6]);
    await send(s, "carol", s.registry, "deposit", [s.parties.usdc, 1_000n * E6]);
    await send(s, "carol", s.registry, "setOffer", [s.parties.usdc, 10, []]);
    const listed = (await s.registry.read.lendersOf([s.parties.usdc])) as Address[];
    expect(listed.length).toBe(max);
    expect(listed[0]).toBe(s.account.carol);
    expect(listed).not.toContain(addrs[0]);
    expect(await best(1_000n * E6)).toEqual([s.account.carol, 10]);
  });
});

describe("LPRegistry.bestOffer over a changing listing", () => {
  // bestOffer reads packed rate words (16 listed LPs per word): after every listing change it must
  // still be what the listing itself says, the cheapest LP with enough capital (ties to listing order).
  it("agrees with lendersOf, offerOf and capitalOf across word boundaries, rate changes, delistings and relistings", async () => {
    const min = (await s.registry.read.minCapital()) as bigint;
    const asset = s.parties.usdc;
    let seed = 14n;
    const rand = (n: number) => Number((seed = (seed * 6364136223846793005n + 1442695040888963407n) % (1n << 64n)) >> 33n) % n;
    const lps: Address[] = [];
    const as = (addr: Address) => ({ account: addr });
    const mined = async (hash: Promise<`0x${string}`>) => s.chain.publicClient.waitForTransactionReceipt({ hash: await hash });
    for (let i = 0; i < 40; i++) {
      const addr = getAddress(numberToHex(0x20000n + BigInt(i), { size: 20 })) as Address;
      lps.push(addr);
      await s.chain.rpc("hardhat_impersonateAccount", [addr]);
      await s.chain.rpc("hardhat_setBalance", [addr, "0xde0b6b3a7640000"]);
      await s.usdc.write.mint([addr, 100n * min]);
      await s.usdc.write.approve([s.registry.address, maxUint256], as(addr));
      await s.registry.write.deposit([asset, min + BigInt(rand(5)) * min], as(addr));
      await mined(s.registry.write.setOffer([asset, 1 + rand(30), []], as(addr)));
    }
    const expected = async (amount: bigint): Promise<[Address, number]> => {
      let out: [Address, number] = [ZERO, 0];
      for (const addr of (await s.registry.read.lendersOf([asset])) as Address[]) {
        const [rate] = (await s.registry.read.offerOf([addr, asset])) as [number, boolean, boolean];
        const capital = (await s.registry.read.capitalOf([addr, asset])) as bigint;
        if (capital >= amount && (out[0] === ZERO || rate < out[1])) out = [addr, rate];
      }
      return out;
    };
    const amounts = [1n, min, 2n * min, 4n * min, 6n * min];
    for (let step = 0; step < 30; step++) {
      const addr = lps[rand(lps.length)]!;
      const [, active] = (await s.registry.read.offerOf([addr, asset])) as [number, boolean, boolean];
      const capital = (await s.registry.read.capitalOf([addr, asset])) as bigint;
      const op = rand(4);
      if (op === 0 || !active) await mined(s.registry.write.setOffer([asset, rand(31), []], as(addr)));
      else if (op === 1) await mined(s.registry.write.removeOffer([asset], as(addr)));
      else if (op === 2 && capital > 1n) await mined(s.registry.write.withdraw([asset, capital - 1n], as(addr))); // below min: delisted
      else await mined(s.registry.write.deposit([asset, min * BigInt(1 + rand(4))], as(addr)));
      for (const amount of amounts) expect(await best(amount), `step ${step}, amount ${amount}`).toEqual(await expected(amount));
    }
    expect(((await s.registry.read.lendersOf([asset])) as Address[]).length).toBeGreaterThan(16);
  });
});

describe("LPRegistry with non-standard ERC-20s (SafeERC20)", () => {
  const NO_RETURN = 0;
  const RETURNS_FALSE = 1;
  const odd = async (style: number) => (await s.chain.viem.deployContract("OddToken" as never, [style] as never)) as Instance;

  it("a token whose transfers return no data is deposited and withdrawn", async () => {
    const t = await odd(NO_RETURN);
    await send(s, "carol", t, "mint", [s.account.carol, 100n]);
    await send(s, "carol", s.registry, "deposit", [t.address, 60n]);
    expect(await t.read.balanceOf([s.registry.address])).toBe(60n);
    await send(s, "carol", s.registry, "withdraw", [t.address, 25n]);
    expect(await t.read.balanceOf([s.account.carol])).toBe(65n);
    expect(await t.read.balanceOf([s.registry.address])).toBe(35n);
  });

  it("a token whose transfers return false is refused (nothing credited)", async () => {
    const t = await odd(RETURNS_FALSE);
    await send(s, "carol", t, "mint", [s.account.carol, 100n]);
    const deposit = s.registry.write.deposit([t.address, 60n], { account: s.wallet.carol.account });
    await expectRevert(deposit, "SafeERC20FailedOperation(address)");
    expect(await t.read.balanceOf([s.account.carol])).toBe(100n);
  });
});
