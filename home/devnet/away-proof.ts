// Reads Away-chain (EVM) contract storage through `eth_getProof` and checks the answer
// itself: the account proof against the stateRoot of a block `confirmations` deep, and
// the storage proof against that account's storageRoot (mpt.ts, over @ethereumjs/mpt). The
// devnet uses it to acknowledge AuctionEscrow deposits and consume AtomicSettlement receipts
// (circuits/ENCODING.md, "Away storage read by Home"). Failures are HomeErrors with codes:
// away-proof-invalid (the proof does not verify), away-state-mismatch (the verified state does
// not show the claim), away-chain-mismatch, receipt-invalid (a word outside the receipt layout),
// away-rpc-failed.
import * as z from "zod";
import { hexToBytes, http, type Hex } from "viem";
import { HomeError, type HomeErrorCode } from "../api/index.ts";
import {
  decodeReceiptWord,
  escrowCommitment,
  escrowCommitmentSlot,
  receiptSlot,
  type EscrowDeposit,
  type ReceiptWord,
} from "../model/index.ts";
import { verifyAccountProof, verifyStorageProof, MptProofError } from "./mpt.ts";

/** The Away chain's JSON-RPC, as far as Home needs it. */
export interface AwayRpc {
  request(method: string, params: unknown[]): Promise<unknown>;
}

/** The RPC failed or answered nonsense (not the caller's fault). */
export class AwayRpcError extends HomeError {
  constructor(message: string) {
    super("away-rpc-failed", `Away RPC: ${message}`);
    this.name = "AwayRpcError";
  }
}

/** The Away chain's verified state does not support the claim, or its proof does not verify. */
export class AwayProofError extends HomeError {
  constructor(code: Extract<HomeErrorCode, "away-proof-invalid" | "away-state-mismatch" | "away-chain-mismatch" | "receipt-invalid">, message: string) {
    super(code, message);
    this.name = "AwayProofError";
  }
}

/** JSON-RPC over HTTP (viem's transport: one attempt per call, with a timeout). */
export function httpRpc(url: string, timeoutMs = 15_000): AwayRpc {
  const transport = http(url, { timeout: timeoutMs, retryCount: 0 })({});
  return {
    async request(method, params) {
      try {
        return await transport.request({ method, params });
      } catch (e) {
        const err = e as { shortMessage?: string; message?: string };
        throw new AwayRpcError(`${method} to ${url} failed: ${(err.shortMessage ?? err.message ?? String(e)).split("\n")[0]}`);
      }
    },
  };
}

export interface VerifiedStorageRead {
  blockNumber: bigint;
  blockHash: Hex;
  stateRoot: Hex;
  contract: Hex;
  slot: Hex;
  value: bigint;
}

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/).transform((s) => s as Hex);
const BlockNumberReply = hex;
const BlockReply = z.object({ hash: hex, stateRoot: hex }).nullable();
const ProofReply = z.object({
  accountProof: z.array(hex),
  storageProof: z.array(z.object({ proof: z.array(hex) })).length(1),
});

/** An RPC answer checked against the shape `method` must have. */
async function call<T>(rpc: AwayRpc, method: string, params: unknown[], shape: z.ZodType<T, unknown>): Promise<T> {
  const r = shape.safeParse(await rpc.request(method, params));
  if (!r.success) throw new AwayRpcError(`${method} returned a malformed answer: ${r.error.issues[0]?.message ?? "invalid"}`);
  return r.data;
}

const blockNumber = async (rpc: AwayRpc) => BigInt(await call(rpc, "eth_blockNumber", [], BlockNumberReply));

/**
 * Reads one storage word of `contract` at the block `confirmations` below the head,
 * verifying both proofs. The block header itself (its stateRoot) is taken from the RPC.
 * Some dev nodes (Hardhat's EDR) answer eth_getProof for the head whatever block is asked;
 * such an answer fails verification unless the block is the head, so when the proof does
 * not verify and the head moved meanwhile, the read is retried (at most 3 attempts).
 */
export async function readVerifiedStorage(rpc: AwayRpc, contract: Hex, slot: Hex, confirmations: number): Promise<VerifiedStorageRead> {
  for (let attempt = 1; ; attempt++) {
    const head = await blockNumber(rpc);
    try {
      return await readAt(rpc, contract, slot, head, confirmations);
    } catch (e) {
      if (!(e instanceof AwayProofError) || e.code !== "away-proof-invalid" || attempt >= 3) throw e;
      if ((await blockNumber(rpc)) === head) throw e;
    }
  }
}

async function readAt(rpc: AwayRpc, contract: Hex, slot: Hex, head: bigint, confirmations: number): Promise<VerifiedStorageRead> {
  const target = head - BigInt(confirmations);
  if (target < 0n) throw new AwayProofError("away-state-mismatch", `Away chain is at block ${head}, fewer than ${confirmations} confirmations`);
  const tag = `0x${target.toString(16)}`;
  const block = await call(rpc, "eth_getBlockByNumber", [tag, false], BlockReply);
  if (!block) throw new AwayRpcError(`block ${target} not found`);
  const res = await call(rpc, "eth_getProof", [contract, [slot], tag], ProofReply);
  try {
    const account = await verifyAccountProof(hexToBytes(block.stateRoot), hexToBytes(contract), res.accountProof.map((n) => hexToBytes(n)));
    if (!account) throw new AwayProofError("away-state-mismatch", `contract ${contract} does not exist at Away block ${target}`);
    const value = await verifyStorageProof(account.storageRoot, hexToBytes(slot), res.storageProof[0]!.proof.map((n) => hexToBytes(n)));
    return { blockNumber: target, blockHash: block.hash, stateRoot: block.stateRoot, contract, slot, value };
  } catch (e) {
    if (e instanceof MptProofError) throw new AwayProofError("away-proof-invalid", `Away proof rejected: ${e.message} (Away block ${target})`);
    throw e;
  }
}

/** Checks that the RPC serves the expected chain (domain separation of leaves). */
export async function checkChainId(rpc: AwayRpc, expected: bigint): Promise<void> {
  const got = BigInt(await call(rpc, "eth_chainId", [], hex));
  if (got !== expected) throw new AwayProofError("away-chain-mismatch", `Away RPC serves chain ${got}, the devnet is configured for chain ${expected}`);
}

/** Verifies that AuctionEscrow holds exactly this deposit under the depositor's key; returns the verified read. */
export async function checkEscrowDeposit(rpc: AwayRpc, escrow: Hex, d: EscrowDeposit, confirmations: number): Promise<VerifiedStorageRead> {
  const read = await readVerifiedStorage(rpc, escrow, escrowCommitmentSlot(d.auctionId, d.depositor), confirmations);
  if (read.value === 0n) {
    throw new AwayProofError("away-state-mismatch", `AuctionEscrow ${escrow} holds no deposit by ${d.depositor} for auction ${d.auctionId} at Away block ${read.blockNumber}`);
  }
  if (read.value !== escrowCommitment(d)) {
    throw new AwayProofError(
      "away-state-mismatch",
      `AuctionEscrow deposit by ${d.depositor} for auction ${d.auctionId} does not match (asset ${d.asset}, amount ${d.amount}, refundNotBefore ${d.refundNotBefore}) at Away block ${read.blockNumber}`,
    );
  }
  return read;
}

/** Reads and verifies AtomicSettlement's receipt word for an auction (open or closed); throws if there is none. */
export async function readSettlementReceipt(
  rpc: AwayRpc,
  settlement: Hex,
  auctionId: bigint,
  confirmations: number,
): Promise<VerifiedStorageRead & ReceiptWord> {
  const read = await readVerifiedStorage(rpc, settlement, receiptSlot(auctionId), confirmations);
  if (read.value === 0n) {
    throw new AwayProofError("away-state-mismatch", `AtomicSettlement ${settlement} has no receipt for auction ${auctionId} at Away block ${read.blockNumber}`);
  }
  let w: ReceiptWord;
  try {
    w = decodeReceiptWord(read.value);
  } catch (e) {
    throw new AwayProofError("receipt-invalid", `receipt for auction ${auctionId} is not a receipt word: ${(e as Error).message}`);
  }
  return { ...read, ...w };
}
