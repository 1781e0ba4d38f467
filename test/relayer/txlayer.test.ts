// The transaction layer against a Hardhat EDR chain over HTTP: a stuck transaction is replaced
// on its nonce with a higher fee and exactly one of its transactions is mined; the fee cap
// stops a bump and warns; a nonce used by another process is resynced from the chain; a
// receipt reorged away puts the job back to waiting; requests fail over to a second RPC URL
// when the first dies mid-run; a remote JSON-RPC signer signs, and a lying one is refused.
import { parseGwei, parseTransaction, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TxAttempt } from "../../relayer/jobs.ts";
import { createLogger } from "../../relayer/log.ts";
import { checkSigned, localSigner, remoteSigner, SignerError, type TxSigner } from "../../relayer/signer.ts";
import { Submitter, type SubmissionHooks, type SubmitterOptions } from "../../relayer/submit.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { deployOnce, waitReceipt, type OnceContract } from "./once-contract.ts";
import { startSignerServer } from "./signer-server.ts";
import { until as pollUntil } from "../fixtures/until.ts";

// one hardhat account per test, so nonces do not interfere
const KEYS = {
  stuck: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a", // #4
  cap: "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba", // #5
  nonce: "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e", // #6
  reorg: "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356", // #7
  failover: "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97", // #8
  remote: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6", // #9
} as const satisfies Record<string, Hex>;

let rpc: EdrRpc;
let once: OnceContract;
let chainId: number;

beforeAll(async () => {
  rpc = await startEdrRpc();
  once = await deployOnce(rpc);
  chainId = Number(await rpc.request("eth_chainId"));
});
afterEach(async () => {
  rpc.intercept(undefined);
  await rpc.setFault("none");
  await rpc.request("evm_setAutomine", [true]);
});
afterAll(async () => {
  await rpc?.close();
});

const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000) => pollUntil(what, fn, { timeoutMs, everyMs: 20 });

/** A job row in memory, written the way the executor writes the store. */
interface Row {
  state?: string;
  txHash: string | null;
  nonce: number | null;
  rawTx: string | null;
  txs: TxAttempt[];
}

function job(id: bigint, opts: { onRecord?: (r: Row & { state: string }) => Promise<void> | void } = {}) {
  const row: Row = { txHash: null, nonce: null, rawTx: null, txs: [] };
  const hooks: SubmissionHooks = {
    async record(r) {
      Object.assign(row, r);
      await opts.onRecord?.({ ...row, state: r.state });
      return true;
    },
    alreadyDone: () => once.isDone(id),
    build: async () => ({ to: once.address, data: once.mark(id), abi: once.abi, doneErrors: ["AlreadyDone"] }),
  };
  return { row, hooks };
}

function memoryLog() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const log = createLogger({ level: "debug", write: (l) => lines.push(JSON.parse(l)) });
  return { log, lines, has: (msg: string) => lines.some((l) => l.msg === msg) };
}

function submitter(signer: TxSigner, extra: Partial<SubmitterOptions> = {}): Submitter {
  return new Submitter({ chainId, signer, confirmations: 1, rpcUrls: [rpc.url], pollMs: 20, missingRebroadcastMs: 200, retry: { baseMs: 20, maxMs: 200 }, ...extra });
}

const fees = (a: TxAttempt) => {
  const p = parseTransaction(a.raw as Hex);
  return { maxFeePerGas: p.maxFeePerGas!, maxPriorityFeePerGas: p.maxPriorityFeePerGas!, nonce: p.nonce! };
};
const baseFee = async () => BigInt((await rpc.request("eth_getBlockByNumber", ["latest", false])).baseFeePerGas);
/** Mine one block with this base fee (EDR: hardhat_setNextBlockBaseFeePerGas). */
async function mineWithBaseFee(wei: bigint): Promise<void> {
  await rpc.request("hardhat_setNextBlockBaseFeePerGas", [`0x${wei.toString(16)}`]);
  await rpc.request("evm_mine", []);
}
const receipts = async (txs: TxAttempt[]) => Promise.all(txs.map((t) => rpc.request("eth_getTransactionReceipt", [t.hash])));
const nonceOf = async (address: string, tag = "latest") => Number(await rpc.request("eth_getTransactionCount", [address, tag]));

describe("transaction layer", () => {
  it("replaces a stuck transaction on its nonce with a higher fee; exactly one of the job's transactions is mined", async () => {
    await mineWithBaseFee(parseGwei("1"));
    await rpc.request("evm_setAutomine", [false]);
    const m = memoryLog();
    let replaced = 0;
    const s = submitter(localSigner(KEYS.stuck), { fees: { bumpAfterMs: 1_000 }, log: m.log, onReplaced: () => replaced++ });
    const callsBefore = await once.calls();
    const { row, hooks } = job(101n);
    const done = s.run(row, hooks);
    const first = await until("the first transaction", () => row.state === "submitted" && row.txs[0]);
    // the base fee jumps above what it offered: it cannot be mined
    await mineWithBaseFee(parseGwei("50"));
    expect(fees(first).maxFeePerGas).toBeLessThan(parseGwei("50"));
    expect(await rpc.request("eth_getTransactionReceipt", [first.hash])).toBeNull();
    const second = await until("a replacement", () => row.txs.length >= 2 && row.state === "submitted" && row.txs.at(-1));
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000); // bumpAfterMs
    expect(fees(second).nonce).toBe(fees(first).nonce);
    expect(fees(second).maxFeePerGas).toBeGreaterThan(await baseFee()); // from the fee history: above the new base fee
    expect(fees(second).maxPriorityFeePerGas).toBeGreaterThanOrEqual(fees(first).maxPriorityFeePerGas);
    expect(await rpc.request("eth_getTransactionByHash", [second.hash])).not.toBeNull(); // the node took the replacement
    await rpc.request("evm_mine", []);
    const out = await done;
    expect(out).toMatchObject({ status: "confirmed", how: "mined" });
    const mined = (await receipts(row.txs)).filter(Boolean);
    expect(mined).toHaveLength(1); // exactly one of the recorded transactions, ever
    expect(out.status === "confirmed" && out.txHash).toBe(mined[0].transactionHash);
    expect(row.txs.map((t) => t.hash)).toContain(mined[0].transactionHash);
    expect(await once.calls()).toBe(callsBefore + 1n);
    expect(replaced).toBe(row.txs.length - 1);
    expect(m.has("replaced a transaction not mined in time with a higher fee")).toBe(true);
  });

  it("never signs above the fee cap: it warns when the cap stops a bump, and the capped transaction is mined once the base fee falls", async () => {
    await mineWithBaseFee(parseGwei("1"));
    await rpc.request("evm_setAutomine", [false]);
    const m = memoryLog();
    let capHits = 0;
    const cap = parseGwei("5");
    const s = submitter(localSigner(KEYS.cap), { fees: { bumpAfterMs: 300, capWei: cap }, log: m.log, onFeeCapped: () => capHits++ });
    const { row, hooks } = job(102n);
    const done = s.run(row, hooks);
    await until("the first transaction", () => row.state === "submitted" && row.txs[0]);
    await mineWithBaseFee(parseGwei("100"));
    await until("the cap to stop a bump", () => m.has("fee cap stops a fee bump; the transaction waits at its fee"));
    const stop = m.lines.find((l) => l.msg === "fee cap stops a fee bump; the transaction waits at its fee")!;
    expect(stop.level).toBe("warn");
    expect(BigInt(stop.capWei as string)).toBe(cap);
    expect(BigInt(stop.wantedMaxFeePerGas as string)).toBeGreaterThan(cap);
    expect(capHits).toBeGreaterThanOrEqual(2); // limited once (a bump to the cap), then stopped
    const atCap = row.txs.at(-1)!;
    expect(fees(atCap).maxFeePerGas).toBe(cap);
    await new Promise((r) => setTimeout(r, 1_000)); // several bump periods: nothing more is signed
    expect(row.txs.at(-1)!.hash).toBe(atCap.hash);
    for (const t of row.txs) expect(fees(t).maxFeePerGas).toBeLessThanOrEqual(cap);
    expect(await rpc.request("eth_getTransactionReceipt", [atCap.hash])).toBeNull();
    await mineWithBaseFee(parseGwei("1"));
    const out = await done;
    expect(out).toMatchObject({ status: "confirmed", how: "mined", txHash: atCap.hash });
    expect((await receipts(row.txs)).filter(Boolean)).toHaveLength(1);
  });

  it("resyncs the nonce from the chain when another process used the account, also between signing and broadcast", async () => {
    const m = memoryLog();
    const other = privateKeyToAccount(KEYS.nonce); // the same account, used by another process
    const sendAsOther = async (nonce: number) => {
      const raw = await other.signTransaction({ chainId, type: "eip1559", to: "0x000000000000000000000000000000000000dEaD", value: 1n, nonce, gas: 21_000n, maxFeePerGas: parseGwei("10"), maxPriorityFeePerGas: 1n });
      await waitReceipt(rpc, await rpc.request("eth_sendRawTransaction", [raw]));
    };
    await sendAsOther(await nonceOf(other.address));
    await sendAsOther(await nonceOf(other.address));
    const s = submitter(localSigner(KEYS.nonce), { log: m.log });
    expect(await s.syncNonce("start")).toEqual({ latest: 2, pending: 2 }); // what it starts from: the chain
    // between recording its transaction and broadcasting it, the other process takes that nonce
    const a = job(103n, { onRecord: async (r) => (r.state === "submitting" && r.txs.length === 1 ? sendAsOther(r.nonce!) : undefined) });
    const outA = await s.run(a.row, a.hooks);
    expect(outA).toMatchObject({ status: "confirmed", how: "mined" });
    expect(a.row.txs.map((t) => t.nonce)).toEqual([2, 3]); // the nonce error was resolved by a new nonce
    const [lost, won] = await receipts(a.row.txs);
    expect(lost).toBeNull(); // the first can never be mined: its nonce belongs to the other process's transfer
    expect(won.status).toBe("0x1");
    expect(m.has("nonce already used on chain; nonce resynced")).toBe(true);
    expect(await once.isDone(103n)).toBe(true);
    // the next job starts from the resynced nonce: one transaction, no error
    await sendAsOther(await nonceOf(other.address));
    const b = job(104n);
    expect(await s.run(b.row, b.hooks)).toMatchObject({ status: "confirmed", how: "mined" });
    expect(b.row.txs.map((t) => t.nonce)).toEqual([5]);
    expect(await nonceOf(other.address)).toBe(6);
    // the other process's transaction holds the nonce in the pool, at a higher fee ("replacement
    // underpriced"): the job keeps waiting on its nonce, and takes the next one once it is used
    await rpc.request("evm_setAutomine", [false]);
    let foreign: Hex | undefined;
    const c = job(111n, {
      onRecord: async (r) => {
        if (r.state !== "submitting" || foreign) return;
        const raw = await other.signTransaction({ chainId, type: "eip1559", to: "0x000000000000000000000000000000000000dEaD", value: 1n, nonce: r.nonce!, gas: 21_000n, maxFeePerGas: parseGwei("100"), maxPriorityFeePerGas: parseGwei("10") });
        foreign = await rpc.request("eth_sendRawTransaction", [raw]);
      },
    });
    const outC = s.run(c.row, c.hooks);
    await until("the refusal", () => m.lines.some((l) => l.msg === "node refused the transaction; it keeps its nonce and is re-broadcast or replaced later" && l.nonce === 6));
    expect(c.row.state).toBe("submitting"); // not broadcast, so not "submitted"
    await rpc.request("evm_mine", []); // the other process's transaction takes nonce 6
    expect((await rpc.request("eth_getTransactionReceipt", [foreign])).status).toBe("0x1");
    await until("a transaction at the next nonce", () => c.row.txs.length === 2 && c.row.state === "submitted");
    await rpc.request("evm_mine", []);
    expect(await outC).toMatchObject({ status: "confirmed", how: "mined", txHash: c.row.txs[1]!.hash });
    expect(c.row.txs.map((t) => t.nonce)).toEqual([6, 7]);
    expect((await receipts(c.row.txs)).filter(Boolean)).toHaveLength(1);
    expect(await once.isDone(111n)).toBe(true);
  });

  it("waits for the confirmations, and goes back to waiting when the receipt's block is reorged away", async () => {
    const m = memoryLog();
    const s = submitter(localSigner(KEYS.reorg), { confirmations: 3, log: m.log });
    const snapshot = await rpc.request("evm_snapshot", []);
    const { row, hooks } = job(105n);
    let result: Awaited<ReturnType<Submitter["run"]>> | undefined;
    const done = s.run(row, hooks).then((r) => (result = r));
    const first = await until("the transaction to be mined", async () => row.txs[0] && (await rpc.request("eth_getTransactionReceipt", [row.txs[0].hash])));
    await rpc.request("evm_mine", []); // 2 of 3 confirmations
    await new Promise((r) => setTimeout(r, 300));
    expect(result).toBeUndefined();
    // reorg: the chain goes back to before the transaction and grows past it without it
    expect(await rpc.request("evm_revert", [snapshot])).toBe(true);
    expect(await rpc.request("eth_getTransactionReceipt", [first.transactionHash])).toBeNull();
    for (let i = 0; i < 3; i++) await rpc.request("evm_mine", []);
    await until("the relayer to notice", () => m.has("the transaction's block is no longer canonical (reorg); waiting again"));
    expect(result).toBeUndefined();
    // it re-broadcasts the same bytes (automine puts them in a new block); 3 more confirmations
    const again = await until("the transaction to be mined again", async () => rpc.request("eth_getTransactionReceipt", [first.transactionHash]));
    expect(again.blockHash).not.toBe(first.blockHash);
    for (let i = 0; i < 2; i++) await rpc.request("evm_mine", []);
    await done;
    expect(result).toMatchObject({ status: "confirmed", how: "mined", txHash: first.transactionHash, blockNumber: BigInt(again.blockNumber) });
    expect(row.txs).toHaveLength(1);
    expect(await once.isDone(105n)).toBe(true);
  });

  it("fails over to the second RPC URL when the first dies mid-run, and skips a black-holed one", async () => {
    const second = await rpc.endpoint();
    const m = memoryLog();
    let failovers = 0;
    const { AwayRpc } = await import("../../relayer/away-rpc.ts");
    const away = new AwayRpc({ chainId, urls: [rpc.url, second.url], timeoutMs: 500, log: m.log, onFailover: () => failovers++ });
    const s = submitter(localSigner(KEYS.failover), { transport: away.transport, log: m.log });
    await rpc.request("evm_setAutomine", [false]);
    const { row, hooks } = job(106n);
    const done = s.run(row, hooks);
    await until("the transaction sent through the first URL", () => row.state === "submitted");
    expect(second.seen.get("eth_sendRawTransaction") ?? 0).toBe(0);
    await rpc.setFault("refuse"); // the first URL dies while the job waits for its receipt
    const before = second.seen.get("eth_getTransactionReceipt") ?? 0;
    await until("receipt polls on the second URL", () => (second.seen.get("eth_getTransactionReceipt") ?? 0) > before + 2);
    await rpc.request("evm_mine", []);
    expect(await done).toMatchObject({ status: "confirmed", how: "mined", txHash: row.txHash });
    expect(failovers).toBe(1);
    expect(m.lines.find((l) => l.msg === "Away RPC failover")).toMatchObject({ level: "warn", from: rpc.url, to: second.url });
    // the first URL comes back as a black hole (accepts, never answers): a job still completes,
    // and requests do not wait a timeout each on it
    await rpc.setFault("hang");
    await rpc.request("evm_setAutomine", [true]);
    const b = job(107n);
    expect(await s.run(b.row, b.hooks)).toMatchObject({ status: "confirmed", how: "mined" });
    expect(second.seen.get("eth_sendRawTransaction")).toBe(1);
    const requests = [...second.seen.values()].reduce((a, x) => a + x, 0);
    expect(rpc.seen.get("(black-holed)") ?? 0).toBeLessThanOrEqual(2); // one try per cooldown, not one per request
    expect(requests).toBeGreaterThan(10);
    await second.close();
  });

  it("signs through a remote JSON-RPC signer, and refuses what a lying signer signed: nothing recorded, nothing sent", async () => {
    for (const geth of [false, true]) {
      const server = await startSignerServer(KEYS.remote, { geth });
      try {
        const signer = remoteSigner(server.url, server.address);
        await signer.check!();
        const s = submitter(signer);
        const id = geth ? 109n : 108n;
        const { row, hooks } = job(id);
        expect(await s.run(row, hooks)).toMatchObject({ status: "confirmed", how: "mined" });
        expect(server.signed).toBe(1);
        const tx = await rpc.request("eth_getTransactionByHash", [row.txHash]);
        expect(tx.from.toLowerCase()).toBe(server.address.toLowerCase());
      } finally {
        await server.close();
      }
    }
    // lying signers: another recipient, another key
    const server = await startSignerServer(KEYS.remote);
    try {
      await expect(remoteSigner(server.url, privateKeyToAccount(KEYS.stuck).address).check!()).rejects.toMatchObject({ code: "no-account" });
      for (const tamper of ["to", "key"] as const) {
        server.tamper = tamper;
        const s = submitter(remoteSigner(server.url, server.address));
        const nonce = await nonceOf(server.address, "pending");
        const { row, hooks } = job(110n);
        const err = await s.run(row, hooks).catch((e) => e);
        expect(err).toBeInstanceOf(SignerError);
        expect(err.code).toBe("mismatch");
        expect(err.message).toMatch(tamper === "to" ? /signed a different transaction \(to: asked 0x[0-9a-f]+, got 0x0{36}bad1\)/ : /signed as 0x[0-9a-fA-F]{40}, not as the configured account/);
        expect(row.txs).toEqual([]); // never recorded
        expect(await nonceOf(server.address, "pending")).toBe(nonce); // never broadcast
      }
      expect(await once.isDone(110n)).toBe(false);
    } finally {
      await server.close();
    }
    // zero fields (nonce 0, no value, no priority fee on an idle chain) are what was asked for, not a mismatch
    const zero = { chainId, nonce: 0, to: once.address, data: "0x" as Hex, value: 0n, gas: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n };
    const raw = await localSigner(KEYS.remote).signTransaction(zero);
    expect(parseTransaction(raw).maxPriorityFeePerGas).toBeUndefined(); // how viem reads a zero back
    await expect(checkSigned(raw, { ...zero, maxPriorityFeePerGas: 1n }, privateKeyToAccount(KEYS.remote).address, "test")).rejects.toThrow(/maxPriorityFeePerGas: asked 1, got 0/);
  });
});
