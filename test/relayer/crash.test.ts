// Crash safety of the real relayer process (`olzk relay`) against the devnet, an EDR Away chain
// and the deployed contracts, on both ways a header reaches the light client:
//   - carried: a funded auction clears in the light client's epoch and its header is not on Away,
//     so the settle job carries it (one HeaderSettlement proof, one settleWithHeader transaction);
//   - standalone: Home made no aggregate signature for the auction's block, so the settle job
//     drops carryHeader and a header job proves the per-validator HeaderQuorum first;
//   - carried into the next epoch: the auction clears after Home ended the light client's epoch,
//     so the settle job carries its header and waits only for the rotation: it is proved while
//     the rotation is pending, and killed then, once proved, and with its own transaction pending.
// Each is killed with kill -9 while proving and again while its transaction is pending in the
// mempool; after each restart the job resumes from its row (the recorded tx hash is found and
// waited for) and the work finishes. Read back from the Away chain: each header is accepted once
// (one HeaderSubmitted), each auction settled once (one Settled), and the relayer's signer sent
// exactly the transactions named. A final SIGTERM shuts the relayer down cleanly.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { getAbiItem, toFunctionSelector, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIGHT_CLIENT_ABI, SETTLEMENT_ABI } from "../../relayer/away-viem.ts";
import type { Job } from "../../relayer/jobs.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { awayEvents, clearedMode2Auction, fundMode2, sentTxs, startAwayStack, type Addresses, type Mode2Parties } from "./away-chain.ts";
import type { EdrRpc } from "./edr-rpc.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const RELAYER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // hardhat #3
const relayerAddress = privateKeyToAccount(RELAYER_KEY).address;
const PARTIES: Mode2Parties = {
  lp: "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65" as Address, // #4
  winner: "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc" as Address, // #5
  auctioneer: "0x976ea74026e726554db657fa54763abd0c3a0aa9" as Address, // #6
};
const SELECTOR = {
  settleWithHeader: toFunctionSelector(getAbiItem({ abi: SETTLEMENT_ABI, name: "settleWithHeader" })),
  settle: toFunctionSelector(getAbiItem({ abi: SETTLEMENT_ABI, name: "settle" })),
  submitHeader: toFunctionSelector(getAbiItem({ abi: LIGHT_CLIENT_ABI, name: "submitHeader" })),
};

let rpc: EdrRpc;
let dn: RunningDevnet;
let addresses: Addresses;
let store: SqliteJobStore;
const dir = mkdtempSync(join(tmpdir(), "olzk-crash-"));
const dbFile = join(dir, "relayer.sqlite");
const configFile = join(dir, "relayer.json");
const children: ChildProcess[] = [];
let spawned = 0;

const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 180_000) => pollUntil(what, fn, { timeoutMs, everyMs: 50 });

function spawnRelayer(): ChildProcess {
  const log = createWriteStream(join(dir, `relayer-${++spawned}.log`));
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

async function kill9(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await exited(child);
}

const nonce = async () => Number(await rpc.request("eth_getTransactionCount", [relayerAddress, "latest"]));
const jobIn = (key: string, state: Job["state"]) => async () => {
  const j = await store.get(key);
  return j?.state === state ? j : undefined;
};

/**
 * Kill -9 the relayer while `key` is proving, then while its transaction is pending (blocks not
 * mined), restart it and mine: the job is confirmed with the transaction recorded before the
 * second kill. Returns that transaction's hash and the restarted relayer.
 */
async function killWhileProvingAndPending(key: string, txsBefore: number): Promise<{ txHash: Hex; relayer: ChildProcess }> {
  // 1. kill -9 while proving
  const first = spawnRelayer();
  await until(`${key} to start proving`, jobIn(key, "proving"));
  await kill9(first);
  expect((await store.get(key))?.state).toBe("proving");
  expect((await store.get(key))?.txHash).toBeNull();
  expect(await nonce()).toBe(txsBefore);

  // 2. kill -9 while the transaction is pending (blocks are not mined for now)
  await rpc.request("evm_setAutomine", [false]);
  const second = spawnRelayer();
  const pending = await until(`${key}'s tx to be broadcast`, jobIn(key, "submitted"));
  await kill9(second);
  const txHash = pending.txHash as Hex;
  expect((await rpc.request("eth_getTransactionByHash", [txHash]))?.hash).toBe(txHash); // in the mempool
  expect(await rpc.request("eth_getTransactionReceipt", [txHash])).toBeNull();
  expect(pending.nonce).toBe(txsBefore);
  expect(pending.proof).not.toBeNull();

  // 3. restart; the pending tx gets mined; the relayer finds it by its recorded hash
  const third = spawnRelayer();
  await new Promise((r) => setTimeout(r, 4000)); // lease of the killed worker runs out; the new one resumes
  await rpc.request("evm_setAutomine", [true]);
  await rpc.request("evm_mine", []);
  const done = await until(`${key} to be confirmed`, jobIn(key, "confirmed"));
  expect(done.txHash).toBe(txHash); // same transaction, not a second one
  expect(done.attempts).toBeGreaterThanOrEqual(3);
  return { txHash, relayer: third };
}

/** SIGTERM: clean shutdown, exit code 0, no claim left behind. */
async function stopCleanly(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  expect(await exited(child)).toBe(0);
  expect((await store.list()).filter((j) => j.owner !== null)).toEqual([]);
}

beforeAll(async () => {
  ({ rpc, addresses, dn } = await startAwayStack(join(dir, "addresses.json")));
  await fundMode2(rpc, addresses, PARTIES);
  writeFileSync(
    configFile,
    JSON.stringify({
      homeUrl: dn.url, dataDir: dir, database: dbFile, pollIntervalMs: 200, leaseMs: 3000, logLevel: "debug",
      away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "CRASH_RELAYER_KEY", confirmations: 1 }],
    }),
  );
  store = new SqliteJobStore(dbFile);
}, 600_000);

afterAll(async () => {
  for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill("SIGKILL");
  await store?.close();
  await dn?.close();
  await rpc?.close();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

describe("relayer crash and restart (kill -9)", () => {
  it("a settlement carrying its header: settleWithHeader is sent once across kills while proving and while the tx is pending", async () => {
    const c = dn.chain;
    const a = await clearedMode2Auction(c, addresses, PARTIES, "carried");
    expect(c.block(a.height)!.header.epoch).toBe(0n); // the light client's epoch, and it has no header yet
    expect(c.block(a.height)!.aggregate).toBeTruthy();
    const key = `settle:31337:${a.auctionId}`;

    const { txHash, relayer } = await killWhileProvingAndPending(key, 0);
    const done = (await store.get(key))!;
    expect(done.payload).toMatchObject({ carryHeader: true, minHeight: a.height });
    expect(done.proof).toMatchObject({ withHeader: true });
    expect((await store.list()).filter((j) => j.kind === "header" || j.kind === "rotation")).toEqual([]);

    // from the chain: one settleWithHeader from the relayer, which stored the header and settled
    expect(await sentTxs(rpc, relayerAddress)).toEqual([{ hash: txHash, to: addresses.settlement.toLowerCase(), selector: SELECTOR.settleWithHeader }]);
    expect(await awayEvents(rpc, addresses)).toEqual([
      { name: "HeaderSubmitted", height: a.height, txHash },
      { name: "Settled", auctionId: a.auctionId, height: a.height, txHash },
    ]);
    await until("the receipt to reach Home", async () => (await store.get(`receipt:31337:${a.auctionId}`))?.state === "confirmed");
    expect(c.auction(a.auctionId)!.status).toBe("settled");
    expect(await nonce()).toBe(1); // exactly one transaction from the relayer, ever

    await stopCleanly(relayer);
  }, 600_000);

  it("a standalone header job (Home made no aggregate signature): submitHeader is sent once across kills while proving and while the tx is pending", async () => {
    const c = dn.chain;
    c.setAttestationControls({ aggregate: false });
    let b;
    try {
      b = await clearedMode2Auction(c, addresses, PARTIES, "standalone");
    } finally {
      c.setAttestationControls({ aggregate: true });
    }
    expect(c.block(b.height)!.header.epoch).toBe(0n);
    expect(c.block(b.height)!.aggregate).toBeNull(); // no HeaderSettlement proof can be made: the settlement needs a header job
    const before = await awayEvents(rpc, addresses);
    const sentBefore = await sentTxs(rpc, relayerAddress);
    const key = `header:31337:${b.height}`;
    const settleKey = `settle:31337:${b.auctionId}`;

    const { txHash, relayer } = await killWhileProvingAndPending(key, sentBefore.length);
    const settle = (await store.get(settleKey))!;
    expect(settle.payload).toMatchObject({ carryHeader: false, minHeight: b.height });
    expect(settle.causes.map((x) => x.name)).toContain("NoAggregateSignature");

    // the settlement follows against the stored header, in a plain settle
    const settled = await until("the plain settlement to be confirmed", jobIn(settleKey, "confirmed"));
    expect(settled.proof).not.toMatchObject({ withHeader: true });
    const sent = await sentTxs(rpc, relayerAddress);
    expect(sent).toEqual([
      ...sentBefore,
      { hash: txHash, to: addresses.lightClient.toLowerCase(), selector: SELECTOR.submitHeader },
      { hash: settled.txHash, to: addresses.settlement.toLowerCase(), selector: SELECTOR.settle },
    ]);
    expect(await awayEvents(rpc, addresses)).toEqual([
      ...before,
      { name: "HeaderSubmitted", height: b.height, txHash },
      { name: "Settled", auctionId: b.auctionId, height: b.height, txHash: settled.txHash },
    ]);
    await until("the receipt to reach Home", async () => (await store.get(`receipt:31337:${b.auctionId}`))?.state === "confirmed");
    expect(c.auction(b.auctionId)!.status).toBe("settled");
    expect(await nonce()).toBe(sentBefore.length + 2);

    await stopCleanly(relayer);
  }, 600_000);

  it("a settlement carrying a header of the next epoch: the rotation and settleWithHeader are each sent once across kills while both are in flight", async () => {
    const c = dn.chain;
    while (c.latest.header.epoch === 0n) c.produceBlock(); // Home ends epoch 0; the light client has not rotated
    const rotationHeight = c.latest.header.height - 1n;
    const a = await clearedMode2Auction(c, addresses, PARTIES, "next epoch");
    expect(c.block(a.height)!.header.epoch).toBe(1n);
    const before = await awayEvents(rpc, addresses);
    const sentBefore = await sentTxs(rpc, relayerAddress);
    const headerJobs = async () => (await store.list()).filter((j) => j.kind === "header").map((j) => j.key);
    const headerJobsBefore = await headerJobs(); // the standalone test's
    const rotationKey = "rotation:31337:0";
    const key = `settle:31337:${a.auctionId}`;
    const both = (rotation: Job["state"], settle: Job["state"]) => async () => {
      const [r, s] = [await store.get(rotationKey), await store.get(key)];
      return r?.state === rotation && s?.state === settle ? { rotation: r, settle: s } : undefined;
    };

    // 1. kill -9 while the rotation's transaction is pending (blocks are not mined) and the settlement is proving
    await rpc.request("evm_setAutomine", [false]);
    const first = spawnRelayer();
    const inFlight = await until("the rotation pending and the settlement proving", both("submitted", "proving"));
    await kill9(first);
    const rotationTx = inFlight.rotation.txHash as Hex;
    expect(await rpc.request("eth_getTransactionReceipt", [rotationTx])).toBeNull();
    expect(inFlight.settle).toMatchObject({ dependsOn: rotationKey, payload: { carryHeader: true }, txHash: null });

    // 2. kill -9 once the settlement is proved, the rotation still pending: the proof waits for the rotation, not the other way round
    const second = spawnRelayer();
    await until("the settlement proved while the rotation is pending", both("submitted", "proved"));
    await kill9(second);
    expect(await rpc.request("eth_getTransactionReceipt", [rotationTx])).toBeNull();

    // 3. mine the rotation; kill -9 while the settleWithHeader is pending
    const third = spawnRelayer();
    await new Promise((r) => setTimeout(r, 1000));
    await rpc.request("evm_mine", []);
    const pending = await until(`${key}'s tx to be broadcast`, jobIn(key, "submitted"));
    await kill9(third);
    const txHash = pending.txHash as Hex;
    expect(await rpc.request("eth_getTransactionReceipt", [txHash])).toBeNull();
    expect(pending.proof).toMatchObject({ withHeader: true });

    // 4. restart and mine: the recorded transactions are found, nothing is sent twice
    const fourth = spawnRelayer();
    await new Promise((r) => setTimeout(r, 4000));
    await rpc.request("evm_setAutomine", [true]);
    await rpc.request("evm_mine", []);
    const done = await until(`${key} to be confirmed`, jobIn(key, "confirmed"));
    expect(done.txHash).toBe(txHash);
    const rotation = (await store.get(rotationKey))!;
    expect(rotation).toMatchObject({ state: "confirmed", txHash: rotationTx });
    expect(await headerJobs()).toEqual(headerJobsBefore); // no header job for the carried header

    // from the chain: the rotation and one settleWithHeader, each once
    expect(await sentTxs(rpc, relayerAddress)).toEqual([
      ...sentBefore,
      { hash: rotationTx, to: addresses.lightClient.toLowerCase(), selector: SELECTOR.submitHeader },
      { hash: txHash, to: addresses.settlement.toLowerCase(), selector: SELECTOR.settleWithHeader },
    ]);
    expect(await awayEvents(rpc, addresses)).toEqual([
      ...before,
      { name: "HeaderSubmitted", height: rotationHeight, txHash: rotationTx },
      { name: "HeaderSubmitted", height: a.height, txHash },
      { name: "Settled", auctionId: a.auctionId, height: a.height, txHash },
    ]);
    await until("the receipt to reach Home", async () => (await store.get(`receipt:31337:${a.auctionId}`))?.state === "confirmed");
    expect(c.auction(a.auctionId)!.status).toBe("settled");
    expect(await nonce()).toBe(sentBefore.length + 2);

    await stopCleanly(fourth);
  }, 600_000);
});
