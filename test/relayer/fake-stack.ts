// Test doubles for service-level relayer tests: an in-memory Home (with an outage switch),
// an instant prover that counts calls, and an AwayPort over a small contract on EDR that
// mimics the light client and the settlement's receipts (and their "already done" errors).
import { decodeReceiptWord } from "../../home/model/away-storage.ts";
import type { SignedHeader } from "../../home/model/header.ts";
import type { AuctionResultPayload } from "../../home/model/leaves.ts";
import { encodeFunctionData, type Abi, type Address, type Hex, type PublicClient } from "viem";
import type { AwayPort, Groth16Calldata, HomeAuction, HomeSource, HomeView, ProverPort, SettlementMaterial } from "../../relayer/ports.ts";
import { compile, type EdrRpc } from "./edr-rpc.ts";

export const FAKE_AWAY_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract FakeAway {
  uint64 public latestHeight;
  bool public hasHeaders;
  mapping(uint64 => bool) public stored;
  mapping(uint64 => uint256) public receipts;
  mapping(uint64 => uint256) public settleCount;
  uint256 public headerCalls;
  uint256 public settleCalls;
  error HeightNotIncreasing(uint64 height, uint64 latest);
  error ReceiptExists(uint64 auctionId);
  error UnknownHeader(uint64 height);
  function submitHeader(uint64 h) external {
    if (hasHeaders && h <= latestHeight) revert HeightNotIncreasing(h, latestHeight);
    latestHeight = h; hasHeaders = true; stored[h] = true; headerCalls++;
  }
  function settle(uint64 height, uint64 id) external {
    if (!stored[height]) revert UnknownHeader(height);
    if (receipts[id] != 0) revert ReceiptExists(id);
    receipts[id] = 1 | (block.timestamp << 8); settleCount[id]++; settleCalls++;
  }
}`;

export const SETTLEMENT = "0x00000000000000000000000000000000005e7713" as Address;

export class FakeHome implements HomeSource {
  down = false;
  latestHeight = 10n;
  auctions: HomeAuction[] = [];
  receiptsPosted = new Map<bigint, number>();
  private check() {
    if (this.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8645"), { code: "ECONNREFUSED" });
  }
  addAuction(auctionId: bigint, height: bigint, settleDeadline = 10n ** 12n): void {
    if (height > this.latestHeight) this.latestHeight = height;
    this.auctions.push({ auctionId, awayChainId: 31337, awayContract: SETTLEMENT, height, settleDeadline, receiptConsumed: false });
  }
  async view(): Promise<HomeView> {
    this.check();
    return { latestHeight: this.latestHeight, latestEpoch: 0n, epochEnds: [], auctions: this.auctions.map((a) => ({ ...a })) };
  }
  async signedHeader(height: bigint): Promise<SignedHeader> {
    this.check();
    return fakeSignedHeader(height);
  }
  async settlementMaterial(auctionId: bigint, height: bigint): Promise<SettlementMaterial> {
    this.check();
    const a = this.auctions.find((x) => x.auctionId === auctionId);
    return fakeMaterial(auctionId, height, a?.settleDeadline ?? 10n ** 12n);
  }
  /** The fake chain is never anchored: the relayer plans no Open Libra jobs for it. */
  openLibraEpochEnding(): never {
    throw new Error("the fake Home serves no Open Libra formats");
  }
  openLibraEpochState(): never {
    throw new Error("the fake Home serves no Open Libra formats");
  }
  openLibraVoucher(): never {
    throw new Error("the fake Home serves no Open Libra formats");
  }
  async postReceipt(_chainId: number, auctionId: bigint) {
    this.check();
    const a = this.auctions.find((x) => x.auctionId === auctionId)!;
    this.receiptsPosted.set(auctionId, (this.receiptsPosted.get(auctionId) ?? 0) + 1);
    if (a.receiptConsumed) return "already" as const;
    a.receiptConsumed = true;
    return "consumed" as const;
  }
}

/** A signed header with nothing in it but its height (the fake prover reads only that). */
export function fakeSignedHeader(height: bigint): SignedHeader {
  const header = { chainId: 0, epoch: 0n, height, timestampMs: 0n, parentHash: 0n, stateRoot: 0n, validatorSetRoot: 0n, nextValidatorSetRoot: 0n };
  return { header, validatorSet: { epoch: 0n, capacity: 0, validators: [] }, signed: [], signatures: [], aggregate: null };
}

/** A settlement's material as far as the fakes read it: the auction id and deadline of the result. */
export function fakeMaterial(auctionId: bigint, height: bigint, settleDeadline: bigint): SettlementMaterial {
  const zero = "0x0000000000000000000000000000000000000000" as const;
  const result: AuctionResultPayload = {
    auctionId, auctioneer: zero, sellAsset: zero, sellAmount: 0n, buyAsset: zero, clearingPrice: 0n, mode: 1, auctioneerLockId: 0n,
    auctioneerMaxRateBps: 0, lp: zero, settleDeadline, clearedAt: 0n, fills: [],
  };
  const leaf = { proof: { leafKey: 0n, siblings: [], leaf: null, included: false }, digest: 0n };
  return { height, proverArgs: { stateRoot: 0n, awayBinding: 0n, result: { ...leaf, auctionId }, lockups: [] }, result, lockups: [] };
}

export class FakeProver implements ProverPort {
  headerCalls = 0;
  settleCalls = 0;
  constructor(public delayMs = 0) {}
  async proveHeader(sh: SignedHeader): Promise<Groth16Calldata> {
    this.headerCalls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    const h = sh.header.height;
    return { proof: Array(8).fill(1n), pub: [h, 0n, 0n, 0n] };
  }
  async proveSettlement(m: SettlementMaterial): Promise<Groth16Calldata> {
    this.settleCalls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    return { proof: Array(8).fill(2n), pub: [m.height, m.result.auctionId, 0n] };
  }
  async proveHeaderSettlement(): Promise<Groth16Calldata> {
    throw new Error("the fake light client has no headerSettlementVerifier: no settle job carries its header here");
  }
}

export interface FakeAwayContract {
  address: Address;
  abi: Abi;
  read<T>(fn: string, args?: unknown[]): Promise<T>;
}

export async function deployFakeAway(rpc: EdrRpc): Promise<FakeAwayContract> {
  const c = compile(FAKE_AWAY_SOURCE, "FakeAway");
  const [deployer] = await rpc.request("eth_accounts");
  const hash = await rpc.request("eth_sendTransaction", [{ from: deployer, data: c.bytecode }]);
  let receipt: any;
  while (!(receipt = await rpc.request("eth_getTransactionReceipt", [hash]))) await new Promise((r) => setTimeout(r, 20));
  const address = receipt.contractAddress as Address;
  const { decodeFunctionResult } = await import("viem");
  return {
    address,
    abi: c.abi,
    async read<T>(fn: string, args: unknown[] = []) {
      const data = encodeFunctionData({ abi: c.abi, functionName: fn, args });
      const out = (await rpc.request("eth_call", [{ to: address, data }, "latest"])) as Hex;
      return decodeFunctionResult({ abi: c.abi, functionName: fn, data: out }) as T;
    },
  };
}

/** AwayPort over the FakeAway contract, reading through the relayer's own viem client. */
export function fakeAwayPort(contract: FakeAwayContract, client: PublicClient): AwayPort {
  const read = <T>(functionName: string, args: unknown[] = []) =>
    client.readContract({ address: contract.address, abi: contract.abi, functionName, args }) as Promise<T>;
  const lightClientState = async () => ({ epoch: 0n, latestHeight: await read<bigint>("latestHeight"), hasHeaders: await read<boolean>("hasHeaders") });
  const receipt = async (id: bigint) => {
    const w = await read<bigint>("receipts", [id]);
    return w === 0n ? null : decodeReceiptWord(w);
  };
  return {
    chainId: 31337,
    settlement: SETTLEMENT,
    lightClientState,
    receipt,
    headerStored: (h) => read<boolean>("stored", [h]),
    async settlementWindow(r) {
      const block = await client.getBlock();
      return { deadline: r.settleDeadline, nowSec: block.timestamp, paused: false };
    },
    async view(ids) {
      const receipts = new Map();
      for (const id of ids) {
        const r = await receipt(id);
        if (r) receipts.set(id, r);
      }
      const block = await client.getBlock();
      return { chainId: 31337, settlement: SETTLEMENT, lightClient: await lightClientState(), nowSec: block.timestamp, receipts };
    },
    headerTx: (c) => ({ to: contract.address, abi: contract.abi, data: encodeFunctionData({ abi: contract.abi, functionName: "submitHeader", args: [c.pub[0]] }) }),
    settleTx: (m) => ({ to: contract.address, abi: contract.abi, data: encodeFunctionData({ abi: contract.abi, functionName: "settle", args: [m.height, m.result.auctionId] }) }),
    settleWithHeaderTx: () => {
      throw new Error("the fake light client has no headerSettlementVerifier");
    },
    defaultTx: () => {
      throw new Error("no defaults in the fake");
    },
  };
}
