// A bounded soak of the relayer on the real stack (the Home devnet's chain served over HTTP, EDR
// with the deployed contracts, real proofs): two `olzk relay` processes (a planner+worker and a
// worker, each with its own key and data dir) share one PostgreSQL queue and reach the Away chain
// through a proxy endpoint, while a seeded chaos loop kill -9s them at random (each comes back 1-3 s
// later with its stable worker id) and takes the proxy down (connections refused, a black hole,
// HTTP 503) for seconds at a time. Four rounds of six auctions clear on Home:
//   paid        x2  mode 2, the named LP funded, the winner pays              -> settled
//   lp-later        mode 2, the LP's capital too small until it deposits     -> settled (InsufficientCapital retried)
//   winner-later    mode 2, the winner approves the settlement only later     -> settled (PaymentFailed retried)
//   no-repay        mode 1, a borrower with a lockup that never repays       -> defaulted, its lockup slashed
//   never-pays      mode 2, a winner without funds                           -> defaulted, the auctioneer released
// Then the clocks move past the short deadlines. The verdict is counted from the chains, not from
// the relayer's database: the Away receipts and Settled/Defaulted events, every transaction the two
// relayer accounts ever mined (none reverted, no work done twice) and the Home lockups (slashed
// only where their owner failed).
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeEventLog, decodeFunctionData, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type DevnetServer } from "../../home/devnet/server.ts";
import { decodeReceiptWord } from "../../home/model/away-storage.ts";
import { LIGHT_CLIENT_ABI } from "../../relayer/away-viem.ts";
import { SETTLEMENT_EVENTS_ABI } from "../../relayer/generated/away-abi.ts";
import { rng } from "../home/risk/helpers.ts";
import { E18, E6, LIBRA, LOCK_RELEASED, LOCK_SLASHED, PRICE_SCALE, SafetyStack } from "../safety/stack.ts";
import type { Endpoint } from "./edr-rpc.ts";
import { startPostgres, type PgServer } from "./pg-server.ts";
import { relayCli, type Child } from "./relay-process.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const KEYS: Hex[] = [
  "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd", // hardhat #11
  "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0", // hardhat #12
];
const RELAYERS = KEYS.map((k) => privateKeyToAccount(k).address.toLowerCase());
const SEED = Number(process.env.OLZK_SOAK_SEED ?? 20261121);
const ROUNDS = 4;
const HOUR = 3600;
const SHORT = 150; // seconds to the deadline of the auctions that must default
const ETH_PER_USDC_0_001 = (E18 * PRICE_SCALE) / (1000n * E6);

type Kind = "paid" | "lp-later" | "winner-later" | "no-repay" | "never-pays";
interface Planned { id: bigint; kind: Kind; locks: { lockId: bigint; slashed: boolean }[] }

let s: SafetyStack;
let api: DevnetServer;
let pgs: PgServer;
let proxy: Endpoint;
const dir = mkdtempSync(join(tmpdir(), "olzk-soak-"));
const children: Child[] = [];

beforeAll(async () => {
  [s, pgs] = await Promise.all([SafetyStack.start(), startPostgres()]);
  api = await serve(s.home, "127.0.0.1", 0);
  proxy = await s.rpc.endpoint();
  writeFileSync(join(dir, "addresses.json"), JSON.stringify({ chainId: 31337, lightClient: s.c.lightClient, settlement: s.c.settlement }));
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await api?.close();
  await proxy?.close();
  await s?.close();
  pgs?.stop();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number) => pollUntil(what, fn, { timeoutMs, everyMs: 500 });

describe("relayer soak: kill -9, RPC outages and reverts", () => {
  it("settles or rightly defaults every auction, with no transaction twice and no wrongful slash, counted from the chains", async () => {
    const random = rng(SEED);
    const au = s.account.auctioneer;
    const [lp, lp2, w1, w3, none] = [s.account.lp, s.account.lp2, s.account.w1, s.account.w3, s.account.w2];
    // the Away side: LPs, winners, the auctioneer's payments, mode 1 escrow
    await s.mint(s.c.usdc, lp, 1_000_000n * E6);
    await s.approve(lp, s.c.usdc, s.c.registry);
    await s.send(lp, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 1_000_000n * E6]);
    await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, [{ asset: s.c.weth, minPrice: 1n }]]);
    await s.mint(s.c.usdc, lp2, 1_000_000n * E6);
    await s.approve(lp2, s.c.usdc, s.c.registry);
    await s.send(lp2, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 2n * E6]); // too little for any fill
    await s.send(lp2, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, [{ asset: s.c.weth, minPrice: 1n }]]);
    for (const w of [w1, w3, au]) await s.mint(s.c.weth, w, 100n * E18);
    for (const w of [w1, au]) await s.approve(w, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, 100n * E18);
    await s.approve(au, s.c.weth, s.c.escrow);

    // two relayer processes on one PostgreSQL queue, through the proxy
    const database = pgs.url;
    const spawn = (i: number, n: number): Child => {
      const cfg = {
        homeUrl: api.url, dataDir: join(dir, `relayer-${i}`), database, pollIntervalMs: 300, leaseMs: 30_000, logLevel: "info",
        retry: { baseMs: 300, maxMs: 3_000 }, prover: { cacheDir: join(dir, "proofs") },
        away: [{ name: "local", chainId: 31337, rpcUrl: proxy.url, rpcTimeoutMs: 2_000, addressesFile: join(dir, "addresses.json"), fees: { bumpAfterMs: 10_000 } }],
      };
      const file = join(dir, `relayer-${i}.json`);
      writeFileSync(file, JSON.stringify(cfg));
      const c = relayCli(["--config", file, "--role", i === 0 ? "all" : "worker"], { OLZK_AWAY_31337_SIGNER_KEY: KEYS[i]! });
      c.proc.stderr!.pipe(createWriteStream(join(dir, `relayer-${i}-${n}.log`)));
      children.push(c);
      return c;
    };
    const procs = [spawn(0, 0), spawn(1, 0)];
    const starts = [0, 0];

    // chaos: kill -9 and RPC outages at random until the auctions are done
    let chaos = true;
    const tally = { kills: 0, outages: 0 };
    const chaosLoop = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, 5_000 + random() * 7_000));
        if (!chaos) break;
        if (random() < 0.5) {
          const i = random() < 0.5 ? 0 : 1;
          procs[i]!.proc.kill("SIGKILL");
          await procs[i]!.exited;
          tally.kills++;
          await new Promise((r) => setTimeout(r, 1_000 + random() * 2_000));
          procs[i] = spawn(i, ++starts[i]!);
        } else {
          const fault = (["refuse", "hang", "503"] as const)[Math.floor(random() * 3)]!;
          await proxy.setFault(fault);
          tally.outages++;
          await new Promise((r) => setTimeout(r, 2_000 + random() * 3_000));
          await proxy.setFault("none");
        }
      }
    })();

    const planned: Planned[] = [];
    /** One round's auctions share their commit and reveal windows (Away blocks mined back to back run ahead of Home). */
    let t = 0;
    const advanceTo = async (at: number) => {
      await s.syncClocks();
      if (at > s.homeNow()) await s.advance(at - s.homeNow());
    };
    const mode2 = async (kind: Kind, namedLp: Address, winner: Address, settleIn: number) => {
      const lock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * 24 * HOUR);
      const id = (await s.act("create-auction", {
        auctioneer: au, sellAsset: s.c.usdc, sellAmount: (1_000n * E6).toString(), buyAsset: s.c.weth, mode: 2, reservePrice: "0",
        auctioneerLockId: lock.lockId.toString(), auctioneerMaxRateBps: 20, lp: namedLp,
        commitDeadline: t + 60, revealDeadline: t + 120, settleDeadline: t + settleIn,
      })).auctionId as bigint;
      planned.push({ id, kind, locks: [{ lockId: lock.lockId, slashed: false }] });
      return { id, bids: [{ bidder: winner, amount: 1_000n * E6, limitPrice: ETH_PER_USDC_0_001 }] };
    };
    const noRepay = async () => {
      const mm = await s.marketMaker(0n);
      await s.send(s.account.deployer, mm, s.abi.borrower, "setBehaviour", [1, "0x"]); // NoRepay
      const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * 24 * HOUR);
      const id = (await s.act("create-auction", {
        auctioneer: au, sellAsset: s.c.weth, sellAmount: E18.toString(), buyAsset: s.c.usdc, mode: 1, reservePrice: "0",
        commitDeadline: t + 60, revealDeadline: t + 120, settleDeadline: t + SHORT,
      })).auctionId as bigint;
      const refundNotBefore = BigInt(t + SHORT + 24 * HOUR);
      await s.send(au, s.c.escrow, s.abi.escrow, "deposit", [id, s.c.weth, E18, refundNotBefore]);
      await s.act("ack-escrow", { auctionId: id.toString(), refundNotBefore: refundNotBefore.toString() });
      planned.push({ id, kind: "no-repay", locks: [{ lockId: lock.lockId, slashed: true }] });
      return { id, bids: [{ bidder: mm, amount: E18, limitPrice: 1000n * E6, lockId: lock.lockId, maxRateBps: 15 }] };
    };

    try {
      for (let round = 0; round < ROUNDS; round++) {
        await s.syncClocks();
        t = s.homeNow();
        const batch = [
          await mode2("paid", lp, w1, HOUR),
          await mode2("paid", lp, w1, HOUR),
          await mode2("lp-later", lp2, w1, HOUR),
          await mode2("winner-later", lp, w3, HOUR),
          await noRepay(),
          await mode2("never-pays", lp, none, SHORT),
        ];
        // all bids of the round, then one clearing block
        const { bidCommitment } = await import("../../home/devnet/auctions-module.ts");
        const salted = batch.flatMap(({ id, bids }) => bids.map((b, i) => ({ lockId: 0n, maxRateBps: 0, ...b, auctionId: id, salt: SafetyStack.label(`soak ${id} ${i}`) })));
        for (const b of salted) await s.act("commit-bid", { auctionId: b.auctionId.toString(), commitment: bidCommitment(b) });
        await advanceTo(t + 61);
        for (const b of salted) {
          await s.act("reveal-bid", {
            auctionId: b.auctionId.toString(), bidder: b.bidder, amount: b.amount.toString(), limitPrice: b.limitPrice.toString(),
            lockId: b.lockId.toString(), maxRateBps: b.maxRateBps, salt: b.salt,
          });
        }
        await advanceTo(t + 121);
        for (const { id } of batch) await s.act("clear-auction", { auctionId: id.toString() });
        s.home.produceBlock();
        await new Promise((r) => setTimeout(r, 12_000));
      }
      // the transient failures clear: the small LP deposits, the late winner approves
      await new Promise((r) => setTimeout(r, 10_000));
      await s.send(lp2, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 100_000n * E6]);
      await s.approve(w3, s.c.weth, s.c.settlement);
      const byKind = (k: Kind) => planned.filter((p) => p.kind === k);
      const settledKinds = planned.filter((p) => p.kind === "paid" || p.kind === "lp-later" || p.kind === "winner-later");
      await until("every settling auction settled and consumed on Home", async () => settledKinds.every((p) => s.home.auction(p.id)?.status === "settled"), 420_000);
      // time passes: the short deadlines end
      await s.advance(SHORT + 60);
      await until("every failing auction defaulted and consumed on Home", async () => [...byKind("no-repay"), ...byKind("never-pays")].every((p) => s.home.auction(p.id)?.status === "defaulted"), 300_000);
    } finally {
      chaos = false;
      await chaosLoop;
      await proxy.setFault("none");
    }
    for (const c of procs) c.proc.kill("SIGTERM");
    await Promise.all(procs.map((c) => c.exited));

    // ---- the verdict, from the chains
    expect(planned).toHaveLength(ROUNDS * 6);
    expect(tally.kills).toBeGreaterThanOrEqual(3);
    expect(tally.outages).toBeGreaterThanOrEqual(3);
    const events = SETTLEMENT_EVENTS_ABI.filter((e) => e.name === "Settled" || e.name === "Defaulted");
    const logs = await s.pub.getLogs({ address: s.c.settlement, events, fromBlock: 0n, toBlock: "latest" });
    const count = new Map<string, number>();
    for (const l of logs) {
      const e = decodeEventLog({ abi: events, data: l.data, topics: l.topics });
      const k = `${e.eventName}:${e.args.auctionId}`;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    for (const p of planned) {
      const word = decodeReceiptWord(await s.receiptWord(p.id));
      const settles = p.kind === "paid" || p.kind === "lp-later" || p.kind === "winner-later";
      expect({ id: p.id, kind: p.kind, outcome: word.outcome }).toEqual({ id: p.id, kind: p.kind, outcome: settles ? 1 : 2 });
      expect(count.get(`Settled:${p.id}`) ?? 0, `Settled events of ${p.id}`).toBe(settles ? 1 : 0);
      expect(count.get(`Defaulted:${p.id}`) ?? 0, `Defaulted events of ${p.id}`).toBe(settles ? 0 : 1);
      expect(s.home.auction(p.id)!.status).toBe(settles ? "settled" : "defaulted");
      for (const l of p.locks) expect({ id: p.id, kind: p.kind, lock: s.lockStatus(l.lockId) }).toEqual({ id: p.id, kind: p.kind, lock: l.slashed ? LOCK_SLASHED : LOCK_RELEASED });
    }
    // every transaction the relayer accounts mined: none reverted, no unit of work twice
    const stAbi = s.abi.settlement;
    const work = new Map<string, string[]>();
    let mined = 0;
    const latest = await s.pub.getBlockNumber();
    for (let b = 0n; b <= latest; b++) {
      const block = await s.pub.getBlock({ blockNumber: b, includeTransactions: true });
      for (const tx of block.transactions) {
        if (!RELAYERS.includes(tx.from.toLowerCase())) continue;
        mined++;
        const r = await s.pub.getTransactionReceipt({ hash: tx.hash });
        expect(r.status, `relayer tx ${tx.hash} reverted`).toBe("success");
        let unit: string;
        if (tx.to?.toLowerCase() === s.c.lightClient.toLowerCase()) {
          const d = decodeFunctionData({ abi: LIGHT_CLIENT_ABI, data: tx.input });
          if (d.functionName !== "submitHeader") throw new Error(`relayer tx ${tx.hash} called ${d.functionName} on the light client`);
          unit = `header:${d.args[2].join(",")}`; // the same public inputs: the same header, whichever proof kind
        } else {
          const d = decodeFunctionData({ abi: stAbi, data: tx.input });
          unit = `${d.functionName}:${(d.args![2] as { auctionId: bigint }).auctionId}`;
        }
        work.set(unit, [...(work.get(unit) ?? []), tx.hash]);
      }
    }
    const twice = [...work].filter(([, hashes]) => hashes.length > 1);
    expect(twice).toEqual([]);
    expect(mined).toBeGreaterThanOrEqual(ROUNDS * 6);
    console.log(JSON.stringify({ seed: SEED, auctions: planned.length, kills: tally.kills, outages: tally.outages, relayerTransactions: mined }));
  }, 1_200_000);
});
