// AwayPort over viem for the deployed contracts (HomeLightClient, AtomicSettlement): reads
// the light client head and receipts, and encodes submitHeader / settle / settleWithHeader / recordDefault.
// Addresses come from the deploy script's JSON (contracts/deploy/deploy.ts: lightClient, settlement, chainId).
import { readFileSync } from "node:fs";
import { encodeFunctionData, parseAbi, type Address, type PublicClient } from "viem";
import { decodeReceiptWord, type ReceiptWord } from "../home/model/away-storage.ts";
import type { AwayChainConfig } from "./config.ts";
import { ConfigError } from "./config.ts";
import type { AwayPort, AwayView, Groth16Calldata, SettlementMaterial } from "./ports.ts";

export const LIGHT_CLIENT_ABI = parseAbi([
  "function submitHeader(uint8 kind, uint256[8] proof, uint256[4] pub)",
  "function stateRootAt(uint64 height) view returns (uint256)",
  "function currentEpoch() view returns (uint64)",
  "function latestHeight() view returns (uint64)",
  "function hasHeaders() view returns (bool)",
  "function headerSettlementVerifier() view returns (address)",
  "function paused() view returns (bool)",
  "function pausedDuring(uint64 from, uint64 to) view returns (uint64)",
  "error PublicInputNotInField(uint256 index)",
  "error MalformedMeta()",
  "error WrongChainId(uint32 got, uint32 expected)",
  "error WrongEpoch(uint64 got, uint64 current)",
  "error WrongValidatorSet()",
  "error ConflictingHeader(uint64 height)",
  "error HeightNotIncreasing(uint64 height, uint64 latest)",
  "error InvalidProof()",
  "error VerifierUnavailable(uint8 kind)",
  "error ClientPaused()",
  "error UnknownHeader(uint64 height)",
]);

/** IHomeLightClient.HeaderProof: which verifier submitHeader uses. */
export const HEADER_PROOF_KIND = { aggregated: 0, perValidator: 1 } as const;

export const SETTLEMENT_ABI = parseAbi([
  "struct Fill { address winner; uint256 sellAmount; uint256 payAmount; uint64 lockId; uint16 maxRateBps; }",
  "struct ResultPayload { uint64 auctionId; address auctioneer; address sellAsset; uint256 sellAmount; address buyAsset; uint256 clearingPrice; uint8 mode; uint64 auctioneerLockId; uint16 auctioneerMaxRateBps; address lp; uint64 settleDeadline; uint64 clearedAt; Fill[] fills; }",
  "struct LockupPayload { uint64 lockId; bytes32 owner; address borrower; address creditAsset; uint256 creditLimit; uint64 expiry; uint8 status; }",
  "function settle(uint64 height, uint256[8] proof, ResultPayload result, LockupPayload[] lockups)",
  "function settleWithHeader(uint256[8] proof, uint256[4] headerPub, ResultPayload result, LockupPayload[] lockups)",
  "function recordDefault(uint64 height, uint256[8] proof, ResultPayload result, LockupPayload[] lockups)",
  "function receipts(uint64 auctionId) view returns (uint256)",
  "error ReceiptExists(uint64 auctionId)",
  "error LockAlreadyConsumed(uint64 lockId)",
  "error DeadlinePassed(uint256 extendedDeadline)",
  "error DeadlineNotReached(uint256 extendedDeadline)",
  "error StaleHeader(uint64 height, uint64 headerTimestamp)",
  "error InvalidProof()",
  "error ZeroDigest(uint256 publicInput)",
  "error InvalidResult()",
  "error TooManyFills(uint256 count)",
  "error LockupMismatch(uint256 slot)",
  "error TooManyLockups(uint256 count)",
  "error WrongBorrower(uint64 lockId)",
  "error LockupNotLocked(uint64 lockId)",
  "error WrongCreditAsset(uint64 lockId)",
  "error CreditLimitTooLow(uint64 lockId, uint256 creditLimit, uint256 owed)",
  "error LockupExpired(uint64 lockId, uint256 extendedExpiry)",
  "error LpOfferMissing(address lp)",
  "error LpRateAboveCap(address lp, uint16 rateBps, uint16 maxRateBps)",
  "error RepayAssetNotAccepted(address lp, address repayAsset)",
  "error PriceBelowLpLimit(address lp, uint256 clearingPrice, uint256 minPrice)",
  "error PaymentFailed(uint256 fillIndex, address payer)",
  "error AuctioneerPaymentMissing(uint64 auctionId)",
  "error InsufficientGas()",
  "error InvalidFill(uint256 index)",
  "error CallbackFailed(address borrower)",
  "error ClientPaused()",
  "error UnknownHeader(uint64 height)",
  "error PublicInputNotInField(uint256 index)",
]);

export interface AwayAddresses {
  chainId: number;
  lightClient: Address;
  settlement: Address;
}

export function readAddresses(file: string, expectedChainId: number): AwayAddresses {
  let j: any;
  try {
    j = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read Away addresses file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const addr = (k: string): Address => {
    const v = j[k];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw new ConfigError(`addresses file '${file}': '${k}' must be an address`);
    return v.toLowerCase() as Address;
  };
  if (j.chainId !== undefined && Number(j.chainId) !== expectedChainId) {
    throw new ConfigError(`addresses file '${file}' is for chain ${j.chainId}, but the config says chainId ${expectedChainId}`);
  }
  return { chainId: expectedChainId, lightClient: addr("lightClient"), settlement: addr("settlement") };
}

const proof8 = (c: Groth16Calldata) => {
  if (c.proof.length !== 8) throw new Error(`a Groth16 calldata proof has 8 words, got ${c.proof.length}`);
  return c.proof as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
};

export async function viemAwayPort(chain: AwayChainConfig, client: PublicClient): Promise<AwayPort> {
  const a = readAddresses(chain.addressesFile, chain.chainId);
  const read = <T>(address: Address, abi: any, functionName: string, args: unknown[] = [], blockNumber?: bigint): Promise<T> =>
    client.readContract({ address, abi, functionName, args, blockNumber }) as Promise<T>;
  const lightClientState = async (): Promise<AwayView["lightClient"]> => {
    const [epoch, latestHeight, hasHeaders] = await Promise.all([
      read<bigint>(a.lightClient, LIGHT_CLIENT_ABI, "currentEpoch"),
      read<bigint>(a.lightClient, LIGHT_CLIENT_ABI, "latestHeight"),
      read<boolean>(a.lightClient, LIGHT_CLIENT_ABI, "hasHeaders"),
    ]);
    return { epoch, latestHeight, hasHeaders };
  };
  const receipt = async (auctionId: bigint) => {
    const w = await read<bigint>(a.settlement, SETTLEMENT_ABI, "receipts", [auctionId]);
    return w === 0n ? null : decodeReceiptWord(w);
  };
  const settleArgs = (m: SettlementMaterial, c: Groth16Calldata) => [m.height, proof8(c), m.result, m.lockups] as const;
  return {
    chainId: chain.chainId,
    settlement: a.settlement,
    lightClientState,
    receipt,
    async headerStored(height) {
      return (await read<bigint>(a.lightClient, LIGHT_CLIENT_ABI, "stateRootAt", [height])) !== 0n;
    },
    async settlementWindow(r) {
      const block = await client.getBlock({ blockTag: "latest" });
      const [paused, ext] = await Promise.all([
        read<boolean>(a.lightClient, LIGHT_CLIENT_ABI, "paused", [], block.number),
        // the contract's own extension: pausedDuring(clearedAt, now) (SettlementRules.withinWindow)
        block.timestamp > r.settleDeadline ? read<bigint>(a.lightClient, LIGHT_CLIENT_ABI, "pausedDuring", [r.clearedAt, block.timestamp], block.number) : 0n,
      ]);
      return { deadline: r.settleDeadline + ext, nowSec: block.timestamp, paused };
    },
    async view(auctionIds) {
      const [lc, block, hsVerifier] = await Promise.all([
        lightClientState(),
        client.getBlock({ blockTag: "latest" }),
        read<Address>(a.lightClient, LIGHT_CLIENT_ABI, "headerSettlementVerifier"),
      ]);
      const receipts = new Map<bigint, ReceiptWord>();
      for (const id of auctionIds) {
        const r = await receipt(id);
        if (r) receipts.set(id, r);
      }
      return { chainId: chain.chainId, settlement: a.settlement, lightClient: lc, headerSettlement: BigInt(hsVerifier) !== 0n, nowSec: block.timestamp, receipts };
    },
    headerTx(c) {
      if (c.pub.length !== 4) throw new Error(`a header proof has 4 public inputs, got ${c.pub.length}`);
      const kind = HEADER_PROOF_KIND[c.kind ?? "aggregated"];
      return {
        to: a.lightClient,
        abi: LIGHT_CLIENT_ABI,
        data: encodeFunctionData({ abi: LIGHT_CLIENT_ABI, functionName: "submitHeader", args: [kind, proof8(c), c.pub as unknown as readonly [bigint, bigint, bigint, bigint]] }),
      };
    },
    settleTx(m, c) {
      return { to: a.settlement, abi: SETTLEMENT_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "settle", args: settleArgs(m, c) }) };
    },
    settleWithHeaderTx(m, c) {
      if (c.pub.length < 4) throw new Error(`a HeaderSettlement proof starts with the header's 4 public inputs, got ${c.pub.length}`);
      const headerPub = c.pub.slice(0, 4) as unknown as readonly [bigint, bigint, bigint, bigint];
      return { to: a.settlement, abi: SETTLEMENT_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "settleWithHeader", args: [proof8(c), headerPub, m.result, m.lockups] as any }) };
    },
    defaultTx(m, c) {
      return { to: a.settlement, abi: SETTLEMENT_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "recordDefault", args: settleArgs(m, c) }) };
    },
  };
}
