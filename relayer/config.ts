// Relayer configuration: a JSON file (`olzk relay --config`) with environment variables
// overriding it, validated into a RelayerConfig. Every mistake is a ConfigError with one
// clear line naming the key (the CLI prints it without a stack trace). Keys are documented
// in relayer/README.md.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import * as z from "zod";
import { formatEther, getAddress, isAddress, parseEther, parseGwei, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { defaultProofConcurrency } from "../prover/pool.ts";
import { DEFAULT_FEES, type FeeConfig } from "./fees.ts";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Who signs a chain's transactions: a key in this process, or a remote JSON-RPC signer. */
export type SignerConfig =
  | {
      kind: "key";
      /** 0x-prefixed 32-byte private key (never printed). */
      key: Hex;
      /** Where it came from, for messages: an env var name or "config". */
      source: string;
      /** The account it signs for (derived from the key). */
      address: Address;
    }
  | {
      kind: "remote";
      /** JSON-RPC endpoint answering eth_signTransaction (Web3Signer, ...). */
      url: string;
      /** The account it signs for, as configured (checked against every signature). */
      address: Address;
    };

export interface AwayChainConfig {
  /** Label used in logs and metrics (defaults to the chainId). */
  name: string;
  /** JSON-RPC URLs in order of preference (failover to the next when one fails). */
  rpcUrls: string[];
  /** Timeout of one RPC request (ms). */
  rpcTimeoutMs: number;
  chainId: number;
  /** Path of the deploy script's addresses JSON. */
  addressesFile: string;
  signer: SignerConfig;
  confirmations: number;
  /** Fee estimation, replacement and cap. */
  fees: FeeConfig;
  /** /healthz reports the chain unhealthy while the signer's balance is below this (wei). */
  minBalanceWei: bigint;
}

export interface RelayerConfig {
  homeUrl: string;
  dataDir: string;
  /** "sqlite" (file in dataDir), a sqlite file path, or a postgres:// URL. */
  database: string;
  pollIntervalMs: number;
  /** Metrics/health server; port 0 = pick a free port; null = disabled. */
  metrics: { host: string; port: number } | null;
  /** Name of this worker in job rows; undefined = stable id kept in the data dir (worker-id.ts). */
  workerId: string | undefined;
  leaseMs: number;
  /** Submission slots: jobs in their submitting phase (transactions, Home receipts) at once. */
  concurrency: number;
  /** Proving slots: proofs made at once (each in a prover child process), apart from the submission slots. */
  proverConcurrency: number;
  /** Backoff of retried jobs (a failure that can clear on its own): first delay and cap (ms). */
  retry: { baseMs: number; maxMs: number };
  /** /healthz thresholds and how often the Away chains are probed (ms). */
  health: { checkIntervalMs: number; homeStaleMs: number; maxPendingTxMs: number; maxJobAgeMs: number };
  logLevel: "debug" | "info" | "warn" | "error";
  /** Prover options: artifact profile (default "dev") and proof cache directory (default build/proofs). */
  prover: { profile?: string; cacheDir?: string };
  /** How long startup waits for each Away chain's RPC to answer before refusing to start (ms; 0 = one try). */
  startupTimeoutMs: number;
  away: AwayChainConfig[];
}

type Env = Record<string, string | undefined>;

/**
 * Documentation of a config key, registered on its schema: what it means, its environment
 * variable (fixed, or per Away chain: `OLZK_AWAY_<chainId>_<awayEnv>`) and how its default reads
 * when the schema's default value does not say it (computed, or required).
 */
export interface KeyDoc {
  description: string;
  env?: string;
  awayEnv?: string;
  defaultText?: string;
  /** The env var is a comma-separated list (the key is an array). */
  envList?: boolean;
  /** The env var applies only when the object holding the key is configured (it does not turn that object on). */
  envNeedsParent?: boolean;
  /** Sibling key the env var replaces (dropped from the file's object). */
  envReplaces?: string;
}

export const RELAYER_CONFIG_DOCS = z.registry<KeyDoc>();

const MAX_INT = Number.MAX_SAFE_INTEGER;
const KEY_RE = /^0x[0-9a-fA-F]{64}$/;
const GWEI_RE = /^\d+(\.\d{1,9})?$/;
const ETH_RE = /^\d+(\.\d{1,18})?$/;

// Every issue message below leaves out where the value came from: `formatIssue` puts the key's
// path (e.g. `away[0].fees.capGwei`) or the environment variable it came from in front.

/** `v` as a whole number from min to max (also written as a decimal string: env vars are strings), or why not. */
function wholeNumber(v: unknown, min: number, max: number): number | string {
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n === "number" && Number.isInteger(n) && n >= min && n <= max) return n;
  return `must be a whole number between ${min} and ${max}, got ${JSON.stringify(v)}`;
}

/** An optional whole number from min to max. */
function whole(min: number, max = MAX_INT) {
  return z.unknown().transform((v, ctx): number | undefined => {
    if (v === undefined) return undefined;
    const n = wholeNumber(v, min, max);
    if (typeof n === "number") return n;
    ctx.addIssue({ code: "custom", message: n });
    return z.NEVER;
  });
}

/** A required whole number from min to max. */
function requiredWhole(min: number, max: number) {
  return z.unknown().transform((v, ctx): number => {
    const n = v === undefined ? "is required" : wholeNumber(v, min, max);
    if (typeof n === "number") return n;
    ctx.addIssue({ code: "custom", message: n });
    return z.NEVER;
  });
}

/** Why `v` is not a URL of one of `protocols`, or undefined. */
function urlProblem(v: string, protocols: string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `is not a valid URL: '${v}'`;
  }
  return protocols.includes(u.protocol) ? undefined : `must use ${protocols.join(" or ")}, got '${v}'`;
}

/** A URL of one of `protocols`, without trailing slashes. */
function url(protocols: string[], required?: string) {
  return z
    .string({ error: (iss) => (iss.input === undefined && required ? required : `must be a URL string, got ${JSON.stringify(iss.input)}`) })
    .superRefine((v, ctx) => {
      const problem = urlProblem(v, protocols);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform((v) => v.replace(/\/+$/, ""));
}
const httpUrl = (required?: string) => url(["http:", "https:"], required);

const text = (required?: string) =>
  z.string({ error: (iss) => (iss.input === undefined && required ? required : `must be a string, got ${JSON.stringify(iss.input)}`) });

/** An object refusing unknown keys: `unknown key 'where.k' (known: ...)`. */
function strict<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = `(known: ${Object.keys(shape).join(", ")})`;
  return z.strictObject(shape, { error: (iss) => (iss.code === "unrecognized_keys" ? known : `must be an object, got ${JSON.stringify(iss.input)}`) });
}

/** An amount in ether or gwei (decimal string or number) as wei. */
function amount(unit: "ether" | "gwei") {
  const [re, decimals, parse] = unit === "ether" ? [ETH_RE, 18, parseEther] : [GWEI_RE, 9, parseGwei];
  return z.unknown().transform((v, ctx): bigint | undefined => {
    if (v === undefined) return undefined;
    // numbers may be tiny (1e-9 gwei): written out with all decimals, not in exponent form
    const s = typeof v === "number" && Number.isFinite(v) && v >= 0 ? v.toFixed(decimals).replace(/\.?0+$/, "") : v;
    if (typeof s === "string" && re.test(s.trim())) return parse(s.trim());
    ctx.addIssue({ code: "custom", message: `must be an amount in ${unit} (up to ${decimals} decimals), got ${JSON.stringify(v)}` });
    return z.NEVER;
  });
}

function doc<T extends z.ZodType>(schema: T, d: KeyDoc): T {
  RELAYER_CONFIG_DOCS.add(schema as z.ZodType, d);
  return schema;
}

const ENV_PREFIX = "OLZK_RELAYER_";

const storeShape = {
  dataDir: doc(text().default(".olzk/relayer"), { env: `${ENV_PREFIX}DATA_DIR`, description: "where the embedded database lives" }),
  database: doc(
    text()
      .default("sqlite")
      .superRefine((v, ctx) => {
        const problem = /^postgres(ql)?:/.test(v) ? urlProblem(v, ["postgres:", "postgresql:"]) : undefined;
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    { env: `${ENV_PREFIX}DATABASE`, description: "`sqlite` (file `relayer.sqlite` in `dataDir`), a SQLite file path, or `postgres://user@host:port/db`" },
  ),
};

const feesSchema = strict({
  capGwei: doc(amount("gwei").refine((w) => w === undefined || w > 0n, "must be above 0").optional(), {
    awayEnv: "FEE_CAP_GWEI", defaultText: String(DEFAULT_FEES.capWei / 10n ** 9n), description: "highest `maxFeePerGas` ever signed, in gwei (decimals allowed)",
  }),
  bumpAfterMs: doc(whole(100, 86_400_000).default(DEFAULT_FEES.bumpAfterMs), { awayEnv: "BUMP_AFTER_MS", description: "a transaction not mined this long after it was signed is replaced with a higher fee" }),
  bumpPercent: doc(whole(10, 1000).default(DEFAULT_FEES.bumpPercent), { description: "how much a replacement raises both fees (10 to 1000; nodes require at least 10)" }),
  priorityPercentile: doc(whole(0, 100).default(DEFAULT_FEES.priorityPercentile), { description: "percentile of the priority fees paid in recent blocks (`eth_feeHistory`)" }),
  historyBlocks: doc(whole(1, 1024).default(DEFAULT_FEES.historyBlocks), { description: "how many recent blocks the fee history covers" }),
  baseFeeMarginPercent: doc(whole(0, 1000).default(DEFAULT_FEES.baseFeeMarginPercent), { description: "`maxFeePerGas` = next base fee x (100 + margin) / 100 + priority fee" }),
  minPriorityFeeGwei: doc(amount("gwei").optional(), { defaultText: String(DEFAULT_FEES.minPriorityFeeWei), description: "lowest priority fee offered, also when recent blocks were empty" }),
})
  .prefault({})
  .transform((f, ctx): FeeConfig => {
    const capWei = f.capGwei ?? DEFAULT_FEES.capWei;
    const minPriorityFeeWei = f.minPriorityFeeGwei ?? DEFAULT_FEES.minPriorityFeeWei;
    if (minPriorityFeeWei > capWei) ctx.addIssue({ code: "custom", path: ["minPriorityFeeGwei"], message: "is above the fee cap (capGwei)" });
    const { capGwei: _c, minPriorityFeeGwei: _m, ...rest } = f;
    return { ...rest, capWei, minPriorityFeeWei };
  });

const remoteSignerSchema = strict({
  url: doc(httpUrl().optional(), { awayEnv: "SIGNER_URL", description: "instead of a key: a JSON-RPC signer answering `eth_signTransaction` (below)" }),
  address: doc(
    z
      .string({ error: (iss) => `must be an address (0x + 40 hex digits, checksummed if mixed case), got ${JSON.stringify(iss.input)}` })
      .refine((v) => isAddress(v), { error: (iss) => `must be an address (0x + 40 hex digits, checksummed if mixed case), got ${JSON.stringify(iss.input)}` })
      .transform((v): Address => getAddress(v))
      .optional(),
    { awayEnv: "SIGNER_ADDRESS", envNeedsParent: true, description: "the account it signs for (required with `url`)" },
  ),
});

const awayChainSchema = strict({
  name: doc(text().optional(), { defaultText: "chain id", description: "label in logs and metrics" }),
  chainId: doc(requiredWhole(1, 2 ** 53 - 1), { defaultText: "required", description: "EVM chain id" }),
  rpcUrl: doc(httpUrl().optional(), { description: "one JSON-RPC URL, instead of `rpcUrls`" }),
  rpcUrls: doc(
    z.array(httpUrl(), { error: (iss) => `must be a non-empty array of URLs, got ${JSON.stringify(iss.input)}` })
      .min(1, { error: (iss) => `must be a non-empty array of URLs, got ${JSON.stringify(iss.input)}` })
      .optional(),
    {
      awayEnv: "RPC_URL", envList: true, envReplaces: "rpcUrl", defaultText: "required",
      description: "JSON-RPC URLs in order of preference, with failover (below); `rpcUrl` (one URL) is accepted instead; the env var (a comma list) replaces both",
    },
  ),
  rpcTimeoutMs: doc(whole(100, 600_000).default(10_000), { description: "timeout of one RPC request; a URL that times out is skipped for a while" }),
  addressesFile: doc(text().optional(), { awayEnv: "ADDRESSES", defaultText: "required", description: "the deploy library's JSON (`contracts/deploy/deploy.ts`, `olzk deploy`: `lightClient`, `settlement`, `chainId`, and `openLibraLightClient`, the light client's anchor or null)" }),
  signerKeyEnv: doc(text().optional(), { description: "name of the env var holding the submitting account's private key" }),
  signerKey: doc(text().optional(), { awayEnv: "SIGNER_KEY", description: "the key itself (avoid in files); the env var wins over both" }),
  remoteSigner: remoteSignerSchema.optional(),
  confirmations: doc(whole(1, 1000).default(1), { awayEnv: "CONFIRMATIONS", description: "blocks (including the tx's own) before a job counts as confirmed" }),
  fees: feesSchema,
  minBalanceEth: doc(amount("ether").default(parseEther("0.01")), {
    awayEnv: "MIN_BALANCE_ETH", defaultText: "0.01", description: "`/healthz` reports the chain unhealthy while the signer holds less (ether, decimals allowed)",
  }),
}).superRefine((a, ctx) => {
  if (a.rpcUrl !== undefined && a.rpcUrls !== undefined) ctx.addIssue({ code: "custom", message: ": give rpcUrls or rpcUrl, not both" });
  const urls = a.rpcUrls ?? (a.rpcUrl ? [a.rpcUrl] : []);
  if (urls.length === 0) ctx.addIssue({ code: "custom", path: ["rpcUrls"], message: `(or rpcUrl) is required (or env ${awayEnv(a.chainId, "RPC_URL")})` });
  const dup = urls.find((u, j) => urls.indexOf(u) !== j);
  if (dup) ctx.addIssue({ code: "custom", message: `: RPC URL ${dup} is listed twice` });
  if (!a.addressesFile) ctx.addIssue({ code: "custom", path: ["addressesFile"], message: `is required (the deploy script's JSON; or env ${awayEnv(a.chainId, "ADDRESSES")})` });
});

const configShape = {
  homeUrl: doc(httpUrl(`is required (the Home devnet API, e.g. http://127.0.0.1:8645; env ${ENV_PREFIX}HOME_URL)`), {
    env: `${ENV_PREFIX}HOME_URL`, defaultText: "required", description: "Home devnet API, e.g. `http://127.0.0.1:8645`",
  }),
  ...storeShape,
  pollIntervalMs: doc(whole(50).default(2000), { env: `${ENV_PREFIX}POLL_MS`, description: "the longest the planner waits between polls of Home and the Away chains (min 50); a new Home block wakes it at once (GET /status/next)" }),
  metrics: strict({
    enabled: doc(z.boolean({ error: (iss) => `must be a boolean, got ${JSON.stringify(iss.input)}` }).default(true), { description: "`false` turns the metrics/health server off" }),
    host: doc(
      text()
        .default("127.0.0.1")
        .refine((h) => h === "localhost" || h === "::1" || h === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(h), {
          error: (iss) => `must be a loopback address (127.0.0.1, ::1, localhost), got '${String(iss.input)}'`,
        }),
      { env: `${ENV_PREFIX}METRICS_HOST`, envNeedsParent: true, description: "metrics/health listen address; loopback only" },
    ),
    port: doc(whole(0, 65535).default(9464), { env: `${ENV_PREFIX}METRICS_PORT`, description: "0 = any free port; the server is off unless `metrics` or the env var is set" }),
  }).optional(),
  workerId: doc(
    text()
      .regex(/^[\w.:@-]{1,100}$/, { error: (iss) => `must be 1 to 100 letters, digits or . _ : @ -, got '${String(iss.input)}'` })
      .optional(),
    { env: `${ENV_PREFIX}WORKER_ID`, defaultText: "stable, kept in `dataDir`", description: "name of this worker in job rows (its slots own jobs as `<id>/prove#i`, `<id>/submit#i`); unique per process; default below" },
  ),
  leaseMs: doc(whole(1000).default(60_000), {
    env: `${ENV_PREFIX}LEASE_MS`, description: "how long a claim lasts without a heartbeat; another worker takes a crashed worker's job after it (the crashed worker itself, restarted, at once)",
  }),
  concurrency: doc(whole(1, 64).default(4), { env: `${ENV_PREFIX}CONCURRENCY`, description: "submission slots: jobs sending or confirming transactions (and Home receipts) at once" }),
  proverConcurrency: doc(whole(1, 16).default(defaultProofConcurrency()), {
    env: `${ENV_PREFIX}PROVER_CONCURRENCY`, defaultText: "one per 4 cores (`os.availableParallelism()`), at least 1",
    description: "proving slots: proofs made at once, apart from the submission slots, each in a prover process of its own (one snarkjs proof already uses every core: on 2 cores, 2 slots measured slower than 1; bench below)",
  }),
  retry: strict({
    baseMs: doc(whole(10, 3_600_000).default(1_000), { description: "first delay of a retried job (a cause that can clear on its own), doubling per failure with jitter" }),
    maxMs: doc(whole(10, 86_400_000).default(60_000), { env: `${ENV_PREFIX}RETRY_MAX_MS`, description: "longest delay between retries (a settlement is also retried shortly before its deadline)" }),
  }).prefault({}),
  health: strict({
    checkIntervalMs: doc(whole(100, 3_600_000).default(5_000), { description: "how often each Away chain is probed (block, signer balance, nonces) for `/healthz`" }),
    homeStaleMs: doc(whole(100, 86_400_000).optional(), { defaultText: "max(5 polls, 15000)", description: "`/healthz` reports Home down when the last successful poll is older" }),
    maxPendingTxMs: doc(whole(1_000, 86_400_000).default(300_000), { description: "`/healthz` reports a chain unhealthy while a transaction of ours is pending longer" }),
    maxJobAgeMs: doc(whole(1_000, 30 * 86_400_000).default(1_800_000), { description: "`/healthz` reports the jobs unhealthy while an unfinished job is older" }),
  }).prefault({}),
  logLevel: doc(z.enum(["debug", "info", "warn", "error"], { error: (iss) => `must be debug, info, warn or error, got '${String(iss.input)}'` }).default("info"), {
    env: `${ENV_PREFIX}LOG_LEVEL`, description: "`debug`, `info`, `warn`, `error`",
  }),
  prover: strict({
    profile: doc(text().optional(), {
      env: `${ENV_PREFIX}PROVER_PROFILE`, defaultText: "`dev`",
      description: "artifact profile of `prover/`; insecure (dev-ptau) artifacts are accepted only when every Away chain is a local dev chain (31337, 1337)",
    }),
    cacheDir: doc(text().optional(), { env: `${ENV_PREFIX}PROVER_CACHE_DIR`, defaultText: "`build/proofs`", description: "the prover's on-disk proof cache" }),
  }).prefault({}),
  startupTimeoutMs: doc(whole(0, 3_600_000).default(30_000), {
    env: `${ENV_PREFIX}STARTUP_TIMEOUT_MS`,
    description: "how long startup retries an Away chain's RPC URLs (and a remote signer) that do not answer before it refuses to start (exit 1); 0 = one try",
  }),
  away: doc(z.array(awayChainSchema, { error: "must be an array of chain objects" }).default([]), {
    env: `${ENV_PREFIX}AWAY_CHAINS`, defaultText: "required", description: "Away chains; the env var (comma list of chain ids) adds chains defined only by the variables below",
  }),
};

/** The relayer's config file, after the environment is laid over it (`withEnvironment`). */
export const RelayerConfigSchema = strict(configShape).superRefine((c, ctx) => {
  if (c.retry.maxMs < c.retry.baseMs) ctx.addIssue({ code: "custom", message: `retry.maxMs (${c.retry.maxMs}) must be at least retry.baseMs (${c.retry.baseMs})` });
  if (c.away.length === 0) ctx.addIssue({ code: "custom", message: `at least one Away chain is required (config 'away' or env ${ENV_PREFIX}AWAY_CHAINS)` });
  const ids = c.away.map((a) => a.chainId);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) ctx.addIssue({ code: "custom", message: `Away chain ${dup} is configured twice` });
});
type ParsedConfig = z.output<typeof RelayerConfigSchema>;
type ParsedAwayChain = ParsedConfig["away"][number];

/** Per-chain env var name, e.g. awayEnv(31337, "RPC_URL") = OLZK_AWAY_31337_RPC_URL. */
export function awayEnv(chainId: number | string, what: string): string {
  return `OLZK_AWAY_${chainId}_${what}`;
}

// ---- the schema's keys, for the environment overlay and the README table ----

interface KeyEntry {
  /** Path of the key; "[]" stands for every element of an array. */
  path: string[];
  schema: z.ZodType;
  doc: KeyDoc | undefined;
  /** An object, or an array of objects: its keys are listed after it. */
  container: boolean;
}

function unwrap(s: z.ZodType): z.ZodType {
  if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) return unwrap(s.unwrap() as z.ZodType);
  if (s instanceof z.ZodPipe) return unwrap(s.in as z.ZodType);
  return s;
}

/** Every key of an object schema, depth first (an object or array key before its own keys). */
function keysOf(shape: Record<string, z.ZodType>, prefix: string[] = []): KeyEntry[] {
  return Object.entries(shape).flatMap(([k, schema]) => {
    const path = [...prefix, k];
    const inner = unwrap(schema);
    const doc = RELAYER_CONFIG_DOCS.get(schema);
    if (inner instanceof z.ZodObject) return [{ path, schema, doc, container: true }, ...keysOf(inner.shape as Record<string, z.ZodType>, path)];
    const el = inner instanceof z.ZodArray ? unwrap(inner.element as z.ZodType) : undefined;
    if (el instanceof z.ZodObject) return [{ path, schema, doc, container: true }, ...keysOf(el.shape as Record<string, z.ZodType>, [...path, "[]"])];
    return [{ path, schema, doc, container: false }];
  });
}

export const RELAYER_CONFIG_KEYS: readonly KeyEntry[] = keysOf(configShape);

// ---- the environment laid over the file ----

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** `v` without empty strings (an empty value means "not set", in the file as in the environment). */
function withoutEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== "").map(withoutEmpty);
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== "").map(([k, x]) => [k, withoutEmpty(x)]));
}

/** Key path as messages write it: away[0].fees.capGwei. */
function where(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

/**
 * The file's object with every set environment variable in its key's place (and the chains
 * named only in the environment added), plus which key came from which variable.
 */
function withEnvironment(raw: Json, env: Env): { input: Json; sources: Map<string, string> } {
  const input = withoutEmpty(raw) as Json;
  const sources = new Map<string, string>();
  const put = (obj: Json, path: (string | number)[], key: KeyEntry, name: string) => {
    const value = env[name];
    if (value === undefined || value === "") return;
    let o: Json | unknown[] = obj;
    for (const p of path.slice(0, -1)) {
      const parent: Json = o as Json;
      if (parent[p] === undefined) {
        if (key.doc?.envNeedsParent) return;
        parent[p] = {};
      }
      if (typeof parent[p] !== "object" || parent[p] === null) return; // the schema reports the wrong type
      o = parent[p] as Json | unknown[];
    }
    o = o as Json;
    const last = path[path.length - 1]!;
    o[last] = key.doc?.envList ? value.split(",").map((s) => s.trim()) : value;
    if (key.doc?.envReplaces) delete o[key.doc.envReplaces];
    sources.set(where(path), name);
  };

  // The metrics server runs when `metrics` is configured or its port is set in the environment.
  const portEnv = `${ENV_PREFIX}METRICS_PORT`;
  if (env[portEnv] !== undefined && (input.metrics === undefined || isObject(input.metrics))) input.metrics = { ...(input.metrics as Json | undefined), enabled: true };

  const chainsEnv = `${ENV_PREFIX}AWAY_CHAINS`;
  const chains = (env[chainsEnv] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const c of chains) if (!/^\d+$/.test(c)) throw new ConfigError(`${chainsEnv} must be a comma-separated list of chain ids, got '${c}'`);
  if (chains.length && input.away === undefined) input.away = [];
  const away = Array.isArray(input.away) ? (input.away as unknown[]) : undefined;
  for (const c of chains) if (away && !away.some((e) => isObject(e) && String(e.chainId) === c)) away.push({ chainId: Number(c) });

  for (const key of RELAYER_CONFIG_KEYS.filter((k) => !k.container)) {
    const i = key.path.indexOf("[]");
    if (i < 0 && key.doc?.env) put(input, key.path, key, key.doc.env);
    if (i >= 0 && key.doc?.awayEnv && away) {
      for (const [j, entry] of away.entries()) {
        if (isObject(entry) && entry.chainId !== undefined) put(input, [...key.path.slice(0, i), j, ...key.path.slice(i + 1)], key, awayEnv(String(entry.chainId), key.doc.awayEnv));
      }
    }
  }
  return { input, sources };
}

/** One line for a schema issue, naming the key, or the environment variable its value came from. */
function formatIssue(issue: z.core.$ZodIssue, sources: Map<string, string>): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  let at = where(path);
  for (let n = path.length; n > 0; n--) {
    const env = sources.get(where(path.slice(0, n)));
    if (env) {
      at = env + where(path.slice(n)).replace(/^(?=[^[])/, ".");
      break;
    }
  }
  if (issue.code === "unrecognized_keys") return `unknown ${at ? "key" : "config key"} '${at ? `${at}.` : ""}${issue.keys[0]}' ${issue.message}`;
  if (!at) return issue.message;
  return issue.message.startsWith(":") ? `${at}${issue.message}` : `${at} ${issue.message}`;
}

function parse<T extends z.ZodType>(schema: T, raw: unknown, env: Env): { config: z.output<T>; sources: Map<string, string> } {
  if (!isObject(raw)) throw new ConfigError("config must be a JSON object");
  const file = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("$") && k !== "comment"));
  const { input, sources } = withEnvironment(file, env);
  const r = schema.safeParse(input);
  if (!r.success) throw new ConfigError(formatIssue(r.error.issues[0]!, sources));
  return { config: r.data, sources };
}

// ---- from the parsed file to the RelayerConfig ----

/**
 * Build and validate the configuration from a parsed JSON object (`raw`, may be {}), the
 * environment, and the directory relative paths are resolved against.
 */
export function resolveConfig(raw: unknown, env: Env = process.env, baseDir = process.cwd()): RelayerConfig {
  const { config: c, sources } = parse(RelayerConfigSchema, raw, env);
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const { profile, cacheDir } = c.prover;
  return {
    homeUrl: c.homeUrl,
    ...storePaths(c, path),
    pollIntervalMs: c.pollIntervalMs,
    metrics: c.metrics?.enabled ? { host: c.metrics.host, port: c.metrics.port } : null,
    workerId: c.workerId,
    leaseMs: c.leaseMs,
    concurrency: c.concurrency,
    proverConcurrency: c.proverConcurrency,
    retry: c.retry,
    health: { ...c.health, homeStaleMs: c.health.homeStaleMs ?? Math.max(5 * c.pollIntervalMs, 15_000) },
    logLevel: c.logLevel,
    prover: { ...(profile ? { profile } : {}), ...(cacheDir ? { cacheDir: path(cacheDir) } : {}) },
    startupTimeoutMs: c.startupTimeoutMs,
    away: c.away.map((a, i) => awayChain(a, `away[${i}]`, env, sources.get(`away[${i}].signerKey`), path)),
  };
}

function storePaths(c: { dataDir: string; database: string }, path: (p: string) => string): { dataDir: string; database: string } {
  const database = /^postgres(ql)?:/.test(c.database) ? c.database.replace(/\/+$/, "") : c.database === "sqlite" ? c.database : path(c.database.replace(/^sqlite:(\/\/)?/, ""));
  return { dataDir: path(c.dataDir), database };
}

/** The job store's location from a config file (and the environment), without the rest of the config. */
export function loadStoreConfig(file: string | undefined, env: Env = process.env): { dataDir: string; database: string } {
  const { raw, baseDir } = readConfigFile(file);
  const { config } = parse(z.object(storeShape), raw, env);
  return storePaths(config, (p) => (isAbsolute(p) ? p : resolve(baseDir, p)));
}

function awayChain(a: ParsedAwayChain, at: string, env: Env, keyEnv: string | undefined, path: (p: string) => string): AwayChainConfig {
  const { chainId } = a;
  return {
    name: a.name || String(chainId),
    rpcUrls: a.rpcUrls ?? [a.rpcUrl!], // the schema refused a chain with neither, and with an empty addressesFile
    rpcTimeoutMs: a.rpcTimeoutMs,
    chainId,
    addressesFile: path(a.addressesFile!),
    signer: signerFrom(a, at, env, keyEnv, chainId),
    confirmations: a.confirmations,
    fees: a.fees,
    minBalanceWei: a.minBalanceEth,
  };
}

/**
 * Exactly one signer: a private key (env OLZK_AWAY_<id>_SIGNER_KEY, or the env var named by
 * `signerKeyEnv`, or `signerKey`), or a remote signer (`remoteSigner: {url, address}`, or env
 * OLZK_AWAY_<id>_SIGNER_URL and _SIGNER_ADDRESS). `keyEnv`: the env var `signerKey` came from.
 */
function signerFrom(a: ParsedAwayChain, at: string, env: Env, keyEnv: string | undefined, chainId: number): SignerConfig {
  const keySet = Boolean(a.signerKeyEnv || a.signerKey);
  if (a.remoteSigner) {
    if (keySet) throw new ConfigError(`${at}: configure either a signer key or a remote signer, not both`);
    const { url, address } = a.remoteSigner;
    if (!url) throw new ConfigError(`${at}.remoteSigner.url is required (or env ${awayEnv(chainId, "SIGNER_URL")})`);
    if (!address) throw new ConfigError(`${at}.remoteSigner.address is required: the account the remote signer signs for`);
    return { kind: "remote", url, address };
  }
  let key: string | undefined;
  let source: string;
  if (keyEnv) {
    key = a.signerKey;
    source = keyEnv;
  } else if (a.signerKeyEnv) {
    key = env[a.signerKeyEnv];
    source = a.signerKeyEnv;
    if (!key) throw new ConfigError(`${at}.signerKeyEnv names ${a.signerKeyEnv}, which is not set`);
  } else {
    key = a.signerKey;
    source = "config";
  }
  if (!key) {
    throw new ConfigError(`${at}: a signer is required (${at}.signerKeyEnv naming an env var, env ${awayEnv(chainId, "SIGNER_KEY")}, or ${at}.remoteSigner)`);
  }
  if (!key.startsWith("0x")) key = `0x${key}`;
  if (!KEY_RE.test(key)) throw new ConfigError(`${at}: the signer key from ${source} is not a 32-byte hex private key`);
  let address: Address;
  try {
    address = privateKeyToAccount(key as Hex).address;
  } catch {
    throw new ConfigError(`${at}: the signer key from ${source} is not a valid secp256k1 private key`);
  }
  return { kind: "key", key: key as Hex, source, address };
}

// ---- the README's key table ----

function defaultText(k: KeyEntry): string {
  if (k.doc?.defaultText !== undefined) return k.doc.defaultText;
  const v = k.schema instanceof z.ZodDefault ? (k.schema.def.defaultValue as unknown) : undefined;
  return typeof v === "string" ? `\`${v}\`` : typeof v === "number" || typeof v === "boolean" ? String(v) : "";
}

/** The key table of relayer/README.md: key, env var, default, meaning (scripts/docs.ts writes it). */
export function relayerConfigTable(): string {
  const rows = RELAYER_CONFIG_KEYS.filter((k) => k.doc).map((k) => {
    const d = k.doc!;
    const env = d.env ?? (d.awayEnv ? awayEnv("<chainId>", d.awayEnv) : undefined);
    const key = k.path.join(".").replace(/\.\[\]/g, "[]") + (unwrap(k.schema) instanceof z.ZodArray && k.path.length === 1 ? "[]" : "");
    return `| \`${key}\` | ${env ? `\`${env}\`` : ""} | ${defaultText(k).replace(/\|/g, "\\|")} | ${d.description.replace(/\|/g, "\\|")} |`;
  });
  return ["| key | env | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** The config as `--print-config` shows it: signers by address and origin, never a key; fees in gwei. */
export function printableConfig(c: RelayerConfig): unknown {
  const gwei = (wei: bigint) => `${wei / 10n ** 9n}${wei % 10n ** 9n ? `.${(wei % 10n ** 9n).toString().padStart(9, "0").replace(/0+$/, "")}` : ""}`;
  return {
    ...c,
    away: c.away.map(({ signer, fees, minBalanceWei, ...a }) => ({
      ...a,
      minBalanceEth: formatEther(minBalanceWei),
      signer: signer.kind === "key" ? { kind: "key", address: signer.address, key: `<redacted, from ${signer.source}>` } : { kind: "remote", address: signer.address, url: signer.url },
      fees: {
        capGwei: gwei(fees.capWei), bumpAfterMs: fees.bumpAfterMs, bumpPercent: fees.bumpPercent, priorityPercentile: fees.priorityPercentile,
        historyBlocks: fees.historyBlocks, baseFeeMarginPercent: fees.baseFeeMarginPercent, minPriorityFeeGwei: gwei(fees.minPriorityFeeWei),
      },
    })),
  };
}

/** Read a config file (JSON) and resolve it with the environment; relative paths are relative to the file. */
export function loadConfig(file: string | undefined, env: Env = process.env): RelayerConfig {
  const { raw, baseDir } = readConfigFile(file);
  return resolveConfig(raw, env, baseDir);
}

function readConfigFile(file: string | undefined): { raw: unknown; baseDir: string } {
  if (!file) return { raw: {}, baseDir: process.cwd() };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  return { raw, baseDir: dirname(resolve(file)) };
}
