// `olzk relay`: run the relayer service (see relayer/README.md for every config key and
// environment variable). Exits cleanly on SIGTERM/SIGINT: stops planning, releases the
// current claims, closes the database. `olzk relay jobs` and `olzk relay requeue KEY` are the
// operator's view of the queue (ops-cli.ts).
import { parseCommand, UserError } from "../cli/args.ts";
import { AwayUnreachableError } from "./away-rpc.ts";
import { ConfigError, loadConfig, printableConfig } from "./config.ts";
import { startRelayer } from "./relayer.ts";

const spec = {
  name: "relay",
  summary: "follow Home, prove, and submit headers/settlements/defaults to Away chains",
  usage: "[--config relayer.json] [--role all|planner|worker] [--once]\n       olzk relay jobs [--state S] [--kind K] [--json]   (olzk relay jobs --help)\n       olzk relay requeue KEY                            (olzk relay requeue --help)",
  options: {
    config: { type: "string", short: "c" },
    role: { type: "string" },
    once: { type: "boolean" },
    "print-config": { type: "boolean" },
  },
  help: {
    config: "JSON config file (environment variables override it; see relayer/README.md)",
    role: "all (default): plan and work; planner: only plan jobs; worker: only run jobs (several workers can share a PostgreSQL queue)",
    once: "exit 0 once every job is done and a poll plans nothing new (exit 1 if any job failed)",
    "print-config": "print the resolved configuration and exit: each chain's signer by address (the account to fund), never a key",
  },
  notes: `Environment: OLZK_RELAYER_HOME_URL, OLZK_RELAYER_DATA_DIR, OLZK_RELAYER_DATABASE (sqlite | postgres://...),
OLZK_RELAYER_POLL_MS, OLZK_RELAYER_METRICS_HOST/PORT, OLZK_RELAYER_WORKER_ID, OLZK_RELAYER_LEASE_MS,
OLZK_RELAYER_CONCURRENCY, OLZK_RELAYER_PROVER_CONCURRENCY, OLZK_RELAYER_RETRY_MAX_MS, OLZK_RELAYER_LOG_LEVEL, OLZK_RELAYER_AWAY_CHAINS (comma list of chain ids),
OLZK_RELAYER_STARTUP_TIMEOUT_MS, and per chain OLZK_AWAY_<chainId>_RPC_URL (comma list: failover) / _ADDRESSES /
_SIGNER_KEY (or _SIGNER_URL + _SIGNER_ADDRESS for a remote signer) / _CONFIRMATIONS / _FEE_CAP_GWEI / _BUMP_AFTER_MS /
_MIN_BALANCE_ETH.
Exit codes: 0 done or stopped, 1 a job failed (--once) or an Away chain unreachable at start, 2 a config mistake
(also an RPC serving another chain id than the config's).
Endpoints: GET /healthz, GET /metrics on the metrics port (loopback only).`,
} as const;

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "jobs") return (await import("./ops-cli.ts")).jobs(argv.slice(1));
  if (argv[0] === "requeue") return (await import("./ops-cli.ts")).requeue(argv.slice(1));
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const { values } = parsed;
  const role = values.role ?? "all";
  if (!["all", "planner", "worker"].includes(role)) throw new UserError(`--role must be all, planner or worker, got '${role}'`);
  let config;
  try {
    config = loadConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(`config: ${e.message}`);
    throw e;
  }
  if (values["print-config"]) {
    console.log(JSON.stringify(printableConfig(config), null, 2));
    return 0;
  }
  let relayer;
  try {
    relayer = await startRelayer(config, { plan: role !== "worker", work: role !== "planner" });
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(`config: ${e.message}`);
    if (e instanceof AwayUnreachableError) {
      console.error(`olzk relay: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const r = relayer;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (code: number) => {
      if (stopping) return;
      stopping = true;
      clearInterval(onceTimer);
      await r.close();
      // snarkjs keeps worker threads alive after proving: do not let them hold the process open
      setTimeout(() => process.exit(code), 200).unref();
      resolve(code);
    };
    process.once("SIGTERM", () => void stop(0));
    process.once("SIGINT", () => void stop(0));
    const onceTimer = setInterval(async () => {
      if (!values.once) return;
      try {
        if (await r.idle()) {
          const failed = (await r.store.counts()).failed;
          await stop(failed > 0 ? 1 : 0);
        }
      } catch {
        /* next tick */
      }
    }, Math.max(250, config.pollIntervalMs));
  });
}
