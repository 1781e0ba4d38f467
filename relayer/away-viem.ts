// AwayPort over viem for the deployed contracts (HomeLightClient, AtomicSettlement, and an anchored
// light client's OpenLibraLightClient): reads the light client head, receipts and the anchor's epoch
// and vouchers, and encodes submitHeader / settle / settleWithHeader / recordDefault / submitEpochChange /
// submitVoucher, typed by the ABIs generated from the Hardhat artifacts (generated/away-abi.ts).
// Addresses come from the deploy script's JSON (contracts/deploy/deploy.ts: lightClient, settlement,
// openLibraLightClient, chainId); the anchor named there must be the light client's own.
import { readFileSync } from "node:fs";
import { BaseError, bytesToHex, ContractFunctionZeroDataError, encodeFunctionData, zeroAddress, type Address, type PublicClient } from "viem";
import { AWAY_ERRORS_ABI, LIGHT_CLIENT_ABI, OPEN_LIBRA_LIGHT_CLIENT_ABI, SETTLEMENT_ABI } from "./generated/away-abi.ts";
import { decodeReceiptWord, type ReceiptWord } from "../home/model/away-storage.ts";
import type { AwayChainConfig } from "./config.ts";
import { ConfigError } from "./config.ts";
import type { AnchorPort, AnchorView, AwayPort, AwayView, Groth16Calldata, SettlementMaterial } from "./ports.ts";

/** IHomeLightClient.HeaderProof: which verifier submitHeader uses. */
export const HEADER_PROOF_KIND = { aggregated: 0, perValidator: 1 } as const;

export { LIGHT_CLIENT_ABI, SETTLEMENT_ABI };

/** A transaction's ABI for the submitter: its functions and every error an Away call can revert with (decoded by name). */
const LIGHT_CLIENT_TX_ABI = [...LIGHT_CLIENT_ABI, ...AWAY_ERRORS_ABI] as const;
const SETTLEMENT_TX_ABI = [...SETTLEMENT_ABI, ...AWAY_ERRORS_ABI] as const;
const ANCHOR_TX_ABI = [...OPEN_LIBRA_LIGHT_CLIENT_ABI, ...AWAY_ERRORS_ABI] as const;

export interface AwayAddresses {
  chainId: number;
  lightClient: Address;
  settlement: Address;
  /** The light client's anchor (anchored mode); null when unanchored (or a file from before anchored mode). */
  openLibraLightClient: Address | null;
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
  const anchor = j.openLibraLightClient === undefined || j.openLibraLightClient === null ? null : addr("openLibraLightClient");
  return { chainId: expectedChainId, lightClient: addr("lightClient"), settlement: addr("settlement"), openLibraLightClient: anchor };
}

/** The most vouchers one view reads (the anchor far ahead of the light client): the rest are looked up by their jobs. */
const MAX_VOUCHED_READS = 64n;

/**
 * The light client's anchor() (zero when unanchored). No data in reply (no code at the address
 * yet, or a light client from before anchored mode) reads as unanchored: the relayer starts and
 * its views report what is missing, as before anchored mode.
 */
async function readAnchor(client: PublicClient, lightClient: Address): Promise<Address> {
  try {
    return await client.readContract({ address: lightClient, abi: LIGHT_CLIENT_ABI, functionName: "anchor" });
  } catch (e) {
    if (e instanceof BaseError && e.walk((c) => c instanceof ContractFunctionZeroDataError)) return zeroAddress;
    throw e;
  }
}

/** The anchor of the light client at `lightClient`, checked against what the addresses file says (a ConfigError when they differ). */
async function anchorPort(client: PublicClient, a: AwayAddresses, file: string): Promise<AnchorPort | undefined> {
  const onChain = (await readAnchor(client, a.lightClient)).toLowerCase() as Address;
  const anchored = BigInt(onChain) !== 0n;
  if (anchored !== (a.openLibraLightClient !== null) || (anchored && onChain !== a.openLibraLightClient)) {
    throw new ConfigError(
      `addresses file '${file}': 'openLibraLightClient' is ${a.openLibraLightClient ?? "null"}, but the light client ${a.lightClient} is ${anchored ? `anchored to ${onChain}` : "unanchored"}`,
    );
  }
  if (!anchored) return undefined;
  const olc = { address: onChain, abi: OPEN_LIBRA_LIGHT_CLIENT_ABI } as const;
  return {
    address: onChain,
    epoch: () => client.readContract({ ...olc, functionName: "currentEpoch" }),
    vouched: async (epoch) => BigInt(await client.readContract({ ...olc, functionName: "vouchedAttestationSetRoot", args: [epoch] })),
    epochChangeTx: (c) => ({
      to: onChain,
      abi: ANCHOR_TX_ABI,
      data: encodeFunctionData({
        abi: OPEN_LIBRA_LIGHT_CLIENT_ABI,
        functionName: "submitEpochChange",
        args: [bytesToHex(c.ledgerInfo), bytesToHex(c.bitmask), bytesToHex(c.signature), bytesToHex(c.setOpening), bytesToHex(c.nextKeyYs)],
      }),
    }),
    voucherTx: (c) => ({
      to: onChain,
      abi: ANCHOR_TX_ABI,
      data: encodeFunctionData({
        abi: OPEN_LIBRA_LIGHT_CLIENT_ABI,
        functionName: "submitVoucher",
        args: [c.epoch, bytesToHex(c.attestationSetRoot), bytesToHex(c.bitmask), bytesToHex(c.signature), bytesToHex(c.setOpening)],
      }),
    }),
  };
}

/** The planner's view of the anchor: its epoch and the vouchers recorded for the light client's next epochs. */
async function anchorView(anchor: AnchorPort, lightClientEpoch: bigint): Promise<AnchorView> {
  const epoch = await anchor.epoch();
  const last = epoch < lightClientEpoch + MAX_VOUCHED_READS ? epoch : lightClientEpoch + MAX_VOUCHED_READS;
  const vouched = new Map<bigint, bigint>();
  for (let e = lightClientEpoch + 1n; e <= last; e++) {
    const root = await anchor.vouched(e);
    if (root !== 0n) vouched.set(e, root);
  }
  return { epoch, vouched };
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
  const anchor = await anchorPort(client, a, chain.addressesFile);
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
    anchor,
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
      const view: AwayView = { chainId: chain.chainId, settlement: a.settlement, lightClient: lcState, headerSettlement: BigInt(hsVerifier) !== 0n, nowSec: block.timestamp, receipts };
      if (anchor) view.anchor = await anchorView(anchor, lcState.epoch);
      return view;
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
