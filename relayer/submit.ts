// Idempotent transaction submission to one Away chain, with fee replacement.
//
// Every transaction is signed first (by a local key or a remote signer, signer.ts), so its
// hash is known, and recorded in the job row (`txs`, plus the latest in txHash/nonce/rawTx)
// BEFORE it is broadcast; a replacement too. The submitter then tracks the job's recorded
// transactions until one is mined with the chain's confirmations:
//   - a receipt of any of them -> wait for `confirmations` blocks, then check the receipt's
//     block is still canonical (a reorg puts the job back to waiting);
//   - the nonce used (at the confirmed depth) by a transaction that is none of ours -> the work
//     is done on chain (done) or a new transaction is signed at a new nonce; this is the only
//     way a job gets a second nonce, and none of its earlier transactions can be mined then;
//   - the latest one gone from the node's pool -> the same bytes are re-broadcast (same hash);
//   - not mined `bumpAfterMs` after it was signed -> replaced on the same nonce with fees at
//     least `bumpPercent` higher and at least the current estimate (fees.ts), never above the
//     chain's fee cap (a bump the cap stops is logged as a warning and the transaction waits).
// All transactions of a job share one nonce (but for the case above), so at most one of them
// is ever mined. After a crash, `run()` resumes from the record the same way; a transaction
// recorded but never broadcast is broadcast at once.
//
// Nonces: the next nonce is the larger of the chain's pending count and this process's own
// counter; the counter is dropped (resynced from the chain) on start and whenever the node
// refuses a transaction. Broadcast errors are classified by the chain's state (is our hash
// known? is the nonce used?) and viem's node error classes, not by message wording. RPC faults
// are retried with backoff; reverts are classified: a known "already done" custom error counts
// as done, any other revert fails the job.
import {
  BaseError,
  createPublicClient,
  decodeErrorResult,
  keccak256,
  parseTransaction,
  recoverTransactionAddress,
  type Abi,
  type Address,
  type Hex,
  type Log,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { getNodeError } from "viem/utils";
import { AwayRpc, faultLine } from "./away-rpc.ts";
import { isTransient, sleep, withRetry, type BackoffOptions } from "./backoff.ts";
import { capFees, DEFAULT_FEES, feesFromHistory, replacementFees, type FeeConfig, type Fees } from "./fees.ts";
import type { JobPatch, TxAttempt } from "./jobs.ts";
import type { Logger } from "./log.ts";
import { silentLogger } from "./log.ts";
import type { TxRequest, TxSigner } from "./signer.ts";

export interface TxIntent {
  to: Address;
  data: Hex;
  value?: bigint;
  /** ABI used to decode revert data into a custom error name. */
  abi?: Abi;
  /** Custom error names that mean "this work is already done on chain" (e.g. AlreadySettled). */
  doneErrors?: string[];
  /** Fixed gas limit (otherwise estimated + 25%). */
  gas?: bigint;
}

/** What the submitter needs from the job row. */
export interface SubmissionRecord {
  txHash: string | null;
  nonce: number | null;
  rawTx: string | null;
  /** Every transaction signed for the job (rows from before replacement have only txHash/nonce/rawTx). */
  txs?: TxAttempt[];
}

/** What the submitter persists: the latest transaction and the full list. */
export interface RecordedSubmission {
  state: "submitting" | "submitted";
  txHash: Hex;
  nonce: number;
  rawTx: Hex;
  txs: TxAttempt[];
}

export interface SubmissionHooks {
  /** Persist BEFORE broadcast ("submitting") and after ("submitted"); false = the job was lost (lease), do not send. */
  record(r: RecordedSubmission): Promise<boolean>;
  /** Is the work already done on chain (header stored, auction settled, ...)? */
  alreadyDone(): Promise<boolean>;
  /** Build the transaction (called when a transaction must be signed at a new nonce, or a revert decoded). */
  build(): Promise<TxIntent>;
}

export type SubmitOutcome =
  | {
      status: "confirmed";
      how: "mined" | "already-done" | "done-error";
      txHash?: Hex;
      gasUsed?: bigint;
      blockNumber?: bigint;
      detail?: string;
      /** The mined transaction's logs (how: "mined"): a settle's FillFailed events say which fills stay open and why. */
      logs?: Log[];
    }
  | {
      status: "failed";
      reason: string;
      txHash?: Hex;
      /** The revert data (a custom error) when the call reverted, in simulation or on chain; undefined for other failures. */
      revertData?: Hex;
      /** A revert without data, or no revert at all (the node refused the call otherwise). */
      reverted: boolean;
    };

export class LostJobError extends Error {
  constructor() {
    super("job lease lost before broadcast");
    this.name = "LostJobError";
  }
}

/** The node refused a transaction for a reason a retry with the same bytes cannot fix (no funds, bad gas, ...). */
export class BroadcastRejectedError extends Error {
  readonly code = "BROADCAST_REJECTED";
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(`node refused the transaction (${reason}): ${message}`, options);
    this.name = "BroadcastRejectedError";
  }
}

export interface SubmitterOptions {
  chainId: number;
  /** Label for logs. */
  name?: string;
  signer: TxSigner;
  confirmations: number;
  fees?: Partial<FeeConfig>;
  /** JSON-RPC URLs with failover (away-rpc.ts); or give `transport`. */
  rpcUrls?: string[];
  transport?: Transport;
  pollMs?: number;
  retry?: BackoffOptions;
  /** How long the latest recorded tx may be absent from the node before it is re-broadcast. */
  missingRebroadcastMs?: number;
  log?: Logger;
  onRpcRetry?: () => void;
  /** A stuck transaction was replaced with a higher fee. */
  onReplaced?: () => void;
  /** The fee cap stopped or limited a fee. */
  onFeeCapped?: () => void;
}

/** Walk an error's cause chain for revert data and decode it against `abi`. */
export function revertInfo(err: unknown, abi?: Abi): { name?: string; data?: Hex; message: string } {
  let data: Hex | undefined;
  for (let e: any = err, d = 0; e && d < 10; e = e.cause, d++) {
    if (typeof e.data === "string" && e.data.startsWith("0x")) data = e.data as Hex;
    else if (e.data && typeof e.data.data === "string") data = e.data.data as Hex;
    if (typeof e.raw === "string" && e.raw.startsWith("0x")) data = e.raw as Hex;
    if (data) break;
  }
  let name: string | undefined;
  if (data && abi && data.length >= 10) {
    try {
      name = decodeErrorResult({ abi, data }).errorName;
    } catch {
      /* unknown selector */
    }
  }
  const message = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  return { name, data, message };
}

function isRevert(err: unknown): boolean {
  for (let e: any = err, d = 0; e && d < 10; e = e.cause, d++) {
    const n = String(e.name ?? "");
    if (n === "ExecutionRevertedError" || n === "ContractFunctionRevertedError" || n === "CallExecutionError" && /revert/i.test(e.message)) return true;
    if (/execution reverted|reverted with|custom error|VM Exception/i.test(String(e.message ?? e.details ?? ""))) return true;
  }
  return false;
}

/** viem's node error classes for which re-sending the same transaction cannot help. */
const PERMANENT_NODE_ERRORS = new Set([
  "InsufficientFundsError", "IntrinsicGasTooHighError", "IntrinsicGasTooLowError", "TipAboveFeeCapError",
  "TransactionTypeNotSupportedError", "FeeCapTooHighError", "NonceMaxValueError", "ExecutionRevertedError",
]);

/** viem's class for a node's refusal (NonceTooLowError, InsufficientFundsError, ... UnknownNodeError) and its JSON-RPC code. */
export function nodeError(e: unknown): { name: string; code?: number } {
  let code: number | undefined;
  for (let c: any = e, d = 0; c && d < 8 && code === undefined; c = c.cause, d++) if (typeof c.code === "number") code = c.code;
  const name = e instanceof BaseError ? getNodeError(e, {}).name : ((e as Error)?.name ?? "Error");
  return { name, code };
}

/** The job row fields that point at the mined transaction (once confirmed). */
export function minedRecord(txs: TxAttempt[], hash: string | undefined): Pick<JobPatch, "txHash" | "nonce" | "rawTx"> {
  const a = hash ? txs.find((t) => t.hash === hash) : undefined;
  return a ? { txHash: a.hash, nonce: a.nonce, rawTx: a.raw } : {};
}

function attemptsOf(rec: SubmissionRecord): TxAttempt[] {
  if (rec.txs?.length) return rec.txs;
  if (rec.txHash && rec.rawTx && rec.nonce !== null) return [{ hash: rec.txHash, nonce: rec.nonce, raw: rec.rawTx, at: 0 }];
  return [];
}

const senderOf = (a: TxAttempt): Promise<Address> =>
  recoverTransactionAddress({ serializedTransaction: a.raw as Parameters<typeof recoverTransactionAddress>[0]["serializedTransaction"] });

type BroadcastResult = "accepted" | "known" | "nonce-used" | "refused";

export class Submitter {
  readonly client: PublicClient;
  readonly signer: TxSigner;
  readonly fees: FeeConfig;
  private lock: Promise<unknown> = Promise.resolve();
  private log: Logger;
  /** Next nonce this process hands out; undefined = take the chain's pending count. */
  private nextNonce: number | undefined;
  private feeHistoryWarned = false;

  constructor(readonly opts: SubmitterOptions) {
    this.signer = opts.signer;
    this.fees = { ...DEFAULT_FEES, ...opts.fees };
    this.log = (opts.log ?? silentLogger).child({ chainId: opts.chainId });
    const transport = opts.transport ?? new AwayRpc({ chainId: opts.chainId, name: opts.name, urls: opts.rpcUrls ?? [], log: this.log }).transport;
    this.client = createPublicClient({ transport, pollingInterval: opts.pollMs ?? 500 }) as PublicClient;
  }

  /** The submitting account. */
  get address(): Address {
    return this.signer.address;
  }

  /** RPC call with backoff on transient faults. */
  rpc<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(fn, {
      maxAttempts: Infinity,
      signal,
      baseMs: 200,
      maxMs: 10_000,
      ...this.opts.retry,
      onRetry: (e, attempt, delayMs) => {
        this.opts.onRpcRetry?.();
        this.log.warn("rpc fault, retrying", { what, attempt, delayMs, error: faultLine(e) });
      },
    });
  }

  /** Drop this process's nonce counter and take the chain's (on start; the node refused a transaction). */
  async syncNonce(reason: string, signal?: AbortSignal): Promise<{ latest: number; pending: number }> {
    this.nextNonce = undefined;
    const [latest, pending] = await Promise.all([this.count(this.address, "latest", signal), this.count(this.address, "pending", signal)]);
    this.log.info("nonce synced from the chain", { account: this.address, latest, pending, reason });
    return { latest, pending };
  }

  /** Submit (or resume submitting) one job's transaction. Never signs at a new nonce while an earlier transaction may still be mined. */
  async run(rec: SubmissionRecord, hooks: SubmissionHooks, signal?: AbortSignal): Promise<SubmitOutcome> {
    const txs = attemptsOf(rec);
    if (txs.length) return this.track(txs, hooks, { resumed: true }, signal);
    if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
      return { status: "confirmed", how: "already-done", detail: "found done on chain before sending" };
    }
    return this.sendFresh(hooks, [], signal);
  }

  private count(address: Address, blockTag: "latest" | "pending", signal?: AbortSignal): Promise<number> {
    return this.rpc("getTransactionCount", () => this.client.getTransactionCount({ address, blockTag }), signal);
  }

  /** Is `nonce` of `from` used at the confirmed depth (the block `confirmations - 1` below the head)? */
  private async nonceUsed(from: Address, nonce: number, signal?: AbortSignal): Promise<boolean> {
    const depth = BigInt(this.opts.confirmations - 1);
    if (depth === 0n) return (await this.count(from, "latest", signal)) > nonce;
    const head = await this.rpc("getBlockNumber", () => this.client.getBlockNumber({ cacheTime: 0 }), signal);
    if (head < depth) return false;
    const n = await this.rpc("getTransactionCount", () => this.client.getTransactionCount({ address: from, blockNumber: head - depth }), signal);
    return n > nonce;
  }

  private receipt(hash: string, signal?: AbortSignal): Promise<TransactionReceipt | null> {
    return this.rpc("getTransactionReceipt", () => this.client.getTransactionReceipt({ hash: hash as Hex }).catch(notFound), signal);
  }

  private async minedReceipt(txs: TxAttempt[], signal?: AbortSignal): Promise<TransactionReceipt | null> {
    for (const a of [...txs].reverse()) {
      const r = await this.receipt(a.hash, signal);
      if (r) return r;
    }
    return null;
  }

  private inPool(hash: string, signal?: AbortSignal): Promise<unknown> {
    return this.rpc("getTransaction", () => this.client.getTransaction({ hash: hash as Hex }).catch(notFound), signal);
  }

  private async anyInPool(txs: TxAttempt[], signal?: AbortSignal): Promise<boolean> {
    for (const a of txs) if (await this.inPool(a.hash, signal)) return true;
    return false;
  }

  /** Follow the job's recorded transactions until one is mined and confirmed (see the header). */
  private async track(txs: TxAttempt[], hooks: SubmissionHooks, ctx: { intent?: TxIntent; resumed?: boolean }, signal?: AbortSignal): Promise<SubmitOutcome> {
    const pollMs = this.opts.pollMs ?? 500;
    const missingMs = this.opts.missingRebroadcastMs ?? 15_000;
    let cur = txs.at(-1)!;
    const from = await senderOf(cur);
    let firstLook = ctx.resumed === true;
    let seenAt = Date.now();
    let bumpAt = cur.at + this.fees.bumpAfterMs;
    for (;;) {
      const mined = await this.minedReceipt(txs, signal);
      if (mined) {
        const out = await this.confirm(mined, hooks, ctx.intent, signal);
        if (out) return out;
        firstLook = false;
        seenAt = Date.now();
        continue; // reorged out: waiting again
      }
      if (await this.nonceUsed(from, cur.nonce, signal)) {
        if (await this.minedReceipt(txs, signal)) continue; // ours after all (mined since the first look)
        this.nextNonce = undefined;
        if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
          return { status: "confirmed", how: "already-done", detail: `nonce ${cur.nonce} was used by another transaction; the work is done on chain` };
        }
        this.log.warn("recorded nonce was used by another transaction; signing a new one", { txHash: cur.hash, nonce: cur.nonce });
        return this.sendFresh(hooks, txs, signal);
      }
      if (await this.inPool(cur.hash, signal)) seenAt = Date.now();
      else if (firstLook || Date.now() - seenAt > missingMs) {
        // after a restart, work done elsewhere needs nothing of ours, unless one of our
        // transactions holds the nonce in the pool: it is followed to the end so that no
        // stuck transaction of ours blocks the account's later nonces
        if (firstLook && !(await this.anyInPool(txs, signal)) && (await this.rpc("alreadyDone", hooks.alreadyDone, signal))) {
          this.nextNonce = undefined; // its nonce may be free again
          return { status: "confirmed", how: "already-done", detail: "recorded tx not found; work already done on chain" };
        }
        this.log.info("re-broadcasting recorded transaction", { txHash: cur.hash, nonce: cur.nonce });
        await this.broadcast(cur, from, txs, signal);
        seenAt = Date.now();
        // recorded before a crash and never sent: its wait for a bump starts now (one the node
        // dropped keeps its timer, or a pool that evicts it would never see a higher fee)
        if (firstLook) bumpAt = Math.max(bumpAt, Date.now() + this.fees.bumpAfterMs);
      }
      firstLook = false;
      if (Date.now() >= bumpAt) {
        const next = await this.serialized(() => this.replace(cur, from, txs, hooks, signal));
        if (next) {
          txs = next;
          cur = txs.at(-1)!;
          seenAt = Date.now();
        }
        bumpAt = Date.now() + this.fees.bumpAfterMs;
      }
      await sleep(pollMs, signal);
    }
  }

  private async sendFresh(hooks: SubmissionHooks, prev: TxAttempt[], signal?: AbortSignal): Promise<SubmitOutcome> {
    const intent = await hooks.build();
    // One signer, one nonce sequence: sign+record+broadcast are serialized per Submitter.
    const signed = await this.serialized(async () => {
      let gas = intent.gas;
      if (gas === undefined) {
        try {
          gas = await this.rpc("estimateGas", () => this.client.estimateGas({ account: this.address, to: intent.to, data: intent.data, value: intent.value }), signal);
          gas = (gas * 125n) / 100n;
        } catch (e) {
          if (isTransient(e)) throw e;
          return { revert: e };
        }
      }
      const nonce = await this.allocateNonce(signal);
      try {
        const estimate = await this.currentFees(signal);
        const { fees, capped } = capFees(estimate, this.fees.capWei);
        if (capped) {
          this.opts.onFeeCapped?.();
          this.log.warn("fee cap limits the fee of a new transaction; it may wait until the base fee drops", { nonce, estimatedMaxFeePerGas: estimate.maxFeePerGas, capWei: this.fees.capWei });
        }
        const attempt = await this.sign({ to: intent.to, data: intent.data, value: intent.value ?? 0n, nonce, gas, ...fees }, signal);
        const txs = [...prev, attempt];
        await this.recordAndBroadcast(attempt, this.address, txs, hooks, signal);
        this.log.info("transaction sent", { txHash: attempt.hash, nonce, to: intent.to, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas });
        return { txs };
      } catch (e) {
        this.nextNonce = undefined; // the nonce handed out may never reach the node: no gap behind it
        throw e;
      }
    });
    if ("revert" in signed) return this.classifyRevert(signed.revert, intent);
    return this.track(signed.txs, hooks, { intent }, signal);
  }

  /** Replace the stuck `cur` on its nonce with higher fees (under the cap); undefined when the cap stops it. */
  private async replace(cur: TxAttempt, from: Address, txs: TxAttempt[], hooks: SubmissionHooks, signal?: AbortSignal): Promise<TxAttempt[] | undefined> {
    if (from.toLowerCase() !== this.address.toLowerCase()) {
      this.log.warn("a stuck transaction was signed by another account than the configured signer; not replacing it", { txHash: cur.hash, from, signer: this.address });
      return undefined;
    }
    const p = parseTransaction(cur.raw as Hex);
    const old: Fees = { maxFeePerGas: p.maxFeePerGas ?? 0n, maxPriorityFeePerGas: p.maxPriorityFeePerGas ?? 0n };
    const r = replacementFees(old, await this.currentFees(signal), this.fees);
    if (!r.ok) {
      this.opts.onFeeCapped?.();
      this.log.warn("fee cap stops a fee bump; the transaction waits at its fee", {
        txHash: cur.hash, nonce: cur.nonce, maxFeePerGas: old.maxFeePerGas, wantedMaxFeePerGas: r.wanted.maxFeePerGas, capWei: this.fees.capWei,
      });
      return undefined;
    }
    if (r.capped) {
      this.opts.onFeeCapped?.();
      this.log.warn("fee cap limits a fee bump", { txHash: cur.hash, nonce: cur.nonce, maxFeePerGas: r.fees.maxFeePerGas, capWei: this.fees.capWei });
    }
    const attempt = await this.sign({ to: p.to!, data: p.data ?? "0x", value: p.value ?? 0n, gas: p.gas ?? 0n, nonce: cur.nonce, ...r.fees }, signal);
    const next = [...txs, attempt];
    await this.recordAndBroadcast(attempt, from, next, hooks, signal);
    this.opts.onReplaced?.();
    this.log.warn("replaced a transaction not mined in time with a higher fee", {
      nonce: cur.nonce, replaced: cur.hash, txHash: attempt.hash, waitedMs: Date.now() - cur.at,
      maxFeePerGas: r.fees.maxFeePerGas, previousMaxFeePerGas: old.maxFeePerGas, maxPriorityFeePerGas: r.fees.maxPriorityFeePerGas,
    });
    return next;
  }

  private async recordAndBroadcast(a: TxAttempt, from: Address, txs: TxAttempt[], hooks: SubmissionHooks, signal?: AbortSignal): Promise<void> {
    const rec = { txHash: a.hash as Hex, nonce: a.nonce, rawTx: a.raw as Hex, txs };
    if (!(await hooks.record({ state: "submitting", ...rec }))) throw new LostJobError();
    const sent = await this.broadcast(a, from, txs, signal);
    if (sent === "accepted" || sent === "known") await hooks.record({ state: "submitted", ...rec });
  }

  private async allocateNonce(signal?: AbortSignal): Promise<number> {
    const pending = await this.count(this.address, "pending", signal);
    if (this.nextNonce !== undefined && pending > this.nextNonce) {
      this.log.info("the account's nonce moved on chain (used elsewhere); resynced", { local: this.nextNonce, chain: pending });
    }
    const nonce = Math.max(pending, this.nextNonce ?? 0);
    this.nextNonce = nonce + 1;
    return nonce;
  }

  /** Fees for a transaction now, from the fee history (viem's estimate where the node has no eth_feeHistory). */
  private async currentFees(signal?: AbortSignal): Promise<Fees> {
    try {
      const h = await this.rpc(
        "getFeeHistory",
        () => this.client.getFeeHistory({ blockCount: this.fees.historyBlocks, blockTag: "latest", rewardPercentiles: [this.fees.priorityPercentile] }),
        signal,
      );
      if (h.baseFeePerGas.length) return feesFromHistory(h, this.fees);
    } catch (e) {
      if (signal?.aborted) throw e;
      if (!this.feeHistoryWarned) this.log.warn("eth_feeHistory failed; using the node's fee estimate", { error: faultLine(e) });
      this.feeHistoryWarned = true;
    }
    const f = await this.rpc("estimateFeesPerGas", () => this.client.estimateFeesPerGas(), signal);
    const tip = f.maxPriorityFeePerGas > this.fees.minPriorityFeeWei ? f.maxPriorityFeePerGas : this.fees.minPriorityFeeWei;
    return { maxFeePerGas: f.maxFeePerGas + tip - f.maxPriorityFeePerGas, maxPriorityFeePerGas: tip };
  }

  private async sign(tx: Omit<TxRequest, "chainId">, signal?: AbortSignal): Promise<TxAttempt> {
    const raw = await this.rpc("signTransaction", () => this.signer.signTransaction({ chainId: this.opts.chainId, ...tx }), signal);
    return { hash: keccak256(raw), nonce: tx.nonce, raw, at: Date.now() };
  }

  /**
   * Send recorded bytes. A refusal is judged by the chain: our hash known -> fine; the nonce
   * used -> the tracker finds out by whom; otherwise the transaction keeps its nonce and is
   * re-broadcast or replaced later, unless the node's reason cannot change (no funds, bad gas)
   * and no earlier transaction of the job holds the nonce: then BroadcastRejectedError.
   */
  private async broadcast(a: TxAttempt, from: Address, txs: TxAttempt[], signal?: AbortSignal): Promise<BroadcastResult> {
    try {
      await this.rpc("sendRawTransaction", () => this.client.sendRawTransaction({ serializedTransaction: a.raw as Hex }), signal);
      return "accepted";
    } catch (e) {
      if (signal?.aborted || isTransient(e)) throw e;
      const why = nodeError(e);
      if (await this.inPool(a.hash, signal)) return "known";
      this.nextNonce = undefined; // the next nonce comes from the chain again
      const latest = await this.count(from, "latest", signal);
      if (latest > a.nonce) {
        this.log.warn("nonce already used on chain; nonce resynced", { txHash: a.hash, nonce: a.nonce, chainNonce: latest, error: why.name, code: why.code });
        return "nonce-used";
      }
      const alone = !txs.some((t) => t !== a && t.nonce === a.nonce);
      if (alone && PERMANENT_NODE_ERRORS.has(why.name)) throw new BroadcastRejectedError(why.name, faultLine(e), { cause: e });
      this.log.warn("node refused the transaction; it keeps its nonce and is re-broadcast or replaced later", {
        txHash: a.hash, nonce: a.nonce, error: why.name, code: why.code, message: faultLine(e),
      });
      return "refused";
    }
  }

  /**
   * A receipt was found: wait for the confirmations, then check its block is still canonical.
   * Undefined when a reorg removed it (the caller goes back to waiting).
   */
  private async confirm(first: TransactionReceipt, hooks: SubmissionHooks, intent: TxIntent | undefined, signal?: AbortSignal): Promise<SubmitOutcome | undefined> {
    const pollMs = this.opts.pollMs ?? 500;
    let receipt = first;
    for (;;) {
      const head = await this.rpc("getBlockNumber", () => this.client.getBlockNumber({ cacheTime: 0 }), signal);
      if (head - receipt.blockNumber + 1n < BigInt(this.opts.confirmations)) {
        await sleep(pollMs, signal);
        continue;
      }
      const [again, block] = await Promise.all([
        this.receipt(receipt.transactionHash, signal),
        this.rpc("getBlock", () => this.client.getBlock({ blockNumber: receipt.blockNumber }).catch(blockNotFound), signal),
      ]);
      if (!again || !block) {
        this.log.warn("the transaction's block is no longer canonical (reorg); waiting again", { txHash: receipt.transactionHash, blockNumber: receipt.blockNumber });
        return undefined;
      }
      if (again.blockHash !== receipt.blockHash) {
        this.log.warn("the transaction moved to another block (reorg); counting confirmations again", { txHash: again.transactionHash, blockNumber: again.blockNumber });
        receipt = again;
        continue;
      }
      if (block.hash !== again.blockHash) {
        await sleep(pollMs, signal); // the node is switching heads: look again
        continue;
      }
      break;
    }
    if (receipt.status === "success") {
      return { status: "confirmed", how: "mined", txHash: receipt.transactionHash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber, logs: receipt.logs };
    }
    // reverted on chain: find out why by replaying the call at that block
    if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
      return { status: "confirmed", how: "already-done", txHash: receipt.transactionHash, detail: "tx reverted but the work is done on chain" };
    }
    try {
      const tx = await this.client.getTransaction({ hash: receipt.transactionHash });
      await this.client.call({ account: this.address, to: tx.to!, data: tx.input, blockNumber: receipt.blockNumber - 1n });
    } catch (e) {
      return this.classifyRevert(e, intent ?? (await hooks.build()), receipt.transactionHash);
    }
    return { status: "failed", reason: "reverted", txHash: receipt.transactionHash, reverted: true };
  }

  private classifyRevert(err: unknown, intent: TxIntent, txHash?: Hex): SubmitOutcome {
    if (!isRevert(err) && !revertInfo(err).data) {
      return { status: "failed", reason: (err as Error).message?.split("\n")[0] ?? String(err), txHash, reverted: false };
    }
    const info = revertInfo(err, intent.abi);
    if (info.name && intent.doneErrors?.includes(info.name)) {
      return { status: "confirmed", how: "done-error", txHash, detail: info.name };
    }
    return { status: "failed", reason: info.name ? `reverted: ${info.name}` : `reverted: ${info.message.split("\n")[0]}`, txHash, revertData: info.data, reverted: true };
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }
}

/** viem throws TransactionNotFoundError / TransactionReceiptNotFoundError for unknown hashes. */
function notFound(e: unknown): null {
  const n = String((e as Error)?.name ?? "");
  if (n === "TransactionReceiptNotFoundError" || n === "TransactionNotFoundError") return null;
  throw e;
}

function blockNotFound(e: unknown): null {
  if ((e as Error)?.name === "BlockNotFoundError") return null;
  throw e;
}
