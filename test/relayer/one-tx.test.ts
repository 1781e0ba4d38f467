// One transaction per settlement, on the real stack (the Home devnet, an EDR Away chain, the
// deployed contracts with their HeaderSettlement verifier, real Groth16 proofs, the relayer with
// its SQLite store). A funded mode 2 auction clears in epoch 0 while the light client has no
// header yet: the relayer plans no header job, proves one HeaderSettlement and calls
// AtomicSettlement.settleWithHeader, whose receipt carries both the light client's HeaderSubmitted
// and the settlement's Settled; its signer never sends submitHeader. A second auction clears at a
// height whose header someone else already stored: the relayer takes the usual path (a plain
// settle, no header in it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeEventLog, encodeFunctionData, keccak256, parseAbi, toFunctionSelector, toHex, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevnet, type RunningDevnet } from "../../home/devnet/index.ts";
import { DevnetChain } from "../../home/devnet/chain.ts";
import { resolveConfig as resolveDevnetConfig } from "../../home/devnet/config.ts";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { validatorSetRoot } from "../../home/model/index.ts";
import { proveHeader } from "../../prover/prover.ts";
import { HEADER_PROOF_KIND, LIGHT_CLIENT_ABI } from "../../relayer/away-viem.ts";
import { resolveConfig } from "../../relayer/config.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { createLogger } from "../../relayer/log.ts";
import { deployAll } from "../../scripts/deploy.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { ensureContractsBuilt } from "./ensure-built.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const RELAYER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
const OTHER_SUBMITTER = "0x14dc79964da2c08b23698b3d3cc7ca32193d9955" as Address; // #7: stores a header itself
const PRICE_SCALE = 10n ** 18n;
const OWNER = keccak256(toHex("one-tx home owner"));
const LP = "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65" as Address; // #4
const WINNER = "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc" as Address; // #5
const AUCTIONEER = "0x976ea74026e726554db657fa54763abd0c3a0aa9" as Address; // #6
const TOKEN_ABI = parseAbi(["function mint(address to, uint256 amount)", "function approve(address spender, uint256 amount) returns (bool)"]);
const REGISTRY_ABI = parseAbi([
  "struct RepayTerm { address asset; uint256 minPrice; }",
  "function deposit(address asset, uint256 amount)",
  "function setOffer(address asset, uint16 rateBps, RepayTerm[] terms)",
]);
const EVENTS_ABI = parseAbi([
  "event HeaderSubmitted(uint64 indexed height, uint64 indexed epoch, uint256 stateRoot, uint64 timestampMs)",
  "event Settled(uint64 indexed auctionId, uint8 mode, uint64 height, uint256 receipt)",
]);

let rpc: EdrRpc;
let dn: RunningDevnet;
let relayer: Relayer | undefined;
let addresses: Awaited<ReturnType<typeof deployAll>>;
const dir = mkdtempSync(join(tmpdir(), "olzk-relay-1tx-"));
const relayerLog: string[] = [];
const memoryLogger = createLogger({ level: "debug", write: (line) => void (relayerLog.push(line) > 400 && relayerLog.shift()) });

async function diagnostics(): Promise<string> {
  const jobs = relayer ? (await relayer.store.list()).map((j) => `${j.key} ${j.state} attempts=${j.attempts} ${j.lastError ?? ""}`) : [];
  return `\njobs:\n${jobs.join("\n")}\nlast relayer log lines:\n${relayerLog.slice(-60).join("\n")}`;
}
const until = <T>(what: string, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, { timeoutMs: 240_000, everyMs: 100, diagnostics });

async function send(from: Address, to: Address, data: Hex): Promise<void> {
  const hash = await rpc.request("eth_sendTransaction", [{ from, to, data }]);
  for (;;) {
    const r = await rpc.request("eth_getTransactionReceipt", [hash]);
    if (r) {
      if (r.status !== "0x1") throw new Error(`setup tx to ${to} reverted`);
      return;
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A sealed-bid mode 2 auction on Home, revealed and cleared into the next block. */
async function clearedMode2Auction(c: RunningDevnet["chain"], salt: string) {
  const now = () => Math.floor(c.nowMs() / 1000);
  const usdc = addresses.tokens!.USDC;
  const weth = addresses.tokens!.WETH;
  const lock = await c.submit("lock", { owner: OWNER, borrower: AUCTIONEER, creditAsset: usdc, collateral: "1300", expiry: now() + 86_400 });
  const created = await c.submit("create-auction", {
    auctioneer: AUCTIONEER, sellAsset: usdc, sellAmount: "100", buyAsset: weth, mode: 2, auctioneerLockId: (lock.result.lockId as bigint).toString(),
    auctioneerMaxRateBps: 30, reservePrice: (PRICE_SCALE / 2n).toString(), lp: LP,
    commitDeadline: now() + 10, revealDeadline: now() + 20, settleDeadline: now() + 3600,
  });
  const auctionId = created.result.auctionId as bigint;
  const bid = { auctionId, bidder: WINNER as Hex, amount: 100n, limitPrice: PRICE_SCALE, lockId: 0n, maxRateBps: 0, salt: keccak256(toHex(salt)) as Hex };
  await c.submit("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(bid) });
  c.advanceTime(10);
  await c.submit("reveal-bid", { auctionId: auctionId.toString(), bidder: bid.bidder, amount: "100", limitPrice: bid.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: bid.salt });
  c.advanceTime(10);
  await c.submit("clear-auction", { auctionId: auctionId.toString() });
  const sealed = c.produceBlock();
  return { auctionId, height: sealed.header.height, sealedAt: Date.now() };
}

async function runRelayer(events: { at: number; e: any }[]): Promise<Relayer> {
  const config = resolveConfig(
    {
      homeUrl: dn.url, dataDir: join(dir, "relayer"), pollIntervalMs: 200, leaseMs: 30_000, logLevel: "warn", retry: { maxMs: 5_000 },
      away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "ONE_TX_KEY", confirmations: 1 }],
    },
    { ONE_TX_KEY: RELAYER_KEY },
  );
  relayer = await startRelayer(config, { log: memoryLogger, onEvent: (e) => events.push({ at: Date.now(), e }) });
  return relayer;
}

/** Every transaction the relayer's signer sent to the light client (submitHeader), from the chain. */
async function relayerHeaderTxs(): Promise<Hex[]> {
  const latest = BigInt(await rpc.request("eth_blockNumber", []));
  const out: Hex[] = [];
  for (let n = 0n; n <= latest; n++) {
    const b = await rpc.request("eth_getBlockByNumber", [toHex(n), true]);
    for (const tx of b.transactions) {
      if (tx.from.toLowerCase() === RELAYER && tx.to?.toLowerCase() === addresses.lightClient.toLowerCase()) out.push(tx.hash);
    }
  }
  return out;
}

/** The HeaderSubmitted and Settled events of a transaction's receipt, decoded, with its selector. */
async function settleTxEvents(hash: Hex) {
  const [receipt, tx] = await Promise.all([rpc.request("eth_getTransactionReceipt", [hash]), rpc.request("eth_getTransactionByHash", [hash])]);
  const events: { name: string; address: string; args: any }[] = [];
  for (const log of receipt.logs) {
    try {
      const ev = decodeEventLog({ abi: EVENTS_ABI, data: log.data, topics: log.topics });
      events.push({ name: ev.eventName, address: log.address.toLowerCase(), args: ev.args });
    } catch {
      /* another event */
    }
  }
  return { status: receipt.status as string, from: (tx.from as string).toLowerCase(), selector: (tx.input as string).slice(0, 10), events };
}

beforeAll(async () => {
  await ensureContractsBuilt();
  rpc = await startEdrRpc();
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
  const usdc = addresses.tokens!.USDC;
  const weth = addresses.tokens!.WETH;
  await send(LP, usdc, encodeFunctionData({ abi: TOKEN_ABI, functionName: "mint", args: [LP, 1_000n] }));
  await send(LP, usdc, encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [addresses.registry, 1_000n] }));
  await send(LP, addresses.registry, encodeFunctionData({ abi: REGISTRY_ABI, functionName: "deposit", args: [usdc, 1_000n] }));
  await send(LP, addresses.registry, encodeFunctionData({ abi: REGISTRY_ABI, functionName: "setOffer", args: [usdc, 10, [{ asset: weth, minPrice: PRICE_SCALE / 2n }]] }));
  for (const who of [WINNER, AUCTIONEER]) {
    await send(who, weth, encodeFunctionData({ abi: TOKEN_ABI, functionName: "mint", args: [who, 1_000n] }));
    await send(who, weth, encodeFunctionData({ abi: TOKEN_ABI, functionName: "approve", args: [addresses.settlement, 1_000n] }));
  }
}, 600_000);

afterAll(async () => {
  await relayer?.close();
  await dn?.close();
  await rpc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("one transaction per settlement", () => {
  it("settles with its header in one settleWithHeader transaction when the header is not on Away, and plainly when it is", async () => {
    const c = dn.chain;
    const a = await clearedMode2Auction(c, "carried");
    expect(c.block(a.height)!.header.epoch).toBe(0n);
    expect(c.block(a.height)!.aggregate).toBeTruthy();

    const events: { at: number; e: any }[] = [];
    const r = await runRelayer(events);
    const settleKey = `settle:31337:${a.auctionId}`;
    const settled = await until("the carried settlement to be mined", async () => {
      const j = await r.store.get(settleKey);
      return j?.state === "confirmed" ? j : undefined;
    });
    const minedAt = events.find((x) => x.e.type === "confirmed" && x.e.key === settleKey)!.at;
    // no header job was planned for it, and it was proved as one HeaderSettlement
    expect((await r.store.list()).filter((j) => j.kind === "header" || j.kind === "rotation").map((j) => j.key)).toEqual([]);
    expect(settled.proof).toMatchObject({ withHeader: true });
    expect(settled.payload).toMatchObject({ carryHeader: true, minHeight: a.height });
    // from the chain: one transaction from the relayer stored the header and settled
    const tx = await settleTxEvents(settled.txHash as Hex);
    expect(tx).toMatchObject({ status: "0x1", from: RELAYER, selector: toFunctionSelector("settleWithHeader(uint256[8],uint256[4],(uint64,address,address,uint256,address,uint256,uint8,uint64,uint16,address,uint64,uint64,(address,uint256,uint256,uint64,uint16)[]),(uint64,bytes32,address,address,uint256,uint64,uint8)[])") });
    expect(tx.events.map((e) => [e.name, e.address])).toEqual(
      expect.arrayContaining([["HeaderSubmitted", addresses.lightClient.toLowerCase()], ["Settled", addresses.settlement.toLowerCase()]]),
    );
    expect(tx.events.find((e) => e.name === "HeaderSubmitted")!.args.height).toBe(a.height);
    expect(tx.events.find((e) => e.name === "Settled")!.args).toMatchObject({ auctionId: a.auctionId, height: a.height });
    expect(await relayerHeaderTxs()).toEqual([]);
    await until("the receipt to reach Home", async () => (await r.store.get(`receipt:31337:${a.auctionId}`))?.state === "confirmed");
    expect(c.auction(a.auctionId)!.status).toBe("settled");
    await r.close();
    relayer = undefined;

    // the next auction's header is stored by someone else first: the relayer settles plainly
    const b = await clearedMode2Auction(c, "stored");
    const proved = await proveHeader(c.signedHeader(c.block(b.height)!), { profile: "dev", network: "local" });
    const pub = proved.calldata.pubSignals as unknown as readonly [bigint, bigint, bigint, bigint];
    const proof = proved.calldata.proof as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    await send(OTHER_SUBMITTER, addresses.lightClient, encodeFunctionData({ abi: LIGHT_CLIENT_ABI, functionName: "submitHeader", args: [HEADER_PROOF_KIND[proved.kind], proof, pub] }));
    const r2 = await runRelayer(events);
    const plainKey = `settle:31337:${b.auctionId}`;
    const plain = await until("the plain settlement to be mined", async () => {
      const j = await r2.store.get(plainKey);
      return j?.state === "confirmed" ? j : undefined;
    });
    expect(plain.payload).toEqual({ auctionId: b.auctionId, minHeight: b.height });
    expect(plain.proof).not.toMatchObject({ withHeader: true });
    const tx2 = await settleTxEvents(plain.txHash as Hex);
    expect(tx2).toMatchObject({ status: "0x1", from: RELAYER });
    expect(tx2.selector).toBe(toFunctionSelector("settle(uint64,uint256[8],(uint64,address,address,uint256,address,uint256,uint8,uint64,uint16,address,uint64,uint64,(address,uint256,uint256,uint64,uint16)[]),(uint64,bytes32,address,address,uint256,uint64,uint8)[])"));
    expect(tx2.events.map((e) => e.name)).toEqual(["Settled"]);
    expect(await relayerHeaderTxs()).toEqual([]);

    const proofs = events.filter((x) => x.e.type === "proved").map((x) => `${x.e.kind}:${x.e.seconds.toFixed(1)}`);
    console.log(JSON.stringify({ carriedLatencySeconds: (minedAt - a.sealedAt) / 1000, carriedGas: String(events.find((x) => x.e.type === "confirmed" && x.e.key === settleKey)!.e.gasUsed), proofSeconds: proofs }));
  }, 600_000);
});
