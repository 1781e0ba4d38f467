// `olzk start` (`npm start`): the main job. Starts the embedded default stack (Home devnet,
// two local Hardhat Away chains with the contracts deployed on each, one relayer serving both),
// walks through a mode 1 and a mode 2 settlement with progress, balances, gas and latency, then
// keeps the stack serving until Ctrl-C. `--once` exits after the walkthrough and prints a JSON summary last.
import { createWriteStream, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { intOption, parseCommand, UserError, type CommandSpec } from "./args.ts";
import { PROFILES } from "../circuits/profiles.ts";
import { runScenario, type ScenarioContext } from "./scenario.ts";
import { HomeClient } from "../home/api/index.ts";
import type { RecordedReply } from "../home/devnet/index.ts";
import { AWAY_CHAINS, startStack, type Stack } from "./stack.ts";
import { releaseSnarkjs } from "../prover/setup/pipeline.ts";

const options = {
  once: { type: "boolean" },
  "data-dir": { type: "string" },
  "home-port": { type: "string" },
  "away-port": { type: "string" },
  "away-chains": { type: "string" },
  "block-ms": { type: "string" },
  "epoch-blocks": { type: "string" },
  "no-scenario": { type: "boolean" },
  profile: { type: "string" },
  "record-home-api": { type: "string" },
} as const;

const spec: CommandSpec<typeof options> = {
  name: "start",
  summary: "run the main job: Home devnet + two local Away chains + contracts + one relayer, then a mode 1 and a mode 2 settlement",
  usage: "[--once] [--data-dir DIR] [--home-port P] [--away-port P] [--away-chains 1|2] [--block-ms MS] [--epoch-blocks K] [--profile prod|dev|dev16] [--record-home-api FILE]",
  options,
  help: {
    once: "exit after the walkthrough (exit code 0 on success) and print a one-line JSON summary last",
    "data-dir": "where this run keeps its state (default ./data/start; cleared at start, since the Away chain is new each run)",
    "home-port": "Home devnet HTTP port on 127.0.0.1 (default 8645; 0 = any free port)",
    "away-port": "JSON-RPC port on 127.0.0.1 of the first Away chain's Hardhat node; the second listens on the next port (default 8545 and 8546; 0 = any free ports)",
    "away-chains": `how many local Away chains to run: ${AWAY_CHAINS.map((c) => `${c.name} (chainId ${c.chainId})`).join(", then ")} (default ${AWAY_CHAINS.length})`,
    "block-ms": "Home block interval in ms (default 1000)",
    "epoch-blocks": "Home blocks per epoch (default 30)",
    "no-scenario": "only start the stack and serve (no walkthrough)",
    profile:
      "circuit profile: prod (default, 64 validator slots as for Open Libra mainnet's 41 validators), dev (4 slots, faster proofs) or dev16 (16 slots); the first run of each sets it up (minutes); this local stack accepts setups from the dev ptau",
    "record-home-api": "append every reply of the Home API to FILE, one JSON line each ({ route, action?, status, body, ssz? }), to check them against the API's schemas",
  },
  notes: "The stack runs on loopback only. The relayer's JSON log is written to <data-dir>/relayer.log.",
};

/** A clear error up front when a fixed port is taken (0 means any free port). */
async function assertPortFree(port: number, flag: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", () => reject(new UserError(`port ${port} on 127.0.0.1 is in use: stop what uses it or pass --${flag} 0 for any free port`)));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve()));
  });
}

export async function run(argv: string[]): Promise<number | void> {
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const once = v.once ?? false;
  const dataDir = resolve(v["data-dir"] ?? join("data", "start"));
  const t0 = Date.now();
  let quiet = false;
  const log = (line: string) => {
    if (!quiet) console.log(line);
  };
  const events: ScenarioContext["events"] = [];

  const profile = v.profile ?? "prod";
  if (!(profile in PROFILES)) throw new UserError(`--profile must be one of ${Object.keys(PROFILES).join(", ")}, got '${profile}'`);
  const homePort = intOption("home-port", v["home-port"], 8645);
  const awayPort = intOption("away-port", v["away-port"], 8545);
  const awayChains = intOption("away-chains", v["away-chains"], AWAY_CHAINS.length, 1);
  if (awayChains > AWAY_CHAINS.length) throw new UserError(`--away-chains must be 1 to ${AWAY_CHAINS.length}, got ${awayChains}`);
  const awayPorts = AWAY_CHAINS.slice(0, awayChains).map((_, i) => (awayPort === 0 ? 0 : awayPort + i));
  const blockMs = intOption("block-ms", v["block-ms"], 1000, 100);
  const epochBlocks = intOption("epoch-blocks", v["epoch-blocks"], 30, 2);
  await assertPortFree(homePort, "home-port");
  for (const p of awayPorts) await assertPortFree(p, "away-port");
  rmSync(dataDir, { recursive: true, force: true });
  const record = v["record-home-api"];
  const recording = record === undefined ? undefined : createWriteStream(resolve(record), { flags: "a" });
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir,
      homePort,
      awayPorts,
      blockMs,
      epochBlocks,
      libraPrice: "26",
      profile,
      log,
      ...(recording ? { onHomeReply: (r: RecordedReply) => recording.write(JSON.stringify(r) + "\n") } : {}),
      onRelayerEvent: (e) => {
        events.push({ at: Date.now(), e });
        if (e.type === "proved") log(`  [relayer] proved ${e.key}${e.withHeader ? " with its header (one HeaderSettlement proof)" : ""} in ${e.seconds.toFixed(1)} s`);
        else if (e.type === "confirmed") log(`  [relayer] ${e.key} done (${e.how}${e.gasUsed !== undefined ? `, gas ${e.gasUsed}` : ""}${e.withHeader ? ", header carried: settleWithHeader, one transaction" : ""})`);
        else if (e.type === "failed") log(`  [relayer] ${e.key} FAILED: ${e.reason}`);
      },
    });
  } catch (e) {
    console.error(`olzk start: could not start the stack: ${(e as Error).message}`);
    return 1;
  }

  let stopping = false;
  const stop = async (code: number, lastLine?: string) => {
    if (stopping) return;
    stopping = true;
    quiet = true;
    await stack.close();
    await releaseSnarkjs();
    if (recording) await new Promise<void>((r) => recording.end(r));
    if (lastLine) console.log(lastLine);
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(130));
  process.once("SIGTERM", () => void stop(143));

  try {
    if (!v["no-scenario"]) {
      const home = new HomeClient(stack.homeUrl);
      const summary = await runScenario({ chains: stack.aways, riskSpikeTick: stack.riskSpikeTick, home, relayer: stack.relayer, log, events });
      log(`\nwalkthrough finished in ${Math.round((Date.now() - t0) / 1000)} s`);
      if (once) {
        await stop(0, JSON.stringify({ ...summary, seconds: Math.round((Date.now() - t0) / 1000) }));
        return 0;
      }
    }
  } catch (e) {
    console.error(`olzk start: ${(e as Error).message}`);
    await stop(1);
    return 1;
  }
  log(`\nserving: Home ${stack.homeUrl}  ${stack.aways.map((a) => `Away ${a.name} (chainId ${a.chainId}) ${a.rpcUrl}`).join("  ")}  relayer metrics ${stack.metricsUrl}/metrics`);
  log("press Ctrl-C to stop");
  await new Promise(() => {});
}
