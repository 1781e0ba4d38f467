// Crash safety of the real relayer process (`olzk relay`) against the devnet, an EDR Away
// chain and the deployed contracts: kill -9 while the header proof is running, then kill -9
// while its transaction is pending in the mempool; after each restart the job resumes from
// the row (the recorded tx hash is found and waited for), and exactly one submitHeader
// transaction is ever sent. A final SIGTERM shuts the relayer down cleanly.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devnetGenesis, startDevnet, type RunningDevnet } from "../../home/devnet/index.ts";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import { deployAll } from "../../scripts/deploy.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { ensureContractsBuilt } from "./ensure-built.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const RELAYER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // hardhat #3
const relayerAddress = privateKeyToAccount(RELAYER_KEY).address;
const PRICE_SCALE = 10n ** 18n;
const bidder = (i: number) => `0x${(0x4000 + i).toString(16).padStart(40, "0")}` as Hex;

let rpc: EdrRpc;
let dn: RunningDevnet;
const dir = mkdtempSync(join(tmpdir(), "olzk-crash-"));
const children: ChildProcess[] = [];

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 180_000) => pollUntil(what, fn, { timeoutMs, everyMs: 50 });

function spawnRelayer(configFile: string, n: number): ChildProcess {
  const log = createWriteStream(join(dir, `relayer-${n}.log`));
  const child = spawn(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "bin/olzk.mjs"), "relay", "--config", configFile], {
    cwd: ROOT,
    env: { ...process.env, CRASH_RELAYER_KEY: RELAYER_KEY },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once("exit", (code) => r(code)));
}

beforeAll(async () => {
  await ensureContractsBuilt();
  rpc = await startEdrRpc();
  const { homeChainId, validatorSetRoot: genesisRoot } = devnetGenesis();
  const addresses = await deployAll(rpc.url, {
    homeChainId, genesisEpoch: 0n, genesisValidatorSetRoot: genesisRoot, testTokens: true, out: join(dir, "addresses.json"), rpcUrl: rpc.url,
  });
  dn = await startDevnet({
    dataDir: null, blockMs: 0, port: 0, awayRpc: rpc.url, awayChainId: 31337n,
    settlementAddress: addresses.settlement, escrowAddress: addresses.escrow, confirmations: 0,
  });
  // a cleared mode 2 auction in epoch 0: the relayer must prove one header, then the settlement
  const c = dn.chain;
  for (let i = 0; i < 2; i++) c.produceBlock();
  const now = () => Math.floor(c.nowMs() / 1000);
  const usdc = addresses.tokens!.USDC;
  const lock = await c.submit("lock", { owner: keccak256(toHex("crash owner")), borrower: bidder(0), creditAsset: usdc, collateral: "1300", expiry: now() + 86_400 });
  const created = await c.submit("create-auction", {
    auctioneer: bidder(0), sellAsset: usdc, sellAmount: "100", buyAsset: addresses.tokens!.WETH, mode: 2,
    auctioneerLockId: String(lock.result.lockId), auctioneerMaxRateBps: 30, reservePrice: (PRICE_SCALE / 2n).toString(), lp: bidder(2),
    commitDeadline: now() + 10, revealDeadline: now() + 20, settleDeadline: now() + 3600,
  });
  const auctionId = created.result.auctionId as bigint;
  const bid = { auctionId, bidder: bidder(1), amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex("c1")) as Hex };
  await c.submit("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(bid) });
  c.advanceTime(10);
  await c.submit("reveal-bid", { auctionId: auctionId.toString(), bidder: bid.bidder, amount: "100", limitPrice: bid.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: bid.salt });
  c.advanceTime(10);
  await c.submit("clear-auction", { auctionId: auctionId.toString() });
  c.produceBlock();
});

afterAll(async () => {
  for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill("SIGKILL");
  await dn?.close();
  await rpc?.close();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

describe("relayer crash and restart (kill -9)", () => {
  it("never submits the header twice across kills while proving and while the tx is pending", async () => {
    const height = dn.chain.latest.header.height;
    const key = `header:31337:${height}`;
    const dbFile = join(dir, "relayer.sqlite");
    const configFile = join(dir, "relayer.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        homeUrl: dn.url, dataDir: dir, database: dbFile, pollIntervalMs: 200, leaseMs: 3000, logLevel: "debug",
        away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "CRASH_RELAYER_KEY", confirmations: 1 }],
      }),
    );
    const store = new SqliteJobStore(dbFile);
    const job = () => store.get(key);
    const nonce = async () => Number(await rpc.request("eth_getTransactionCount", [relayerAddress, "latest"]));
    try {
      // 1. kill -9 while proving
      const first = spawnRelayer(configFile, 1);
      await until("the header proof to start", async () => (await job())?.state === "proving");
      first.kill("SIGKILL");
      await exited(first);
      expect((await job())?.state).toBe("proving");
      expect((await job())?.txHash).toBeNull();
      expect(await nonce()).toBe(0);

      // 2. kill -9 while the transaction is pending (blocks are not mined for now)
      await rpc.request("evm_setAutomine", [false]);
      const second = spawnRelayer(configFile, 2);
      const pending = await until("the header tx to be broadcast", async () => {
        const j = await job();
        return j?.state === "submitted" ? j : undefined;
      });
      second.kill("SIGKILL");
      await exited(second);
      const tx = await rpc.request("eth_getTransactionByHash", [pending.txHash]);
      expect(tx?.hash).toBe(pending.txHash); // in the mempool
      expect(await rpc.request("eth_getTransactionReceipt", [pending.txHash])).toBeNull();
      expect(pending.nonce).toBe(0);
      expect(pending.proof).not.toBeNull();

      // 3. restart; the pending tx gets mined; the relayer finds it by its recorded hash
      const third = spawnRelayer(configFile, 3);
      await new Promise((r) => setTimeout(r, 4000)); // lease of the killed worker runs out; the new one resumes
      await rpc.request("evm_setAutomine", [true]);
      await rpc.request("evm_mine", []);
      const done = await until("the header job to be confirmed", async () => {
        const j = await job();
        return j?.state === "confirmed" ? j : undefined;
      });
      expect(done.txHash).toBe(pending.txHash); // same transaction, not a second one
      expect(done.attempts).toBeGreaterThanOrEqual(3);
      // the settlement that follows reverts in simulation (the named LP has no offer, an LP-side cause retried
      // until the deadline): nothing more is sent
      await until("the settle job to be refused", async () => {
        const s = await store.get(`settle:31337:${dn.chain.auctions()[0]!.auctionId}`);
        return s?.causes.some((c) => c.name === "LpOfferMissing") || s?.state === "confirmed";
      });
      expect(await nonce()).toBe(1); // exactly one transaction from the relayer, ever

      // 4. SIGTERM: clean shutdown, exit code 0, no claim left behind
      third.kill("SIGTERM");
      expect(await exited(third)).toBe(0);
      expect((await store.list()).filter((j) => j.owner !== null)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 400_000);
});
