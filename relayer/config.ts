// Relayer configuration: a JSON file (`olzk relay --config`) with environment variables
// overriding it, validated into a RelayerConfig. Every mistake is a ConfigError with one
// clear line naming the key (the CLI prints it without a stack trace). Keys are documented
// in relayer/README.md.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface AwayChainConfig {
  /** Label used in logs and metrics (defaults to the chainId). */
  name: string;
  rpcUrl: string;
  chainId: number;
  /** Path of the deploy script's addresses JSON. */
  addressesFile: string;
  /** 0x-prefixed 32-byte private key of the submitting account (resolved from signerKeyEnv when given). */
  signerKey: `0x${string}`;
  /** Name of the env var the key came from (for messages), or "config". */
  signerKeySource: string;
  confirmations: number;
}

export interface RelayerConfig {
  homeUrl: string;
  dataDir: string;
  /** "sqlite" (file in dataDir), a sqlite file path, or a postgres:// URL. */
  database: string;
  pollIntervalMs: number;
  /** Metrics/health server; port 0 = pick a free port; null = disabled. */
  metrics: { host: string; port: number } | null;
  workerId: string;
  leaseMs: number;
  /** Jobs run at once by this process. */
  concurrency: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Prover options: artifact profile (default "dev") and proof cache directory (default build/proofs). */
  prover: { profile?: string; cacheDir?: string };
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
  logLevel: "OLZK_RELAYER_LOG_LEVEL",
  awayChains: "OLZK_RELAYER_AWAY_CHAINS",
  proverProfile: "OLZK_RELAYER_PROVER_PROFILE",
  proverCacheDir: "OLZK_RELAYER_PROVER_CACHE_DIR",
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
  const known = ["homeUrl", "dataDir", "database", "pollIntervalMs", "metrics", "workerId", "leaseMs", "concurrency", "logLevel", "prover", "away"];
  for (const k of Object.keys(r)) {
    if (!known.includes(k) && !k.startsWith("$") && k !== "comment") throw new ConfigError(`unknown config key '${k}' (known: ${known.join(", ")})`);
  }
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

  const homeUrl = urlFrom(env[ENV.homeUrl], ENV.homeUrl, ["http:", "https:"]) ?? urlFrom(r.homeUrl, "homeUrl", ["http:", "https:"]);
  if (!homeUrl) throw new ConfigError(`homeUrl is required (the Home devnet API, e.g. http://127.0.0.1:8645; env ${ENV.homeUrl})`);

  expectType(r.dataDir, "string", "dataDir");
  const dataDir = path(env[ENV.dataDir] || r.dataDir || ".olzk/relayer");

  expectType(r.database, "string", "database");
  let database = env[ENV.database] || r.database || "sqlite";
  if (/^postgres(ql)?:/.test(database)) database = urlFrom(database, "database", ["postgres:", "postgresql:"])!;
  else if (database !== "sqlite") database = path(database.replace(/^sqlite:(\/\/)?/, ""));

  const pollIntervalMs = intFrom(env[ENV.pollIntervalMs], ENV.pollIntervalMs, 50) ?? intFrom(r.pollIntervalMs, "pollIntervalMs", 50) ?? 2000;
  const leaseMs = intFrom(env[ENV.leaseMs], ENV.leaseMs, 1000) ?? intFrom(r.leaseMs, "leaseMs", 1000) ?? 60_000;
  const concurrency = intFrom(env[ENV.concurrency], ENV.concurrency, 1, 64) ?? intFrom(r.concurrency, "concurrency", 1, 64) ?? 1;

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
  const workerId = env[ENV.workerId] || r.workerId || `relayer-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

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

  const away: AwayChainConfig[] = entries.map((a, i) => {
    const where = `away[${i}]`;
    const chainId = intFrom(a.chainId, `${where}.chainId`, 1, 2 ** 53 - 1);
    if (chainId === undefined) throw new ConfigError(`${where}.chainId is required`);
    const known = ["name", "rpcUrl", "chainId", "addressesFile", "signerKeyEnv", "signerKey", "confirmations"];
    for (const k of Object.keys(a)) if (!known.includes(k)) throw new ConfigError(`unknown key '${where}.${k}' (known: ${known.join(", ")})`);
    const e = (w: string) => env[awayEnv(chainId, w)];
    const rpcUrl = urlFrom(e("RPC_URL"), awayEnv(chainId, "RPC_URL"), ["http:", "https:"]) ?? urlFrom(a.rpcUrl, `${where}.rpcUrl`, ["http:", "https:"]);
    if (!rpcUrl) throw new ConfigError(`${where}.rpcUrl is required (or env ${awayEnv(chainId, "RPC_URL")})`);
    expectType(a.addressesFile, "string", `${where}.addressesFile`);
    const addressesFile = e("ADDRESSES") || a.addressesFile;
    if (!addressesFile) throw new ConfigError(`${where}.addressesFile is required (the deploy script's JSON; or env ${awayEnv(chainId, "ADDRESSES")})`);
    const confirmations = intFrom(e("CONFIRMATIONS"), awayEnv(chainId, "CONFIRMATIONS"), 1, 1000) ?? intFrom(a.confirmations, `${where}.confirmations`, 1, 1000) ?? 1;
    expectType(a.signerKeyEnv, "string", `${where}.signerKeyEnv`);
    expectType(a.signerKey, "string", `${where}.signerKey`);
    let signerKey: string | undefined;
    let signerKeySource: string;
    if (e("SIGNER_KEY")) {
      signerKey = e("SIGNER_KEY");
      signerKeySource = awayEnv(chainId, "SIGNER_KEY");
    } else if (a.signerKeyEnv) {
      signerKey = env[a.signerKeyEnv];
      signerKeySource = a.signerKeyEnv;
      if (!signerKey) throw new ConfigError(`${where}.signerKeyEnv names ${a.signerKeyEnv}, which is not set`);
    } else {
      signerKey = a.signerKey;
      signerKeySource = "config";
    }
    if (!signerKey) throw new ConfigError(`${where}: a signer key is required (${where}.signerKeyEnv naming an env var, or env ${awayEnv(chainId, "SIGNER_KEY")})`);
    if (!signerKey.startsWith("0x")) signerKey = `0x${signerKey}`;
    if (!KEY_RE.test(signerKey)) throw new ConfigError(`${where}: the signer key from ${signerKeySource} is not a 32-byte hex private key`);
    expectType(a.name, "string", `${where}.name`);
    return {
      name: a.name || String(chainId),
      rpcUrl,
      chainId,
      addressesFile: path(addressesFile),
      signerKey: signerKey as `0x${string}`,
      signerKeySource,
      confirmations,
    };
  });
  const dup = away.find((a, i) => away.findIndex((b) => b.chainId === a.chainId) !== i);
  if (dup) throw new ConfigError(`Away chain ${dup.chainId} is configured twice`);

  return { homeUrl, dataDir, database, pollIntervalMs, metrics, workerId, leaseMs, concurrency, logLevel, prover, away };
}

/** Read a config file (JSON) and resolve it with the environment; relative paths are relative to the file. */
export function loadConfig(file: string | undefined, env: Env = process.env): RelayerConfig {
  if (!file) return resolveConfig({}, env);
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
  return resolveConfig(raw, env, dirname(resolve(file)));
}
