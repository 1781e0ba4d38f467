// One transaction per settlement, on the real stack (the Home devnet, an EDR Away chain, the
// deployed contracts with their HeaderSettlement verifier, real Groth16 proofs, the relayer with
// its SQLite store). A funded mode 2 auction clears in epoch 0 while the light client has no
// header yet: the relayer plans no header job, proves one HeaderSettlement and calls
// AtomicSettlement.settleWithHeader, whose receipt carries both the light client's HeaderSubmitted
// and the settlement's Settled; its signer never sends submitHeader. A second auction clears at a
// height whose header someone else already stored: the relayer takes the usual path (a plain
// settle, no header in it). A third clears in the epoch after the light client's (epoch 0 ended on
// Home, the client has not rotated): the relayer sends the rotation and one settleWithHeader, no
// header job, and proves the settlement while the rotation is still unmined (the Away chain holds
// its blocks until the settle proof is stored).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFunctionData, getAbiItem, toFunctionSelector, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proveHeader } from "../../prover/prover.ts";
import { HEADER_PROOF_KIND, LIGHT_CLIENT_ABI, SETTLEMENT_ABI } from "../../relayer/away-viem.ts";
import { resolveConfig } from "../../relayer/config.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { createLogger } from "../../relayer/log.ts";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { awayEvents, clearedMode2Auction, fundMode2, send, sentTxs, startAwayStack, type Addresses, type Mode2Parties } from "./away-chain.ts";
import type { EdrRpc } from "./edr-rpc.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat #1
const RELAYER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address;
const OTHER_SUBMITTER = "0x14dc79964da2c08b23698b3d3cc7ca32193d9955" as Address; // #7: stores a header itself
const PARTIES: Mode2Parties = {
  lp: "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65" as Address, // #4
  winner: "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc" as Address, // #5
  auctioneer: "0x976ea74026e726554db657fa54763abd0c3a0aa9" as Address, // #6
};

let rpc: EdrRpc;
let dn: RunningDevnet;
let relayer: Relayer | undefined;
let addresses: Addresses;
const dir = mkdtempSync(join(tmpdir(), "olzk-relay-1tx-"));
const relayerLog: string[] = [];
const memoryLogger = createLogger({ level: "debug", write: (line) => void (relayerLog.push(line) > 400 && relayerLog.shift()) });

async function diagnostics(): Promise<string> {
  const jobs = relayer ? (await relayer.store.list()).map((j) => `${j.key} ${j.state} attempts=${j.attempts} ${j.lastError ?? ""}`) : [];
  return `\njobs:\n${jobs.join("\n")}\nlast relayer log lines:\n${relayerLog.slice(-60).join("\n")}`;
}
const until = <T>(what: string, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, { timeoutMs: 240_000, everyMs: 100, diagnostics });

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

/** A relayer transaction's status, sender and selector, and the HeaderSubmitted and Settled events it emitted. */
async function settleTx(hash: Hex) {
  const [receipt, tx] = await Promise.all([rpc.request("eth_getTransactionReceipt", [hash]), rpc.request("eth_getTransactionByHash", [hash])]);
  const events = (await awayEvents(rpc, addresses)).filter((e) => e.txHash === hash).map(({ txHash: _, ...e }) => e);
  return { status: receipt.status as string, from: (tx.from as string).toLowerCase(), selector: (tx.input as string).slice(0, 10), events };
}

/** Every transaction the relayer's signer sent to the light client (submitHeader), from the chain. */
const relayerHeaderTxs = async () => (await sentTxs(rpc, RELAYER)).filter((t) => t.to === addresses.lightClient.toLowerCase());

beforeAll(async () => {
  ({ rpc, addresses, dn } = await startAwayStack(join(dir, "addresses.json")));
  await fundMode2(rpc, addresses, PARTIES);
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
    const a = await clearedMode2Auction(c, addresses, PARTIES, "carried");
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
    const tx = await settleTx(settled.txHash as Hex);
    expect(tx).toMatchObject({ status: "0x1", from: RELAYER, selector: toFunctionSelector(getAbiItem({ abi: SETTLEMENT_ABI, name: "settleWithHeader" })) });
    expect(tx.events).toEqual([{ name: "HeaderSubmitted", height: a.height }, { name: "Settled", auctionId: a.auctionId, height: a.height }]);
    expect(await relayerHeaderTxs()).toEqual([]);
    await until("the receipt to reach Home", async () => (await r.store.get(`receipt:31337:${a.auctionId}`))?.state === "confirmed");
    expect(c.auction(a.auctionId)!.status).toBe("settled");
    await r.close();
    relayer = undefined;

    // the next auction's header is stored by someone else first: the relayer settles plainly
    const b = await clearedMode2Auction(c, addresses, PARTIES, "stored");
    const proved = await proveHeader(c.signedHeader(c.block(b.height)!), { profile: "dev", network: "local" });
    const pub = proved.calldata.pubSignals as unknown as readonly [bigint, bigint, bigint, bigint];
    const proof = proved.calldata.proof as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    await send(rpc, OTHER_SUBMITTER, addresses.lightClient, encodeFunctionData({ abi: LIGHT_CLIENT_ABI, functionName: "submitHeader", args: [HEADER_PROOF_KIND[proved.kind], proof, pub] }));
    const r2 = await runRelayer(events);
    const plainKey = `settle:31337:${b.auctionId}`;
    const plain = await until("the plain settlement to be mined", async () => {
      const j = await r2.store.get(plainKey);
      return j?.state === "confirmed" ? j : undefined;
    });
    expect(plain.payload).toEqual({ auctionId: b.auctionId, minHeight: b.height });
    expect(plain.proof).not.toMatchObject({ withHeader: true });
    const tx2 = await settleTx(plain.txHash as Hex);
    expect(tx2).toMatchObject({ status: "0x1", from: RELAYER, selector: toFunctionSelector(getAbiItem({ abi: SETTLEMENT_ABI, name: "settle" })) });
    expect(tx2.events).toEqual([{ name: "Settled", auctionId: b.auctionId, height: b.height }]);
    expect(await relayerHeaderTxs()).toEqual([]);

    const proofs = events.filter((x) => x.e.type === "proved").map((x) => `${x.e.kind}:${x.e.seconds.toFixed(1)}`);
    console.log(JSON.stringify({ carriedLatencySeconds: (minedAt - a.sealedAt) / 1000, carriedGas: String(events.find((x) => x.e.type === "confirmed" && x.e.key === settleKey)!.e.gasUsed), proofSeconds: proofs }));
  }, 600_000);

  it("settles in the epoch after the light client's with the rotation and one settleWithHeader, proved while the rotation is unmined", async () => {
    await relayer?.close();
    relayer = undefined;
    const c = dn.chain;
    // Home ends epoch 0 (its last block carries epoch 1's set root); the light client is still at epoch 0
    while (c.latest.header.epoch === 0n) c.produceBlock();
    const rotationHeight = c.latest.header.height - 1n; // epoch 0's last block
    expect(c.block(rotationHeight)!.header.epoch).toBe(0n);
    const a = await clearedMode2Auction(c, addresses, PARTIES, "next epoch");
    expect(c.block(a.height)!.header.epoch).toBe(1n);
    expect(c.block(a.height)!.aggregate).toBeTruthy();
    const sentBefore = await sentTxs(rpc, RELAYER);
    const eventsBefore = await awayEvents(rpc, addresses);

    // the Away chain mines nothing until the settlement's proof is stored
    await rpc.request("evm_setAutomine", [false]);
    const events: { at: number; e: any }[] = [];
    const rotationKey = "rotation:31337:0";
    const settleKey = `settle:31337:${a.auctionId}`;
    let r!: Relayer;
    try {
      r = await runRelayer(events);
      const rotationPending = await until("the rotation to be broadcast and the settlement proved", async () => {
        const [rot, settle] = [await r.store.get(rotationKey), await r.store.get(settleKey)];
        return rot?.state === "submitted" && settle?.state === "proved" ? rot : undefined;
      });
      expect(await rpc.request("eth_getTransactionReceipt", [rotationPending.txHash])).toBeNull(); // the rotation is not mined
      const carried = (await r.store.get(settleKey))!;
      expect(carried.dependsOn).toBe(rotationKey);
      expect(carried.payload).toEqual({ auctionId: a.auctionId, minHeight: a.height, carryHeader: true });
      expect(carried.proof).toMatchObject({ withHeader: true });
    } finally {
      await rpc.request("evm_setAutomine", [true]);
    }
    await rpc.request("evm_mine", []);
    const settled = await until("the carried settlement to be mined", async () => {
      const j = await r.store.get(settleKey);
      return j?.state === "confirmed" ? j : undefined;
    });
    const rotation = (await r.store.get(rotationKey))!;
    expect(rotation.state).toBe("confirmed");
    expect((await r.store.list()).filter((j) => j.kind === "header")).toEqual([]);

    // from the chain: exactly the rotation (submitHeader) and one settleWithHeader from the relayer's signer
    expect(await sentTxs(rpc, RELAYER)).toEqual([
      ...sentBefore,
      { hash: rotation.txHash, to: addresses.lightClient.toLowerCase(), selector: toFunctionSelector(getAbiItem({ abi: LIGHT_CLIENT_ABI, name: "submitHeader" })) },
      { hash: settled.txHash, to: addresses.settlement.toLowerCase(), selector: toFunctionSelector(getAbiItem({ abi: SETTLEMENT_ABI, name: "settleWithHeader" })) },
    ]);
    expect(await awayEvents(rpc, addresses)).toEqual([
      ...eventsBefore,
      { name: "HeaderSubmitted", height: rotationHeight, txHash: rotation.txHash },
      { name: "HeaderSubmitted", height: a.height, txHash: settled.txHash },
      { name: "Settled", auctionId: a.auctionId, height: a.height, txHash: settled.txHash },
    ]);

    // from the chain: the settlement was sent only after the rotation was mined (had it been in
    // the mempool with the rotation, evm_mine would have put both in one block)
    const blockOf = async (hash: string | null) => BigInt((await rpc.request("eth_getTransactionReceipt", [hash])).blockNumber);
    expect(await blockOf(settled.txHash)).toBeGreaterThan(await blockOf(rotation.txHash));
    // from the relayer's events: the settle proof started before the rotation was mined
    const at = (type: string, key: string) => events.find((x) => x.e.type === type && x.e.key === key)!;
    const settleProved = at("proved", settleKey);
    expect(settleProved.e.withHeader).toBe(true);
    const settleProofStart = settleProved.at - settleProved.e.seconds * 1000;
    const rotationMined = at("confirmed", rotationKey).at;
    expect(settleProofStart).toBeLessThan(rotationMined);
    await until("the receipt to reach Home", async () => (await r.store.get(`receipt:31337:${a.auctionId}`))?.state === "confirmed");
    expect(c.auction(a.auctionId)!.status).toBe("settled");
    console.log(JSON.stringify({
      nextEpoch: {
        rotationProvedSeconds: at("proved", rotationKey).e.seconds, settleProvedSeconds: settleProved.e.seconds,
        settleProofStartBeforeRotationMinedMs: rotationMined - settleProofStart, settleGas: String(at("confirmed", settleKey).e.gasUsed),
      },
    }));
  }, 600_000);
});
