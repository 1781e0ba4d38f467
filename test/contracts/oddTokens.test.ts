// AtomicSettlement and AuctionEscrow with non-standard ERC-20s (contracts/test/OddToken.sol), on
// EDR with real Settlement proofs: a token whose transfers return no data (USDT-style) settles
// like any other, and a token whose transfer or transferFrom returns false (moving nothing) never
// counts as paid. Every money movement is attacked on its own: the escrow's deposit, release and
// refund, mode 1's payment from own funds, its LP loan and the repayment, and mode 2's loan, the
// winner's payment and the auctioneer's share. A refused movement moves no balance at all.
// Refusals: SafeERC20FailedOperation where the contracts use SafeERC20's reverting calls (escrow,
// registry), PaymentFailed(fill, payer) for a winner's payment (trySafeTransferFrom, so that the
// relayer can tell the payer), and for mode 2's auctioneer share the documented blame (the fill
// stays open, AuctioneerPaymentFailed, nothing moves).
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAddress, type Address } from "viem";
import { awayBinding, creditNeeded, decodeReceiptWord, mode2Owed, type AuctionResultPayload } from "../../home/model/index.ts";
import { connectChain, deployStack, expectRevert, send, type Instance, type Role, type Stack } from "./fixtures.ts";
import { buildState, CLEARED_AT, DAY, E18, fill, header, lockup, T0, type SettlementCase } from "./home-scenario.ts";
import { proveHeader, proveSettlement, type Proved } from "./prove.ts";

const Style = { NoReturn: 0, ReturnsFalse: 1 } as const;
const ZERO = "0x0000000000000000000000000000000000000000" as Address;
/** Mode 1: 2 B per S. Mode 2: 0.5 S per B (prices are buy-asset units per sell-asset unit, times 1e18). */
const PRICE_M1 = 2n * E18;
const PRICE_M2 = E18 / 2n;
const CAROL_RATE = 10;
const ALICE_RATE = 15;
const REFUND_NOT_BEFORE = T0 + 3n * DAY;
const REFUND_AUCTION = 110n;

let s: Stack;
/** The odd tokens: S is sold in mode 1 (escrowed) and paid in mode 2; B is paid in mode 1 and lent in mode 2. */
let S: Instance;
let B: Instance;
let cases: Record<"m1Loan" | "m1Own" | "m2", SettlementCase>;
let proofs: Record<string, Proved>;
let snap: string;

/**
 * m1Loan: the auctioneer sells 10 S for B; market maker mm1 borrows the 20 B it pays from the
 * cheapest LP (Carol, 0.10%) against lockup 1011 and repays in the callback.
 * m1Own: the auctioneer sells 10 S; w1 buys 6 for 12 B of its own, 4 S return to the auctioneer.
 * m2: the borrower-auctioneer borrows 100 B from Alice (0.15%, repaid in S) and sells them to w1
 * for 50 S; it pays the interest share itself (0.075 S).
 */
function oddCases(p: { chainId: bigint; settlement: Address; S: Address; B: Address; auctioneer: Address; borrowerAuctioneer: Address; mm1: Address; w1: Address; alice: Address }) {
  const deadline = T0 + 2n * DAY;
  const expiry = T0 + 7n * DAY;
  const binding = awayBinding(p.chainId, p.settlement);
  const result = (auctionId: bigint, r: Partial<AuctionResultPayload> & Pick<AuctionResultPayload, "fills">): AuctionResultPayload => ({
    auctionId,
    auctioneer: p.auctioneer,
    sellAsset: p.S,
    sellAmount: 10n * E18,
    buyAsset: p.B,
    clearingPrice: PRICE_M1,
    mode: 1,
    auctioneerLockId: 0n,
    auctioneerMaxRateBps: 0,
    lp: ZERO,
    settleDeadline: deadline,
    clearedAt: CLEARED_AT,
    ...r,
  });
  const c = (name: string, r: AuctionResultPayload, lockups: SettlementCase["lockups"]): SettlementCase => ({ name, result: r, lockups, binding });
  return {
    m1Loan: c("m1Loan", result(101n, { fills: [fill(p.mm1, 10n * E18, PRICE_M1, 1011n, 15)] }), [lockup(1011n, p.mm1, p.B, 100n * E18, expiry)]),
    m1Own: c("m1Own", result(102n, { fills: [fill(p.w1, 6n * E18, PRICE_M1, 0n, 0)] }), []),
    m2: c(
      "m2",
      result(103n, {
        auctioneer: p.borrowerAuctioneer,
        sellAsset: p.B,
        sellAmount: 100n * E18,
        buyAsset: p.S,
        clearingPrice: PRICE_M2,
        mode: 2,
        auctioneerLockId: 1031n,
        auctioneerMaxRateBps: 20,
        lp: p.alice,
        fills: [fill(p.w1, 100n * E18, PRICE_M2, 0n, 0)],
      }),
      [lockup(1031n, p.borrowerAuctioneer, p.B, 200n * E18, expiry)],
    ),
  };
}

beforeAll(async () => {
  s = await deployStack(await connectChain());
  const odd = async () => (await s.chain.viem.deployContract("OddToken" as never, [Style.NoReturn] as never)) as Instance;
  S = await odd();
  B = await odd();
  cases = oddCases({
    chainId: s.parties.awayChainId,
    settlement: s.addresses.settlement,
    S: getAddress(S.address),
    B: getAddress(B.address),
    auctioneer: s.account.auctioneer,
    borrowerAuctioneer: s.account.borrowerAuctioneer,
    mm1: s.parties.mm1,
    w1: s.account.w1,
    alice: s.account.alice,
  });
  const tree = buildState(Object.values(cases));
  const headerProof = await proveHeader(header({ epoch: 0n, height: 1n, stateRoot: tree.root }));
  proofs = {};
  for (const [name, c] of Object.entries(cases)) proofs[name] = await proveSettlement(tree, c);
  await send(s, "deployer", s.lightClient, "submitHeader", [headerProof.kind, headerProof.proof, headerProof.pub]);

  // While both tokens still answer like USDT: LP capital in B, the payers' funds, the escrows.
  for (const [role, rate, terms] of [["carol", CAROL_RATE, []], ["alice", ALICE_RATE, [{ asset: S.address, minPrice: 1n }]]] as const) {
    await send(s, role, B, "mint", [s.account[role], 1_000n * E18]);
    await send(s, role, s.registry, "deposit", [B.address, 1_000n * E18]);
    await send(s, role, s.registry, "setOffer", [B.address, rate, terms]);
  }
  await send(s, "deployer", B, "mint", [s.mm1.address, 100n * E18]); // repays the loan from its own B
  await send(s, "deployer", B, "mint", [s.account.w1, 100n * E18]);
  await send(s, "deployer", S, "mint", [s.account.w1, 100n * E18]);
  await send(s, "deployer", S, "mint", [s.account.borrowerAuctioneer, 1n * E18]);
  await send(s, "auctioneer", S, "mint", [s.account.auctioneer, 100n * E18]);
  for (const id of [101n, 102n, REFUND_AUCTION]) await send(s, "auctioneer", s.escrow, "deposit", [id, S.address, 10n * E18, REFUND_NOT_BEFORE]);
  snap = await s.chain.snapshot();
}, 900_000);

beforeEach(async () => {
  await s.chain.revert(snap);
  snap = await s.chain.snapshot();
});

const settleCall = (name: keyof typeof cases) => {
  const c = cases[name];
  return s.settlement.write.settle([1n, proofs[name]!.proof, c.result, c.lockups], { account: s.wallet.w2.account });
};
const settle = (name: keyof typeof cases) => send(s, "w2", s.settlement, "settle", [1n, proofs[name]!.proof, cases[name].result, cases[name].lockups]);
const styles = (t: Instance, forTransfer: number, forTransferFrom: number) => send(s, "deployer", t, "setStyles", [forTransfer, forTransferFrom]);
const capital = (lp: Role, asset: Instance): Promise<bigint> => s.registry.read.capitalOf([s.account[lp], asset.address]);

/** Every balance, LP capital, receipt, lockup and escrow deposit these tests can move. */
async function holdings(): Promise<Record<string, unknown>> {
  const holders: Record<string, Address> = {
    auctioneer: s.account.auctioneer,
    borrowerAuctioneer: s.account.borrowerAuctioneer,
    w1: s.account.w1,
    mm1: s.mm1.address,
    escrow: s.escrow.address,
    registry: s.registry.address,
    settlement: s.settlement.address,
  };
  const out: Record<string, unknown> = {};
  for (const [tname, t] of [["S", S], ["B", B]] as const) {
    for (const [h, a] of Object.entries(holders)) out[`${tname} ${h}`] = await t.read.balanceOf([a]);
    for (const lp of ["carol", "alice"] as const) out[`${tname} capital ${lp}`] = await capital(lp, t);
  }
  for (const id of [101n, 102n, 103n]) out[`receipt ${id}`] = await s.settlement.read.receipts([id]);
  for (const lockId of [1011n, 1031n]) out[`lock ${lockId} consumed`] = await s.settlement.read.lockConsumed([lockId]);
  for (const id of [101n, 102n, REFUND_AUCTION]) out[`escrow ${id}`] = await s.escrow.read.commitments([id, s.account.auctioneer]);
  return out;
}

/** `attempt` reverts with `error` and nothing in `holdings` changes. */
async function expectRefusedUnmoved(attempt: () => Promise<unknown>, error: string): Promise<void> {
  const before = await holdings();
  await expectRevert(attempt(), error);
  expect(await holdings()).toEqual(before);
}

describe("tokens whose transfers return no data (USDT-style) settle", () => {
  it("mode 1 with an LP loan: the escrow releases S, Carol lends B to the auctioneer and is repaid with interest", async () => {
    const before = await holdings();
    await settle("m1Loan");
    const owed = creditNeeded(20n * E18, CAROL_RATE);
    expect(await S.read.balanceOf([s.mm1.address])).toBe(10n * E18);
    expect(await S.read.balanceOf([s.escrow.address])).toBe((before["S escrow"] as bigint) - 10n * E18);
    expect(await B.read.balanceOf([s.account.auctioneer])).toBe((before["B auctioneer"] as bigint) + 20n * E18);
    expect(await B.read.balanceOf([s.mm1.address])).toBe((before["B mm1"] as bigint) - owed);
    expect(await capital("carol", B)).toBe(1_000n * E18 - 20n * E18 + owed);
    expect(await B.read.balanceOf([s.registry.address])).toBe((before["B registry"] as bigint) + owed - 20n * E18);
    expect(decodeReceiptWord(await s.settlement.read.receipts([101n])).outcome).toBe(1);
  });

  it("mode 1 from own funds: the winner pays B, the escrow releases 6 S and returns the unsold 4", async () => {
    const before = await holdings();
    await settle("m1Own");
    expect(await S.read.balanceOf([s.account.w1])).toBe((before["S w1"] as bigint) + 6n * E18);
    expect(await S.read.balanceOf([s.account.auctioneer])).toBe((before["S auctioneer"] as bigint) + 4n * E18);
    expect(await S.read.balanceOf([s.escrow.address])).toBe((before["S escrow"] as bigint) - 10n * E18);
    expect(await B.read.balanceOf([s.account.w1])).toBe((before["B w1"] as bigint) - 12n * E18);
    expect(await B.read.balanceOf([s.account.auctioneer])).toBe((before["B auctioneer"] as bigint) + 12n * E18);
    expect(await s.escrow.read.commitments([102n, s.account.auctioneer])).toBe(`0x${"0".repeat(64)}`);
  });

  it("mode 2: Alice lends 100 B to the winner, is repaid 50.075 S (the winner's 50 and the auctioneer's 0.075)", async () => {
    const before = await holdings();
    await settle("m2");
    const owed = mode2Owed(100n * E18, ALICE_RATE, PRICE_M2);
    expect(owed).toBe(50_075n * 10n ** 15n);
    expect(await B.read.balanceOf([s.account.w1])).toBe((before["B w1"] as bigint) + 100n * E18);
    expect(await capital("alice", B)).toBe(900n * E18);
    expect(await capital("alice", S)).toBe(owed);
    expect(await S.read.balanceOf([s.account.w1])).toBe((before["S w1"] as bigint) - 50n * E18);
    expect(await S.read.balanceOf([s.account.borrowerAuctioneer])).toBe((before["S borrowerAuctioneer"] as bigint) - (owed - 50n * E18));
    expect(await S.read.balanceOf([s.registry.address])).toBe(owed);
  });

  it("the escrow takes a deposit and refunds it after refundNotBefore", async () => {
    await send(s, "borrowerAuctioneer", S, "mint", [s.account.borrowerAuctioneer, 5n]);
    const held = await S.read.balanceOf([s.account.borrowerAuctioneer]);
    await send(s, "borrowerAuctioneer", s.escrow, "deposit", [120n, S.address, 5n, REFUND_NOT_BEFORE]);
    expect(await S.read.balanceOf([s.account.borrowerAuctioneer])).toBe(held - 5n);
    await s.chain.increaseTime(REFUND_NOT_BEFORE - (await s.chain.now()));
    await send(s, "borrowerAuctioneer", s.escrow, "refund", [120n, s.account.borrowerAuctioneer, S.address, 5n]);
    expect(await S.read.balanceOf([s.account.borrowerAuctioneer])).toBe(held);
  });
});

describe("tokens whose transfers return false are never taken as paid", () => {
  it("escrow deposit: transferFrom returns false -> SafeERC20FailedOperation, no deposit recorded", async () => {
    await styles(S, Style.NoReturn, Style.ReturnsFalse);
    await expectRefusedUnmoved(() => s.escrow.write.deposit([121n, S.address, 5n, REFUND_NOT_BEFORE], { account: s.wallet.auctioneer.account }), "SafeERC20FailedOperation(address)");
    expect(await s.escrow.read.commitments([121n, s.account.auctioneer])).toBe(`0x${"0".repeat(64)}`);
  });

  it("escrow refund: transfer returns false -> SafeERC20FailedOperation, the deposit stays refundable", async () => {
    await s.chain.increaseTime(REFUND_NOT_BEFORE - (await s.chain.now()));
    await styles(S, Style.ReturnsFalse, Style.NoReturn);
    const refund = () => s.escrow.write.refund([REFUND_AUCTION, s.account.auctioneer, S.address, 10n * E18], { account: s.wallet.auctioneer.account });
    await expectRefusedUnmoved(refund, "SafeERC20FailedOperation(address)");
    await styles(S, Style.NoReturn, Style.NoReturn);
    const held = await S.read.balanceOf([s.account.auctioneer]);
    await send(s, "auctioneer", s.escrow, "refund", [REFUND_AUCTION, s.account.auctioneer, S.address, 10n * E18]);
    expect(await S.read.balanceOf([s.account.auctioneer])).toBe(held + 10n * E18);
  });

  /** [what fails, the token, which of its calls returns false, the settlement, the refusal]. */
  const refusals: [string, "S" | "B", "transfer" | "transferFrom", keyof typeof cases, string][] = [
    ["mode 1 escrow release (the sold asset to the winner)", "S", "transfer", "m1Own", "SafeERC20FailedOperation(address)"],
    ["mode 1 payment from own funds (the winner)", "B", "transferFrom", "m1Own", "PaymentFailed(uint256,address)"],
    ["mode 1 LP loan (the registry to the auctioneer)", "B", "transfer", "m1Loan", "SafeERC20FailedOperation(address)"],
    ["mode 1 repayment (the borrower to the registry; the loan is undone)", "B", "transferFrom", "m1Loan", "PaymentFailed(uint256,address)"],
    ["mode 2 loan (the registry to the winner)", "B", "transfer", "m2", "SafeERC20FailedOperation(address)"],
  ];
  it.each(refusals)("%s: %s.%s returns false -> refused (%s, %s), nothing moves", async (_, token, call, name, error) => {
    await styles(token === "S" ? S : B, call === "transfer" ? Style.ReturnsFalse : Style.NoReturn, call === "transferFrom" ? Style.ReturnsFalse : Style.NoReturn);
    await expectRefusedUnmoved(() => settleCall(name), error);
  });

  it("mode 2 winner's payment (no interest share: Alice at 0%): transferFrom returns false -> PaymentFailed, the loan is undone", async () => {
    await send(s, "alice", s.registry, "setOffer", [B.address, 0, []]);
    await styles(S, Style.NoReturn, Style.ReturnsFalse);
    await expectRefusedUnmoved(() => settleCall("m2"), "PaymentFailed(uint256,address)");
  });

  it("mode 2 auctioneer's interest share: transferFrom returns false -> the auctioneer is blamed, nothing moves, the fill stays open", async () => {
    await styles(S, Style.NoReturn, Style.ReturnsFalse);
    const before = await holdings();
    const rc = await settle("m2");
    const after = await holdings();
    const receipt = decodeReceiptWord(after["receipt 103"] as bigint);
    expect(receipt).toMatchObject({ outcome: 0, settledMask: 0n, auctioneerBlamed: true });
    expect({ ...after, "receipt 103": 0n }).toEqual(before);
    expect((await s.settlement.getEvents.AuctioneerPaymentFailed({}, { blockHash: rc.blockHash }))[0].args).toMatchObject({ auctionId: 103n, fillIndex: 0n });
  });
});
