// `olzk devnet`: runs the Home (Open Libra) devnet with its HTTP API until SIGINT/SIGTERM.
import { zeroAddress } from "viem";
import { intOption, parseCommand, UserError, type CommandSpec } from "../../cli/args.ts";
import { CONFIG_DOCS, DevnetConfigSchema, awayChainsOf, defaultConfig, defaultText, resolveConfig, type DevnetConfig, type DevnetConfigInput, type OfflineRule } from "./config.ts";
import { currentRatioBps, formatPrice } from "../risk/index.ts";
import { startDevnet } from "./index.ts";

const d = defaultConfig();

const options = {
    seed: { type: "string" },
    "home-chain-id": { type: "string" },
    validators: { type: "string" },
    active: { type: "string" },
    powers: { type: "string" },
    "epoch-blocks": { type: "string" },
    "block-ms": { type: "string" },
    offline: { type: "string" },
    "data-dir": { type: "string" },
    memory: { type: "boolean" },
    "backup-dir": { type: "string" },
    host: { type: "string" },
    port: { type: "string" },
    "away-chain-id": { type: "string" },
    "settlement-address": { type: "string" },
    "escrow-address": { type: "string" },
    "away-rpc": { type: "string" },
    "away-chain": { type: "string", multiple: true },
    confirmations: { type: "string" },
    "libra-price": { type: "string" },
    "collateral-ratio": { type: "string" },
    "libra-price-source": { type: "string" },
    "risk-config": { type: "string" },
    "max-fills": { type: "string" },
    "max-lock-fills": { type: "string" },
    quiet: { type: "boolean", short: "q" },
} as const;

/** The config key each flag sets (its meaning and default come from the config schema's docs). */
const FLAG_KEYS = {
  seed: "seed",
  "home-chain-id": "homeChainId",
  validators: "capacity",
  active: "active",
  powers: "powers",
  "epoch-blocks": "epochBlocks",
  "block-ms": "blockMs",
  offline: "offline",
  "data-dir": "dataDir",
  "backup-dir": "backupDir",
  host: "host",
  port: "port",
  "away-chain-id": "awayChainId",
  "settlement-address": "settlementAddress",
  "escrow-address": "escrowAddress",
  "away-rpc": "awayRpc",
  "away-chain": "awayChains",
  confirmations: "confirmations",
  "libra-price": "libraPrice",
  "collateral-ratio": "collateralRatioPercent",
  "libra-price-source": "libraPriceSource",
  "risk-config": "riskConfig",
  "max-fills": "maxFills",
  "max-lock-fills": "maxLockFills",
} as const satisfies Partial<Record<keyof typeof options, keyof typeof DevnetConfigSchema.in.shape>>;

function flagHelp(flag: keyof typeof FLAG_KEYS): string {
  const key = FLAG_KEYS[flag];
  const doc = CONFIG_DOCS.get(DevnetConfigSchema.in.shape[key]);
  return `${doc?.description ?? key} (default ${defaultText(key)})`;
}

const spec: CommandSpec<typeof options> = {
  name: "devnet",
  summary: "run the Home (Open Libra) devnet: a simulated chain with the Atomic Auctions module and an HTTP API",
  usage: "[options]",
  options,
  help: {
    ...(Object.fromEntries(Object.keys(FLAG_KEYS).map((f) => [f, flagHelp(f as keyof typeof FLAG_KEYS)])) as Record<keyof typeof FLAG_KEYS, string>),
    memory: "keep the chain in memory only (nothing stored, starts from genesis each time)",
    quiet: "print only the URL, not each block",
  },
  notes: `The HTTP API is described in home/devnet/API.md; the chain's rules and every option in home/devnet/README.md.
Example: olzk devnet --port 0 --block-ms 500 --epoch-blocks 5 --offline 3@1 --memory`,
};

function parseOffline(raw: string | undefined): OfflineRule[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((item) => {
    const m = /^\s*(\d+)(?:@(\d+))?\s*$/.exec(item);
    if (!m) throw new UserError(`--offline: '${item}' is not 'slot' or 'slot@epoch'`);
    return m[2] === undefined ? { slot: Number(m[1]) } : { slot: Number(m[1]), epoch: BigInt(m[2]) };
  });
}

/** `--away-chain chainId,settlement[,escrow[,rpc]]` (repeatable) as config entries. */
function parseAwayChains(raw: string[] | undefined): NonNullable<DevnetConfigInput["awayChains"]> {
  return (raw ?? []).map((item) => {
    const [chainId, settlementAddress, escrowAddress, awayRpc, ...rest] = item.split(",").map((x) => x.trim());
    if (!chainId || !settlementAddress || rest.length > 0) throw new UserError(`--away-chain: '${item}' is not 'chainId,settlement[,escrow[,rpc]]'`);
    return {
      chainId: parseBig("away-chain", chainId, 0n),
      settlementAddress,
      ...(escrowAddress ? { escrowAddress } : {}),
      ...(awayRpc ? { awayRpc } : {}),
    };
  });
}

function parseBig(name: string, raw: string | undefined, fallback: bigint): bigint {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UserError(`--${name} must be a whole number, got '${raw}'`);
  return BigInt(raw);
}

export function configFromArgs(argv: string[]): DevnetConfig | null {
  const parsed = parseCommand(spec, argv);
  if (!parsed) return null;
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const s = (k: string) => v[k] as string | undefined;
  const awayChains = parseAwayChains(parsed.values["away-chain"]);
  const capacity = intOption("validators", s("validators"), d.capacity, 1);
  const active = intOption("active", s("active"), capacity, 1);
  const partial: DevnetConfigInput = {
    seed: s("seed") ?? d.seed,
    homeChainId: intOption("home-chain-id", s("home-chain-id"), d.homeChainId),
    capacity,
    active,
    epochBlocks: intOption("epoch-blocks", s("epoch-blocks"), d.epochBlocks, 1),
    blockMs: intOption("block-ms", s("block-ms"), d.blockMs),
    offline: parseOffline(s("offline")),
    dataDir: v.memory ? null : (s("data-dir") ?? d.dataDir),
    backupDir: s("backup-dir") ?? null,
    host: s("host") ?? d.host,
    port: intOption("port", s("port"), d.port),
    awayChainId: parseBig("away-chain-id", s("away-chain-id"), d.awayChainId),
    settlementAddress: s("settlement-address") ?? d.settlementAddress,
    escrowAddress: s("escrow-address") ?? d.escrowAddress,
    // $OLZK_AWAY_RPC is the one-chain form's default; --away-chain names each chain's RPC itself.
    awayRpc: s("away-rpc") ?? (awayChains.length > 0 ? null : (process.env.OLZK_AWAY_RPC ?? null)),
    awayChains,
    confirmations: intOption("confirmations", s("confirmations"), d.confirmations),
    libraPrice: s("libra-price") ?? d.libraPrice,
    collateralRatioPercent: intOption("collateral-ratio", s("collateral-ratio"), d.collateralRatioPercent),
    libraPriceSource: s("libra-price-source") ?? d.libraPriceSource,
    riskConfig: s("risk-config") ?? null,
    maxFills: intOption("max-fills", s("max-fills"), d.maxFills, 1),
    maxLockFills: intOption("max-lock-fills", s("max-lock-fills"), d.maxLockFills, 1),
  };
  const powers = s("powers");
  try {
    return resolveConfig(powers === undefined ? partial : { ...partial, powers: powers.split(",").map((p) => parseBig("powers", p.trim(), 0n)) });
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export async function run(argv: string[]): Promise<number | void> {
  const config = configFromArgs(argv);
  if (!config) return 0;
  const quiet = argv.includes("--quiet") || argv.includes("-q");
  config.log = quiet ? () => {} : (line) => console.log(line);
  let dn;
  try {
    dn = await startDevnet(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new UserError(`port ${config.port} on ${config.host} is in use; pass --port 0 or another port`);
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  }
  const l = dn.chain.latest.header;
  console.log(`olzk devnet: serving ${dn.url}`);
  console.log(
    `  chain ${config.homeChainId}, height ${l.height}, epoch ${l.epoch}; ${config.active}/${config.capacity} validators, ${config.epochBlocks} blocks per epoch, ` +
      `${config.blockMs ? `a block every ${config.blockMs} ms` : "blocks on request"}; data: ${config.dataDir ?? "in memory"}`,
  );
  const aways = awayChainsOf(config);
  for (const a of aways) {
    const rpc = a.awayRpc === null ? "no RPC: its escrow acknowledgements and receipts will be refused" : `RPC ${typeof a.awayRpc === "string" ? a.awayRpc : "in-process"}`;
    console.log(`  Away chain ${a.chainId}: settlement ${a.settlementAddress}, escrow ${a.escrowAddress}, ${rpc}`);
    if (a.settlementAddress === zeroAddress) console.log(`  note: Away chain ${a.chainId} has no settlement address; its leaves are bound to the zero address`);
  }
  if (aways.length > 1) console.log(`  lock and create-auction without awayChainId bind to Away chain ${aways[0]!.chainId}`);
  const risk = dn.chain.riskState();
  console.log(`  risk: LIBRA ${formatPrice(risk.price)} USD (${config.libraPriceSource}), breaker ${risk.breaker}, ratio for new lockups ${currentRatioBps(risk, dn.chain.params.risk) / 100}%`);
  if (config.backupDir) console.log(`  Open Libra epoch-ending backups: ${config.backupDir} (one folder per ended epoch)`);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      console.log(`olzk devnet: ${sig}, shutting down`);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve();
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
  await dn.close();
  console.log("olzk devnet: stopped");
  return 0;
}
