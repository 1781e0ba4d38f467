// Submission idempotence against a Hardhat EDR chain over HTTP: a job resumed in
// `submitting` never sends a second transaction; the record is written before broadcast;
// known "already done" reverts count as done, other reverts fail; RPC outages are ridden out.
import { keccak256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSigner } from "../../relayer/signer.ts";
import { Submitter, type SubmissionHooks } from "../../relayer/submit.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { deployOnce, waitReceipt as receiptOf, type OnceContract } from "./once-contract.ts";

const RELAYER_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"; // hardhat account #1
const OTHER = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"; // hardhat account #2 (unlocked)
const relayer = privateKeyToAccount(RELAYER_KEY);

let rpc: EdrRpc;
let once: OnceContract;
let chainId: number;

const waitReceipt = (hash: string) => receiptOf(rpc, hash);

beforeAll(async () => {
  rpc = await startEdrRpc();
  once = await deployOnce(rpc);
  chainId = Number(await rpc.request("eth_chainId"));
});
afterAll(async () => {
  await rpc?.close();
});

const isDone = (id: bigint) => once.isDone(id);
const calls = () => once.calls();
async function nonceOf(a: string): Promise<number> {
  return Number(await rpc.request("eth_getTransactionCount", [a, "latest"]));
}

function submitter(extra: Partial<ConstructorParameters<typeof Submitter>[0]> = {}) {
  return new Submitter({ chainId, signer: localSigner(RELAYER_KEY), confirmations: 1, rpcUrls: [rpc.url], pollMs: 20, missingRebroadcastMs: 200, ...extra });
}

/** Hooks over an in-memory "job row"; counts builds (= new transactions signed). */
function hooksFor(id: bigint, row: { txHash: string | null; nonce: number | null; rawTx: string | null; state?: string }) {
  const log: string[] = [];
  let builds = 0;
  const hooks: SubmissionHooks = {
    async record(r) {
      // written BEFORE broadcast: at "submitting" time the node must not know the tx yet
      if (r.state === "submitting") log.push(`record:${(await rpc.request("eth_getTransactionByHash", [r.txHash])) ? "known" : "unknown"}`);
      Object.assign(row, r);
      return true;
    },
    alreadyDone: () => isDone(id),
    async build() {
      builds++;
      return { to: once.address, data: once.mark(id), abi: once.abi, doneErrors: ["AlreadyDone"] };
    },
  };
  return { hooks, log, builds: () => builds };
}

/** Sign a mark(id) tx as the relayer would, without sending it (the state after a crash). */
async function signedButNotSent(id: bigint): Promise<{ txHash: Hex; nonce: number; rawTx: Hex }> {
  const nonce = Number(await rpc.request("eth_getTransactionCount", [relayer.address, "pending"]));
  const rawTx = await relayer.signTransaction({
    chainId, type: "eip1559", to: once.address, data: once.mark(id),
    nonce, gas: 100_000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n,
  });
  return { txHash: keccak256(rawTx), nonce, rawTx };
}

describe("Submitter", () => {
  it("records hash, nonce and raw tx before broadcasting, then confirms", async () => {
    const row = { txHash: null, nonce: null, rawTx: null } as any;
    const h = hooksFor(1n, row);
    const out = await submitter().run(row, h.hooks);
    expect(out.status).toBe("confirmed");
    expect(out.status === "confirmed" && out.how).toBe("mined");
    expect(h.log).toEqual(["record:unknown"]);
    expect(row.state).toBe("submitted");
    expect(out.status === "confirmed" && out.txHash).toBe(row.txHash);
    expect(await isDone(1n)).toBe(true);
  });

  it("does not send again when the recorded tx was already mined (killed after broadcast)", async () => {
    const rec = await signedButNotSent(2n);
    await rpc.request("eth_sendRawTransaction", [rec.rawTx]);
    await waitReceipt(rec.txHash);
    const before = await nonceOf(relayer.address);
    const callsBefore = await calls();
    const row = { ...rec, state: "submitting" };
    const h = hooksFor(2n, row);
    const out = await submitter().run(row, h.hooks);
    expect(out).toMatchObject({ status: "confirmed", how: "mined", txHash: rec.txHash });
    expect(h.builds()).toBe(0);
    expect(await nonceOf(relayer.address)).toBe(before); // nothing new was sent
    expect(await calls()).toBe(callsBefore);
  });

  it("re-broadcasts the same bytes when the recorded tx never reached the node (killed before broadcast)", async () => {
    const rec = await signedButNotSent(3n);
    const before = await nonceOf(relayer.address);
    const row = { ...rec, state: "submitting" };
    const h = hooksFor(3n, row);
    const out = await submitter().run(row, h.hooks);
    expect(out).toMatchObject({ status: "confirmed", how: "mined", txHash: rec.txHash }); // same hash: same tx
    expect(h.builds()).toBe(0);
    expect(await nonceOf(relayer.address)).toBe(before + 1);
    expect(await isDone(3n)).toBe(true);
  });

  it("marks done without sending when someone else already did the work", async () => {
    const rec = await signedButNotSent(4n);
    const hash = await rpc.request("eth_sendTransaction", [{ from: OTHER, to: once.address, data: once.mark(4n) }]);
    await waitReceipt(hash);
    const before = await nonceOf(relayer.address);
    const row = { ...rec, state: "submitting" };
    const h = hooksFor(4n, row);
    const out = await submitter().run(row, h.hooks);
    expect(out).toMatchObject({ status: "confirmed", how: "already-done" });
    expect(h.builds()).toBe(0);
    expect(await nonceOf(relayer.address)).toBe(before);
    // and a fresh job for done work sends nothing either
    const fresh = hooksFor(4n, { txHash: null, nonce: null, rawTx: null });
    expect(await submitter().run({ txHash: null, nonce: null, rawTx: null }, fresh.hooks)).toMatchObject({ status: "confirmed", how: "already-done" });
    expect(await nonceOf(relayer.address)).toBe(before);
  });

  it("classifies reverts: a known 'already done' error is done, any other revert fails with its name", async () => {
    // stale view: alreadyDone() says no, but the contract says AlreadyDone
    const row = { txHash: null, nonce: null, rawTx: null } as any;
    const h = hooksFor(1n, row);
    h.hooks.alreadyDone = async () => false;
    expect(await submitter().run(row, h.hooks)).toMatchObject({ status: "confirmed", how: "done-error", detail: "AlreadyDone" });
    const bad = hooksFor(13n, { txHash: null, nonce: null, rawTx: null });
    const out = await submitter().run({ txHash: null, nonce: null, rawTx: null }, bad.hooks);
    expect(out).toMatchObject({ status: "failed", reason: "reverted: Forbidden" });
  });

  it("backs off while the RPC is down (refused, then 503) and recovers", async () => {
    let retries = 0;
    const s = submitter({ onRpcRetry: () => retries++, retry: { baseMs: 50, maxMs: 200 } });
    await rpc.setFault("refuse");
    const row = { txHash: null, nonce: null, rawTx: null } as any;
    const h = hooksFor(20n, row);
    const p = s.run(row, h.hooks);
    await new Promise((r) => setTimeout(r, 600));
    const whileRefused = retries;
    await rpc.setFault("503");
    await new Promise((r) => setTimeout(r, 400));
    expect(await isDone(20n)).toBe(false); // nothing got through while down
    await rpc.setFault("none");
    const out = await p;
    expect(whileRefused).toBeGreaterThan(1);
    expect(retries).toBeGreaterThan(whileRefused); // 503s were retried too
    expect(out).toMatchObject({ status: "confirmed", how: "mined" });
    expect(await isDone(20n)).toBe(true);
  });
});
