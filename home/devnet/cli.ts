// `olzk devnet`: runs the Home (Open Libra) devnet with its HTTP API until SIGINT/SIGTERM.
import { intOption, parseCommand, UserError, type CommandSpec } from "../../cli/args.ts";
import { defaultConfig, resolveConfig, type DevnetConfig, type OfflineRule } from "./config.ts";
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
    host: { type: "string" },
    port: { type: "string" },
    "away-chain-id": { type: "string" },
    "settlement-address": { type: "string" },
    "escrow-address": { type: "string" },
    "away-rpc": { type: "string" },
    confirmations: { type: "string" },
    "libra-price": { type: "string" },
    "collateral-ratio": { type: "string" },
    "max-fills": { type: "string" },
    "max-lock-fills": { type: "string" },
    quiet: { type: "boolean", short: "q" },
} as const;

const spec: CommandSpec<typeof options> = {
  name: "devnet",
  summary: "run the Home (Open Libra) devnet: a simulated chain with the Atomic Auctions module and an HTTP API",
  usage: "[options]",
  options,
  help: {
    seed: `seed of all validator keys and of the rotation rule (default "${d.seed}")`,
    "home-chain-id": `Home chainId written in every header, u32 (default ${d.homeChainId})`,
    validators: `validator-set capacity N, a power of two: the HeaderQuorum circuit's N (default ${d.capacity})`,
    active: "occupied slots, 1..N (default N)",
    powers: "comma-separated voting power per active slot (default 1000000 each)",
    "epoch-blocks": `blocks per epoch K; the last block of an epoch carries the next set's root (default ${d.epochBlocks})`,
    "block-ms": `block interval in ms; 0 = only on POST /admin/blocks (default ${d.blockMs})`,
    offline: "validator slots that do not sign: 'i,j' for every epoch, 'i@e' for epoch e only (e.g. '1,3@2')",
    "data-dir": `where the chain is stored; a restart continues it (default ${d.dataDir})`,
    memory: "keep the chain in memory only (nothing stored, starts from genesis each time)",
    host: `interface to listen on (default ${d.host}, loopback)`,
    port: `HTTP port; 0 picks a free one (default ${d.port})`,
    "away-chain-id": `chainId of the Away EVM chain the leaves are bound to (default ${d.awayChainId})`,
    "settlement-address": "Away AtomicSettlement contract (bound in lockup, result and receipt leaves)",
    "escrow-address": "Away AuctionEscrow contract (bound in escrow-ack leaves)",
    "away-rpc": "Away JSON-RPC URL used for eth_getProof checks (default $OLZK_AWAY_RPC; none = escrow acks and receipts refused)",
    confirmations: `read Away storage this many blocks below the head (default ${d.confirmations})`,
    "libra-price": `LIBRA price in credit-asset base units per LIBRA base unit, decimal (default ${d.libraPrice})`,
    "collateral-ratio": `collateral ratio in percent: creditLimit = collateralValue * 100 / ratio (default ${d.collateralRatioPercent})`,
    "max-fills": `most fills per auction result (default ${d.maxFills})`,
    "max-lock-fills": `most fills that borrow against a lockup: the Settlement circuit's K, dev 2, prod 4 (default ${d.maxLockFills})`,
    quiet: "print only the URL, not each block",
  },
  notes: `The HTTP API is described in home/devnet/API.md; the chain's rules in home/devnet/README.md.
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
  const capacity = intOption("validators", s("validators"), d.capacity, 1);
  const active = intOption("active", s("active"), capacity, 1);
  const partial: Partial<DevnetConfig> = {
    seed: s("seed") ?? d.seed,
    homeChainId: intOption("home-chain-id", s("home-chain-id"), d.homeChainId),
    capacity,
    active,
    epochBlocks: intOption("epoch-blocks", s("epoch-blocks"), d.epochBlocks, 1),
    blockMs: intOption("block-ms", s("block-ms"), d.blockMs),
    offline: parseOffline(s("offline")),
    dataDir: v.memory ? null : (s("data-dir") ?? d.dataDir),
    host: s("host") ?? d.host,
    port: intOption("port", s("port"), d.port),
    awayChainId: parseBig("away-chain-id", s("away-chain-id"), d.awayChainId),
    settlementAddress: (s("settlement-address") ?? d.settlementAddress) as `0x${string}`,
    escrowAddress: (s("escrow-address") ?? d.escrowAddress) as `0x${string}`,
    awayRpc: s("away-rpc") ?? process.env.OLZK_AWAY_RPC ?? null,
    confirmations: intOption("confirmations", s("confirmations"), d.confirmations),
    libraPrice: s("libra-price") ?? d.libraPrice,
    collateralRatioPercent: intOption("collateral-ratio", s("collateral-ratio"), d.collateralRatioPercent),
    maxFills: intOption("max-fills", s("max-fills"), d.maxFills, 1),
    maxLockFills: intOption("max-lock-fills", s("max-lock-fills"), d.maxLockFills, 1),
  };
  if (s("powers") !== undefined) {
    partial.powers = s("powers")!.split(",").map((p) => parseBig("powers", p.trim(), 0n));
  }
  try {
    return resolveConfig(partial);
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
  if (config.settlementAddress === "0x0000000000000000000000000000000000000000") {
    console.log("  note: --settlement-address is not set; leaves are bound to the zero address");
  }
  if (!config.awayRpc) console.log("  note: no --away-rpc: escrow acknowledgements and receipts will be refused");
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
