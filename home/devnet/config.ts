// Configuration of the Home devnet: defaults, validation, and the part of it that
// defines the chain (persisted with the data so a restart cannot silently change it).
import { getAddress, isAddress, type Hex } from "viem";
import { MAX_FILLS } from "../model/rules.ts";
import type { AwayRpc } from "./away-proof.ts";

export interface OfflineRule {
  slot: number;
  /** Offline only in this epoch; undefined = every epoch. */
  epoch?: bigint;
}

export interface DevnetConfig {
  /** Seed of every key and of the rotation rule. */
  seed: string;
  /** Home chainId (u32) in every header. */
  homeChainId: number;
  /** Validator-set capacity N (power of two; the HeaderQuorum circuit's N). */
  capacity: number;
  /** Occupied slots (1..capacity). */
  active: number;
  /** Voting power per active slot. */
  powers: bigint[];
  /** Blocks per epoch (K); the K-th block of an epoch carries the next set's root. */
  epochBlocks: number;
  /** Block interval in ms; 0 = blocks only on request (POST /admin/blocks, chain.produceBlock()). */
  blockMs: number;
  offline: OfflineRule[];
  /** Directory of chain.sqlite; null = in memory (lost on exit). */
  dataDir: string | null;
  host: string;
  /** HTTP port; 0 picks a free one. */
  port: number;
  awayChainId: bigint;
  settlementAddress: Hex;
  escrowAddress: Hex;
  /** Away JSON-RPC (URL, or an in-process client); null disables escrow acks and receipts. */
  awayRpc: string | AwayRpc | null;
  /** Away blocks below the head at which storage is read. */
  confirmations: number;
  /** LIBRA price: credit-asset base units per LIBRA base unit, as a decimal string (up to 18 decimals). */
  libraPrice: string;
  collateralRatioPercent: number;
  /** Most fills per auction result. */
  maxFills: number;
  /** Most lock-backed (borrowing) fills per mode 1 result: the Settlement circuit's K (dev 2, prod 4). */
  maxLockFills: number;
  /** Progress lines (blocks, epochs); default: none. */
  log?: (line: string) => void;
}

export const DEFAULT_POWER = 1_000_000n;
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Hex;

export function defaultConfig(): DevnetConfig {
  return {
    seed: "olzk-devnet",
    homeChainId: 1,
    capacity: 4,
    active: 4,
    powers: Array(4).fill(DEFAULT_POWER),
    epochBlocks: 10,
    blockMs: 1000,
    offline: [],
    dataDir: "./data/devnet",
    host: "127.0.0.1",
    port: 8645,
    awayChainId: 31337n,
    settlementAddress: ZERO_ADDRESS,
    escrowAddress: ZERO_ADDRESS,
    awayRpc: null,
    confirmations: 0,
    libraPrice: "1",
    collateralRatioPercent: 130,
    maxFills: 8,
    maxLockFills: 2,
  };
}

/** Fills in defaults (powers follow `active` when not given) and validates; throws RangeError naming the option. */
export function resolveConfig(partial: Partial<DevnetConfig>): DevnetConfig {
  const c: DevnetConfig = { ...defaultConfig(), ...partial };
  if (partial.powers === undefined) c.powers = Array(c.active).fill(DEFAULT_POWER);
  const fail = (m: string): never => {
    throw new RangeError(m);
  };
  if (!Number.isInteger(c.capacity) || c.capacity < 1 || c.capacity > 1024 || (c.capacity & (c.capacity - 1)) !== 0) fail(`validators (capacity) must be a power of two from 1 to 1024, got ${c.capacity}`);
  if (!Number.isInteger(c.active) || c.active < 1 || c.active > c.capacity) fail(`active must be from 1 to the capacity ${c.capacity}, got ${c.active}`);
  if (c.powers.length !== c.active) fail(`powers lists ${c.powers.length} values for ${c.active} active validators`);
  if (c.powers.some((p) => p < 1n || p >> 64n !== 0n)) fail("every power must be from 1 to 2^64-1");
  if (!Number.isInteger(c.homeChainId) || c.homeChainId < 0 || c.homeChainId >= 2 ** 32) fail("home chain id must be an unsigned 32-bit integer");
  if (!Number.isInteger(c.epochBlocks) || c.epochBlocks < 1) fail("epoch-blocks must be at least 1");
  if (!Number.isInteger(c.blockMs) || c.blockMs < 0) fail("block-ms must be 0 (manual) or a positive number of ms");
  for (const r of c.offline) if (!Number.isInteger(r.slot) || r.slot < 0 || r.slot >= c.capacity) fail(`offline slot ${r.slot} is not a slot of a ${c.capacity}-slot set`);
  if (c.awayChainId < 0n || c.awayChainId >> 64n !== 0n) fail("away chain id must be an unsigned 64-bit integer");
  for (const [k, v] of [["settlement-address", c.settlementAddress], ["escrow-address", c.escrowAddress]] as const) {
    if (!isAddress(v, { strict: false })) fail(`${k} must be a 0x-prefixed 20-byte address, got ${v}`);
  }
  c.settlementAddress = getAddress(c.settlementAddress);
  c.escrowAddress = getAddress(c.escrowAddress);
  if (!Number.isInteger(c.confirmations) || c.confirmations < 0) fail("confirmations must be a non-negative integer");
  parseDecimal18(c.libraPrice, "libra-price");
  if (parseDecimal18(c.libraPrice, "libra-price") === 0n) fail("libra-price must be above 0");
  if (!Number.isInteger(c.collateralRatioPercent) || c.collateralRatioPercent < 100) fail("collateral-ratio must be a whole percentage of at least 100");
  if (!Number.isInteger(c.maxFills) || c.maxFills < 1 || c.maxFills > MAX_FILLS) fail(`max-fills must be 1..${MAX_FILLS} (the receipt keeps one settled bit per fill)`);
  if (!Number.isInteger(c.maxLockFills) || c.maxLockFills < 1) fail("max-lock-fills must be at least 1");
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) fail("port must be 0..65535");
  return c;
}

/** "1.25" -> 1.25 * 10^18 (at most 18 decimals). */
export function parseDecimal18(s: string, what: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(s);
  if (!m) throw new RangeError(`${what} must be a decimal number with at most 18 decimals, got '${s}'`);
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"));
}

/** The settings that define the chain's history; a data directory refuses a different set. */
export function chainIdentity(c: DevnetConfig): Record<string, string> {
  return {
    // The validator-set commitment and key registration rules (ENCODING.md); older data directories used a Merkle root.
    attestation: "poseidon-chain-set-v1+pop",
    seed: c.seed,
    homeChainId: String(c.homeChainId),
    capacity: String(c.capacity),
    active: String(c.active),
    powers: c.powers.join(","),
    epochBlocks: String(c.epochBlocks),
    awayChainId: String(c.awayChainId),
    settlementAddress: c.settlementAddress,
    escrowAddress: c.escrowAddress,
    maxFills: String(c.maxFills),
    maxLockFills: String(c.maxLockFills),
  };
}
