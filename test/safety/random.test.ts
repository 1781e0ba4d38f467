// A seeded randomized scenario of DESIGN section 11 on the real stack (Home devnet rules with
// verified eth_getProof reads, contracts on EDR, real proofs): rounds of auctions with random modes,
// amounts, prices and actors, honest and dishonest (self-bidding auctioneers under the LP's limit,
// winners and auctioneers that never pay, early refunders, escrow squatters, a guardian pausing
// across deadlines). The relayer settles each result, records the defaults, and Home consumes every
// receipt. After every step: tokens are conserved among the known holders, the registry holds
// exactly the LPs' capital, no LP's value (at its own limit price) decreases, the escrow holds the
// rest of every open deposit, and no honest party's lockup is ever slashed.
// Seed: OLZK_SAFETY_SEED (default below); the failing seed is in the assertion messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxUint256, type Address } from "viem";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { LOCK_STATUS_SLASHED } from "../../home/model/index.ts";
import { E18, E6, LIBRA, PRICE_SCALE, SafetyStack, show } from "./stack.ts";
import { rng } from "../fixtures/rng.ts";

const SEED = Number(process.env.OLZK_SAFETY_SEED ?? 20_261_121);
const ROUNDS = 2;
const AUCTIONS_PER_ROUND = 3; // ROUNDS * AUCTIONS_PER_ROUND = the six kinds below
const HOUR = 3600;
/** The LPs' own limit for WETH repayment of USDC loans: 0.0004 WETH per USDC. */
const LP_MIN = (4n * E18 * PRICE_SCALE) / (10_000n * E6);

let s: SafetyStack;
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;

interface Actors {
  lps: Address[];
  /** Market makers (ERC-3156 borrowers): honest ones repay and keep approvals, the others never pay. */
  honestMms: Address[];
  badMms: Address[];
  honestAuctioneer: Address;
  badAuctioneer: Address;
  squatter: Address;
}
let actors: Actors;
const holders = () => [
  s.c.settlement, s.c.registry, s.c.escrow, ...actors.lps, ...actors.honestMms, ...actors.badMms,
  actors.honestAuctioneer, actors.badAuctioneer, actors.squatter, s.account.deployer,
];
/** The lockups of honest parties (never to be slashed) and the open mode-1 deposits. */
const honestLocks = new Set<bigint>();
const deposits: { auctionId: bigint; depositor: Address; amount: bigint }[] = [];
const lpFloor = new Map<Address, bigint>();

async function lpValue(lp: Address): Promise<bigint> {
  return (await s.capital(lp, s.c.usdc)) + ((await s.capital(lp, s.c.weth)) * PRICE_SCALE) / LP_MIN;
}

/** Every invariant, after every step. */
async function check(step: string): Promise<void> {
  const where = `seed ${SEED}, after ${step}`;
  for (const token of [s.c.usdc, s.c.weth]) {
    let sum = 0n;
    for (const h of holders()) sum += await s.balance(token, h);
    expect(sum, `${where}: supply of ${token} spread over the known holders`).toBe(await s.read<bigint>(token, s.abi.token, "totalSupply"));
    expect(await s.balance(token, s.c.settlement), `${where}: settlement holds nothing`).toBe(0n);
    let capital = 0n;
    for (const lp of actors.lps) capital += await s.capital(lp, token);
    expect(await s.balance(token, s.c.registry), `${where}: registry holds exactly the LPs' capital`).toBe(capital);
  }
  for (const lp of actors.lps) {
    const v = await lpValue(lp);
    expect(v >= lpFloor.get(lp)!, `${where}: LP ${lp} value ${v} fell below ${lpFloor.get(lp)}`).toBe(true);
    lpFloor.set(lp, v);
  }
  let owed = 0n;
  for (const d of deposits) {
    const [released, depositedAt] = await s.read<[bigint, bigint, bigint]>(s.c.escrow, s.abi.escrow, "depositOf", [d.auctionId, d.depositor]);
    if (depositedAt !== 0n) owed += d.amount - released;
  }
  expect(await s.balance(s.c.weth, s.c.escrow), `${where}: escrow holds the rest of every open deposit`).toBe(owed);
  for (const id of honestLocks) expect(s.lockStatus(id), `${where}: honest lockup ${id}`).not.toBe(LOCK_STATUS_SLASHED);
}

/**
 * The kinds of auction a round draws from (in seeded order, each with random amounts, prices and
 * actor picks): every dishonest behaviour appears, next to honest parties it must not hurt.
 */
const KINDS = [
  "mode 1: honest borrowing winners and a non-paying co-winner",
  "mode 1: a borrowing winner that does not repay",
  "mode 1: honest winners only",
  "mode 2: the auctioneer self-bids under the LP's limit",
  "mode 2: the auctioneer does not pay its share",
  "mode 2: an honest auctioneer with a non-paying winner",
] as const;
type Kind = (typeof KINDS)[number];

/** One random auction of `kind` on Home, committed (escrow, bids); returns what is revealed later. */
async function randomAuction(n: number, kind: Kind, deadlines: { commitDeadline: number; revealDeadline: number; settleDeadline: number }) {
  const mode = kind.startsWith("mode 1") ? 1 : 2;
  const bids: { bidder: Address; amount: bigint; limitPrice: bigint; lockId: bigint; maxRateBps: number }[] = [];
  let auctionId: bigint;
  if (mode === 1) {
    const au = actors.honestAuctioneer;
    const sellAmount = BigInt(2 + Math.floor(rand() * 6)) * E18;
    auctionId = (await s.act("create-auction", { auctioneer: au, sellAsset: s.c.weth, sellAmount: sellAmount.toString(), buyAsset: s.c.usdc, mode: 1, reservePrice: "0", ...deadlines })).auctionId;
    if (chance(0.5)) {
      // a squatter's deposit under the same id: its own key only
      await s.send(actors.squatter, s.c.escrow, s.abi.escrow, "deposit", [auctionId, s.c.weth, 1n, BigInt(deadlines.settleDeadline + 1)]);
      deposits.push({ auctionId, depositor: actors.squatter, amount: 1n });
    }
    const refundNotBefore = BigInt(deadlines.settleDeadline + HOUR);
    await s.send(au, s.c.escrow, s.abi.escrow, "deposit", [auctionId, s.c.weth, sellAmount, refundNotBefore]);
    await s.act("ack-escrow", { auctionId: auctionId.toString(), refundNotBefore: refundNotBefore.toString() });
    deposits.push({ auctionId, depositor: au, amount: sellAmount });
    const winners: [boolean, boolean][] = // [honest, borrows]
      kind === KINDS[0] ? [[true, true], [false, chance(0.5)]] : kind === KINDS[1] ? [[false, true], [true, chance(0.5)]] : [[true, true], [true, chance(0.5)]];
    for (const [honest, borrows] of winners) {
      const mm = pick(honest ? actors.honestMms : actors.badMms);
      let lockId = 0n;
      if (borrows) {
        lockId = (await s.lock(mm, s.c.usdc, LIBRA(20_000n), deadlines.settleDeadline + 2 * HOUR)).lockId;
        if (honest) honestLocks.add(lockId);
      }
      bids.push({ bidder: mm, amount: BigInt(1 + Math.floor(rand() * 3)) * E18, limitPrice: BigInt(1900 + Math.floor(rand() * 200)) * E6, lockId, maxRateBps: borrows ? 20 : 0 });
    }
  } else {
    const honest = kind === KINDS[5];
    const au = honest ? actors.honestAuctioneer : actors.badAuctioneer;
    const lock = await s.lock(au, s.c.usdc, LIBRA(200_000n), deadlines.settleDeadline + 2 * HOUR);
    if (honest) honestLocks.add(lock.lockId);
    const sellAmount = BigInt(2 + Math.floor(rand() * 4)) * 10_000n * E6;
    auctionId = (await s.act("create-auction", {
      auctioneer: au, sellAsset: s.c.usdc, sellAmount: sellAmount.toString(), buyAsset: s.c.weth, mode: 2, reservePrice: "0",
      auctioneerLockId: lock.lockId.toString(), auctioneerMaxRateBps: 20, lp: pick(actors.lps), ...deadlines,
    })).auctionId;
    const selfBid = kind === KINDS[3];
    const payers = selfBid ? [pick(actors.badMms)] : honest ? [pick(actors.honestMms), pick(actors.badMms)] : [pick(actors.honestMms)];
    for (const payer of payers) {
      // 0.0005 WETH per USDC and a little more; a self-bid pays almost nothing
      const limitPrice = selfBid ? 10n ** 7n : (5n * E18 * PRICE_SCALE) / (10_000n * E6) + BigInt(Math.floor(rand() * 1000)) * 10n ** 20n;
      bids.push({ bidder: payer, amount: BigInt(1 + Math.floor(rand() * 2)) * 10_000n * E6, limitPrice, lockId: 0n, maxRateBps: 0 });
    }
  }
  const salted = bids.map((b, i) => ({ ...b, auctionId, salt: SafetyStack.label(`random ${SEED} ${n} ${i}`) }));
  for (const b of salted) await s.act("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(b) });
  return { auctionId, mode, kind, reveal: salted };
}

/** The six kinds in a seeded order, split into rounds. */
function shuffledKinds(): Kind[] {
  const k = [...KINDS];
  for (let i = k.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [k[i], k[j]] = [k[j]!, k[i]!];
  }
  return k;
}

describe(`randomized protocol-safety scenario (seed ${SEED}, ${ROUNDS} rounds x ${AUCTIONS_PER_ROUND} auctions)`, () => {
  beforeAll(async () => {
    s = await SafetyStack.start();
    const a = s.account;
    actors = { lps: [a.lp, a.lp2], honestMms: [], badMms: [], honestAuctioneer: a.auctioneer, badAuctioneer: a.attacker, squatter: a.attacker2 };
    for (const [i, lp] of actors.lps.entries()) {
      await s.mint(s.c.usdc, lp, 1_000_000n * E6);
      await s.approve(lp, s.c.usdc, s.c.registry);
      await s.send(lp, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 1_000_000n * E6]);
      await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10 + 5 * i, [{ asset: s.c.weth, minPrice: LP_MIN }]]);
      lpFloor.set(lp, await lpValue(lp));
    }
    for (let i = 0; i < 4; i++) {
      const mm = await s.marketMaker(100_000n * E6);
      await s.mint(s.c.weth, mm, 1_000n * E18);
      if (i % 2 === 0) {
        for (const token of [s.c.usdc, s.c.weth]) await s.send(a.deployer, mm, s.abi.borrower, "approveToken", [token, s.c.settlement, maxUint256]);
        actors.honestMms.push(mm);
      } else {
        await s.send(a.deployer, mm, s.abi.borrower, "setBehaviour", [1, "0x"]); // NoRepay, no approvals
        actors.badMms.push(mm);
      }
    }
    await s.mint(s.c.weth, actors.honestAuctioneer, 10_000n * E18);
    await s.approve(actors.honestAuctioneer, s.c.weth, s.c.escrow);
    await s.approve(actors.honestAuctioneer, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, actors.squatter, 1_000n);
    await s.approve(actors.squatter, s.c.weth, s.c.escrow);
    await check("setup");
  }, 300_000);

  afterAll(async () => {
    await s?.close();
  });

  it("keeps every invariant through random honest and dishonest rounds", async () => {
    const outcomes: string[] = [];
    const kinds = shuffledKinds();
    for (let round = 0; round < ROUNDS; round++) {
      const planned: Awaited<ReturnType<typeof randomAuction>>[] = [];
      // One set of deadlines per round (Away transactions move Away time, and Home follows it).
      const t0 = s.homeNow();
      const deadlines = { commitDeadline: t0 + 300, revealDeadline: t0 + 360, settleDeadline: t0 + HOUR };
      for (let i = 0; i < AUCTIONS_PER_ROUND; i++) planned.push(await randomAuction(round * 10 + i, kinds[round * AUCTIONS_PER_ROUND + i]!, deadlines));
      await s.advance(Math.max(0, deadlines.commitDeadline - s.homeNow()));
      for (const p of planned) {
        for (const b of p.reveal) {
          await s.act("reveal-bid", {
            auctionId: p.auctionId.toString(), bidder: b.bidder, amount: b.amount.toString(), limitPrice: b.limitPrice.toString(),
            lockId: b.lockId.toString(), maxRateBps: b.maxRateBps, salt: b.salt,
          });
        }
      }
      await s.advance(Math.max(0, deadlines.revealDeadline - s.homeNow()) + 1);
      for (const p of planned) await s.act("clear-auction", { auctionId: p.auctionId.toString() });
      await check(`round ${round} clearing`);

      // The guardian may pause across the deadlines; the relayer settles once unpaused.
      const pauseAcross = chance(0.5);
      if (pauseAcross) {
        await s.proveState();
        await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "pause", []);
        await s.advance(HOUR + 60);
        await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "unpause", []);
      }
      for (const p of planned) {
        // An early refund attempt by the auctioneer never succeeds inside the window.
        if (p.mode === 1) {
          const d = deposits.find((x) => x.auctionId === p.auctionId && x.depositor === actors.honestAuctioneer)!;
          const early = await s.call(actors.honestAuctioneer, s.c.escrow, s.abi.escrow, "refund", [p.auctionId, actors.honestAuctioneer, s.c.weth, d.amount]);
          expect(show(early), `seed ${SEED}: early refund of ${p.auctionId}`).toMatch(/^RefundNotAvailable\(/);
        }
        const r = await s.settle(p.auctionId);
        outcomes.push(`${p.auctionId} (${p.kind}): settle ${show(r).split("(")[0]}${pauseAcross ? " after a pause across the deadline" : ""}`);
        await check(`settle of auction ${p.auctionId}`);
      }
      // Past the (extended) deadlines: defaults for what is still open, then Home consumes every receipt.
      await s.advance(pauseAcross ? 2 * HOUR + 120 : HOUR + 60);
      for (const p of planned) {
        if ((await s.receiptWord(p.auctionId)) % 256n === 0n) {
          const d = await s.recordDefault(p.auctionId);
          expect(show(d), `seed ${SEED}: default of ${p.auctionId}`).toBe("ok");
        }
        const rc = await s.consumeReceipt(p.auctionId);
        outcomes.push(`${p.auctionId}: receipt outcome ${rc.outcome}, mask ${rc.settledMask}, blamed ${rc.auctioneerBlamed}, released [${rc.released}] slashed [${rc.slashed}]`);
        await check(`receipt of auction ${p.auctionId}`);
      }
    }
    console.log(`randomized scenario seed ${SEED}:\n  ${outcomes.join("\n  ")}`);
  }, 600_000);
});
