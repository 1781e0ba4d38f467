// Idempotent transaction submission to one Away chain with viem and a local key.
// The transaction is signed locally first, so its hash is known; hash, nonce and the raw
// bytes are written to the job row BEFORE broadcast. After a crash, a job found in
// `submitting`/`submitted` is resumed from that record: the recorded hash is looked up
// (receipt, then mempool), then the contract state (work already done by anyone), then the
// same raw bytes are re-broadcast (same hash: it can only be mined once). Only when the
// recorded nonce was consumed by another transaction and the work is still not done is a
// new transaction signed. RPC faults are retried with backoff; reverts are classified:
// a known "already done" custom error counts as done, any other revert fails the job.
import {
  createPublicClient,
  decodeErrorResult,
  http,
  keccak256,
  parseTransaction,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type Transport,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { isTransient, sleep, withRetry, type BackoffOptions } from "./backoff.ts";
import type { Logger } from "./log.ts";
import { silentLogger } from "./log.ts";

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

/** What the submitter needs from the job row, and how it persists progress. */
export interface SubmissionRecord {
  txHash: string | null;
  nonce: number | null;
  rawTx: string | null;
}

export interface SubmissionHooks {
  /** Persist state+hash+nonce+raw BEFORE broadcast; false = the job was lost (lease), do not send. */
  record(r: { state: "submitting" | "submitted"; txHash: Hex; nonce: number; rawTx: Hex }): Promise<boolean>;
  /** Is the work already done on chain (header stored, auction settled, ...)? */
  alreadyDone(): Promise<boolean>;
  /** Build the transaction (called only when a new transaction must be signed). */
  build(): Promise<TxIntent>;
}

export type SubmitOutcome =
  | { status: "confirmed"; how: "mined" | "already-done" | "done-error"; txHash?: Hex; gasUsed?: bigint; blockNumber?: bigint; detail?: string }
  | { status: "failed"; reason: string; txHash?: Hex };

export class LostJobError extends Error {
  constructor() {
    super("job lease lost before broadcast");
    this.name = "LostJobError";
  }
}

export interface SubmitterOptions {
  chainId: number;
  privateKey: Hex;
  confirmations: number;
  rpcUrl?: string;
  transport?: Transport;
  pollMs?: number;
  retry?: BackoffOptions;
  /** How long a recorded tx may be absent from the node before it is re-broadcast. */
  missingRebroadcastMs?: number;
  log?: Logger;
  onRpcRetry?: () => void;
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
  const message = (err as any)?.shortMessage ?? (err as Error)?.message ?? String(err);
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

function alreadyKnown(err: unknown): boolean {
  return /already known|known transaction|already imported|nonce too low|nonce has already been used|replacement transaction underpriced/i.test(
    String((err as any)?.details ?? "") + String((err as Error)?.message ?? ""),
  );
}

export class Submitter {
  readonly account: PrivateKeyAccount;
  readonly client: PublicClient;
  private lock: Promise<unknown> = Promise.resolve();
  private log: Logger;

  constructor(readonly opts: SubmitterOptions) {
    this.account = privateKeyToAccount(opts.privateKey);
    const transport = opts.transport ?? http(opts.rpcUrl, { retryCount: 0, timeout: 10_000 });
    this.client = createPublicClient({ transport, pollingInterval: opts.pollMs ?? 500 }) as PublicClient;
    this.log = opts.log ?? silentLogger;
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
        this.log.warn("rpc fault, retrying", { chainId: this.opts.chainId, what, attempt, delayMs, error: (e as Error).message?.split("\n")[0] });
      },
    });
  }

  /** Submit (or resume submitting) one job's transaction. Never signs twice while an earlier tx may still land. */
  async run(rec: SubmissionRecord, hooks: SubmissionHooks, signal?: AbortSignal): Promise<SubmitOutcome> {
    if (rec.txHash && rec.nonce !== null) {
      const r = await this.resume(rec, hooks, signal);
      if (r) return r;
    } else if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
      return { status: "confirmed", how: "already-done", detail: "found done on chain before sending" };
    }
    return this.sendFresh(hooks, signal);
  }

  /** Resume from a recorded tx. Returns undefined when a fresh transaction is needed. */
  private async resume(rec: SubmissionRecord, hooks: SubmissionHooks, signal?: AbortSignal): Promise<SubmitOutcome | undefined> {
    const hash = rec.txHash as Hex;
    const receipt = await this.rpc("getTransactionReceipt", () => this.client.getTransactionReceipt({ hash }).catch(notFound), signal);
    if (receipt) return this.finish(receipt, hooks, undefined, signal);
    const pending = await this.rpc("getTransaction", () => this.client.getTransaction({ hash }).catch(notFound), signal);
    if (pending) return this.waitFor(hash, rec.rawTx as Hex | null, hooks, undefined, signal);
    if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
      return { status: "confirmed", how: "already-done", detail: "recorded tx not found; work already done on chain" };
    }
    const latest = await this.rpc("getTransactionCount", () => this.client.getTransactionCount({ address: this.account.address, blockTag: "latest" }), signal);
    if (rec.rawTx && latest <= rec.nonce!) {
      this.log.info("re-broadcasting recorded transaction", { chainId: this.opts.chainId, txHash: hash, nonce: rec.nonce });
      await this.broadcast(rec.rawTx as Hex, signal);
      return this.waitFor(hash, rec.rawTx as Hex, hooks, undefined, signal);
    }
    this.log.warn("recorded nonce was used by another transaction; signing a new one", { chainId: this.opts.chainId, txHash: hash, nonce: rec.nonce });
    return undefined;
  }

  private async sendFresh(hooks: SubmissionHooks, signal?: AbortSignal): Promise<SubmitOutcome> {
    const intent = await hooks.build();
    // One signer, one nonce sequence: sign+record+broadcast are serialized per Submitter.
    const signed = await this.serialized(async () => {
      let gas = intent.gas;
      if (gas === undefined) {
        try {
          gas = await this.rpc(
            "estimateGas",
            () => this.client.estimateGas({ account: this.account.address, to: intent.to, data: intent.data, value: intent.value }),
            signal,
          );
          gas = (gas * 125n) / 100n;
        } catch (e) {
          if (isTransient(e)) throw e;
          return { revert: e };
        }
      }
      const nonce = await this.rpc(
        "getTransactionCount",
        () => this.client.getTransactionCount({ address: this.account.address, blockTag: "pending" }),
        signal,
      );
      const fees = await this.rpc("estimateFeesPerGas", () => this.client.estimateFeesPerGas(), signal);
      const raw = await this.account.signTransaction({
        chainId: this.opts.chainId,
        type: "eip1559",
        to: intent.to,
        data: intent.data,
        value: intent.value ?? 0n,
        nonce,
        gas,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      const txHash = keccak256(raw);
      if (!(await hooks.record({ state: "submitting", txHash, nonce, rawTx: raw }))) throw new LostJobError();
      await this.broadcast(raw, signal);
      await hooks.record({ state: "submitted", txHash, nonce, rawTx: raw });
      this.log.info("transaction sent", { chainId: this.opts.chainId, txHash, nonce, to: intent.to });
      return { txHash, raw };
    });
    if ("revert" in signed) return this.classifyRevert(signed.revert, intent);
    return this.waitFor(signed.txHash, signed.raw, hooks, intent, signal);
  }

  private async broadcast(raw: Hex, signal?: AbortSignal): Promise<void> {
    try {
      await this.rpc("sendRawTransaction", () => this.client.sendRawTransaction({ serializedTransaction: raw }), signal);
    } catch (e) {
      if (alreadyKnown(e)) return; // the node has it (or mined it): the wait loop sorts it out
      throw e;
    }
  }

  /** Wait until the tx is mined with enough confirmations; re-broadcast the same bytes if it vanishes. */
  private async waitFor(hash: Hex, raw: Hex | null, hooks: SubmissionHooks, intent?: TxIntent, signal?: AbortSignal): Promise<SubmitOutcome> {
    const pollMs = this.opts.pollMs ?? 500;
    let missingSince: number | undefined;
    for (;;) {
      const receipt = await this.rpc("getTransactionReceipt", () => this.client.getTransactionReceipt({ hash }).catch(notFound), signal);
      if (receipt) return this.finish(receipt, hooks, intent, signal);
      const tx = await this.rpc("getTransaction", () => this.client.getTransaction({ hash }).catch(notFound), signal);
      if (tx) missingSince = undefined;
      else {
        missingSince ??= Date.now();
        if (Date.now() - missingSince > (this.opts.missingRebroadcastMs ?? 15_000)) {
          if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) return { status: "confirmed", how: "already-done", txHash: hash };
          const latest = await this.rpc("getTransactionCount", () => this.client.getTransactionCount({ address: this.account.address, blockTag: "latest" }), signal);
          const mine = raw ? Number(parseTransaction(raw).nonce) : -1;
          if (!raw || latest > mine) return this.sendFresh(hooks, signal); // nonce taken by another tx, work not done
          await this.broadcast(raw, signal);
          missingSince = undefined;
        }
      }
      await sleep(pollMs, signal);
    }
  }

  private async finish(receipt: TransactionReceipt, hooks: SubmissionHooks, intent?: TxIntent, signal?: AbortSignal): Promise<SubmitOutcome> {
    const pollMs = this.opts.pollMs ?? 500;
    // confirmations: the receipt's block counts as one
    for (;;) {
      const head = await this.rpc("getBlockNumber", () => this.client.getBlockNumber({ cacheTime: 0 }), signal);
      if (head - receipt.blockNumber + 1n >= BigInt(this.opts.confirmations)) break;
      await sleep(pollMs, signal);
    }
    // re-read after confirmations: a reorg may have dropped or moved it
    const again = await this.rpc("getTransactionReceipt", () => this.client.getTransactionReceipt({ hash: receipt.transactionHash }).catch(notFound), signal);
    if (!again) return this.waitFor(receipt.transactionHash, null, hooks, intent, signal);
    if (again.status === "success") {
      return { status: "confirmed", how: "mined", txHash: again.transactionHash, gasUsed: again.gasUsed, blockNumber: again.blockNumber };
    }
    // reverted on chain: find out why by replaying the call at that block
    if (await this.rpc("alreadyDone", hooks.alreadyDone, signal)) {
      return { status: "confirmed", how: "already-done", txHash: again.transactionHash, detail: "tx reverted but the work is done on chain" };
    }
    let reason = "reverted";
    if (intent) {
      try {
        const tx = await this.client.getTransaction({ hash: again.transactionHash });
        await this.client.call({ account: this.account.address, to: tx.to!, data: tx.input, blockNumber: again.blockNumber - 1n });
      } catch (e) {
        const out = this.classifyRevert(e, intent, again.transactionHash);
        if (out.status === "confirmed") return out;
        reason = out.reason;
      }
    }
    return { status: "failed", reason, txHash: again.transactionHash };
  }

  private classifyRevert(err: unknown, intent: TxIntent, txHash?: Hex): SubmitOutcome {
    if (!isRevert(err) && !revertInfo(err).data) {
      return { status: "failed", reason: (err as Error).message?.split("\n")[0] ?? String(err), txHash };
    }
    const info = revertInfo(err, intent.abi);
    if (info.name && intent.doneErrors?.includes(info.name)) {
      return { status: "confirmed", how: "done-error", txHash, detail: info.name };
    }
    return { status: "failed", reason: info.name ? `reverted: ${info.name}` : `reverted: ${info.message.split("\n")[0]}`, txHash };
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
