// Writes the TypeScript ABIs of the Away contracts from the Hardhat artifacts, so nothing in the
// TypeScript keeps a hand-written copy and a contract change breaks the build where it matters:
//   relayer/generated/away-abi.ts  every custom error the contracts the relayer talks to can revert
//       with (the light client, its Open Libra anchor, the settlement contract, the LP registry, the
//       escrow, SafeERC20 and the test token whose errors bubble up through fills), the settlement
//       contract's events, and the functions the relayer calls on the light client, the anchor
//       (OpenLibraLightClient) and the settlement contract;
//   cli/generated/scenario-abi.ts  the functions the walkthrough (cli/scenario.ts) calls on the
//       tokens, the LP registry, the escrow and its market maker's swap desk and callback contract.
// Each module holds only the entries listed below, `as const`, so viem types every call's name and
// arguments. `npm run gen:away-abi` after a contract change (it builds first);
// test/relayer/away-abi.test.ts fails while a committed module is stale.
//   tsx scripts/gen-away-abi.ts [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Abi, AbiEvent } from "viem";
import { formatAbiItem } from "viem/utils";
import { loadArtifact, REPO_ROOT } from "../contracts/deploy/artifacts.ts";

/** [source under contracts/, contract] whose errors can reach the relayer. */
const ERROR_SOURCES: [string, string][] = [
  ["HomeLightClient.sol", "HomeLightClient"],
  ["OpenLibraLightClient.sol", "OpenLibraLightClient"],
  ["AtomicSettlement.sol", "AtomicSettlement"],
  ["LPRegistry.sol", "LPRegistry"],
  ["AuctionEscrow.sol", "AuctionEscrow"],
  ["test/TestToken.sol", "TestToken"],
];

/** One exported ABI: the named functions of a contract (every overload of each name). */
interface FunctionSet {
  exportName: string;
  source: string;
  contract: string;
  functions: string[];
}

const RELAYER_FUNCTIONS: FunctionSet[] = [
  {
    exportName: "LIGHT_CLIENT_ABI",
    source: "HomeLightClient.sol",
    contract: "HomeLightClient",
    functions: ["submitHeader", "stateRootAt", "currentEpoch", "latestHeight", "hasHeaders", "headerSettlementVerifier", "paused", "pausedDuring", "anchor"],
  },
  {
    exportName: "OPEN_LIBRA_LIGHT_CLIENT_ABI",
    source: "OpenLibraLightClient.sol",
    contract: "OpenLibraLightClient",
    functions: ["submitEpochChange", "submitVoucher", "currentEpoch", "firstEpoch", "vouchedAttestationSetRoot"],
  },
  {
    exportName: "SETTLEMENT_ABI",
    source: "AtomicSettlement.sol",
    contract: "AtomicSettlement",
    functions: ["settle", "settleWithHeader", "recordDefault", "receipts"],
  },
];

const SCENARIO_FUNCTIONS: FunctionSet[] = [
  { exportName: "TOKEN_ABI", source: "test/TestToken.sol", contract: "TestToken", functions: ["mint", "approve", "transfer", "balanceOf"] },
  { exportName: "REGISTRY_ABI", source: "LPRegistry.sol", contract: "LPRegistry", functions: ["deposit", "setOffer", "capitalOf"] },
  { exportName: "ESCROW_ABI", source: "AuctionEscrow.sol", contract: "AuctionEscrow", functions: ["deposit"] },
  { exportName: "SWAP_ABI", source: "test/TestSwap.sol", contract: "TestSwap", functions: ["setPrice"] },
  { exportName: "BORROWER_ABI", source: "test/TestBorrower.sol", contract: "TestBorrower", functions: ["setBehaviour"] },
];

type AbiError = Extract<Abi[number], { type: "error" }>;
type AbiFunction = Extract<Abi[number], { type: "function" }>;

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** The listed functions of a contract's artifact, in the listed order; a missing name is an error. */
function functionsOf(set: FunctionSet): AbiFunction[] {
  const abi = loadArtifact(set.source, set.contract).abi as Abi;
  return set.functions.flatMap((name) => {
    const found = abi.filter((i): i is AbiFunction => i.type === "function" && i.name === name);
    if (found.length === 0) throw new Error(`${set.contract} (contracts/${set.source}) has no function ${name}: update scripts/gen-away-abi.ts`);
    return found;
  });
}

function functionExports(sets: FunctionSet[]): string {
  return sets.map((set) => `/** ${set.contract}: ${set.functions.join(", ")}. */\nexport const ${set.exportName} = ${json(functionsOf(set))} as const;\n`).join("\n");
}

/** The relayer module's text, from the current artifacts. */
export function awayAbiSource(): string {
  const errors = new Map<string, AbiError>();
  for (const [source, name] of ERROR_SOURCES) {
    for (const item of loadArtifact(source, name).abi as Abi) {
      if (item.type !== "error") continue;
      const sig = formatAbiItem(item);
      if (!errors.has(sig)) errors.set(sig, item);
    }
  }
  const events = (loadArtifact("AtomicSettlement.sol", "AtomicSettlement").abi as Abi).filter((i): i is AbiEvent => i.type === "event");
  const sorted = [...errors.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
  return `// Generated by scripts/gen-away-abi.ts from the Hardhat artifacts (${ERROR_SOURCES.map(([, n]) => n).join(", ")}). Do not edit.
// Every custom error those contracts can revert with, AtomicSettlement's events, and the functions
// the relayer calls on the light client, its Open Libra anchor and the settlement contract.

export const AWAY_ERRORS_ABI = ${json(sorted)} as const;

export const SETTLEMENT_EVENTS_ABI = ${json(events)} as const;

${functionExports(RELAYER_FUNCTIONS)}`;
}

/** The walkthrough's module text, from the current artifacts. */
export function scenarioAbiSource(): string {
  return `// Generated by scripts/gen-away-abi.ts from the Hardhat artifacts. Do not edit.
// The functions the walkthrough (cli/scenario.ts) calls on the Away contracts.

${functionExports(SCENARIO_FUNCTIONS)}`;
}

/** Every generated module: where it is committed and what the current artifacts make of it. */
export const GENERATED_ABI_MODULES: { file: string; source: () => string }[] = [
  { file: join(REPO_ROOT, "relayer", "generated", "away-abi.ts"), source: awayAbiSource },
  { file: join(REPO_ROOT, "cli", "generated", "scenario-abi.ts"), source: scenarioAbiSource },
];

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  let stale = false;
  for (const m of GENERATED_ABI_MODULES) {
    const text = m.source();
    const name = relative(REPO_ROOT, m.file);
    if (!check) {
      writeFileSync(m.file, text);
      console.log(`wrote ${name}`);
    } else if (readFileSync(m.file, "utf8") !== text) {
      console.error(`${name} is stale: run npm run gen:away-abi`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
}
