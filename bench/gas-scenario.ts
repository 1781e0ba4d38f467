// The scenario bench/gas.ts and bench/gas-breakdown.ts measure, set up once: the Away stack on
// Hardhat's in-process EDR chain, funded, the scenario header (height 1) stored, market makers
// holding a standing approval of the settlement contract; the next header (height 2, the
// scenario state) proven alone and together with the one-fill mode-1 settlement. Also the
// steady state the settlement figures are taken in, and how a benchmark writes its results.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { maxUint256 } from "viem";
import { buildScenario, connectChain, deployStack, fundScenario, send, settleArgs, type Chain, type Scenario, type Stack } from "../test/contracts/fixtures.ts";
import { header, type SettlementCase } from "../test/contracts/home-scenario.ts";
import type { SignedHeader } from "../home/model/index.ts";
import { proveHeader, proveHeaderSettlement, type Proved, type ProvedHeader } from "../test/contracts/prove.ts";

export interface GasScenario {
  chain: Chain;
  s: Stack;
  sc: Scenario;
  /** The signed header at height 2 over the scenario state (not yet stored). */
  h2sh: SignedHeader;
  /** Its aggregated header proof. */
  h2: ProvedHeader;
  /** The one-fill mode-1 case. */
  one: SettlementCase;
  /** One HeaderSettlement proof of h2sh and `one` (settleWithHeader). */
  combined: Proved & { headerPub: bigint[] };
}

export async function gasScenario(): Promise<GasScenario> {
  const chain = await connectChain();
  const s = await deployStack(chain);
  const sc = await buildScenario(s);
  await fundScenario(s, sc); // stores the scenario header (height 1) in the light client
  // Market makers keep a standing approval of the settlement contract (their callback then skips approve).
  for (const mm of [s.mm1, s.mm2]) await send(s, "deployer", mm, "approveToken", [s.usdc.address, s.settlement.address, maxUint256]);
  const h2sh = header({ epoch: 0n, height: 2n, stateRoot: sc.tree.root });
  const h2 = await proveHeader(h2sh);
  const one = sc.cases.mode1One!;
  const combined = await proveHeaderSettlement(h2sh, sc.tree, one);
  return { chain, s, sc, h2sh, h2, one, combined };
}

/**
 * Runs `measure` after settling the auction `before` (lockIds come from Home in sequence, so all
 * but the first of every 256 land in a bitmap word already nonzero: settling another auction whose
 * lockId shares the word gives the steady state), then rolls the chain back. No `before`: the
 * first lock of its word.
 */
export async function afterSettling<T>(g: GasScenario, before: string | undefined, measure: () => Promise<T>): Promise<T> {
  const id = await g.chain.snapshot();
  if (before) await send(g.s, "w2", g.s.settlement, "settle", [...settleArgs(g.sc, before)]);
  const out = await measure();
  await g.chain.revert(id);
  return out;
}

/** Writes a benchmark's results file (pretty JSON). */
export async function writeResults(path: string, results: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(results, null, 2) + "\n");
}

/** Runs a benchmark's main and exits (0, or 1 with the error). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
