// Issue 8, the attacks of DESIGN section 11 against the code as it was: each test runs one attack
// on the real stack (Home module rules with verified eth_getProof reads, contracts on EDR, real
// proofs) and asserts that the ATTACK SUCCEEDS (somebody honest loses capital or collateral, or
// Home gets stuck). The fix commits turn every one of these into an asserted refusal.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAddress, maxUint256, numberToHex, type Address } from "viem";
import {
  auctionResultDigest,
  awayBinding,
  KIND_AUCTION_RESULT,
  leafKey,
  positionOf,
  SparseMerkleTree,
  STATE_DEPTH,
  type AuctionResultPayload,
  type LockupPayload,
} from "../../home/model/index.ts";
import { proveSettlement as proveSettlementCircuit } from "../../prover/prover.ts";
import { connectChain, deployStack, send } from "../contracts/fixtures.ts";
import { header, T0 } from "../contracts/home-scenario.ts";
import { proveHeader } from "../contracts/prove.ts";
import { E18, E6, LIBRA, show, LOCK_LOCKED, LOCK_RELEASED, LOCK_SLASHED, PRICE_SCALE, SafetyStack } from "./stack.ts";

const HOUR = 3600;
const DAY = 24 * HOUR;
/** 1,000 USDC per ETH: USDC base units per wei, times 1e18. */
const USDC_PER_ETH_1000 = 1000n * E6;

let s: SafetyStack;

async function fundLp(lp: Address, asset: Address, amount: bigint, rateBps: number, repayAssets: Address[] = []): Promise<void> {
  await s.mint(asset, lp, amount);
  await s.approve(lp, asset, s.c.registry);
  await s.send(lp, s.c.registry, s.abi.registry, "deposit", [asset, amount]);
  await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [asset, rateBps, repayAssets]);
}

interface AuctionSpec {
  auctioneer: Address;
  sellAsset: Address;
  sellAmount: bigint;
  buyAsset: Address;
  mode: 1 | 2;
  settleIn: number;
  auctioneerLockId?: bigint;
  auctioneerMaxRateBps?: number;
}

async function createAuction(a: AuctionSpec): Promise<bigint> {
  const t = s.homeNow();
  const r = await s.act("create-auction", {
    auctioneer: a.auctioneer, sellAsset: a.sellAsset, sellAmount: a.sellAmount.toString(), buyAsset: a.buyAsset, mode: a.mode, reservePrice: "0",
    commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + a.settleIn,
    ...(a.mode === 2 ? { auctioneerLockId: a.auctioneerLockId!.toString(), auctioneerMaxRateBps: a.auctioneerMaxRateBps ?? 20 } : {}),
  });
  return r.auctionId as bigint;
}

const TIMING = { commitIn: 10, revealIn: 21 };

/** Mode 1 sell side: the auctioneer escrows `amount` WETH for the auction and Home acknowledges it. */
async function escrowAndAck(auctionId: bigint, amount: bigint): Promise<void> {
  await s.mint(s.c.weth, s.account.auctioneer, amount);
  await s.approve(s.account.auctioneer, s.c.weth, s.c.escrow);
  await s.send(s.account.auctioneer, s.c.escrow, s.abi.escrow, "deposit", [auctionId, s.c.weth, amount]);
  await s.act("ack-escrow", { auctionId: auctionId.toString() });
}

/** Past the deadline: anyone records the default, Home reads it and slashes. */
async function defaultAndConsume(auctionId: bigint, waitSeconds: number): Promise<Record<string, any>> {
  await s.advance(waitSeconds);
  const d = await s.recordDefault(auctionId);
  expect(show(d)).toBe("ok");
  return s.consumeReceipt(auctionId);
}

describe("issue 8 attacks against the old rules (each one succeeds)", () => {
  beforeEach(async () => {
    s = await SafetyStack.start();
  }, 120_000);
  afterEach(async () => {
    await s?.close();
  });

  it("case 1: the auctioneer self-bids its mode-2 auction and drains the LP (100,000 USDC repaid with 2 wei WETH)", async () => {
    await fundLp(s.account.lp, s.c.usdc, 100_000n * E6, 15, [s.c.weth]);
    const atk = s.account.attacker;
    const lock = await s.lock(atk, s.c.usdc, LIBRA(200_000n), s.homeNow() + 2 * DAY);
    const id = await createAuction({ auctioneer: atk, sellAsset: s.c.usdc, sellAmount: 100_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: lock.lockId });
    for (const who of [atk, s.account.attacker2]) {
      await s.mint(s.c.weth, who, 10n);
      await s.approve(who, s.c.weth, s.c.settlement);
    }
    await s.runBids(id, [{ bidder: s.account.attacker2, amount: 100_000n * E6, limitPrice: 10n ** 7n }], TIMING);
    const r = await s.settle(id);
    expect(show(r)).toBe("ok");
    expect(await s.capital(s.account.lp, s.c.usdc)).toBe(0n);
    expect(await s.capital(s.account.lp, s.c.weth)).toBe(2n);
    expect(await s.balance(s.c.usdc, s.account.attacker2)).toBe(100_000n * E6);
    await s.consumeReceipt(id);
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_RELEASED);
  });

  it("case 2: the auctioneer refunds its escrow before the deadline; the winner's collateral is slashed", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 10 * DAY);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: 4 * DAY });
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    await s.advance(3 * DAY);
    await s.send(s.account.auctioneer, s.c.escrow, s.abi.escrow, "refund", [id, s.account.auctioneer, s.c.weth, E18]);
    expect((await s.settle(id)).ok).toBe(false);
    const rc = await defaultAndConsume(id, DAY + 60);
    expect(rc.lockStatus).toBe(LOCK_SLASHED);
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_SLASHED);
    expect(await s.balance(s.c.weth, s.account.auctioneer)).toBe(E18);
  });

  it("case 3: one non-paying winner gets the honest winner slashed (mode 1) and the auctioneer slashed (mode 2)", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10, [s.c.weth]);
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * DAY);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: 2n * E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, 2n * E18);
    // w2 bids from own funds and never approves the settlement.
    await s.runBids(id, [
      { bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 },
      { bidder: s.account.w2, amount: E18, limitPrice: USDC_PER_ETH_1000 },
    ], TIMING);
    const r = await s.settle(id);
    expect(r.ok).toBe(false);
    expect((await defaultAndConsume(id, HOUR)).lockStatus).toBe(LOCK_SLASHED);
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_SLASHED);

    // Mode 2: two winners, w3 never pays; the auctioneer's lockup is slashed.
    const au = s.account.auctioneer;
    const alock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * DAY);
    const id2 = await createAuction({ auctioneer: au, sellAsset: s.c.usdc, sellAmount: 2_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: alock.lockId });
    await s.mint(s.c.weth, s.account.w1, E18);
    await s.approve(s.account.w1, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, E18);
    await s.approve(au, s.c.weth, s.c.settlement);
    const p = (E18 * PRICE_SCALE) / (1000n * E6); // 0.001 ETH per USDC
    await s.runBids(id2, [
      { bidder: s.account.w1, amount: 1_000n * E6, limitPrice: p },
      { bidder: s.account.w3, amount: 1_000n * E6, limitPrice: p },
    ], TIMING);
    expect((await s.settle(id2)).ok).toBe(false);
    expect((await defaultAndConsume(id2, HOUR)).lockStatus).toBe(LOCK_SLASHED);
    expect(s.lockStatus(alock.lockId)).toBe(LOCK_SLASHED);
  });

  it("case 4: a mode-2 auction with no fills burns the auctioneer's lockId on Away; the next auction on it is slashed", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10, [s.c.weth]);
    const au = s.account.auctioneer;
    const lock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * DAY);
    const empty = await createAuction({ auctioneer: au, sellAsset: s.c.usdc, sellAmount: 1_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: lock.lockId });
    await s.runBids(empty, [], TIMING);
    expect((await s.settle(empty)).ok).toBe(true);
    await s.consumeReceipt(empty);
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_LOCKED); // free again on Home
    expect(await s.read(s.c.settlement, s.abi.settlement, "lockConsumed", [lock.lockId])).toBe(true);

    const id = await createAuction({ auctioneer: au, sellAsset: s.c.usdc, sellAmount: 1_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: lock.lockId });
    await s.mint(s.c.weth, s.account.w1, E18);
    await s.approve(s.account.w1, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, E18);
    await s.approve(au, s.c.weth, s.c.settlement);
    await s.runBids(id, [{ bidder: s.account.w1, amount: 1_000n * E6, limitPrice: (E18 * PRICE_SCALE) / (1000n * E6) }], TIMING);
    const r = await s.settle(id);
    expect(r.ok ? "settled" : r.error).toBe("LockAlreadyConsumed");
    expect((await defaultAndConsume(id, HOUR)).lockStatus).toBe(LOCK_SLASHED);
  });

  it("case 5: Home accepts credit equal to the bid's maximum payment; Away wants the interest too: slashed", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    // 2,587 LIBRA at price 1 and 130%: credit exactly 1,990 USDC.
    const lock = await s.lock(mm, s.c.usdc, 2_587n * E6, s.homeNow() + 2 * DAY);
    expect(lock.creditLimit).toBe(1_990n * E6);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: 1_990n * E6, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    const r = await s.settle(id);
    expect(r.ok ? "settled" : r.error).toBe("CreditLimitTooLow");
    expect((await defaultAndConsume(id, HOUR)).lockStatus).toBe(LOCK_SLASHED);
  });

  it("case 6: a guardian pause across the deadline turns a settleable auction into a default", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * DAY);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    await s.proveState();
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "pause", []);
    await s.advance(HOUR);
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "unpause", []);
    const r = await s.settle(id);
    expect(r.ok ? "settled" : r.error).toBe("DeadlinePassed");
    expect((await defaultAndConsume(id, 1)).lockStatus).toBe(LOCK_SLASHED);
  });

  it("case 7: a squatter's 1-wei junk deposit under the next auctionId locks the real auctioneer out, even after its refund", async () => {
    const next = (s.home as any).state.nextAuctionId as bigint;
    const junk = await s.deploy(s.account.attacker, "test/TestToken.sol", "TestToken", ["Junk", "JNK", 18]);
    await s.mint(junk, s.account.attacker, 1n);
    await s.approve(s.account.attacker, junk, s.c.escrow);
    await s.send(s.account.attacker, s.c.escrow, s.abi.escrow, "deposit", [next, junk, 1n]);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    expect(id).toBe(next);
    await s.mint(s.c.weth, s.account.auctioneer, E18);
    await s.approve(s.account.auctioneer, s.c.weth, s.c.escrow);
    const r = await s.call(s.account.auctioneer, s.c.escrow, s.abi.escrow, "deposit", [id, s.c.weth, E18]);
    expect(r.ok ? "deposited" : r.error).toBe("DepositExists");
    await s.advance(3 * DAY);
    await s.send(s.account.attacker, s.c.escrow, s.abi.escrow, "refund", [id, s.account.attacker, junk, 1n]);
    const again = await s.call(s.account.auctioneer, s.c.escrow, s.abi.escrow, "deposit", [id, s.c.weth, E18]);
    expect(again.ok ? "deposited" : again.error).toBe("DepositExists");
  });

  it("case 8: 64 capital-less listings lock every new LP out of an asset", async () => {
    for (let i = 0; i < 64; i++) {
      const addr = getAddress(numberToHex(0x5000n + BigInt(i), { size: 20 })) as Address;
      await s.rpc.request("hardhat_impersonateAccount", [addr]);
      await s.rpc.request("hardhat_setBalance", [addr, "0xde0b6b3a7640000"]);
      await s.send(addr, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 1, []]);
    }
    await s.mint(s.c.usdc, s.account.lp, 1_000_000n * E6);
    await s.approve(s.account.lp, s.c.usdc, s.c.registry);
    await s.send(s.account.lp, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 1_000_000n * E6]);
    const r = await s.call(s.account.lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, []]);
    expect(r.ok ? "listed" : r.error).toBe("TooManyLenders");
    expect(((await s.read(s.c.registry, s.abi.registry, "lendersOf", [s.c.usdc])) as Address[]).length).toBe(64);
  });

  it("case 9: Home accepts expiry == settleDeadline, Away refuses the lock in that last second: slashed", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    const t = s.homeNow();
    const deadline = t + HOUR;
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), deadline);
    const r0 = await s.act("create-auction", {
      auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18.toString(), buyAsset: s.c.usdc, mode: 1, reservePrice: "0",
      commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: deadline,
    });
    const id = r0.auctionId as bigint;
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    const r = await s.settle(id, BigInt(deadline));
    expect(r.ok ? "settled" : r.error).toBe("LockupExpired");
    expect((await defaultAndConsume(id, 1)).lockStatus).toBe(LOCK_SLASHED);
  });

  it("case 10: an id whose state-tree position is taken is refused forever (Home is stuck)", async () => {
    // Found offline with the model: the result leaf of auction 26334 and the lockup leaf of lock 42846
    // share a depth-32 position.
    expect(positionOf(leafKey(2, 26334n), STATE_DEPTH)).toBe(positionOf(leafKey(1, 42846n), STATE_DEPTH));
    // (the chain replaces its module state object on every action: set the counters on the current one)
    (s.home as any).state.nextAuctionId = 26334n;
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    expect(id).toBe(26334n);
    await escrowAndAck(id, E18);
    await s.runBids(id, [], TIMING);
    (s.home as any).state.nextLockId = 42846n;
    for (let i = 0; i < 3; i++) {
      const r = await s.refused("lock", { owner: SafetyStack.label("o"), borrower: s.account.w1, creditAsset: s.c.usdc, collateral: "1000", expiry: s.homeNow() + DAY });
      expect(r.status).toBe(409);
    }
    expect((s.home as any).state.nextLockId).toBe(42846n);
  });

});

// Case 11 needs a lockup payload whose digest is 0, which cannot be found: the ZeroDigestSettlement
// test double gives lockId 777 digest 0. The Home state (one result leaf, no lockup leaf at all) and
// both proofs are real.
describe("issue 8 case 11 against the old rules", () => {
  it("case 11: a used lockup slot whose digest is 0 reads as an unused slot: a loan against a lockup Home never had", async () => {
    const chain = await connectChain();
    const st = await deployStack(chain);
    const zd = (await chain.viem.deployContract("ZeroDigestSettlement" as never, [st.addresses.lightClient, st.addresses.settlementVerifier, 2, 3n * 86_400n, 86_400n] as never)) as any;
    const escrow = await chain.viem.getContractAt("AuctionEscrow" as never, await zd.read.escrow()) as any;
    const registry = await chain.viem.getContractAt("LPRegistry" as never, await zd.read.registry()) as any;
    const winner = (await chain.viem.deployContract("TestBorrower" as never, [zd.address] as never)) as any;
    const fake: LockupPayload = { lockId: 777n, owner: SafetyStack.label("nobody"), borrower: getAddress(winner.address), creditAsset: st.parties.usdc, creditLimit: 10n ** 30n, expiry: T0 + 7n * 86_400n, status: 1 };
    const result: AuctionResultPayload = {
      auctionId: 901n, auctioneer: st.account.auctioneer, sellAsset: st.parties.weth, sellAmount: E18, buyAsset: st.parties.usdc,
      clearingPrice: 1990n * E6, mode: 1, auctioneerLockId: 0n, auctioneerMaxRateBps: 0, settleDeadline: T0 + 86_400n,
      fills: [{ winner: getAddress(winner.address), sellAmount: E18, payAmount: 1990n * E6, lockId: 777n, maxRateBps: 15 }],
    };
    const tree = new SparseMerkleTree();
    const binding = awayBinding(st.parties.awayChainId, getAddress(zd.address));
    tree.set(leafKey(KIND_AUCTION_RESULT, 901n), binding, auctionResultDigest(result));
    const hp = await proveHeader(header({ epoch: 0n, height: 1n, stateRoot: tree.root }));
    await send(st, "deployer", st.lightClient, "submitHeader", [hp.proof, hp.pub]);
    const proof = await proveSettlementCircuit(
      { stateRoot: tree.root, awayBinding: binding, result: { auctionId: 901n, digest: auctionResultDigest(result), proof: tree.prove(leafKey(KIND_AUCTION_RESULT, 901n)) }, lockups: [] },
      { profile: "dev", network: "hardhat" },
    );
    // an LP and the auctioneer's escrow on the test settlement
    await send(st, "carol", st.usdc, "mint", [st.account.carol, 10_000n * E6]);
    await send(st, "carol", st.usdc, "approve", [registry.address, maxUint256]);
    await send(st, "carol", registry, "deposit", [st.usdc.address, 10_000n * E6]);
    await send(st, "carol", registry, "setOffer", [st.usdc.address, 10, []]);
    await send(st, "auctioneer", st.weth, "mint", [st.account.auctioneer, E18]);
    await send(st, "auctioneer", st.weth, "approve", [escrow.address, maxUint256]);
    await send(st, "auctioneer", escrow, "deposit", [901n, st.weth.address, E18]);
    await send(st, "deployer", st.usdc, "mint", [winner.address, 2_000n * E6]);
    const rc = await send(st, "w1", zd, "settle", [1n, proof.calldata.proof, result, [fake]]);
    expect(rc.status).toBe("success");
    expect(await registry.read.capitalOf([st.account.carol, st.usdc.address])).toBe(10_000n * E6 + 1_990_000n);
    await chain.conn.close?.();
  });
});
