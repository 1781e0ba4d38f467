// Recovery without hands (issue 9), on the real stack: the Home devnet's chain with its own rules
// served over its HTTP API, Hardhat's EDR as the Away chain with the deployed contracts, real
// Groth16 proofs, and the relayer service (in process, then as `olzk relay` for kill -9):
//   - a mode-1 winner whose loan finds no liquidity (no LP offers it, and it cannot pay from its
//     own funds: PaymentFailed) is retried; an LP funds an offer before the deadline, the next
//     attempt settles, and Home releases the winner's lockup (before: the job failed for good and
//     a default slashed it);
//   - a guardian pause (the settlement carrying its header refused with ClientPaused) past the auction's raw
//     deadline, then the unpause: the relayer settles inside the pause-extended window it reads
//     from the chain, and no row needed editing (before: the pause wedged the relayer);
//   - an Away outage turns /healthz red with the reason, and green again;
//   - kill -9 of `olzk relay` while it proves: the restarted process has the same worker id and
//     takes its claim back at once instead of waiting for the lease (60 s here).
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeAbiParameters, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type DevnetServer } from "../../home/devnet/server.ts";
import { decodeReceiptWord } from "../../home/model/away-storage.ts";
import { resolveConfig } from "../../relayer/config.ts";
import type { JobEvent } from "../../relayer/executor.ts";
import { createLogger } from "../../relayer/log.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import { loadArtifact } from "../../contracts/deploy/artifacts.ts";
import { E18, E6, LIBRA, LOCK_RELEASED, PRICE_SCALE, SafetyStack } from "../safety/stack.ts";
import { relayCli, type Child } from "./relay-process.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const RELAYER_KEY: Hex = "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"; // hardhat #10: the stack's "relayer" role
const HOUR = 3600;
const USDC_PER_ETH_1000 = 1000n * E6;

let s: SafetyStack;
let api: DevnetServer;
let relayer: Relayer | undefined;
const dir = mkdtempSync(join(tmpdir(), "olzk-recovery-"));
const events: JobEvent[] = [];
const logLines: string[] = [];
const children: Child[] = [];

function relayerConfig(dataDir: string, extra: Record<string, unknown> = {}) {
  return {
    homeUrl: api.url, dataDir, pollIntervalMs: 200, metrics: { port: 0 }, logLevel: "debug",
    retry: { baseMs: 200, maxMs: 1_500 }, health: { checkIntervalMs: 250 }, prover: { cacheDir: join(dir, "proofs") },
    away: [{ name: "local", chainId: 31337, rpcUrl: s.rpc.url, rpcTimeoutMs: 2_000, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "RECOVERY_KEY" }],
    ...extra,
  };
}

async function diagnostics(): Promise<string> {
  const jobs = relayer ? (await relayer.store.list()).map((j) => `${j.key} ${j.state} attempts=${j.attempts} ${j.lastError ?? ""}`) : [];
  return `\njobs:\n${jobs.join("\n")}\nlast log lines:\n${logLines.slice(-40).join("\n")}`;
}

const until = <T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 240_000) => pollUntil(what, fn, { timeoutMs, everyMs: 100, diagnostics });

/** Commit, reveal, clear an auction on Home and seal the block with its result (Away clock follows Home). */
async function clearAuction(body: Record<string, unknown>, bids: Parameters<SafetyStack["runBids"]>[1], escrow?: bigint): Promise<bigint> {
  // the phases are counted from the clocks runBids advances: Away blocks mined back to back run
  // ahead of Home, and runBids first brings Home up to Away, so start from there
  await s.syncClocks();
  const t = s.homeNow();
  const id = (await s.act("create-auction", { reservePrice: "0", commitDeadline: t + 10, revealDeadline: t + 20, ...body })).auctionId as bigint;
  if (escrow !== undefined) {
    const refundNotBefore = s.home.auction(id)!.settleDeadline + BigInt(24 * HOUR);
    await s.mint(s.c.weth, s.account.auctioneer, escrow);
    await s.approve(s.account.auctioneer, s.c.weth, s.c.escrow);
    await s.send(s.account.auctioneer, s.c.escrow, s.abi.escrow, "deposit", [id, s.c.weth, escrow, refundNotBefore]);
    await s.act("ack-escrow", { auctionId: id.toString(), refundNotBefore: refundNotBefore.toString() });
  }
  await s.runBids(id, bids, { commitIn: 10, revealIn: 21 });
  s.home.produceBlock();
  return id;
}

const receipt = async (id: bigint) => decodeReceiptWord(await s.receiptWord(id));

beforeAll(async () => {
  s = await SafetyStack.start();
  api = await serve(s.home, "127.0.0.1", 0);
  writeFileSync(join(dir, "addresses.json"), JSON.stringify({ chainId: 31337, lightClient: s.c.lightClient, settlement: s.c.settlement }));
  const config = resolveConfig(relayerConfig(join(dir, "relayer")), { RECOVERY_KEY: RELAYER_KEY });
  relayer = await startRelayer(config, {
    log: createLogger({ level: "debug", write: (l) => (logLines.push(l), logLines.length > 2000 && logLines.shift()) }),
    onEvent: (e) => e.type !== "planned" && events.push(e),
  });
});

afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await relayer?.close();
  await api?.close();
  await s?.close();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

describe("relayer recovery on the real stack", () => {
  it("retries a winner's loan that finds no liquidity; an LP funds it before the deadline, it settles, and nobody is slashed", async () => {
    // the market maker sells the won WETH on a swap desk inside its callback; it holds no USDC of its own
    const desk = await s.deploy(s.account.deployer, "test/TestSwap.sol", "TestSwap", []);
    await s.send(s.account.deployer, desk, loadArtifact("test/TestSwap.sol", "TestSwap").abi, "setPrice", [s.c.weth, s.c.usdc, USDC_PER_ETH_1000 * 2n]);
    await s.mint(s.c.usdc, desk, 10_000n * E6);
    const mm = await s.marketMaker(0n);
    await s.send(s.account.deployer, mm, s.abi.borrower, "setBehaviour", [4, encodeAbiParameters([{ type: "address" }, { type: "address" }, { type: "uint256" }], [desk, s.c.weth, E18])]);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * 24 * HOUR);
    const id = await clearAuction(
      { auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18.toString(), buyAsset: s.c.usdc, mode: 1, settleDeadline: s.homeNow() + HOUR },
      [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }],
      E18,
    );
    const key = `settle:31337:${id}`;
    // no LP offers the loan and the winner cannot pay itself: refused, retried
    const refused = await until("the settlement to be refused for lack of liquidity", async () => {
      const j = await relayer!.store.get(key);
      return j && j.causes.filter((c) => c.name === "PaymentFailed").length >= 2 && j;
    });
    expect(refused.state).toBe("proved"); // the proof is kept for the retries
    expect(await receipt(id).catch(() => null)).toMatchObject({ outcome: 0 });
    expect(logLines.some((l) => l.includes('"msg":"job attempt failed; will retry"') && l.includes('"cause":"PaymentFailed"'))).toBe(true);

    // an LP arrives before the deadline
    const lp = s.account.lp;
    await s.mint(s.c.usdc, lp, 5_000n * E6);
    await s.approve(lp, s.c.usdc, s.c.registry);
    await s.send(lp, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 5_000n * E6]);
    await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, []]);
    await until("Home to consume the receipt", async () => (await relayer!.store.get(`receipt:31337:${id}`))?.state === "confirmed");
    const done = (await relayer!.store.get(key))!;
    expect(done.state).toBe("confirmed");
    expect(await receipt(id)).toMatchObject({ outcome: 1, settledMask: 1n });
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_RELEASED); // not slashed
    expect(await s.capital(lp, s.c.usdc)).toBe(5_000n * E6 + 1n * E6); // lent 1,000 USDC and was repaid 1,001
    expect(await s.balance(s.c.usdc, s.account.auctioneer)).toBe(1_000n * E6);
    expect(await relayer!.store.get(`default:31337:${id}`)).toBeUndefined();
    const m = await (await fetch(`${relayer!.metricsUrl}/metrics`)).text();
    expect(m).toMatch(/olzk_relayer_retries_total\{kind="settle",cause="PaymentFailed"\} (?:[2-9]|[1-9]\d+)\n/);
    expect(m).toMatch(/olzk_relayer_settlement_latency_seconds_count\{chain="local"\} 1\n/);
  }, 400_000);

  it("a guardian pause past the raw deadline, then the unpause: the relayer settles inside the extended window on its own", async () => {
    const lp = s.account.lp;
    const au = s.account.auctioneer;
    const alock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * 24 * HOUR);
    await s.mint(s.c.weth, s.account.w1, E18);
    await s.approve(s.account.w1, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, E18);
    await s.approve(au, s.c.weth, s.c.settlement);
    await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, [{ asset: s.c.weth, minPrice: 1n }]]);
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "pause", []);
    const id = await clearAuction(
      {
        auctioneer: au, sellAsset: s.c.usdc, sellAmount: (1_000n * E6).toString(), buyAsset: s.c.weth, mode: 2,
        auctioneerLockId: alock.lockId.toString(), auctioneerMaxRateBps: 20, lp, settleDeadline: s.homeNow() + 120,
      },
      [{ bidder: s.account.w1, amount: 1_000n * E6, limitPrice: (E18 * PRICE_SCALE) / (1000n * E6) }],
    );
    // the settle job carries the header not yet on Away (settleWithHeader): that one transaction is refused
    const paused = await until("the settlement with its header to be refused with ClientPaused", async () => {
      const j = await relayer!.store.get(`settle:31337:${id}`);
      return j && j.causes.some((c) => c.name === "ClientPaused") && j;
    });
    expect(paused.state).not.toBe("failed");
    expect(paused.payload).toMatchObject({ carryHeader: true });
    // the pause outlasts the auction's raw deadline (Away and Home clocks move together)
    await s.advance(600);
    expect(await s.awayNow()).toBeGreaterThan(s.home.auction(id)!.settleDeadline);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await relayer!.store.get(`default:31337:${id}`)).toBeUndefined();
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "unpause", []);
    await until("Home to consume the receipt", async () => (await relayer!.store.get(`receipt:31337:${id}`))?.state === "confirmed");
    expect(await receipt(id)).toMatchObject({ outcome: 1, settledMask: 1n });
    expect(s.lockStatus(alock.lockId)).toBe(LOCK_RELEASED);
    expect((await relayer!.store.list({ states: ["failed", "expired"] })).map((j) => j.key)).toEqual([]);
    expect(await relayer!.store.get(`default:31337:${id}`)).toBeUndefined();
  }, 400_000);

  it("an Away outage turns /healthz red with the reason, and green again", async () => {
    const health = async () => {
      const r = await fetch(`${relayer!.metricsUrl}/healthz`);
      return { status: r.status, body: (await r.json()) as { ok: boolean; reasons: string[]; components: Record<string, { ok: boolean }> } };
    };
    await until("healthz to be green", async () => (await health()).status === 200, 30_000);
    await s.rpc.setFault("refuse");
    try {
      const red = await until("healthz to turn red", async () => {
        const h = await health();
        return h.status === 503 && h;
      }, 30_000);
      expect(red.body.ok).toBe(false);
      expect(red.body.components["away:local"]!.ok).toBe(false);
      expect(red.body.reasons.join("\n")).toMatch(/^away:local: unreachable: /m);
      expect(red.body.components.store!.ok).toBe(true);
      expect(await (await fetch(`${relayer!.metricsUrl}/metrics`)).text()).toMatch(/olzk_relayer_up\{component="away:local"\} 0/);
    } finally {
      await s.rpc.setFault("none");
    }
    const green = await until("healthz to turn green", async () => {
      const h = await health();
      return h.status === 200 && h;
    }, 30_000);
    expect(green.body.reasons).toEqual([]);
    expect(await (await fetch(`${relayer!.metricsUrl}/metrics`)).text()).toMatch(/olzk_relayer_signer_balance_wei\{chain="local"\} [1-9]/);
    await relayer!.close();
    relayer = undefined;
  }, 120_000);

  it("kill -9 while proving: the restarted process resumes its claim at once, not after the 60 s lease", async () => {
    const au = s.account.auctioneer;
    const alock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * 24 * HOUR);
    await s.mint(s.c.weth, s.account.w2, E18);
    await s.approve(s.account.w2, s.c.weth, s.c.settlement);
    const id = await clearAuction(
      {
        auctioneer: au, sellAsset: s.c.usdc, sellAmount: (1_000n * E6).toString(), buyAsset: s.c.weth, mode: 2,
        auctioneerLockId: alock.lockId.toString(), auctioneerMaxRateBps: 20, lp: s.account.lp, settleDeadline: s.homeNow() + HOUR,
      },
      [{ bidder: s.account.w2, amount: 1_000n * E6, limitPrice: (E18 * PRICE_SCALE) / (1000n * E6) }],
    );
    const data = join(dir, "process");
    const file = join(dir, "process.json");
    const cfg = relayerConfig(data, { leaseMs: 60_000, metrics: undefined, logLevel: "info" });
    writeFileSync(file, JSON.stringify(cfg));
    const spawnOne = (n: number) => {
      const c = relayCli(["--config", file], { RECOVERY_KEY: RELAYER_KEY });
      c.proc.stdout!.pipe(createWriteStream(join(dir, `process-${n}.log`)));
      children.push(c);
      return c;
    };
    const store = new SqliteJobStore(join(data, "relayer.sqlite"));
    try {
      const first = spawnOne(1);
      const proving = await until("a proof under way", async () => (await store.list({ states: ["proving"] }))[0], 120_000);
      first.proc.kill("SIGKILL");
      await first.exited;
      const held = (await store.get(proving.key))!;
      expect(held.owner).toMatch(/\/prove#0$/);
      expect(held.leaseUntil! - Date.now()).toBeGreaterThan(40_000); // its lease would hold the job for most of a minute
      const workerId = readFileSync(join(data, "worker-id"), "utf8").trim();
      expect(held.owner).toBe(`${workerId}/prove#0`);

      const restartAt = Date.now();
      const second = spawnOne(2);
      const resumed = await until("the restart to take the claim back", async () => {
        const j = await store.get(proving.key);
        return j && (j.attempts > held.attempts || j.state === "confirmed") && j;
      }, 30_000);
      expect(Date.now() - restartAt).toBeLessThan(20_000);
      expect(second.output()).toContain('"msg":"resuming the jobs this worker held before it stopped"');
      expect(resumed.owner === null || resumed.owner.startsWith(`${workerId}/`)).toBe(true); // the same worker id after the restart
      await until("the auction settled", async () => (await receipt(id)).outcome === 1, 240_000);
      second.proc.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await store.close();
    }
  }, 400_000);
});
