// The embedded default stack of the main job, all real and on loopback: Hardhat nodes as the Away
// chains (child processes, one chain id each: AWAY_CHAINS), the contracts deployed to each in
// anchored mode (DESIGN section 10: an OpenLibraLightClient started from the devnet's Open Libra
// genesis set and voucher, the light client taking only vouched sets), the Home devnet and one
// relayer serving every Away chain (in process), which ratchets each chain's anchor and light
// client. Everything is started in order and stopped in reverse by `close()`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { devnetGenesis, startDevnet, type DevnetConfigInput, type RecordedReply, type RunningDevnet } from "../home/devnet/index.ts";
import { ensureArtifacts } from "../prover/setup/pipeline.ts";
import { resolveConfig as resolveRelayerConfig } from "../relayer/config.ts";
import { startRelayer, type Relayer, type RelayerDeps } from "../relayer/relayer.ts";
import { createLogger } from "../relayer/log.ts";
import { artifactPath, profileVerifiers, SOURCES } from "../contracts/deploy/artifacts.ts";
import { deployAll, type DeployedAddresses, type NewAnchor } from "../contracts/deploy/deploy.ts";
import { httpHomeSource } from "../relayer/home-http.ts";
import { REPO_ROOT } from "../circuits/build.ts";

/** Hardhat's well-known dev account #1: the relayer's signer on the local Away chain. */
const RELAYER_DEV_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/**
 * The local Away chains of the stack: a label for logs and the relayer's metrics, and the chain id
 * its Hardhat node runs. Both ids are local dev chains (relayer/relayer.ts LOCAL_CHAIN_IDS), the
 * only ones the relayer proves for with artifacts set up from the dev ptau.
 */
export const AWAY_CHAINS = [
  { name: "away-a", chainId: 31337 },
  { name: "away-b", chainId: 1337 },
] as const;

/**
 * The LIBRA price the stack's Home devnet runs (USD per LIBRA, one tick per block): flat at 26,
 * then a 5% drop at block RISK_SPIKE_TICK, the volatility spike the walkthrough shows the circuit
 * breaker take (NORMAL -> SOFT, back to NORMAL some ten blocks later).
 */
// Late enough that the walkthrough opens the account and its two lockups before the drop even on a
// loaded machine (a lockup opened after it would get the SOFT ratio); each block later adds ~1 s.
export const RISK_SPIKE_TICK = 25;
const LIBRA_PRICE_PATH = `path:0=26,${RISK_SPIKE_TICK - 1}=26,${RISK_SPIKE_TICK}=24.7`;
/** EWMA lambda 0.8 (default 0.94): SOFT lasts about 11 blocks instead of 19, which the walkthrough waits out. */
const RISK_LAMBDA_PPM = 800_000;

export interface StackOptions {
  dataDir: string;
  /** Ports on 127.0.0.1; 0 picks free ones. One Away port per Away chain started (1 to AWAY_CHAINS.length, in its order). */
  awayPorts: number[];
  homePort: number;
  blockMs: number;
  epochBlocks: number;
  /** LIBRA price in credit-asset base units per LIBRA base unit. */
  libraPrice: string;
  log: (line: string) => void;
  onRelayerEvent?: RelayerDeps["onEvent"];
  /** Every reply of the Home API (for recording them: `olzk start --record-home-api`). */
  onHomeReply?: (r: RecordedReply) => void;
  /**
   * Circuit profile (circuits/profiles.ts; default "dev", N = 4). Another profile sets the Home
   * validator slots to its N, the relayer's prover profile, and deploys the verifiers its setup
   * generated (profileVerifiers: compiled here with solc-js).
   */
  profile?: string;
}

/** One running Away chain of the stack: its Hardhat node and the contracts deployed on it. */
export interface StackAway {
  name: string;
  chainId: number;
  rpcUrl: string;
  addresses: DeployedAddresses;
  /** Where the deploy script wrote `addresses` (the relayer's addressesFile for this chain). */
  addressesFile: string;
}

export interface Stack {
  /** Every Away chain, in AWAY_CHAINS order. */
  aways: StackAway[];
  homeUrl: string;
  metricsUrl: string;
  /** The Home block at which the LIBRA price drops (RISK_SPIKE_TICK). */
  riskSpikeTick: number;
  devnet: RunningDevnet;
  relayer: Relayer;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/**
 * The anchor of an anchored deployment as an operator takes it from the devnet over HTTP (GET
 * /openlibra/epoch-states/0 and /openlibra/vouchers/0, the BCS decoded by the relayer's Home
 * source). The contracts are deployed before the devnet bound to them starts, so these come from
 * an in-memory devnet of the same configuration started for the purpose: its genesis is the same
 * (deterministic from the seed, like devnetGenesis).
 */
export async function devnetAnchor(config: DevnetConfigInput = {}): Promise<NewAnchor> {
  const dn = await startDevnet({ ...config, dataDir: null, port: 0, blockMs: 0, backupDir: null });
  try {
    const home = httpHomeSource(dn.url);
    return { epochState: await home.openLibraEpochState(0n), genesisVoucher: await home.openLibraVoucher(0n) };
  } finally {
    await dn.close();
  }
}

/** Starts `hardhat node --chain-id` on loopback and waits until it answers JSON-RPC with that chain id. */
async function startAwayNode(name: string, chainId: number, port: number, log: (l: string) => void): Promise<{ url: string; child: ChildProcess }> {
  const bin = join(REPO_ROOT, "node_modules", ".bin", "hardhat");
  const child = spawn(bin, ["node", "--hostname", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId)], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}):\n${output}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() - t0 > 60_000) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not answer on ${url} within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const answered = Number(await rpc(url, "eth_chainId"));
  if (answered !== chainId) {
    child.kill("SIGKILL");
    throw new Error(`hardhat node on ${url} answers chainId ${answered}, started with --chain-id ${chainId}`);
  }
  // Blocks every second as well as per transaction, so confirmations advance.
  await rpc(url, "evm_setIntervalMining", [1000]);
  log(`Away chain ${name}: Hardhat node on ${url} (chainId ${chainId})`);
  return { url, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function ensureContractsBuilt(log: (l: string) => void): void {
  const needed = Object.entries(SOURCES).map(([name, src]) => artifactPath(src, name));
  if (needed.every((p) => existsSync(p))) return;
  log("compiling contracts (hardhat build)...");
  const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "hardhat"), ["build", "--quiet"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("hardhat build failed");
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    mkdirSync(o.dataDir, { recursive: true });
    const profile = o.profile ?? "dev";
    o.log(`checking circuit artifacts (olzk setup --profile ${profile}; instant when cached)...`);
    // The stack is local only (loopback Home, a Hardhat Away chain), so a non-dev profile may be set up
    // from the dev ptau: such artifacts are marked insecure and refused for any non-local network.
    const sets = await ensureArtifacts(profile, { allowInsecurePtau: true, log: (m) => o.log(`  setup: ${m}`) });
    ensureContractsBuilt(o.log);
    const N = sets.aggregated!.manifest.params.N!;
    const lockups = sets.settlement!.manifest.params.lockups!;
    // dev's verifiers are the committed contracts/generated ones (Hardhat artifacts); others are compiled here.
    const verifiers = await profileVerifiers(profile);

    if (o.awayPorts.length < 1 || o.awayPorts.length > AWAY_CHAINS.length) throw new Error(`the stack runs 1 to ${AWAY_CHAINS.length} Away chains, got ${o.awayPorts.length} ports`);
    const chains = AWAY_CHAINS.slice(0, o.awayPorts.length);
    // The nodes start side by side (each takes seconds to boot Hardhat).
    const ports: number[] = [];
    for (const p of o.awayPorts) ports.push(p || (await freePort()));
    const started = await Promise.allSettled(chains.map(async (c, i) => ({ ...c, ...(await startAwayNode(c.name, c.chainId, ports[i]!, o.log)) })));
    for (const r of started) if (r.status === "fulfilled") cleanups.push(() => stopChild(r.value.child));
    const nodes = started.map((r) => {
      if (r.status === "rejected") throw r.reason;
      return r.value;
    });

    // The light client's trusted genesis is the devnet's epoch-0 validator set (deterministic from the seed;
    // the Away chains, bound below once deployed, do not change it).
    const devnetConfig: DevnetConfigInput = {
      dataDir: join(o.dataDir, "home"),
      port: o.homePort,
      blockMs: o.blockMs,
      epochBlocks: o.epochBlocks,
      libraPrice: o.libraPrice,
      confirmations: 0,
      ...(profile === "dev" ? {} : { capacity: N, active: N, maxLockFills: lockups }),
    };
    const genesis = devnetGenesis(devnetConfig);
    const anchor = await devnetAnchor(devnetConfig);

    // The same deployment on every chain (the same deployer and nonces: the same addresses), side by side.
    const aways: StackAway[] = await Promise.all(
      nodes.map(async (n) => {
        const addressesFile = join(o.dataDir, `away-addresses-${n.chainId}.json`);
        const addresses = await deployAll(n.url, {
          homeChainId: genesis.homeChainId,
          genesisEpoch: 0n,
          genesisValidatorSetRoot: genesis.validatorSetRoot,
          testTokens: true,
          out: addressesFile,
          rpcUrl: n.url,
          anchor,
          ...(verifiers ? { verifiers, lockSlots: lockups } : {}),
        });
        o.log(`[${n.name} ${n.chainId}] contracts deployed: light client ${addresses.lightClient}, settlement ${addresses.settlement}, escrow ${addresses.escrow}`);
        return { name: n.name, chainId: n.chainId, rpcUrl: n.url, addresses, addressesFile };
      }),
    );
    o.log(
      `anchored: each light client takes only attestation sets vouched for by Open Libra's real validators, recorded in its chain's OpenLibraLightClient (started from the devnet's epoch-0 set of ${anchor.epochState.verifier.validatorInfos.length} validators and its genesis voucher); the relayer submits each epoch change and voucher on every chain`,
    );

    // Home binds each lockup and auction to the Away chain it names and reads that chain's storage.
    const awayChains = aways.map((a) => ({ chainId: BigInt(a.chainId), settlementAddress: a.addresses.settlement, escrowAddress: a.addresses.escrow, awayRpc: a.rpcUrl }));
    // Collateral accounts value credit in USD: each chain's test USDC at $1.
    const riskConfig = {
      lambdaPpm: RISK_LAMBDA_PPM,
      assets: aways.map((a) => ({ awayChainId: BigInt(a.chainId), address: a.addresses.tokens!.USDC!, symbol: "USDC", decimals: 6, price: 10n ** 18n })),
    };
    const devnet = await startDevnet({ ...devnetConfig, awayChains, libraPriceSource: LIBRA_PRICE_PATH, riskConfig }, { onReply: o.onHomeReply });
    cleanups.push(() => devnet.close());
    o.log(`Home devnet: ${devnet.url} (${N} validator slots, block every ${o.blockMs} ms, epoch every ${o.epochBlocks} blocks; Away chains ${aways.map((a) => a.chainId).join(" and ")})`);
    o.log(`  LIBRA price path ${LIBRA_PRICE_PATH} (USD per LIBRA by block: a 5% drop at block ${RISK_SPIKE_TICK}), EWMA lambda ${RISK_LAMBDA_PPM / 1e6}`);

    const relayerConfig = resolveRelayerConfig(
      {
        homeUrl: devnet.url,
        dataDir: join(o.dataDir, "relayer"),
        pollIntervalMs: 500,
        metrics: { port: 0 },
        logLevel: "warn",
        prover: { profile },
        // One relayer for every chain, signing with the same dev key on each (a nonce per chain).
        away: aways.map((a) => ({ name: a.name, chainId: a.chainId, rpcUrl: a.rpcUrl, addressesFile: a.addressesFile, signerKeyEnv: "OLZK_RELAYER_KEY", confirmations: 1 })),
      },
      { ...process.env, OLZK_RELAYER_KEY: process.env.OLZK_RELAYER_KEY ?? RELAYER_DEV_KEY },
    );
    const logFile = join(o.dataDir, "relayer.log");
    const logStream = createWriteStream(logFile, { flags: "a" });
    cleanups.push(() => new Promise<void>((resolve) => logStream.end(resolve)));
    const relayer = await startRelayer(relayerConfig, {
      log: createLogger({ level: "info", base: { service: "relayer" }, write: (line) => logStream.write(line + "\n") }),
      onEvent: o.onRelayerEvent,
    });
    cleanups.push(() => relayer.close());
    o.log(`relayer (serving ${aways.map((a) => `${a.name} ${a.chainId}`).join(" and ")}): metrics ${relayer.metricsUrl}/metrics, health ${relayer.metricsUrl}/healthz, log ${logFile}`);

    return { aways, homeUrl: devnet.url, metricsUrl: relayer.metricsUrl!, riskSpikeTick: RISK_SPIKE_TICK, devnet, relayer, close };
  } catch (e) {
    await close();
    throw e;
  }
}
