// End-to-end relay loop with every real component: the Home devnet (HTTP API), a Hardhat EDR
// Away chain over HTTP, the deployed contracts (deploy script), the Groth16 prover (dev
// artifacts, proof cache) and the relayer service with its SQLite store. A mode 2 auction
// clears on Home three epochs in; the relayer rotates the light client epoch by epoch, proves
// the header and the settlement, and submits it. Nobody lends on Away, so settle reverts with
// NoLiquidity (a permanent failure); after the deadline the relayer records the default, then
// carries the receipt back to Home, which checks it with eth_getProof and slashes the lockup.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toHex, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevnet, type RunningDevnet } from "../../home/devnet/index.ts";
import { DevnetChain } from "../../home/devnet/chain.ts";
import { resolveConfig as resolveDevnetConfig } from "../../home/devnet/config.ts";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { validatorSetRoot } from "../../home/model/index.ts";
import { resolveConfig } from "../../relayer/config.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { silentLogger } from "../../relayer/log.ts";
import { deployAll } from "../../scripts/deploy.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";

const RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const PRICE_SCALE = 10n ** 18n;
const OWNER = keccak256(toHex("e2e home owner"));
const bidder = (i: number) => `0x${(0x3000 + i).toString(16).padStart(40, "0")}` as Hex;

let rpc: EdrRpc;
let dn: RunningDevnet;
let relayer: Relayer | undefined;
let addresses: Awaited<ReturnType<typeof deployAll>>;
const dir = mkdtempSync(join(tmpdir(), "olzk-relay-e2e-"));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 240_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  rpc = await startEdrRpc();
  // The devnet's validator sets are deterministic from its seed: read the genesis root first.
  const probe = DevnetChain.open(resolveDevnetConfig({ dataDir: null, blockMs: 0, port: 0 }));
  const genesisRoot = validatorSetRoot(probe.validatorSet(0n)!);
  const homeChainId = probe.config.homeChainId;
  probe.close();
  addresses = await deployAll(rpc.url, {
    homeChainId, genesisEpoch: 0n, genesisValidatorSetRoot: genesisRoot, testTokens: true, out: join(dir, "addresses.json"), rpcUrl: rpc.url,
  });
  dn = await startDevnet({
    dataDir: null, blockMs: 0, port: 0, awayRpc: rpc.url, awayChainId: 31337n,
    settlementAddress: addresses.settlement, escrowAddress: addresses.escrow, confirmations: 0,
  });
});

afterAll(async () => {
  await relayer?.close();
  await dn?.close();
  await rpc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("relay loop against the devnet, an EDR Away chain and the deployed contracts", () => {
  it("rotates, proves, fails the unfunded settlement, records the default and carries the receipt home", async () => {
    const c = dn.chain;
    const usdc = addresses.tokens!.USDC;
    const weth = addresses.tokens!.WETH;
    // Three epochs of blocks (10 per epoch): the light client must rotate 0 -> 1 -> 2 first.
    for (let i = 0; i < 21; i++) c.produceBlock();
    const now = () => Math.floor(c.nowMs() / 1000);
    const lock = await c.submit("lock", { owner: OWNER, borrower: bidder(0), creditAsset: usdc, collateral: "1300", expiry: now() + 86_400 });
    const lockId = lock.result.lockId as bigint;
    const created = await c.submit("create-auction", {
      auctioneer: bidder(0), sellAsset: usdc, sellAmount: "100", buyAsset: weth, mode: 2, auctioneerLockId: lockId.toString(),
      auctioneerMaxRateBps: 30, reservePrice: (PRICE_SCALE / 2n).toString(),
      commitDeadline: now() + 10, revealDeadline: now() + 20, settleDeadline: now() + 120,
    });
    const auctionId = created.result.auctionId as bigint;
    const bid = { auctionId, bidder: bidder(1), amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex("s1")) as Hex };
    await c.submit("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(bid) });
    c.advanceTime(10);
    await c.submit("reveal-bid", { auctionId: auctionId.toString(), bidder: bid.bidder, amount: "100", limitPrice: bid.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: bid.salt });
    c.advanceTime(10);
    await c.submit("clear-auction", { auctionId: auctionId.toString() });
    const sealed = c.produceBlock();
    expect(sealed.header.epoch).toBe(2n);

    const config = resolveConfig(
      {
        homeUrl: dn.url, dataDir: join(dir, "relayer"), pollIntervalMs: 200, leaseMs: 30_000, metrics: { port: 0 }, logLevel: "warn",
        away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "E2E_KEY", confirmations: 1 }],
      },
      { E2E_KEY: RELAYER_KEY },
    );
    relayer = await startRelayer(config, { log: silentLogger });
    const r = relayer;

    const settle = await until("the settle job to finish", async () => {
      const j = await r.store.get(`settle:31337:${auctionId}`);
      return j && (j.state === "failed" || j.state === "confirmed") ? j : undefined;
    });
    expect(settle.state).toBe("failed");
    expect(settle.lastError).toMatch(/NoLiquidity/);
    // rotations happened in order, then the header at the result's height
    for (const k of ["rotation:31337:0", "rotation:31337:1", `header:31337:${sealed.header.height}`]) {
      expect((await r.store.get(k))?.state, k).toBe("confirmed");
    }
    const lc = r.lastViews().aways[0]!.lightClient;
    expect(lc.epoch).toBe(2n);

    // past the deadline on the Away chain: the relayer records the default, then Home consumes the receipt
    await rpc.request("evm_increaseTime", [600]);
    await rpc.request("evm_mine", []);
    const def = await until("the default job", async () => {
      const j = await r.store.get(`default:31337:${auctionId}`);
      return j?.state === "confirmed" ? j : undefined;
    });
    expect(def.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    await until("Home to consume the receipt", async () => (await r.store.get(`receipt:31337:${auctionId}`))?.state === "confirmed");
    expect(c.auction(auctionId)!.status).toBe("defaulted");
    expect(c.lockup(lockId)!.payload.status).toBe(3); // slashed

    const metrics = await (await fetch(`${r.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/olzk_relayer_proofs_total\{kind="rotation"\} 2/);
    expect(metrics).toMatch(/olzk_relayer_submissions_total\{chain="local",kind="default",outcome="mined"\} 1/);
    expect(metrics).toMatch(/olzk_relayer_jobs\{state="failed"\} 1/);
    const health = await fetch(`${r.metricsUrl}/healthz`);
    expect(health.status).toBe(200);
    expect((await health.json()).ok).toBe(true);
  });
});
