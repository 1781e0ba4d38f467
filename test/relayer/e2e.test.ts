// End-to-end relay loop with every real component: the Home devnet (HTTP API), a Hardhat EDR
// Away chain over HTTP, the deployed contracts (deploy script), the Groth16 prover (dev
// artifacts, proof cache) and the relayer service with its SQLite store. A mode 2 auction
// pair clears on Home three epochs in; the relayer rotates the light client epoch by epoch and
// proves both settlements meanwhile, each carrying the result's header (HeaderSettlement, sent as
// settleWithHeader once the last rotation is mined: no header job). The funded one (the named LP lends
// the sell asset, the winner pays) settles and its receipt releases the lockup on Home. The other
// names an LP without an offer, so settle reverts with LpOfferMissing (a permanent failure); after
// the deadline the relayer records the default and carries that receipt back to Home, which
// checks it with eth_getProof and releases the auctioneer's lockup: the failure was the LP side's,
// not the auctioneer's (DESIGN section 11 rule 2). An LP-side refusal can clear (the LP may fund
// an offer), so the settlement is retried until its deadline, then expires into the default.
// Epoch 0's blocks carry no aggregate signature (the devnet's aggregation switch is off), so its
// rotation is proved with the per-validator fallback circuit; every later header with the
// aggregated circuit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFunctionData, keccak256, toHex, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { resolveConfig } from "../../relayer/config.ts";
import { TOKEN_ABI } from "../../cli/generated/scenario-abi.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { createLogger } from "../../relayer/log.ts";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { fundMode2, startAwayStack, type Addresses } from "./away-chain.ts";
import type { EdrRpc } from "./edr-rpc.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const PRICE_SCALE = 10n ** 18n;
const OWNER = keccak256(toHex("e2e home owner"));
const bidder = (i: number) => `0x${(0x3000 + i).toString(16).padStart(40, "0")}` as Hex;
// unlocked hardhat accounts playing the funded auction's parties on Away
const LP = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65" as Address; // #4
const WINNER = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc" as Address; // #5
const AUCTIONEER = "0x976ea74026e726554db657fa54763abd0c3a0aa9" as Address; // #6

let rpc: EdrRpc;
let dn: RunningDevnet;
let relayer: Relayer | undefined;
let addresses: Addresses;
const dir = mkdtempSync(join(tmpdir(), "olzk-relay-e2e-"));

// The relayer's log (last lines) and job table go into the error of a wait that times out, so a
// failure in CI says where the relay loop stood.
const relayerLog: string[] = [];
const memoryLogger = createLogger({
  level: "debug",
  write: (line) => {
    relayerLog.push(line);
    if (relayerLog.length > 400) relayerLog.shift();
  },
});

async function diagnostics(): Promise<string> {
  const jobs = relayer ? (await relayer.store.list()).map((j) => `${j.key} ${j.state} attempts=${j.attempts} ${j.lastError ?? ""}`) : [];
  return `\njobs:\n${jobs.join("\n")}\nlast relayer log lines:\n${relayerLog.slice(-60).join("\n")}`;
}

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 240_000) => pollUntil(what, fn, { timeoutMs, everyMs: 200, diagnostics });

const balanceOf = async (token: Address, who: Address) =>
  BigInt(await rpc.request("eth_call", [{ to: token, data: encodeFunctionData({ abi: TOKEN_ABI, functionName: "balanceOf", args: [who] }) }, "latest"]));

/** Sealed-bid mode 2 auction on Home: the auctioneer's lockup backs borrowing the sell asset. */
async function mode2Auction(c: RunningDevnet["chain"], o: { auctioneer: Hex; winner: Hex; lp: Address; sell: Address; buy: Address; settleIn: number; salt: string }) {
  const now = () => Math.floor(c.nowMs() / 1000);
  const lock = await c.submit("lock", { owner: OWNER, borrower: o.auctioneer, creditAsset: o.sell, collateral: "1300", expiry: now() + 86_400 });
  const lockId = lock.result.lockId as bigint;
  const created = await c.submit("create-auction", {
    auctioneer: o.auctioneer, sellAsset: o.sell, sellAmount: "100", buyAsset: o.buy, mode: 2, auctioneerLockId: lockId.toString(),
    auctioneerMaxRateBps: 30, reservePrice: (PRICE_SCALE / 2n).toString(), lp: o.lp,
    commitDeadline: now() + 10, revealDeadline: now() + 20, settleDeadline: now() + o.settleIn,
  });
  const auctionId = created.result.auctionId as bigint;
  const bid = { auctionId, bidder: o.winner, amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex(o.salt)) as Hex };
  await c.submit("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(bid) });
  return { auctionId, lockId, bid };
}

beforeAll(async () => {
  ({ rpc, addresses, dn } = await startAwayStack(join(dir, "addresses.json")));
});

afterAll(async () => {
  await relayer?.close();
  await dn?.close();
  await rpc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("relay loop against the devnet, an EDR Away chain and the deployed contracts", () => {
  it("rotates, proves, settles the funded auction, fails the unfunded one, records its default and carries both receipts home", async () => {
    const c = dn.chain;
    const usdc = addresses.tokens!.USDC;
    const weth = addresses.tokens!.WETH;
    // Three epochs of blocks (10 per epoch): the light client must rotate 0 -> 1 -> 2 first.
    // Epoch 0 (heights 1..9) without aggregate signatures: its rotation needs the fallback.
    c.setAttestationControls({ aggregate: false });
    for (let i = 0; i < 9; i++) c.produceBlock();
    c.setAttestationControls({ aggregate: true });
    for (let i = 0; i < 12; i++) c.produceBlock();
    expect([c.block(9n)!.aggregate, c.block(19n)!.aggregate === null]).toEqual([null, false]);
    // the funded auction's Away side: an LP lends USDC at 10 bps against WETH, the winner pays WETH
    await fundMode2(rpc, addresses, { lp: LP, winner: WINNER, auctioneer: AUCTIONEER });
    // the unfunded auction names an LP with no offer: its settle reverts with LpOfferMissing
    const funded = await mode2Auction(c, { auctioneer: AUCTIONEER, winner: WINNER, lp: LP, sell: usdc, buy: weth, settleIn: 3600, salt: "f" });
    const unfunded = await mode2Auction(c, { auctioneer: bidder(0), winner: bidder(1), lp: bidder(2), sell: weth, buy: usdc, settleIn: 120, salt: "u" });
    const auctionId = unfunded.auctionId;
    const lockId = unfunded.lockId;
    c.advanceTime(10);
    for (const a of [funded, unfunded]) {
      const b = a.bid;
      await c.submit("reveal-bid", { auctionId: a.auctionId.toString(), bidder: b.bidder, amount: "100", limitPrice: b.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: b.salt });
    }
    c.advanceTime(10);
    for (const a of [funded, unfunded]) await c.submit("clear-auction", { auctionId: a.auctionId.toString() });
    const sealed = c.produceBlock();
    expect(sealed.header.epoch).toBe(2n);

    const config = resolveConfig(
      {
        homeUrl: dn.url, dataDir: join(dir, "relayer"), pollIntervalMs: 200, leaseMs: 30_000, metrics: { port: 0 }, logLevel: "warn", retry: { maxMs: 5_000 },
        away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "E2E_KEY", confirmations: 1 }],
      },
      { E2E_KEY: RELAYER_KEY },
    );
    const events: { at: number; e: any }[] = [];
    const sealedAt = Date.now();
    relayer = await startRelayer(config, { log: memoryLogger, onEvent: (e) => events.push({ at: Date.now(), e }) });
    const r = relayer;

    const settle = await until("the settle job to be refused", async () => {
      const j = await r.store.get(`settle:31337:${auctionId}`);
      return j && (j.causes.length > 0 || j.state === "confirmed") ? j : undefined;
    });
    expect(settle.state).not.toBe("confirmed");
    expect(settle.causes[0]).toMatchObject({ kind: "revert", name: "LpOfferMissing" });
    // rotations happened in order; the settlements carry the result's header, so no header job
    for (const k of ["rotation:31337:0", "rotation:31337:1"]) expect((await r.store.get(k))?.state, k).toBe("confirmed");
    expect((await r.store.list()).filter((j) => j.kind === "header")).toEqual([]);
    expect(settle).toMatchObject({ payload: { carryHeader: true }, proof: { withHeader: true } });
    // planned waiting for the rotation into epoch 2; repointed to nothing when the planner sees the
    // light client in epoch 2 before that rotation's job is recorded confirmed (a race of the two reads)
    expect([null, "rotation:31337:1"]).toContain(settle.dependsOn);
    const lc = r.lastViews().aways[0]!.lightClient;
    expect(lc.epoch).toBe(2n);
    // The per-validator fallback where Home made no aggregate, the aggregated circuit elsewhere.
    const kindOf = async (k: string) => ((await r.store.get(k))?.proof as { kind?: string } | null)?.kind;
    expect([await kindOf("rotation:31337:0"), await kindOf("rotation:31337:1")]).toEqual(["perValidator", "aggregated"]);

    // the funded auction settled on Away, and its receipt released the lockup on Home
    await until("the funded receipt to reach Home", async () => (await r.store.get(`receipt:31337:${funded.auctionId}`))?.state === "confirmed");
    expect((await r.store.get(`settle:31337:${funded.auctionId}`))?.state).toBe("confirmed");
    expect(await balanceOf(usdc, WINNER)).toBe(100n); // delivered the borrowed sell asset
    expect(c.auction(funded.auctionId)!.status).toBe("settled");
    expect(c.lockup(funded.lockId)!.payload.status).toBe(2); // released

    // past the deadline on the Away chain: the relayer records the default, then Home consumes the receipt
    await rpc.request("evm_increaseTime", [600]);
    await rpc.request("evm_mine", []);
    const expired = await until("the settle job to expire", async () => {
      const j = await r.store.get(`settle:31337:${auctionId}`);
      return j && (j.state === "expired" || j.state === "confirmed" || j.state === "failed") ? j : undefined;
    });
    expect(expired.state).toBe("expired");
    expect(expired.lastError).toMatch(/DeadlinePassed.*last failure: reverted: LpOfferMissing/);
    const def = await until("the default job", async () => {
      const j = await r.store.get(`default:31337:${auctionId}`);
      return j?.state === "confirmed" ? j : undefined;
    });
    expect(def.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    await until("Home to consume the receipt", async () => (await r.store.get(`receipt:31337:${auctionId}`))?.state === "confirmed");
    expect(c.auction(auctionId)!.status).toBe("defaulted");
    expect(c.lockup(lockId)!.payload.status).toBe(2); // released: not the auctioneer's failure

    // progress events: proofs, the settlement's gas, latency from the Home block to the mined settlement
    const settled = events.find((x) => x.e.type === "confirmed" && x.e.key === `settle:31337:${funded.auctionId}`)!;
    expect(settled.e.how).toBe("mined");
    expect(settled.e.gasUsed).toBeGreaterThan(0n);
    expect(settled.e.withHeader).toBe(true);
    expect(events.filter((x) => x.e.type === "proved").map((x) => x.e.kind).sort()).toEqual(["default", "rotation", "rotation", "settle", "settle"]);
    console.log(
      JSON.stringify({
        latencySeconds: (settled.at - sealedAt) / 1000,
        settleGas: String(settled.e.gasUsed),
        headerGas: events.filter((x) => x.e.type === "confirmed" && x.e.kind !== "settle" && x.e.gasUsed).map((x) => String(x.e.gasUsed)),
        proofSeconds: events.filter((x) => x.e.type === "proved").map((x) => `${x.e.kind}:${x.e.seconds.toFixed(1)}`),
      }),
    );

    const metrics = await (await fetch(`${r.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/olzk_relayer_proofs_total\{kind="rotation"\} 2/);
    expect(metrics).toMatch(/olzk_relayer_submissions_total\{chain="local",kind="default",outcome="mined"\} 1/);
    expect(metrics).toMatch(/olzk_relayer_jobs\{state="expired"\} 1/);
    expect(metrics).toMatch(/olzk_relayer_jobs\{state="failed"\} 0/);
    expect(metrics).toMatch(/olzk_relayer_retries_total\{kind="settle",cause="LpOfferMissing"\} [1-9]/);
    expect(metrics).toMatch(/olzk_relayer_submissions_total\{chain="local",kind="settle",outcome="mined"\} 1/);
    expect(metrics).toMatch(/olzk_relayer_proofs_total\{kind="settle"\} 2/);
    const health = await fetch(`${r.metricsUrl}/healthz`);
    expect(health.status).toBe(200);
    expect((await health.json()).ok).toBe(true);
  }, 600_000);
});
