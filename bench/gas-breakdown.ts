// `npm run bench:gas-breakdown`: where the gas of a header update, a one-fill mode-1 settlement
// and a settlement with its header goes, from an opcode trace (debug_traceTransaction on EDR) of the
// same transactions bench/gas.ts measures: gas spent in each called contract (its own opcodes, not
// its callees'), in the precompiles (pairing, ecMul, ecAdd), in storage and in logs, plus intrinsic
// and calldata gas. Prints a table and writes bench/results/gas-breakdown.json.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { send, settleArgs, type Chain, type Stack } from "../test/contracts/fixtures.ts";
import { afterSettling, gasScenario, runBench, writeResults } from "./gas-scenario.ts";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "results", "gas-breakdown.json");

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

const PRECOMPILES: Record<string, string> = { "0x6": "ecAdd", "0x7": "ecMul", "0x8": "pairing" };
const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

/** Calldata gas of a transaction input (EIP-2028: 16 per nonzero byte, 4 per zero byte). */
function calldataGas(input: Hex): number {
  let g = 0;
  for (let i = 2; i < input.length; i += 2) g += input.slice(i, i + 2) === "00" ? 4 : 16;
  return g;
}

/** Gas of one transaction by bucket: each contract's own opcodes, precompiles, storage, logs, intrinsic, calldata. */
async function breakdown(chain: Chain, s: Stack, hash: Hex): Promise<Record<string, number>> {
  const names = new Map<string, string>();
  const label = (a: string, n: string) => names.set(a.toLowerCase(), n);
  label(s.addresses.lightClient, "HomeLightClient");
  label(s.addresses.settlement, "AtomicSettlement");
  label(s.addresses.escrow, "AuctionEscrow");
  label(s.addresses.registry, "LPRegistry");
  label(s.addresses.aggregatedHeaderVerifier, "header verifier");
  label(s.addresses.settlementVerifier, "Settlement verifier");
  if (s.addresses.headerSettlementVerifier) label(s.addresses.headerSettlementVerifier, "HeaderSettlement verifier");
  label(s.usdc.address, "USDC token");
  label(s.weth.address, "WETH token");
  label(s.mm1.address, "borrower callback");
  label(s.mm2.address, "borrower callback");
  const tx = await chain.publicClient.getTransaction({ hash });
  const rc = await chain.publicClient.getTransactionReceipt({ hash });
  const trace = (await chain.rpc("debug_traceTransaction", [hash, { disableStorage: true, disableMemory: true }])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const out: Record<string, number> = { intrinsic: 21_000, calldata: calldataGas(tx.input) };
  const add = (k: string, g: number) => (out[k] = (out[k] ?? 0) + g);
  // An op's inclusive cost is the gas between it and the next op of its own frame (for a call: the
  // callee's whole consumption included); a frame's last op costs its gasCost. A call's own cost
  // (account access, memory) is its inclusive cost minus its callee's top-level ops' inclusive costs.
  const inclusive = new Array<number>(logs.length).fill(0);
  const childSum = new Array<number>(logs.length).fill(0);
  const pending: (number | undefined)[] = [];
  const activeCall: (number | undefined)[] = [];
  const settle = (k: number, cost: number) => {
    inclusive[k] = cost;
    const parent = activeCall[logs[k]!.depth - 1];
    if (logs[k]!.depth > 1 && parent !== undefined) childSum[parent] += cost;
  };
  for (let k = 0; k < logs.length; k++) {
    const d = logs[k]!.depth;
    for (let e = pending.length - 1; e > d; e--) {
      if (pending[e] !== undefined) settle(pending[e]!, logs[pending[e]!]!.gasCost);
      pending[e] = undefined;
    }
    if (pending[d] !== undefined) settle(pending[d]!, logs[pending[d]!]!.gas - logs[k]!.gas);
    pending[d] = k;
    if (CALLS.has(logs[k]!.op)) activeCall[d] = k;
  }
  for (let e = pending.length - 1; e >= 0; e--) if (pending[e] !== undefined) settle(pending[e]!, logs[pending[e]!]!.gasCost);

  const frames: string[] = [];
  frames[1] = names.get(tx.to!.toLowerCase()) ?? tx.to!;
  for (let k = 0; k < logs.length; k++) {
    const l = logs[k]!;
    const me = frames[l.depth] ?? "?";
    if (CALLS.has(l.op) && l.stack) {
      const to = BigInt(l.stack[l.stack.length - 2]!);
      const pre = PRECOMPILES[`0x${to.toString(16)}`];
      if (pre) {
        add(pre, inclusive[k]!);
        continue;
      }
      frames[l.depth + 1] = names.get(`0x${to.toString(16).padStart(40, "0")}`) ?? `0x${to.toString(16)}`;
      add(`${me}: calls (access, memory)`, inclusive[k]! - childSum[k]!);
      continue;
    }
    const bucket = l.op === "SSTORE" || l.op === "SLOAD" || l.op === "TSTORE" || l.op === "TLOAD" ? `${me}: storage` : l.op.startsWith("LOG") ? `${me}: logs` : me;
    add(bucket, inclusive[k]!);
  }
  const sum = Object.values(out).reduce((a, b) => a + b, 0);
  out["SSTORE refunds (negative)"] = Number(rc.gasUsed) - sum;
  out.total = Number(rc.gasUsed);
  return out;
}

async function main(): Promise<void> {
  const g = await gasScenario();
  const { chain, s, sc, h2, one, combined } = g;
  const results: Record<string, Record<string, number>> = {};
  const measure = async (key: string, run: () => Promise<{ transactionHash: Hex }>) => {
    // steady state, as bench/gas.ts
    results[key] = await afterSettling(g, "mode2Several", async () => breakdown(chain, s, (await run()).transactionHash));
  };
  await measure("headerUpdate", () => send(s, "w1", s.lightClient, "submitHeader", [h2.kind, h2.proof, h2.pub]));
  await measure("settleMode1OneFill", () => send(s, "w2", s.settlement, "settle", [...settleArgs(sc, "mode1One")]));
  await measure("settleMode1WithHeader", () => send(s, "w2", s.settlement, "settleWithHeader", [combined.proof, combined.headerPub, one.result, one.lockups]));
  for (const [k, b] of Object.entries(results)) {
    console.log(`\n${k}`);
    for (const [bucket, g] of Object.entries(b).sort((x, y) => y[1] - x[1])) console.log(`  ${bucket.padEnd(40)}${g.toLocaleString("en-US").padStart(10)}`);
  }
  await writeResults(OUT, { ...results, notes: { method: "debug_traceTransaction opcode costs on Hardhat EDR, bucketed by the executing contract; precompile calls by what they cost the caller; storage = SLOAD/SSTORE/TLOAD/TSTORE; SSTORE refunds = receipt gasUsed minus the buckets (negative: storage cleared or restored within the transaction; the header update sums exactly to 0)" } });
  console.log(`written to ${OUT}`);
  await chain.conn.close?.();
}

runBench(main);
