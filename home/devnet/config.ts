// Configuration of the Home devnet: one zod schema with every option's default, check and
// documentation (its `olzk devnet` flag and meaning, from which the flags' --help and the key
// table of home/devnet/README.md are generated: scripts/docs.ts), and the part of it that defines
// the chain (persisted with the data so a restart cannot silently change it).
import * as z from "zod";
import { getAddress, isAddress, zeroAddress, type Hex } from "viem";
import { MAX_FILLS } from "../model/rules.ts";
import { RiskError, parsePriceSourceArg, type RiskConfigInput } from "../risk/index.ts";
import type { AwayRpc } from "./away-proof.ts";

/** Documentation of a config key: its `olzk devnet` flag (if any) and what it means. */
export interface OptionDoc {
  flag: string | null;
  description: string;
  /** How the default reads when it is not the schema's default value (computed, or from the environment). */
  defaultText?: string;
}

export const CONFIG_DOCS = z.registry<OptionDoc>();

export const DEFAULT_POWER = 1_000_000n;

const int = (message: string) => z.number({ error: message }).int({ error: message });
const fail = (message: string) => ({ error: message });

function address(flag: string) {
  return z
    .string()
    .refine((v) => isAddress(v, { strict: false }), { error: (iss) => `${flag} must be a 0x-prefixed 20-byte address, got ${String(iss.input)}` })
    .transform((v): Hex => getAddress(v));
}

/** "1.25" -> 1.25 * 10^18 (at most 18 decimals). */
export function parseDecimal18(s: string, what: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(s);
  if (!m) throw new RangeError(`${what} must be a decimal number with at most 18 decimals, got '${s}'`);
  return BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"));
}

const isAwayRpc = (v: unknown): v is AwayRpc => typeof v === "object" && v !== null && typeof (v as { request?: unknown }).request === "function";
const isRiskConfigInput = (v: unknown): v is RiskConfigInput => typeof v === "object" && v !== null && !Array.isArray(v);

/** The refusal of parsePriceSourceArg, or null for a valid price source argument. */
function priceSourceError(s: string): string | null {
  try {
    parsePriceSourceArg(s);
    return null;
  } catch (e) {
    if (e instanceof RiskError) return `libra-price-source: ${e.message}`;
    throw e;
  }
}

const isLog = (v: unknown): v is (line: string) => void => typeof v === "function";

const offlineRule = z.strictObject({
  slot: int("an offline slot must be a whole number").nonnegative(),
  /** Offline only in this epoch; absent = every epoch. */
  epoch: z.bigint().nonnegative().optional(),
});
export type OfflineRule = z.output<typeof offlineRule>;

const u64Id = (what: string) => z.bigint().refine((v) => v >= 0n && v >> 64n === 0n, fail(`${what} must be an unsigned 64-bit integer`));
const awayRpcOption = z.union([z.string().min(1), z.custom<AwayRpc>(isAwayRpc)]).nullable();

/** One Away chain the devnet binds leaves to: its chain id, contracts and the RPC its storage is read through. */
const awayChainEntry = z.strictObject({
  chainId: u64Id("an away chain's chainId"),
  settlementAddress: address("an away chain's settlement address"),
  escrowAddress: address("an away chain's escrow address").default(zeroAddress),
  awayRpc: awayRpcOption.default(null),
});
export type AwayChainConfig = z.output<typeof awayChainEntry>;

export const DevnetConfigSchema = z
  .strictObject({
    seed: z.string().min(1, fail("seed must not be empty")).default("olzk-devnet").register(CONFIG_DOCS, { flag: "--seed", description: "seed of all validator keys and of the rotation rule" }),
    homeChainId: int("home chain id must be an unsigned 32-bit integer")
      .min(0, fail("home chain id must be an unsigned 32-bit integer"))
      .max(2 ** 32 - 1, fail("home chain id must be an unsigned 32-bit integer"))
      .default(1)
      .register(CONFIG_DOCS, { flag: "--home-chain-id", description: "Home chainId written in every header, u32" }),
    capacity: z
      .number()
      .refine((n) => Number.isInteger(n) && n >= 1 && n <= 1024 && (n & (n - 1)) === 0, { error: (iss) => `validators (capacity) must be a power of two from 1 to 1024, got ${String(iss.input)}` })
      .default(4)
      .register(CONFIG_DOCS, { flag: "--validators", description: "validator-set capacity N, a power of two: the HeaderQuorum circuit's N" }),
    active: int("active must be a whole number")
      .default(4)
      .register(CONFIG_DOCS, { flag: "--active", description: "occupied slots, 1..N", defaultText: "N (the flag); 4 (programmatic)" }),
    powers: z
      .array(z.bigint().refine((p) => p >= 1n && p >> 64n === 0n, fail("every power must be from 1 to 2^64-1")))
      .optional()
      .register(CONFIG_DOCS, { flag: "--powers", description: "voting power per active slot (comma-separated with the flag)", defaultText: "1000000 each" }),
    epochBlocks: int("epoch-blocks must be at least 1")
      .min(1, fail("epoch-blocks must be at least 1"))
      .default(10)
      .register(CONFIG_DOCS, { flag: "--epoch-blocks", description: "blocks per epoch K; the last block of an epoch carries the next set's root" }),
    blockMs: int("block-ms must be 0 (manual) or a positive number of ms")
      .min(0, fail("block-ms must be 0 (manual) or a positive number of ms"))
      .default(1000)
      .register(CONFIG_DOCS, { flag: "--block-ms", description: "block interval in ms; 0 = only on POST /admin/blocks (chain.produceBlock())" }),
    offline: z
      .array(offlineRule)
      .default([])
      .register(CONFIG_DOCS, { flag: "--offline", description: "validator slots that do not sign: 'i,j' for every epoch, 'i@e' for epoch e only (e.g. '1,3@2')", defaultText: "none" }),
    dataDir: z
      .string()
      .nullable()
      .default("./data/devnet")
      .register(CONFIG_DOCS, { flag: "--data-dir", description: "where the chain is stored (chain.sqlite); a restart continues it; null (--memory) keeps it in memory only" }),
    backupDir: z
      .string()
      .min(1, fail("backup-dir must not be empty"))
      .nullable()
      .default(null)
      .register(CONFIG_DOCS, {
        flag: "--backup-dir",
        description: "write each ended epoch's Open Libra epoch-ending backup (manifest and chunk, db-backup's format) into this folder (POST /admin/openlibra/backup writes a range there too); none = no backups",
      }),
    host: z.string().min(1).default("127.0.0.1").register(CONFIG_DOCS, { flag: "--host", description: "interface to listen on (loopback)" }),
    port: int("port must be 0..65535").min(0, fail("port must be 0..65535")).max(65535, fail("port must be 0..65535")).default(8645).register(CONFIG_DOCS, { flag: "--port", description: "HTTP port; 0 picks a free one" }),
    awayChainId: u64Id("away chain id")
      .default(31337n)
      .register(CONFIG_DOCS, { flag: "--away-chain-id", description: "chainId of the Away EVM chain the leaves are bound to" }),
    settlementAddress: address("settlement-address")
      .default(zeroAddress)
      .register(CONFIG_DOCS, { flag: "--settlement-address", description: "Away AtomicSettlement contract (bound in lockup, result and receipt leaves)" }),
    escrowAddress: address("escrow-address").default(zeroAddress).register(CONFIG_DOCS, { flag: "--escrow-address", description: "Away AuctionEscrow contract (bound in escrow-ack leaves)" }),
    awayRpc: awayRpcOption
      .default(null)
      .register(CONFIG_DOCS, {
        flag: "--away-rpc",
        description: "Away JSON-RPC URL (or an in-process client) for the eth_getProof checks; none = escrow acks and receipts refused",
        defaultText: "$OLZK_AWAY_RPC (the flag); none",
      }),
    awayChains: z
      .array(awayChainEntry)
      .default([])
      .register(CONFIG_DOCS, {
        flag: "--away-chain",
        description:
          "an Away chain leaves may be bound to, repeatable: 'chainId,settlement[,escrow[,rpc]]' ({ chainId, settlementAddress, escrowAddress, awayRpc } in code); lock and create-auction name one by awayChainId, the first is their default; replaces the one-chain flags --away-chain-id, --settlement-address, --escrow-address, --away-rpc",
        defaultText: "none (the one-chain flags)",
      }),
    confirmations: int("confirmations must be a non-negative integer")
      .min(0, fail("confirmations must be a non-negative integer"))
      .default(0)
      .register(CONFIG_DOCS, { flag: "--confirmations", description: "read Away storage this many blocks below the head" }),
    libraPrice: z
      .string()
      .refine((s) => /^(\d+)(?:\.(\d{1,18}))?$/.test(s), { error: (iss) => `libra-price must be a decimal number with at most 18 decimals, got '${String(iss.input)}'` })
      .refine((s) => !/^(\d+)(?:\.(\d{1,18}))?$/.test(s) || parseDecimal18(s, "libra-price") > 0n, fail("libra-price must be above 0"))
      .default("1")
      .register(CONFIG_DOCS, { flag: "--libra-price", description: "LIBRA price in credit-asset base units per LIBRA base unit, decimal (up to 18 decimals)" }),
    collateralRatioPercent: int("collateral-ratio must be a whole percentage of at least 100")
      .min(100, fail("collateral-ratio must be a whole percentage of at least 100"))
      .default(130)
      .register(CONFIG_DOCS, { flag: "--collateral-ratio", description: "collateral ratio in percent: creditLimit = collateralValue * 100 / ratio" }),
    libraPriceSource: z
      .string()
      .superRefine((s, ctx) => {
        const error = priceSourceError(s);
        if (error) ctx.addIssue({ code: "custom", message: error });
      })
      .default("1")
      .register(CONFIG_DOCS, {
        flag: "--libra-price-source",
        description:
          "LIBRA price in USD per whole LIBRA for the risk engine and collateral accounts, one tick per block (tick = height): a fixed price '0.5', a scripted path 'path:0=0.5,60=0.5,61=0.47' (tick=price points, linear between them, a jump is two adjacent ticks) or 'file:prices.csv' / 'file:prices.json' (home/risk/README.md)",
      }),
    riskConfig: z
      .union([z.string().min(1, fail("risk-config must name a file")), z.custom<RiskConfigInput>(isRiskConfigInput)])
      .nullable()
      .default(null)
      .register(CONFIG_DOCS, {
        flag: "--risk-config",
        description:
          "JSON file of the risk engine's parameters (EWMA lambda, ratio tiers, breaker thresholds) and credit assets with their USD prices, over the defaults (home/risk/README.md); programmatic callers may pass the object; none = the defaults and no credit assets (lock with accountId needs its credit asset listed, lock with collateral does not)",
      }),
    maxFills: int(`max-fills must be 1..${MAX_FILLS} (the receipt keeps one settled bit per fill)`)
      .min(1, fail(`max-fills must be 1..${MAX_FILLS} (the receipt keeps one settled bit per fill)`))
      .max(MAX_FILLS, fail(`max-fills must be 1..${MAX_FILLS} (the receipt keeps one settled bit per fill)`))
      .default(8)
      .register(CONFIG_DOCS, { flag: "--max-fills", description: "most fills per auction result" }),
    maxLockFills: int("max-lock-fills must be at least 1")
      .min(1, fail("max-lock-fills must be at least 1"))
      .default(2)
      .register(CONFIG_DOCS, { flag: "--max-lock-fills", description: "most fills that borrow against a lockup: the Settlement circuit's K, dev 2, prod 4" }),
    log: z.custom<(line: string) => void>(isLog).optional().register(CONFIG_DOCS, { flag: null, description: "progress lines (blocks, epochs); none by default (the CLI prints them unless --quiet)", defaultText: "none" }),
  })
  .superRefine((c, ctx) => {
    if (!Number.isInteger(c.active) || c.active < 1 || c.active > c.capacity) ctx.addIssue({ code: "custom", message: `active must be from 1 to the capacity ${c.capacity}, got ${c.active}` });
    if (c.powers && c.powers.length !== c.active) ctx.addIssue({ code: "custom", message: `powers lists ${c.powers.length} values for ${c.active} active validators` });
    for (const r of c.offline) if (r.slot >= c.capacity) ctx.addIssue({ code: "custom", message: `offline slot ${r.slot} is not a slot of a ${c.capacity}-slot set` });
    if (c.awayChains.length > 0 && (c.awayChainId !== 31337n || c.settlementAddress !== zeroAddress || c.escrowAddress !== zeroAddress || c.awayRpc !== null)) {
      ctx.addIssue({ code: "custom", message: "give the Away chains either as awayChains (--away-chain) or as one chain (--away-chain-id, --settlement-address, --escrow-address, --away-rpc), not both" });
    }
    const ids = c.awayChains.map((a) => a.chainId);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) ctx.addIssue({ code: "custom", message: `away chain ${twice} is listed twice` });
  })
  .transform((c) => ({ ...c, powers: c.powers ?? Array<bigint>(c.active).fill(DEFAULT_POWER) }));

export type DevnetConfig = z.output<typeof DevnetConfigSchema>;
export type { RiskConfigInput };
export type DevnetConfigInput = z.input<typeof DevnetConfigSchema>;

/** Fills in defaults (powers follow `active` when not given) and validates; throws RangeError naming the option. */
export function resolveConfig(partial: DevnetConfigInput = {}): DevnetConfig {
  const r = DevnetConfigSchema.safeParse(partial);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path.length ? `${issue.path.map(String).join(".")}: ` : "";
  throw new RangeError(issue.code === "custom" || issue.message.includes(" must ") ? issue.message : `${key}${issue.message}`);
}

/** The defaults of every option. */
export function defaultConfig(): DevnetConfig {
  return resolveConfig({});
}

/** The devnet's Away chains: `awayChains`, or the one chain of the single options; the first is the default of lock and create-auction. */
export function awayChainsOf(c: DevnetConfig): AwayChainConfig[] {
  if (c.awayChains.length > 0) return c.awayChains;
  return [{ chainId: c.awayChainId, settlementAddress: c.settlementAddress, escrowAddress: c.escrowAddress, awayRpc: c.awayRpc }];
}

/** The settings that define the chain's history; a data directory refuses a different set. */
export function chainIdentity(c: DevnetConfig): Record<string, string> {
  const [first, ...more] = awayChainsOf(c) as [AwayChainConfig, ...AwayChainConfig[]];
  return {
    // The validator-set commitment and key registration rules (ENCODING.md); older data directories used a Merkle root.
    attestation: "poseidon-chain-set-v1+pop",
    seed: c.seed,
    homeChainId: String(c.homeChainId),
    capacity: String(c.capacity),
    active: String(c.active),
    powers: c.powers.join(","),
    epochBlocks: String(c.epochBlocks),
    awayChainId: String(first.chainId),
    settlementAddress: first.settlementAddress,
    escrowAddress: first.escrowAddress,
    // Only with more than one Away chain, so a one-chain data directory keeps its identity.
    ...(more.length > 0 ? { moreAwayChains: more.map((a) => `${a.chainId}:${a.settlementAddress}:${a.escrowAddress}`).join(",") } : {}),
    maxFills: String(c.maxFills),
    maxLockFills: String(c.maxLockFills),
  };
}

function defaultOf(schema: z.ZodType): unknown {
  return schema instanceof z.ZodDefault ? schema.def.defaultValue : undefined;
}

/** How an option's default reads in docs and --help. */
export function defaultText(key: keyof typeof DevnetConfigSchema.in.shape): string {
  const schema: z.ZodType = DevnetConfigSchema.in.shape[key];
  const doc = CONFIG_DOCS.get(schema);
  if (doc?.defaultText) return doc.defaultText;
  const v = defaultOf(schema);
  return v === null ? "none" : typeof v === "bigint" ? v.toString() : JSON.stringify(v);
}

/** The README's key table: key, flag, default, meaning of every option (scripts/docs.ts writes it). */
export function configTable(): string {
  const rows = Object.entries(DevnetConfigSchema.in.shape).map(([key, schema]) => {
    const doc = CONFIG_DOCS.get(schema);
    if (!doc) throw new Error(`config key ${key} has no documentation`);
    return `| \`${key}\` | ${doc.flag ? `\`${doc.flag}\`` : ""} | ${defaultText(key as keyof typeof DevnetConfigSchema.in.shape).replace(/\|/g, "\\|")} | ${doc.description} |`;
  });
  return ["| key | flag | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
