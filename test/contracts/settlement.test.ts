// AtomicSettlement, AuctionEscrow and LPRegistry with real Settlement proofs against a header
// proven into HomeLightClient: mode 1 and mode 2 with exact balances (reference-doc worked checks),
// receipts at the documented storage slot, every rejection, escrow refund and default receipts.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeFunctionData, hexToBigInt, keccak256, maxUint256, type Address } from "viem";
import {
  balances,
  buildScenario,
  connectChain,
  deployStack,
  expectRevert,
  fundScenario,
  mappingSlot,
  REFUND_NOT_BEFORE,
  send,
  settleArgs,
  type Scenario,
  type Stack,
} from "./fixtures.ts";
import { DAY, E18, E6, HOUR, PRICE_0_0005 } from "./home-scenario.ts";
import { checkEscrowDeposit, readSettlementReceipt } from "../../home/devnet/away-proof.ts";
import { decodeReceiptWord, encodeReceiptWord, escrowCommitment, escrowCommitmentSlot } from "../../home/model/index.ts";

const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const Behaviour = { Repay: 0, NoRepay: 1, WrongReturn: 2, Reenter: 3, SwapThenRepay: 4 } as const;

let s: Stack;
let sc: Scenario;
let snap: string;

beforeAll(async () => {
  const chain = await connectChain();
  s = await deployStack(chain);
  sc = await buildScenario(s);
  await fundScenario(s, sc);
  snap = await chain.snapshot();
}, 900_000);

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

const settle = (name: string, role: "w2" | "deployer" = "w2") => send(s, role, s.settlement, "settle", [...settleArgs(sc, name)]);
const trySettle = (args: readonly unknown[]) => s.settlement.write.settle(args, { account: s.wallet.w2.account });

async function capital(lp: Address, asset: Address): Promise<bigint> {
  return s.registry.read.capitalOf([lp, asset]);
}

/** The protocol keeps nothing: settlement holds no tokens, the registry holds exactly the LPs' capital. */
async function expectNoProtocolTake(): Promise<void> {
  const lps = [s.account.carol, s.account.alice, s.account.bob, s.account.dave];
  for (const token of [s.usdc, s.weth]) {
    expect(await token.read.balanceOf([s.settlement.address])).toBe(0n);
    let sum = 0n;
    for (const lp of lps) sum += await capital(lp, token.address);
    expect(await token.read.balanceOf([s.registry.address])).toBe(sum);
  }
}

describe("AtomicSettlement mode 1 (market makers borrow to bid)", () => {
  it("reference check: 100 ETH at 1,990 USDC, LP at 0.10% ends with 199,199 USDC", async () => {
    const who = { auctioneer: s.account.auctioneer, mm1: s.mm1.address, escrow: s.escrow.address };
    const usdc0 = await balances(s.usdc, who);
    const weth0 = await balances(s.weth, who);
    expect(await capital(s.account.carol, s.usdc.address)).toBe(199_000n * E6);

    const rc = await settle("mode1One");

    const usdc1 = await balances(s.usdc, who);
    const weth1 = await balances(s.weth, who);
    expect(await capital(s.account.carol, s.usdc.address)).toBe(199_199n * E6);
    expect(usdc1.auctioneer! - usdc0.auctioneer!).toBe(199_000n * E6);
    expect(usdc0.mm1! - usdc1.mm1!).toBe(199_199n * E6);
    expect(weth1.mm1! - weth0.mm1!).toBe(100n * E18);
    expect(weth0.escrow! - weth1.escrow!).toBe(100n * E18);
    expect(weth1.auctioneer).toBe(weth0.auctioneer);
    // The cheaper LP (Dave, 0.08%) had too little capital; the others are untouched.
    expect(await capital(s.account.dave, s.usdc.address)).toBe(50_000n * E6);
    await expectNoProtocolTake();

    const loans = await s.settlement.getEvents.Loan({}, { blockHash: rc.blockHash });
    expect(loans).toHaveLength(1);
    expect(loans[0].args).toMatchObject({ auctionId: 1n, lp: s.account.carol, borrower: s.parties.mm1, principal: 199_000n * E6, rateBps: 10, repaid: 199_199n * E6 });
    const callbacks = await s.mm1.getEvents.Borrowed({}, { blockHash: rc.blockHash });
    expect(callbacks[0].args).toMatchObject({ initiator: s.account.w2, token: s.parties.usdc, amount: 199_000n * E6, fee: 199n * E6 });
    expect(await s.settlement.read.lockConsumed([11n])).toBe(true);
  });

  it("flash pattern: a market maker with no USDC sells the won ETH inside the callback and repays", async () => {
    // The market maker parks its USDC elsewhere: it keeps 1 base unit.
    const parked = (await s.usdc.read.balanceOf([s.mm1.address])) - 1n;
    await send(s, "deployer", s.mm1, "transferToken", [s.parties.usdc, s.account.deployer, parked]);
    const desk = (await s.chain.viem.deployContract("TestSwap" as never)) as any;
    await send(s, "deployer", desk, "setPrice", [s.parties.weth, s.parties.usdc, 2000n * E6]); // 2,000 USDC/ETH
    await send(s, "deployer", s.usdc, "mint", [desk.address, 200_000n * E6]);
    const cfg = encodeAbiParameters([{ type: "address" }, { type: "address" }, { type: "uint256" }], [desk.address, s.parties.weth, 100n * E18]);
    await send(s, "deployer", s.mm1, "setBehaviour", [Behaviour.SwapThenRepay, cfg]);
    const weth0 = await s.weth.read.balanceOf([s.mm1.address]);
    const auctioneer0 = await s.usdc.read.balanceOf([s.account.auctioneer]);

    await settle("mode1One");

    // Sold 100 ETH for 200,000 USDC, repaid 199,199: keeps 801 USDC (plus its 1 base unit).
    expect(await s.usdc.read.balanceOf([s.mm1.address])).toBe(801n * E6 + 1n);
    expect(await s.weth.read.balanceOf([s.mm1.address])).toBe(weth0);
    expect(await capital(s.account.carol, s.usdc.address)).toBe(199_199n * E6);
    expect((await s.usdc.read.balanceOf([s.account.auctioneer])) - auctioneer0).toBe(199_000n * E6);
    await expectNoProtocolTake();
  });

  it("several fills: two borrowers (cheapest LP with enough capital) and one self-funded bidder; unsold rest returns", async () => {
    const who = { auctioneer: s.account.auctioneer, mm1: s.mm1.address, mm2: s.mm2.address, w1: s.account.w1, escrow: s.escrow.address };
    const usdc0 = await balances(s.usdc, who);
    const weth0 = await balances(s.weth, who);
    await settle("mode1Several");
    const usdc1 = await balances(s.usdc, who);
    const weth1 = await balances(s.weth, who);
    // Dave (0.08%) lends both: 8,000 + 6.4 and 6,000 + 4.8 USDC.
    expect(await capital(s.account.dave, s.usdc.address)).toBe(50_000n * E6 + 6_400_000n + 4_800_000n);
    expect(usdc1.auctioneer! - usdc0.auctioneer!).toBe(18_000n * E6);
    expect(usdc0.mm1! - usdc1.mm1!).toBe(8_000n * E6 + 6_400_000n);
    expect(usdc0.mm2! - usdc1.mm2!).toBe(6_000n * E6 + 4_800_000n);
    expect(usdc0.w1! - usdc1.w1!).toBe(4_000n * E6);
    expect(weth1.mm1! - weth0.mm1!).toBe(4n * E18);
    expect(weth1.mm2! - weth0.mm2!).toBe(3n * E18);
    expect(weth1.w1! - weth0.w1!).toBe(2n * E18);
    expect(weth1.auctioneer! - weth0.auctioneer!).toBe(1n * E18);
    expect(weth0.escrow! - weth1.escrow!).toBe(10n * E18);
    expect(await s.settlement.read.lockConsumed([21n])).toBe(true);
    expect(await s.settlement.read.lockConsumed([22n])).toBe(true);
    await expectNoProtocolTake();
  });

  it("writes the receipt at the documented slot (outcome | recordedAt << 8 | settledMask << 72), readable with eth_getProof", async () => {
    const rc = await settle("mode1One");
    const block = await s.chain.publicClient.getBlock({ blockNumber: rc.blockNumber });
    const expected = encodeReceiptWord({ outcome: 1, recordedAt: block.timestamp, settledMask: 1n, auctioneerBlamed: false });
    expect(await s.settlement.read.receipts([1n])).toBe(expected);
    const slot = mappingSlot(1n);
    const raw = await s.chain.rpc("eth_getStorageAt", [s.settlement.address, slot, "latest"]);
    expect(hexToBigInt(raw)).toBe(expected);
    const proof = await s.chain.rpc("eth_getProof", [s.settlement.address, [slot], "latest"]);
    expect(hexToBigInt(proof.storageProof[0].value)).toBe(expected);
    // What Home does with it: a verified eth_getProof read (account and storage proofs checked).
    const homeRead = await readSettlementReceipt({ request: (m, p) => s.chain.rpc(m, p) }, s.settlement.address, 1n, 0);
    expect([homeRead.outcome, homeRead.recordedAt, homeRead.settledMask, homeRead.auctioneerBlamed]).toEqual([1, block.timestamp, 1n, false]);
    const r = sc.cases.mode1Several!.result;
    const deposit = { auctionId: r.auctionId, depositor: r.auctioneer, asset: r.sellAsset, amount: r.sellAmount, refundNotBefore: REFUND_NOT_BEFORE };
    await checkEscrowDeposit({ request: (m, p) => s.chain.rpc(m, p) }, s.escrow.address, deposit, 0);
    // Escrow slot 0, keyed by auction and depositor: the deposit commitment Home acknowledges.
    const commitment = keccak256(
      encodeAbiParameters(
        [{ type: "uint64" }, { type: "address" }, { type: "address" }, { type: "uint256" }, { type: "uint64" }],
        [r.auctionId, r.auctioneer, r.sellAsset, r.sellAmount, REFUND_NOT_BEFORE],
      ),
    );
    expect(await s.chain.rpc("eth_getStorageAt", [s.escrow.address, escrowCommitmentSlot(r.auctionId, r.auctioneer), "latest"])).toBe(commitment);
    expect(BigInt(commitment)).toBe(escrowCommitment(deposit));
  });
});

describe("AtomicSettlement mode 2 (auctioneer borrowed the sell asset)", () => {
  it("reference check: 100,000 USDC at 0.0005 ETH/USDC, LP at 0.15% receives 50.075 ETH", async () => {
    const who = { auctioneer: s.account.borrowerAuctioneer, w1: s.account.w1 };
    const usdc0 = await balances(s.usdc, who);
    const weth0 = await balances(s.weth, who);
    await settle("mode2One");
    const usdc1 = await balances(s.usdc, who);
    const weth1 = await balances(s.weth, who);
    // Alice is the LP the result names; the clearing price is above her own WETH limit.
    expect(await capital(s.account.alice, s.usdc.address)).toBe(0n);
    expect(await capital(s.account.alice, s.weth.address)).toBe(50_075n * 10n ** 15n);
    expect(usdc1.w1! - usdc0.w1!).toBe(100_000n * E6);
    expect(weth0.w1! - weth1.w1!).toBe(50n * E18);
    // The winner's 50 ETH went to the LP; the auctioneer covers the 0.075 ETH of interest.
    expect(weth0.auctioneer! - weth1.auctioneer!).toBe(75n * 10n ** 15n);
    expect(usdc1.auctioneer).toBe(usdc0.auctioneer);
    expect(await s.settlement.read.lockConsumed([31n])).toBe(true);
    await expectNoProtocolTake();
  });

  it("several fills: LP repaid ceil((principal + interest) * price), winners paid for what they bought", async () => {
    const who = { auctioneer: s.account.borrowerAuctioneer, w1: s.account.w1, w2: s.account.w2 };
    const usdc0 = await balances(s.usdc, who);
    const weth0 = await balances(s.weth, who);
    await settle("mode2Several", "deployer");
    const usdc1 = await balances(s.usdc, who);
    const weth1 = await balances(s.weth, who);
    // Bob (named; 0.12%, accepts WETH, 50,000 USDC) lends 50,000: debt 50,060 USDC = 25.03 WETH.
    expect(await capital(s.account.bob, s.usdc.address)).toBe(0n);
    expect(await capital(s.account.bob, s.weth.address)).toBe(25_030n * 10n ** 15n);
    expect(usdc1.w1! - usdc0.w1!).toBe(30_000n * E6);
    expect(usdc1.w2! - usdc0.w2!).toBe(20_000n * E6);
    expect(weth0.w1! - weth1.w1!).toBe(15n * E18);
    expect(weth0.w2! - weth1.w2!).toBe(10n * E18);
    expect(weth0.auctioneer! - weth1.auctioneer!).toBe(30n * 10n ** 15n);
    await expectNoProtocolTake();
  });

  it("an auctioneer that cannot cover the interest is blamed; nothing moves, the fill stays open, the default slashes only it", async () => {
    await send(s, "borrowerAuctioneer", s.weth, "approve", [s.settlement.address, 0n]);
    const w1 = await s.weth.read.balanceOf([s.account.w1]);
    const rc = await settle("mode2One");
    const word = decodeReceiptWord(await s.settlement.read.receipts([3n]));
    expect([word.outcome, word.settledMask, word.auctioneerBlamed]).toEqual([0, 0n, true]);
    expect((await s.settlement.getEvents.AuctioneerPaymentFailed({}, { blockHash: rc.blockHash }))[0].args).toMatchObject({ auctionId: 3n, fillIndex: 0n });
    expect(await capital(s.account.alice, s.usdc.address)).toBe(100_000n * E6);
    expect(await s.weth.read.balanceOf([s.account.w1])).toBe(w1);
    expect(await s.settlement.read.lockConsumed([31n])).toBe(false);
    // Failing again changes nothing: the call reverts.
    await expectRevert(trySettle(settleArgs(sc, "mode2One")), "AuctioneerPaymentMissing(uint64)");
    await s.chain.increaseTime(2n * DAY);
    await send(s, "w1", s.settlement, "recordDefault", [...settleArgs(sc, "mode2One")]);
    const closed = decodeReceiptWord(await s.settlement.read.receipts([3n]));
    expect([closed.outcome, closed.settledMask, closed.auctioneerBlamed]).toEqual([2, 0n, true]);
    expect(await s.settlement.read.lockConsumed([31n])).toBe(true);
  });
});

describe("AtomicSettlement rejections", () => {
  it("replay of an auctionId", async () => {
    await settle("mode1One");
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "ReceiptExists(uint64)");
  });

  it("reuse of a lockId in another auction", async () => {
    await settle("mode1One");
    await expectRevert(trySettle(settleArgs(sc, "lockReuse")), "LockAlreadyConsumed(uint64)");
  });

  it("unknown header height", async () => {
    await expectRevert(trySettle(settleArgs(sc, "mode1One", 2n)), "UnknownHeader(uint64)");
  });

  it("stale header (older than maxStateAge)", async () => {
    await s.chain.increaseTime(DAY + HOUR);
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "StaleHeader(uint64,uint64)");
  });

  it("leaves bound to another Away chain or another contract", async () => {
    await expectRevert(trySettle(settleArgs(sc, "otherChain")), "InvalidProof()");
    await expectRevert(trySettle(settleArgs(sc, "otherContract")), "InvalidProof()");
    // A proof for this settlement contract does not work at another settlement contract.
    const other = (await s.chain.viem.deployContract("AtomicSettlement" as never, [
      s.addresses.lightClient,
      s.addresses.settlementVerifier,
      2,
      DAY,
      E6,
    ] as never)) as any;
    await expectRevert(other.write.settle([...settleArgs(sc, "mode1One")]), "InvalidProof()");
  });

  it("lockSlots is configurable (K = 3 deploys, its proofs are not the dev ones); K = 0 is refused", async () => {
    const k3 = (await s.chain.viem.deployContract("AtomicSettlement" as never, [s.addresses.lightClient, s.addresses.settlementVerifier, 3, DAY, E6] as never)) as any;
    expect(await k3.read.lockSlots()).toBe(3n);
    await expectRevert(k3.write.settle([...settleArgs(sc, "mode1One")]), "InvalidProof()");
    await expect(
      s.chain.viem.deployContract("AtomicSettlement" as never, [s.addresses.lightClient, s.addresses.settlementVerifier, 0, DAY, E6] as never),
    ).rejects.toThrow();
  });

  it("credit limit that does not cover principal plus interest", async () => {
    await expectRevert(trySettle(settleArgs(sc, "creditTooLow")), "CreditLimitTooLow(uint64,uint256,uint256)");
  });

  it("lockup of another borrower, not locked, or in another credit asset", async () => {
    await expectRevert(trySettle(settleArgs(sc, "wrongBorrower")), "WrongBorrower(uint64)");
    await expectRevert(trySettle(settleArgs(sc, "releasedLock")), "LockupNotLocked(uint64)");
    await expectRevert(trySettle(settleArgs(sc, "wrongCreditAsset")), "WrongCreditAsset(uint64)");
  });

  it("expired lockup", async () => {
    await s.chain.increaseTime(2n * HOUR);
    await expectRevert(trySettle(settleArgs(sc, "shortLock")), "LockupExpired(uint64,uint64)");
  });

  it("borrower that does not repay: everything reverts", async () => {
    const before = await balances(s.usdc, { auctioneer: s.account.auctioneer, mm1: s.mm1.address, registry: s.registry.address });
    await send(s, "deployer", s.mm1, "setBehaviour", [Behaviour.NoRepay, "0x"]);
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "PaymentFailed(uint256,address)");
    await send(s, "deployer", s.mm1, "setBehaviour", [Behaviour.WrongReturn, "0x"]);
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "CallbackFailed(address)");
    expect(await balances(s.usdc, { auctioneer: s.account.auctioneer, mm1: s.mm1.address, registry: s.registry.address })).toEqual(before);
    expect(await s.settlement.read.receipts([1n])).toBe(0n);
    expect(await s.settlement.read.lockConsumed([11n])).toBe(false);
    expect(await capital(s.account.carol, s.usdc.address)).toBe(199_000n * E6);
  });

  it("reentrant borrower", async () => {
    const reenter = encodeFunctionData({ abi: s.settlement.abi, functionName: "settle", args: [...settleArgs(sc, "mode1Several")] });
    await send(s, "deployer", s.mm1, "setBehaviour", [Behaviour.Reenter, reenter]);
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "ReentrancyGuardReentrantCall()");
    expect(await s.settlement.read.receipts([1n])).toBe(0n);
  });

  it("paused light client", async () => {
    await send(s, "guardian", s.lightClient, "pause", []);
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "ClientPaused()");
    await send(s, "guardian", s.lightClient, "unpause", []);
    await settle("mode1One");
  });

  it("tampered proof, result or lockup", async () => {
    const [height, proof, result, lockups] = settleArgs(sc, "mode1One");
    const negC = [...proof.slice(0, 7), Q - proof[7]!];
    await expectRevert(trySettle([height, negC, result, lockups]), "InvalidProof()");
    await expectRevert(trySettle([height, sc.proofs.mode1Several!.proof, result, lockups]), "InvalidProof()");
    const otherWinner = { ...result, fills: [{ ...result.fills[0]!, winner: s.mm2.address }] };
    await expectRevert(trySettle([height, proof, otherWinner, lockups]), "InvalidProof()");
    const richer = [{ ...lockups[0]!, creditLimit: lockups[0]!.creditLimit * 10n }];
    await expectRevert(trySettle([height, proof, result, richer]), "InvalidProof()");
    // Lockups that do not match the result's lockIds are refused before the proof.
    await expectRevert(trySettle([height, proof, result, []]), "LockupMismatch(uint256)");
  });

  it("no LP with enough capital at or below the fill's maximum rate: the winner pays from its own funds", async () => {
    const snapInner = await s.chain.snapshot();
    await send(s, "carol", s.registry, "withdraw", [s.usdc.address, 1n]);
    // mm1 holds 199,199 USDC but has not approved the settlement: its own-funds payment fails.
    await expectRevert(trySettle(settleArgs(sc, "mode1One")), "PaymentFailed(uint256,address)");
    await send(s, "deployer", s.mm1, "approveToken", [s.usdc.address, s.settlement.address, maxUint256]);
    const mm1 = await s.usdc.read.balanceOf([s.mm1.address]);
    await settle("mode1One");
    expect(mm1 - (await s.usdc.read.balanceOf([s.mm1.address]))).toBe(199_000n * E6);
    expect(await s.settlement.read.lockConsumed([11n])).toBe(false); // nothing was borrowed against it
    await s.chain.revert(snapInner);
    // Mode 2: the named LP raises its rate above the 0.20% cap; removes its offer; refuses the price.
    await send(s, "alice", s.registry, "setOffer", [s.usdc.address, 25, []]);
    await expectRevert(trySettle(settleArgs(sc, "mode2One")), "LpRateAboveCap(address,uint16,uint16)");
    await send(s, "alice", s.registry, "removeOffer", [s.usdc.address]);
    await expectRevert(trySettle(settleArgs(sc, "mode2One")), "LpOfferMissing(address)");
    await send(s, "alice", s.registry, "setOffer", [s.usdc.address, 15, [{ asset: s.weth.address, minPrice: PRICE_0_0005 + 1n }]]);
    await expectRevert(trySettle(settleArgs(sc, "mode2One")), "PriceBelowLpLimit(address,uint256,uint256)");
    await send(s, "alice", s.registry, "setRepayTerm", [s.usdc.address, s.weth.address, 0n]);
    await expectRevert(trySettle(settleArgs(sc, "mode2One")), "RepayAssetNotAccepted(address,address)");
    expect(await capital(s.account.alice, s.usdc.address)).toBe(100_000n * E6);
  });
});

describe("escrow refunds and default receipts", () => {
  it("refunds a deposit from refundNotBefore (extended by pauses since the deposit), to the depositor only", async () => {
    const before = await s.weth.read.balanceOf([s.account.auctioneer]);
    const deposit = [10n, s.account.auctioneer, s.parties.weth, 3n * E18] as const;
    await expectRevert(s.escrow.write.refund([...deposit]), "RefundNotAvailable(uint64,uint256)");
    // A pause of one hour moves the refund time by one hour.
    await send(s, "guardian", s.lightClient, "pause", []);
    await s.chain.increaseTime(HOUR);
    await send(s, "guardian", s.lightClient, "unpause", []);
    const now = await s.chain.now();
    await s.chain.increaseTime(REFUND_NOT_BEFORE - now + 10n);
    await expectRevert(s.escrow.write.refund([...deposit]), "RefundNotAvailable(uint64,uint256)");
    await s.chain.increaseTime(HOUR);
    await expectRevert(s.escrow.write.refund([10n, s.account.w1, s.parties.weth, 3n * E18]), "NoDeposit(uint64)");
    await expectRevert(s.escrow.write.refund([10n, s.account.auctioneer, s.parties.weth, 4n * E18]), "CommitmentMismatch(uint64)");
    await send(s, "w1", s.escrow, "refund", [...deposit]);
    expect((await s.weth.read.balanceOf([s.account.auctioneer])) - before).toBe(3n * E18);
    expect(await s.escrow.read.commitments([10n, s.account.auctioneer])).toBe(`0x${"0".repeat(64)}`);
    await expectRevert(s.escrow.write.refund([...deposit]), "NoDeposit(uint64)");
  });

  it("keys deposits by depositor: another account's deposit under the same auctionId occupies only its own key", async () => {
    await send(s, "w1", s.weth, "approve", [s.escrow.address, maxUint256]);
    await send(s, "w1", s.escrow, "deposit", [10n, s.parties.weth, 1n, REFUND_NOT_BEFORE]);
    await expectRevert(
      s.escrow.write.deposit([10n, s.parties.weth, 1n, REFUND_NOT_BEFORE], { account: s.wallet.auctioneer.account }),
      "DepositExists(uint64,address)",
    );
    await expectRevert(
      s.escrow.write.deposit([15n, s.parties.weth, 1n, 1n], { account: s.wallet.auctioneer.account }),
      "RefundTimeInPast(uint64)",
    );
    expect(await s.escrow.read.commitments([10n, s.account.w1])).not.toBe(`0x${"0".repeat(64)}`);
  });

  it("a closed receipt returns the rest of the escrow at once; only the settlement contract can release", async () => {
    const weth0 = await s.weth.read.balanceOf([s.account.auctioneer]);
    await settle("mode1Several");
    expect(await s.escrow.read.commitments([2n, s.account.auctioneer])).toBe(`0x${"0".repeat(64)}`);
    expect((await s.weth.read.balanceOf([s.account.auctioneer])) - weth0).toBe(E18);
    await s.chain.increaseTime(4n * DAY);
    await expectRevert(s.escrow.write.refund([2n, s.account.auctioneer, s.parties.weth, 10n * E18]), "NoDeposit(uint64)");
    await expectRevert(
      s.escrow.write.release([5n, s.account.auctioneer, s.parties.weth, 1n * E18, s.account.w1, 1n * E18, false]),
      "NotSettlement()",
    );
    await expectRevert(s.registry.write.draw([s.account.carol, s.usdc.address, 1n, s.account.w1]), "NotSettlement()");
  });

  it("records a default receipt after the deadline; the rest of the escrow goes back with it", async () => {
    const args = settleArgs(sc, "defaulting");
    await expectRevert(s.settlement.write.recordDefault([...args]), "DeadlineNotReached(uint256)");
    await s.chain.increaseTime(HOUR + 1n);
    await expectRevert(trySettle(args), "DeadlinePassed(uint256)");
    const bad = [args[0], [...args[1].slice(0, 7), Q - args[1][7]!], args[2], args[3]];
    await expectRevert(s.settlement.write.recordDefault(bad), "InvalidProof()");

    const before = await s.weth.read.balanceOf([s.account.auctioneer]);
    const rc = await send(s, "w1", s.settlement, "recordDefault", [...args]);
    const block = await s.chain.publicClient.getBlock({ blockNumber: rc.blockNumber });
    const expected = encodeReceiptWord({ outcome: 2, recordedAt: block.timestamp, settledMask: 0n, auctioneerBlamed: false });
    expect(await s.settlement.read.receipts([11n])).toBe(expected);
    expect(hexToBigInt(await s.chain.rpc("eth_getStorageAt", [s.settlement.address, mappingSlot(11n), "latest"]))).toBe(expected);
    expect(await s.settlement.read.lockConsumed([111n])).toBe(true);
    await expectRevert(s.settlement.write.recordDefault([...args]), "ReceiptExists(uint64)");
    expect((await s.weth.read.balanceOf([s.account.auctioneer])) - before).toBe(2n * E18);
  });
});
