// Relayer configuration: a JSON file (`olzk relay --config`) with environment variables
// overriding it, validated into a RelayerConfig. Every mistake is a ConfigError with one
// clear line naming the key (the CLI prints it without a stack trace). Keys are documented
// in relayer/README.md.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { formatEther, getAddress, isAddress, parseEther, parseGwei, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
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
  /** Proving slots: proofs made at once, apart from the submission slots. */
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

const KEY_RE = /^0x[0-9a-fA-F]{64}$/;

function expectType(v: unknown, type: "string" | "number" | "object" | "boolean", where: string): void {
  if (v === undefined) return;
  const ok = type === "object" ? v !== null && typeof v === "object" && !Array.isArray(v) : typeof v === type;
  if (!ok) throw new ConfigError(`${where} must be a ${type}, got ${JSON.stringify(v)}`);
}

function intFrom(v: unknown, where: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${where} must be a whole number between ${min} and ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function urlFrom(v: unknown, where: string, protocols: string[]): string | undefined {
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string") throw new ConfigError(`${where} must be a URL string, got ${JSON.stringify(v)}`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`${where} is not a valid URL: '${v}'`);
  }
  if (!protocols.includes(u.protocol)) throw new ConfigError(`${where} must use ${protocols.join(" or ")}, got '${v}'`);
  return v.replace(/\/+$/, "");
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const ENV = {
  homeUrl: "OLZK_RELAYER_HOME_URL",
  dataDir: "OLZK_RELAYER_DATA_DIR",
  database: "OLZK_RELAYER_DATABASE",
  pollIntervalMs: "OLZK_RELAYER_POLL_MS",
  metricsHost: "OLZK_RELAYER_METRICS_HOST",
  metricsPort: "OLZK_RELAYER_METRICS_PORT",
  workerId: "OLZK_RELAYER_WORKER_ID",
  leaseMs: "OLZK_RELAYER_LEASE_MS",
  concurrency: "OLZK_RELAYER_CONCURRENCY",
  proverConcurrency: "OLZK_RELAYER_PROVER_CONCURRENCY",
  retryMaxMs: "OLZK_RELAYER_RETRY_MAX_MS",
  logLevel: "OLZK_RELAYER_LOG_LEVEL",
  awayChains: "OLZK_RELAYER_AWAY_CHAINS",
  proverProfile: "OLZK_RELAYER_PROVER_PROFILE",
  proverCacheDir: "OLZK_RELAYER_PROVER_CACHE_DIR",
  startupTimeoutMs: "OLZK_RELAYER_STARTUP_TIMEOUT_MS",
} as const;

/** Per-chain env var name, e.g. awayEnv(31337, "RPC_URL") = OLZK_AWAY_31337_RPC_URL. */
export function awayEnv(chainId: number | string, what: string): string {
  return `OLZK_AWAY_${chainId}_${what}`;
}

/**
 * Build and validate the configuration from a parsed JSON object (`raw`, may be {}), the
 * environment, and the directory relative paths are resolved against.
 */
export function resolveConfig(raw: unknown, env: Env = process.env, baseDir = process.cwd()): RelayerConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError("config must be a JSON object");
  const r = raw as Record<string, any>;
  const known = ["homeUrl", "dataDir", "database", "pollIntervalMs", "metrics", "workerId", "leaseMs", "concurrency", "proverConcurrency", "retry", "health", "logLevel", "prover", "startupTimeoutMs", "away"];
  for (const k of Object.keys(r)) {
    if (!known.includes(k) && !k.startsWith("$") && k !== "comment") throw new ConfigError(`unknown config key '${k}' (known: ${known.join(", ")})`);
  }
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

  const homeUrl = urlFrom(env[ENV.homeUrl], ENV.homeUrl, ["http:", "https:"]) ?? urlFrom(r.homeUrl, "homeUrl", ["http:", "https:"]);
  if (!homeUrl) throw new ConfigError(`homeUrl is required (the Home devnet API, e.g. http://127.0.0.1:8645; env ${ENV.homeUrl})`);

  const { dataDir, database } = storeFrom(r, env, path);

  const pollIntervalMs = intFrom(env[ENV.pollIntervalMs], ENV.pollIntervalMs, 50) ?? intFrom(r.pollIntervalMs, "pollIntervalMs", 50) ?? 2000;
  const leaseMs = intFrom(env[ENV.leaseMs], ENV.leaseMs, 1000) ?? intFrom(r.leaseMs, "leaseMs", 1000) ?? 60_000;
  const concurrency = intFrom(env[ENV.concurrency], ENV.concurrency, 1, 64) ?? intFrom(r.concurrency, "concurrency", 1, 64) ?? 4;
  const proverConcurrency =
    intFrom(env[ENV.proverConcurrency], ENV.proverConcurrency, 1, 16) ?? intFrom(r.proverConcurrency, "proverConcurrency", 1, 16) ?? 1;
  const retry = retryFrom(r.retry, env);
  const health = healthFrom(r.health, pollIntervalMs);
  const startupTimeoutMs =
    intFrom(env[ENV.startupTimeoutMs], ENV.startupTimeoutMs, 0, 3_600_000) ?? intFrom(r.startupTimeoutMs, "startupTimeoutMs", 0, 3_600_000) ?? 30_000;

  expectType(r.metrics, "object", "metrics");
  let metrics: RelayerConfig["metrics"] = null;
  if (r.metrics !== undefined || env[ENV.metricsPort] !== undefined) {
    const m = (r.metrics ?? {}) as Record<string, unknown>;
    const enabled = m.enabled !== false || env[ENV.metricsPort] !== undefined;
    const host = String(env[ENV.metricsHost] || m.host || "127.0.0.1");
    if (!isLoopback(host)) throw new ConfigError(`metrics.host must be a loopback address (127.0.0.1, ::1, localhost), got '${host}'`);
    const port = intFrom(env[ENV.metricsPort], ENV.metricsPort, 0, 65535) ?? intFrom(m.port, "metrics.port", 0, 65535) ?? 9464;
    metrics = enabled ? { host, port } : null;
  }

  expectType(r.workerId, "string", "workerId");
  const workerId: string | undefined = env[ENV.workerId] || r.workerId || undefined;
  if (workerId !== undefined && !/^[\w.:@-]{1,100}$/.test(workerId)) {
    throw new ConfigError(`workerId must be 1 to 100 letters, digits or . _ : @ -, got '${workerId}'`);
  }

  const logLevel = (env[ENV.logLevel] || r.logLevel || "info") as RelayerConfig["logLevel"];
  if (!["debug", "info", "warn", "error"].includes(logLevel)) throw new ConfigError(`logLevel must be debug, info, warn or error, got '${logLevel}'`);

  expectType(r.prover, "object", "prover");
  const pr = (r.prover ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(pr)) if (!["profile", "cacheDir"].includes(k)) throw new ConfigError(`unknown key 'prover.${k}' (known: profile, cacheDir)`);
  expectType(pr.profile, "string", "prover.profile");
  expectType(pr.cacheDir, "string", "prover.cacheDir");
  const profile = env[ENV.proverProfile] || (pr.profile as string | undefined);
  const cacheDirRaw = env[ENV.proverCacheDir] || (pr.cacheDir as string | undefined);
  const prover = { ...(profile ? { profile } : {}), ...(cacheDirRaw ? { cacheDir: path(cacheDirRaw) } : {}) };

  // Away chains: from the file's `away` array, plus chains named only in the environment.
  if (r.away !== undefined && !Array.isArray(r.away)) throw new ConfigError("away must be an array of chain objects");
  const entries: Record<string, any>[] = [...((r.away as Record<string, any>[] | undefined) ?? [])];
  for (const [i, a] of entries.entries()) expectType(a, "object", `away[${i}]`);
  const envChains = (env[ENV.awayChains] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const c of envChains) {
    if (!/^\d+$/.test(c)) throw new ConfigError(`${ENV.awayChains} must be a comma-separated list of chain ids, got '${c}'`);
    if (!entries.some((e) => String(e.chainId) === c)) entries.push({ chainId: Number(c) });
  }
  if (entries.length === 0) throw new ConfigError(`at least one Away chain is required (config 'away' or env ${ENV.awayChains})`);

  const away: AwayChainConfig[] = entries.map((a, i) => awayChain(a, i, env, path));
  const dup = away.find((a, i) => away.findIndex((b) => b.chainId === a.chainId) !== i);
  if (dup) throw new ConfigError(`Away chain ${dup.chainId} is configured twice`);

  return { homeUrl, dataDir, database, pollIntervalMs, metrics, workerId, leaseMs, concurrency, proverConcurrency, retry, health, logLevel, prover, startupTimeoutMs, away };
}

/** `dataDir` and `database` (also all that `olzk relay jobs` / `requeue` need). */
function storeFrom(r: Record<string, any>, env: Env, path: (p: string) => string): { dataDir: string; database: string } {
  expectType(r.dataDir, "string", "dataDir");
  const dataDir = path(env[ENV.dataDir] || r.dataDir || ".olzk/relayer");
  expectType(r.database, "string", "database");
  let database = env[ENV.database] || r.database || "sqlite";
  if (/^postgres(ql)?:/.test(database)) database = urlFrom(database, "database", ["postgres:", "postgresql:"])!;
  else if (database !== "sqlite") database = path(database.replace(/^sqlite:(\/\/)?/, ""));
  return { dataDir, database };
}

function knownKeys(o: Record<string, unknown>, where: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`unknown key '${where}.${k}' (known: ${keys.join(", ")})`);
}

function retryFrom(v: unknown, env: Env): RelayerConfig["retry"] {
  expectType(v, "object", "retry");
  const o = (v ?? {}) as Record<string, unknown>;
  knownKeys(o, "retry", ["baseMs", "maxMs"]);
  const baseMs = intFrom(o.baseMs, "retry.baseMs", 10, 3_600_000) ?? 1_000;
  const maxMs = intFrom(env[ENV.retryMaxMs], ENV.retryMaxMs, 10, 86_400_000) ?? intFrom(o.maxMs, "retry.maxMs", 10, 86_400_000) ?? 60_000;
  if (maxMs < baseMs) throw new ConfigError(`retry.maxMs (${maxMs}) must be at least retry.baseMs (${baseMs})`);
  return { baseMs, maxMs };
}

function healthFrom(v: unknown, pollIntervalMs: number): RelayerConfig["health"] {
  expectType(v, "object", "health");
  const o = (v ?? {}) as Record<string, unknown>;
  knownKeys(o, "health", ["checkIntervalMs", "homeStaleMs", "maxPendingTxMs", "maxJobAgeMs"]);
  return {
    checkIntervalMs: intFrom(o.checkIntervalMs, "health.checkIntervalMs", 100, 3_600_000) ?? 5_000,
    homeStaleMs: intFrom(o.homeStaleMs, "health.homeStaleMs", 100, 86_400_000) ?? Math.max(5 * pollIntervalMs, 15_000),
    maxPendingTxMs: intFrom(o.maxPendingTxMs, "health.maxPendingTxMs", 1_000, 86_400_000) ?? 300_000,
    maxJobAgeMs: intFrom(o.maxJobAgeMs, "health.maxJobAgeMs", 1_000, 30 * 86_400_000) ?? 1_800_000,
  };
}

/** The job store's location from a config file (and the environment), without the rest of the config. */
export function loadStoreConfig(file: string | undefined, env: Env = process.env): { dataDir: string; database: string } {
  const { raw, baseDir } = readConfigFile(file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ConfigError("config must be a JSON object");
  return storeFrom(raw as Record<string, any>, env, (p) => (isAbsolute(p) ? p : resolve(baseDir, p)));
}

const AWAY_KEYS = ["name", "rpcUrl", "rpcUrls", "rpcTimeoutMs", "chainId", "addressesFile", "signerKeyEnv", "signerKey", "remoteSigner", "confirmations", "fees", "minBalanceEth"];

function awayChain(a: Record<string, any>, i: number, env: Env, path: (p: string) => string): AwayChainConfig {
  const where = `away[${i}]`;
  const chainId = intFrom(a.chainId, `${where}.chainId`, 1, 2 ** 53 - 1);
  if (chainId === undefined) throw new ConfigError(`${where}.chainId is required`);
  for (const k of Object.keys(a)) if (!AWAY_KEYS.includes(k)) throw new ConfigError(`unknown key '${where}.${k}' (known: ${AWAY_KEYS.join(", ")})`);
  const e = (w: string) => env[awayEnv(chainId, w)];
  const rpcUrls = rpcUrlsFrom(a, where, e("RPC_URL"), awayEnv(chainId, "RPC_URL"));
  const rpcTimeoutMs = intFrom(a.rpcTimeoutMs, `${where}.rpcTimeoutMs`, 100, 600_000) ?? 10_000;
  expectType(a.addressesFile, "string", `${where}.addressesFile`);
  const addressesFile = e("ADDRESSES") || a.addressesFile;
  if (!addressesFile) throw new ConfigError(`${where}.addressesFile is required (the deploy script's JSON; or env ${awayEnv(chainId, "ADDRESSES")})`);
  const confirmations = intFrom(e("CONFIRMATIONS"), awayEnv(chainId, "CONFIRMATIONS"), 1, 1000) ?? intFrom(a.confirmations, `${where}.confirmations`, 1, 1000) ?? 1;
  expectType(a.name, "string", `${where}.name`);
  return {
    name: a.name || String(chainId),
    rpcUrls,
    rpcTimeoutMs,
    chainId,
    addressesFile: path(addressesFile),
    signer: signerFrom(a, where, env, chainId),
    confirmations,
    fees: feesFrom(a.fees, `${where}.fees`, env, chainId),
    minBalanceWei: etherFrom(e("MIN_BALANCE_ETH"), awayEnv(chainId, "MIN_BALANCE_ETH")) ?? etherFrom(a.minBalanceEth, `${where}.minBalanceEth`) ?? parseEther("0.01"),
  };
}

/** `rpcUrls` (array) or `rpcUrl` (one URL); the env var, a comma-separated list, replaces both. */
function rpcUrlsFrom(a: Record<string, any>, where: string, envValue: string | undefined, envName: string): string[] {
  const http = ["http:", "https:"];
  let urls: string[];
  if (envValue) urls = envValue.split(",").map((u, j) => urlFrom(u.trim(), `${envName}[${j}]`, http)!);
  else {
    if (a.rpcUrl !== undefined && a.rpcUrls !== undefined) throw new ConfigError(`${where}: give rpcUrls or rpcUrl, not both`);
    if (a.rpcUrls !== undefined && (!Array.isArray(a.rpcUrls) || a.rpcUrls.length === 0)) {
      throw new ConfigError(`${where}.rpcUrls must be a non-empty array of URLs, got ${JSON.stringify(a.rpcUrls)}`);
    }
    urls = a.rpcUrls !== undefined ? (a.rpcUrls as unknown[]).map((u, j) => urlFrom(u, `${where}.rpcUrls[${j}]`, http)!) : [urlFrom(a.rpcUrl, `${where}.rpcUrl`, http)!];
  }
  urls = urls.filter(Boolean);
  if (urls.length === 0) throw new ConfigError(`${where}.rpcUrls (or rpcUrl) is required (or env ${envName})`);
  const dup = urls.find((u, j) => urls.indexOf(u) !== j);
  if (dup) throw new ConfigError(`${where}: RPC URL ${dup} is listed twice`);
  return urls;
}

/**
 * Exactly one signer: a private key (env OLZK_AWAY_<id>_SIGNER_KEY, or the env var named by
 * `signerKeyEnv`, or `signerKey`), or a remote signer (`remoteSigner: {url, address}`, or env
 * OLZK_AWAY_<id>_SIGNER_URL and _SIGNER_ADDRESS).
 */
function signerFrom(a: Record<string, any>, where: string, env: Env, chainId: number): SignerConfig {
  const e = (w: string) => env[awayEnv(chainId, w)];
  expectType(a.signerKeyEnv, "string", `${where}.signerKeyEnv`);
  expectType(a.signerKey, "string", `${where}.signerKey`);
  expectType(a.remoteSigner, "object", `${where}.remoteSigner`);
  const rs = (a.remoteSigner ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(rs)) if (!["url", "address"].includes(k)) throw new ConfigError(`unknown key '${where}.remoteSigner.${k}' (known: url, address)`);
  const remoteUrl = urlFrom(e("SIGNER_URL"), awayEnv(chainId, "SIGNER_URL"), ["http:", "https:"]) ?? urlFrom(rs.url, `${where}.remoteSigner.url`, ["http:", "https:"]);
  const keySet = Boolean(e("SIGNER_KEY") || a.signerKeyEnv || a.signerKey);
  if (remoteUrl || a.remoteSigner !== undefined) {
    if (keySet) throw new ConfigError(`${where}: configure either a signer key or a remote signer, not both`);
    if (!remoteUrl) throw new ConfigError(`${where}.remoteSigner.url is required (or env ${awayEnv(chainId, "SIGNER_URL")})`);
    const raw = e("SIGNER_ADDRESS") || rs.address;
    const whereAddr = e("SIGNER_ADDRESS") ? awayEnv(chainId, "SIGNER_ADDRESS") : `${where}.remoteSigner.address`;
    if (raw === undefined || raw === "") throw new ConfigError(`${whereAddr} is required: the account the remote signer signs for`);
    if (typeof raw !== "string" || !isAddress(raw)) throw new ConfigError(`${whereAddr} must be an address (0x + 40 hex digits, checksummed if mixed case), got ${JSON.stringify(raw)}`);
    return { kind: "remote", url: remoteUrl, address: getAddress(raw) };
  }
  let key: string | undefined;
  let source: string;
  if (e("SIGNER_KEY")) {
    key = e("SIGNER_KEY");
    source = awayEnv(chainId, "SIGNER_KEY");
  } else if (a.signerKeyEnv) {
    key = env[a.signerKeyEnv];
    source = a.signerKeyEnv;
    if (!key) throw new ConfigError(`${where}.signerKeyEnv names ${a.signerKeyEnv}, which is not set`);
  } else {
    key = a.signerKey;
    source = "config";
  }
  if (!key) {
    throw new ConfigError(
      `${where}: a signer is required (${where}.signerKeyEnv naming an env var, env ${awayEnv(chainId, "SIGNER_KEY")}, or ${where}.remoteSigner)`,
    );
  }
  if (!key.startsWith("0x")) key = `0x${key}`;
  if (!KEY_RE.test(key)) throw new ConfigError(`${where}: the signer key from ${source} is not a 32-byte hex private key`);
  let address: Address;
  try {
    address = privateKeyToAccount(key as Hex).address;
  } catch {
    throw new ConfigError(`${where}: the signer key from ${source} is not a valid secp256k1 private key`);
  }
  return { kind: "key", key: key as Hex, source, address };
}

const GWEI_RE = /^\d+(\.\d{1,9})?$/;
const ETH_RE = /^\d+(\.\d{1,18})?$/;

function etherFrom(v: unknown, where: string): bigint | undefined {
  if (v === undefined || v === "") return undefined;
  const s = typeof v === "number" && Number.isFinite(v) && v >= 0 ? v.toFixed(18).replace(/\.?0+$/, "") : v;
  if (typeof s !== "string" || !ETH_RE.test(s.trim())) throw new ConfigError(`${where} must be an amount in ether (up to 18 decimals), got ${JSON.stringify(v)}`);
  return parseEther(s.trim());
}

function gweiFrom(v: unknown, where: string): bigint | undefined {
  if (v === undefined || v === "") return undefined;
  // numbers in gwei may be tiny (1e-9): written out with 9 decimals, not in exponent form
  const s = typeof v === "number" && Number.isFinite(v) && v >= 0 ? v.toFixed(9).replace(/\.?0+$/, "") : v;
  if (typeof s !== "string" || !GWEI_RE.test(s.trim())) throw new ConfigError(`${where} must be an amount in gwei (up to 9 decimals), got ${JSON.stringify(v)}`);
  return parseGwei(s.trim());
}

const FEE_KEYS = ["capGwei", "bumpAfterMs", "bumpPercent", "priorityPercentile", "historyBlocks", "baseFeeMarginPercent", "minPriorityFeeGwei"];

function feesFrom(v: unknown, where: string, env: Env, chainId: number): FeeConfig {
  expectType(v, "object", where);
  const f = (v ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(f)) if (!FEE_KEYS.includes(k)) throw new ConfigError(`unknown key '${where}.${k}' (known: ${FEE_KEYS.join(", ")})`);
  const capEnv = awayEnv(chainId, "FEE_CAP_GWEI");
  const bumpEnv = awayEnv(chainId, "BUMP_AFTER_MS");
  const capWei = gweiFrom(env[capEnv], capEnv) ?? gweiFrom(f.capGwei, `${where}.capGwei`) ?? DEFAULT_FEES.capWei;
  if (capWei <= 0n) throw new ConfigError(`${where}.capGwei must be above 0`);
  const minPriorityFeeWei = gweiFrom(f.minPriorityFeeGwei, `${where}.minPriorityFeeGwei`) ?? DEFAULT_FEES.minPriorityFeeWei;
  if (minPriorityFeeWei > capWei) throw new ConfigError(`${where}.minPriorityFeeGwei is above the fee cap (${where}.capGwei)`);
  return {
    capWei,
    bumpAfterMs: intFrom(env[bumpEnv], bumpEnv, 100, 86_400_000) ?? intFrom(f.bumpAfterMs, `${where}.bumpAfterMs`, 100, 86_400_000) ?? DEFAULT_FEES.bumpAfterMs,
    bumpPercent: intFrom(f.bumpPercent, `${where}.bumpPercent`, 10, 1000) ?? DEFAULT_FEES.bumpPercent,
    priorityPercentile: intFrom(f.priorityPercentile, `${where}.priorityPercentile`, 0, 100) ?? DEFAULT_FEES.priorityPercentile,
    historyBlocks: intFrom(f.historyBlocks, `${where}.historyBlocks`, 1, 1024) ?? DEFAULT_FEES.historyBlocks,
    baseFeeMarginPercent: intFrom(f.baseFeeMarginPercent, `${where}.baseFeeMarginPercent`, 0, 1000) ?? DEFAULT_FEES.baseFeeMarginPercent,
    minPriorityFeeWei,
  };
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
