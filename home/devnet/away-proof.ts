// Reads Away-chain (EVM) contract storage through `eth_getProof` and checks the answer
// itself: the account proof against the stateRoot of a block `confirmations` deep, and
// the storage proof against that account's storageRoot (mpt.ts). The devnet uses it to
// acknowledge AuctionEscrow deposits and consume AtomicSettlement receipts
// (circuits/ENCODING.md, "Away storage read by Home").
import { hexToBytes, type Hex } from "viem";
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

/** The RPC failed or answered nonsense (not the caller's fault: HTTP 502). */
export class AwayRpcError extends Error {
  constructor(message: string) {
    super(`Away RPC: ${message}`);
    this.name = "AwayRpcError";
  }
}

/** The Away chain's verified state does not support the claim (HTTP 422). */
export class AwayProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AwayProofError";
  }
}

/** JSON-RPC over HTTP with a timeout per call. */
export function httpRpc(url: string, timeoutMs = 15_000): AwayRpc {
  let id = 0;
  return {
    async request(method, params) {
      let res: Response;
      try {
        res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        throw new AwayRpcError(`${method} to ${url} failed: ${(e as Error).message}`);
      }
      let body: any;
      try {
        body = await res.json();
      } catch {
        throw new AwayRpcError(`${method}: HTTP ${res.status} with a non-JSON body`);
      }
      if (body?.error) throw new AwayRpcError(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
      if (!res.ok) throw new AwayRpcError(`${method}: HTTP ${res.status}`);
      return body.result;
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

function hexField(x: unknown, what: string): Hex {
  if (typeof x !== "string" || !/^0x[0-9a-fA-F]*$/.test(x)) throw new AwayRpcError(`${what} is not hex: ${String(x)}`);
  return x as Hex;
}

/**
 * Reads one storage word of `contract` at the block `confirmations` below the head,
 * verifying both proofs. The block header itself (its stateRoot) is taken from the RPC.
 * Some dev nodes (Hardhat's EDR) answer eth_getProof for the head whatever block is asked;
 * such an answer fails verification unless the block is the head, so when the proof does
 * not verify and the head moved meanwhile, the read is retried (at most 3 attempts).
 */
export async function readVerifiedStorage(rpc: AwayRpc, contract: Hex, slot: Hex, confirmations: number): Promise<VerifiedStorageRead> {
  for (let attempt = 1; ; attempt++) {
    const head = BigInt(hexField(await rpc.request("eth_blockNumber", []), "eth_blockNumber"));
    try {
      return await readAt(rpc, contract, slot, head, confirmations);
    } catch (e) {
      if (!(e instanceof AwayProofError) || !e.message.startsWith("Away proof rejected") || attempt >= 3) throw e;
      const now = BigInt(hexField(await rpc.request("eth_blockNumber", []), "eth_blockNumber"));
      if (now === head) throw e;
    }
  }
}

async function readAt(rpc: AwayRpc, contract: Hex, slot: Hex, head: bigint, confirmations: number): Promise<VerifiedStorageRead> {
  const target = head - BigInt(confirmations);
  if (target < 0n) throw new AwayProofError(`Away chain is at block ${head}, fewer than ${confirmations} confirmations`);
  const tag = `0x${target.toString(16)}`;
  const block = (await rpc.request("eth_getBlockByNumber", [tag, false])) as { hash?: unknown; stateRoot?: unknown } | null;
  if (!block) throw new AwayRpcError(`block ${target} not found`);
  const stateRoot = hexField(block.stateRoot, "block.stateRoot");
  const blockHash = hexField(block.hash, "block.hash");
  const res = (await rpc.request("eth_getProof", [contract, [slot], tag])) as {
    accountProof?: unknown[];
    storageProof?: { key?: unknown; value?: unknown; proof?: unknown[] }[];
  } | null;
  if (!res || !Array.isArray(res.accountProof) || !Array.isArray(res.storageProof) || res.storageProof.length !== 1) {
    throw new AwayRpcError("eth_getProof returned a malformed answer");
  }
  const sp = res.storageProof[0]!;
  if (!Array.isArray(sp.proof)) throw new AwayRpcError("eth_getProof storageProof lacks proof nodes");
  try {
    const account = verifyAccountProof(
      hexToBytes(stateRoot),
      hexToBytes(contract),
      res.accountProof.map((n, i) => hexToBytes(hexField(n, `accountProof[${i}]`))),
    );
    if (!account) throw new AwayProofError(`contract ${contract} does not exist at Away block ${target}`);
    const value = verifyStorageProof(
      account.storageRoot,
      hexToBytes(slot),
      sp.proof.map((n, i) => hexToBytes(hexField(n, `storageProof[${i}]`))),
    );
    return { blockNumber: target, blockHash, stateRoot, contract, slot, value };
  } catch (e) {
    if (e instanceof MptProofError) throw new AwayProofError(`Away proof rejected: ${e.message} (Away block ${target})`);
    throw e;
  }
}

/** Checks that the RPC serves the expected chain (domain separation of leaves). */
export async function checkChainId(rpc: AwayRpc, expected: bigint): Promise<void> {
  const got = BigInt(hexField(await rpc.request("eth_chainId", []), "eth_chainId"));
  if (got !== expected) throw new AwayProofError(`Away RPC serves chain ${got}, the devnet is configured for chain ${expected}`);
}

/** Verifies that AuctionEscrow holds exactly this deposit under the depositor's key; returns the verified read. */
export async function checkEscrowDeposit(rpc: AwayRpc, escrow: Hex, d: EscrowDeposit, confirmations: number): Promise<VerifiedStorageRead> {
  const read = await readVerifiedStorage(rpc, escrow, escrowCommitmentSlot(d.auctionId, d.depositor), confirmations);
  if (read.value === 0n) {
    throw new AwayProofError(`AuctionEscrow ${escrow} holds no deposit by ${d.depositor} for auction ${d.auctionId} at Away block ${read.blockNumber}`);
  }
  if (read.value !== escrowCommitment(d)) {
    throw new AwayProofError(
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
  if (read.value === 0n) throw new AwayProofError(`AtomicSettlement ${settlement} has no receipt for auction ${auctionId} at Away block ${read.blockNumber}`);
  let w: ReceiptWord;
  try {
    w = decodeReceiptWord(read.value);
  } catch (e) {
    throw new AwayProofError(`receipt for auction ${auctionId} is not a receipt word: ${(e as Error).message}`);
  }
  return { ...read, ...w };
}
