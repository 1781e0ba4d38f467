// AwayPort over viem for the deployed contracts (HomeLightClient, AtomicSettlement): reads
// the light client head and receipts, and encodes submitHeader / settle / settleWithHeader / recordDefault,
// typed by the ABIs generated from the Hardhat artifacts (generated/away-abi.ts).
// Addresses come from the deploy script's JSON (contracts/deploy/deploy.ts: lightClient, settlement, chainId).
import { readFileSync } from "node:fs";
import { encodeFunctionData, type Address, type PublicClient } from "viem";
import { AWAY_ERRORS_ABI, LIGHT_CLIENT_ABI, SETTLEMENT_ABI } from "./generated/away-abi.ts";
import { decodeReceiptWord, type ReceiptWord } from "../home/model/away-storage.ts";
import type { AwayChainConfig } from "./config.ts";
import { ConfigError } from "./config.ts";
import type { AwayPort, AwayView, Groth16Calldata, SettlementMaterial } from "./ports.ts";

/** IHomeLightClient.HeaderProof: which verifier submitHeader uses. */
export const HEADER_PROOF_KIND = { aggregated: 0, perValidator: 1 } as const;

export { LIGHT_CLIENT_ABI, SETTLEMENT_ABI };

/** A transaction's ABI for the submitter: its functions and every error an Away call can revert with (decoded by name). */
const LIGHT_CLIENT_TX_ABI = [...LIGHT_CLIENT_ABI, ...AWAY_ERRORS_ABI] as const;
const SETTLEMENT_TX_ABI = [...SETTLEMENT_ABI, ...AWAY_ERRORS_ABI] as const;

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

type Uint256x4 = readonly [bigint, bigint, bigint, bigint];
type Uint256x8 = readonly [...Uint256x4, ...Uint256x4];

/** `words` as the fixed-size array the ABI wants (uint256[4] or uint256[8]), or an error saying what was expected. */
function fixed<T extends Uint256x4 | Uint256x8>(words: readonly bigint[], n: T["length"], what: string): T {
  if (words.length !== n) throw new Error(`${what}, got ${words.length}`);
  return words as unknown as T;
}
const proof8 = (c: Groth16Calldata) => fixed<Uint256x8>(c.proof, 8, "a Groth16 calldata proof has 8 words");
const words4 = (pub: readonly bigint[], what: string) => fixed<Uint256x4>(pub, 4, what);

export async function viemAwayPort(chain: AwayChainConfig, client: PublicClient): Promise<AwayPort> {
  const a = readAddresses(chain.addressesFile, chain.chainId);
  const lc = { address: a.lightClient, abi: LIGHT_CLIENT_ABI } as const;
  const lightClientState = async (): Promise<AwayView["lightClient"]> => {
    const [epoch, latestHeight, hasHeaders] = await Promise.all([
      client.readContract({ ...lc, functionName: "currentEpoch" }),
      client.readContract({ ...lc, functionName: "latestHeight" }),
      client.readContract({ ...lc, functionName: "hasHeaders" }),
    ]);
    return { epoch, latestHeight, hasHeaders };
  };
  const receipt = async (auctionId: bigint) => {
    const w = await client.readContract({ address: a.settlement, abi: SETTLEMENT_ABI, functionName: "receipts", args: [auctionId] });
    return w === 0n ? null : decodeReceiptWord(w);
  };
  const settleArgs = (m: SettlementMaterial, c: Groth16Calldata) => [m.height, proof8(c), m.result, m.lockups] as const;
  return {
    chainId: chain.chainId,
    settlement: a.settlement,
    lightClientState,
    receipt,
    async headerStored(height) {
      return (await client.readContract({ ...lc, functionName: "stateRootAt", args: [height] })) !== 0n;
    },
    async settlementWindow(r) {
      const block = await client.getBlock({ blockTag: "latest" });
      const [paused, ext] = await Promise.all([
        client.readContract({ ...lc, functionName: "paused", blockNumber: block.number }),
        // the contract's own extension: pausedDuring(clearedAt, now) (SettlementRules.withinWindow)
        block.timestamp > r.settleDeadline
          ? client.readContract({ ...lc, functionName: "pausedDuring", args: [r.clearedAt, block.timestamp], blockNumber: block.number })
          : 0n,
      ]);
      return { deadline: r.settleDeadline + ext, nowSec: block.timestamp, paused };
    },
    async view(auctionIds) {
      const [lcState, block, hsVerifier] = await Promise.all([
        lightClientState(),
        client.getBlock({ blockTag: "latest" }),
        client.readContract({ ...lc, functionName: "headerSettlementVerifier" }),
      ]);
      const receipts = new Map<bigint, ReceiptWord>();
      for (const id of auctionIds) {
        const r = await receipt(id);
        if (r) receipts.set(id, r);
      }
      return { chainId: chain.chainId, settlement: a.settlement, lightClient: lcState, headerSettlement: BigInt(hsVerifier) !== 0n, nowSec: block.timestamp, receipts };
    },
    headerTx(c) {
      const kind = HEADER_PROOF_KIND[c.kind ?? "aggregated"];
      return {
        to: a.lightClient,
        abi: LIGHT_CLIENT_TX_ABI,
        data: encodeFunctionData({ abi: LIGHT_CLIENT_ABI, functionName: "submitHeader", args: [kind, proof8(c), words4(c.pub, "a header proof has 4 public inputs")] }),
      };
    },
    settleTx(m, c) {
      return { to: a.settlement, abi: SETTLEMENT_TX_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "settle", args: settleArgs(m, c) }) };
    },
    settleWithHeaderTx(m, c) {
      const headerPub = words4(c.pub.slice(0, 4), "a HeaderSettlement proof starts with the header's 4 public inputs");
      return { to: a.settlement, abi: SETTLEMENT_TX_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "settleWithHeader", args: [proof8(c), headerPub, m.result, m.lockups] }) };
    },
    defaultTx(m, c) {
      return { to: a.settlement, abi: SETTLEMENT_TX_ABI, data: encodeFunctionData({ abi: SETTLEMENT_ABI, functionName: "recordDefault", args: settleArgs(m, c) }) };
    },
  };
}
