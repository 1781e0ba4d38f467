// `npm run bench:gas`: gas of the Away contracts with real proofs on Hardhat's in-process EDR chain:
// a header update with an aggregated proof (and an epoch-ending one, and the same header with the
// per-validator fallback proof; the same two proofs on a light client anchored to an
// OpenLibraLightClient, whose rotation must match a vouched set), mode-1 and mode-2 settlements with one and with several fills,
// a one-fill mode-1 settlement together with its header in one transaction (one HeaderSettlement
// proof, and the two-proof variant),
// and our generated Groth16 verifiers next to the plain snarkjs verifiers for the same proofs.
// Prints a table and writes bench/results/gas.json. Targets (DESIGN section 8): header update
// < 230k, one-fill mode-1 settlement < 350k against a proven header, < 450k with its header. Settlement and header figures are receipt gasUsed
// (21k intrinsic and calldata included); verifier figures are eth_estimateGas of a plain
// verifyProof transaction (also intrinsic + calldata included), so ours and snarkjs's compare 1:1.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Address } from "viem";
import { send, settleArgs, type Stack } from "../test/contracts/fixtures.ts";
import { epochKeys, header } from "../test/contracts/home-scenario.ts";
import { openLibraEpochs, ratchetOpenLibra, submitVoucher, vouch } from "../test/contracts/anchor.ts";
import { deployAll } from "../contracts/deploy/deploy.ts";
import { proveHeader, type Proved, type ProvedHeader } from "../test/contracts/prove.ts";
import { afterSettling, gasScenario, runBench, writeResults, type GasScenario } from "./gas-scenario.ts";
import { measureOpenLibraGas, openLibraGasNotes } from "./openlibra-gas.ts";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "results", "gas.json");

async function verifierGas(s: Stack, name: string, address: Address, p: Proved, snarkjsStyle: boolean): Promise<bigint> {
  const c = (await s.chain.viem.getContractAt(name as never, address)) as any;
  const pr = p.proof;
  const args = snarkjsStyle
    ? [[pr[0], pr[1]], [[pr[2], pr[3]], [pr[4], pr[5]]], [pr[6], pr[7]], p.pub]
    : [pr, p.pub];
  const ok = await c.read.verifyProof(args);
  if (ok !== true) throw new Error(`${name} rejected the proof`);
  return s.chain.publicClient.estimateContractGas({ address, abi: c.abi, functionName: "verifyProof", args });
}

const NOTES = {
  ...openLibraGasNotes,
  units: "gas",
  headerUpdate: "HomeLightClient.submitHeader receipt gasUsed, aggregated proof, non-epoch-ending header after the first (target < 230k)",
  headerUpdateEpochEnd: "same, epoch-ending header (also writes the next validator set root)",
  headerUpdatePerValidator: "the header of headerUpdate with its per-validator (HeaderQuorum) proof instead",
  headerUpdateAnchored: "the proof of headerUpdate on a light client anchored to an OpenLibraLightClient (same run, same proof; no rotation, so no anchor call)",
  headerUpdateEpochEndAnchored:
    "the proof of headerUpdateEpochEnd on the anchored light client: the rotation reads the anchor's vouchedAttestationSetRoot (a cold external call and a cold slot) and must match it",
  settleMode1OneFill:
    "AtomicSettlement.settle receipt gasUsed: proof, escrow release (the fill's share and the rest in one call), LP loan, callback, repayment, receipt word (target < 400k); steady state: the lockId's bitmap word is already in use; a single open fill runs without isolation",
  settleMode1WithHeader:
    "AtomicSettlement.settleWithHeader receipt gasUsed: the one-fill mode-1 settlement of settleMode1OneFill with its not yet stored header in the same transaction, ONE HeaderSettlement proof (quorum and inclusion, 8 public inputs) verified by lightClient.submitHeaderWithSettlement, which applies submitHeader's rules and stores the header (target < 450k); steady state. The better of the two one-transaction variants, so the one the relayer calls",
  settleMode1WithHeaderTwoProofs:
    "AtomicSettlement.settleWithHeaderTwoProofs receipt gasUsed: the one-fill mode-1 settlement of settleMode1OneFill with its not yet stored header in the same transaction, two proofs (the aggregated header proof through lightClient.submitHeader, then the Settlement proof); steady state. Kept as the path for a header with a per-validator proof; more gas than settleMode1WithHeader",
  settleMode1OneFillFirstLockInWord: "same settlement when its lockId is the first consumed in its 256-lock bitmap word (one extra 0 -> nonzero storage write)",
  settleMode1SeveralFills: "3 fills: 2 borrowing market makers + 1 self-funded bidder, each fill isolated (self-call), unsold rest returned (steady state)",
  settleMode2OneFill: "1 fill, the named LP (terms checked: offer, rate cap, its own minimum price) lends the sell asset and is repaid in the buy asset (steady state)",
  settleMode2SeveralFills: "2 fills, each isolated (steady state)",
  lpScan: "mode 1: bestOffer scans 4 listed USDC LPs; mode 2 reads only the named LP's terms",
  verifierOurs: "eth_estimateGas of AggregatedHeaderQuorumVerifier.verifyProof (4 public inputs), intrinsic gas included",
  verifierSnarkjs: "same proof, plain snarkjs-generated SnarkjsAggregatedHeaderQuorumVerifier",
  verifierOursSettlement: "SettlementVerifier (5 public inputs), intrinsic gas included",
  verifierSnarkjsSettlement: "same proof, SnarkjsSettlementVerifier",
  verifierOursHeaderSettlement: "HeaderSettlementVerifier (8 public inputs) on the settleMode1WithHeader proof, intrinsic gas included",
  setup:
    "Hardhat EDR in process, solc 0.8.37 optimizer 10000 runs, evm prague; actors already hold token balances; market makers hold a standing approval of the settlement contract",
};

type Gas = Record<string, number>;

/**
 * Header updates after the first: a plain header and an epoch-ending one (aggregated proofs), and
 * the plain header with its per-validator proof (the same public inputs, the other verifier).
 */
async function headerUpdates(g: GasScenario, h2pv: ProvedHeader, h3end: ProvedHeader): Promise<Gas> {
  const { chain, s, h2 } = g;
  const submit = async (p: ProvedHeader) => Number((await send(s, "w1", s.lightClient, "submitHeader", [p.kind, p.proof, p.pub])).gasUsed);
  const results: Gas = {};
  let snap = await chain.snapshot();
  results.headerUpdate = await submit(h2);
  results.headerUpdateEpochEnd = await submit(h3end);
  await chain.revert(snap);
  snap = await chain.snapshot();
  results.headerUpdatePerValidator = await submit(h2pv);
  await chain.revert(snap);
  return results;
}

/**
 * The same proofs on an anchored light client (deployAll with an anchor): the Open Libra epoch
 * change 0 -> 1 and the voucher of epoch 1's set are recorded first, so h3end's rotation is vouched.
 */
async function anchoredHeaderUpdates(g: GasScenario, h3end: ProvedHeader): Promise<Gas> {
  const { chain, s, sc, h2 } = g;
  const snap = await chain.snapshot();
  const ol = openLibraEpochs();
  const anchoredAddresses = await deployAll(
    { publicClient: chain.publicClient, walletClient: s.wallet.deployer },
    { homeChainId: s.addresses.homeChainId, genesisEpoch: 0n, genesisValidatorSetRoot: epochKeys(0n).root, anchor: { epochState: ol.states[0]!, genesisVoucher: vouch(ol, 0n, epochKeys(0n).root) } },
  );
  const anchored = await chain.viem.getContractAt("HomeLightClient" as never, anchoredAddresses.lightClient);
  const olc = await chain.viem.getContractAt("OpenLibraLightClient" as never, anchoredAddresses.openLibraLightClient!);
  const submitAnchored = async (p: ProvedHeader) => Number((await send(s, "w1", anchored, "submitHeader", [p.kind, p.proof, p.pub])).gasUsed);
  await submitAnchored(sc.stateHeaderProof);
  await ratchetOpenLibra(chain, olc, ol, 0n);
  await submitVoucher(chain, olc, ol, vouch(ol, 1n, epochKeys(1n).root));
  const results: Gas = {};
  results.headerUpdateAnchored = await submitAnchored(h2);
  results.headerUpdateEpochEndAnchored = await submitAnchored(h3end);
  await chain.revert(snap);
  return results;
}

/** Settlements in steady state (afterSettling: `before` settles another auction whose lockId shares the bitmap word), and with their header. */
async function settlements(g: GasScenario): Promise<Gas> {
  const { s, sc, h2, one, combined } = g;
  const settleGas = async (name: string, before?: string): Promise<number> =>
    Number((await afterSettling(g, before, () => send(s, "w2", s.settlement, "settle", [...settleArgs(sc, name)]))).gasUsed);
  const results: Gas = {};
  results.settleMode1OneFill = await settleGas("mode1One", "mode2Several");
  results.settleMode1SeveralFills = await settleGas("mode1Several", "mode2Several");
  results.settleMode2OneFill = await settleGas("mode2One", "mode2Several");
  results.settleMode2SeveralFills = await settleGas("mode2Several", "mode1One");
  results.settleMode1OneFillFirstLockInWord = await settleGas("mode1One");

  // One-fill mode-1 settlement whose header (height 2, the scenario state) is not yet stored, in one
  // transaction; steady state as settleMode1OneFill (header ring and cursor already written once).
  const withHeaderGas = (fn: string, args: unknown[]): Promise<number> =>
    afterSettling(g, "mode2Several", async () => {
      const rc = await send(s, "w2", s.settlement, fn, args);
      if ((await s.lightClient.read.stateRootAt([2n])) !== sc.tree.root) throw new Error(`${fn} did not store the header`);
      return Number(rc.gasUsed);
    });
  results.settleMode1WithHeader = await withHeaderGas("settleWithHeader", [combined.proof, combined.headerPub, one.result, one.lockups]);
  results.settleMode1WithHeaderTwoProofs = await withHeaderGas("settleWithHeaderTwoProofs", [h2.kind, h2.proof, h2.pub, sc.proofs.mode1One!.proof, one.result, one.lockups]);
  return results;
}

/** Our verifiers vs the plain snarkjs verifiers, same proofs, same chain. */
async function verifiers(g: GasScenario): Promise<Gas> {
  const { chain, s, sc, combined } = g;
  const snarkjsHeader = (await chain.viem.deployContract("SnarkjsAggregatedHeaderQuorumVerifier" as never)) as { address: Address };
  const snarkjsSettlement = (await chain.viem.deployContract("SnarkjsSettlementVerifier" as never)) as { address: Address };
  const results: Gas = {};
  results.verifierOurs = Number(await verifierGas(s, "AggregatedHeaderQuorumVerifier", s.addresses.aggregatedHeaderVerifier, sc.stateHeaderProof, false));
  results.verifierSnarkjs = Number(await verifierGas(s, "SnarkjsAggregatedHeaderQuorumVerifier", snarkjsHeader.address, sc.stateHeaderProof, true));
  const settleProof = sc.proofs.mode1One!;
  results.verifierOursSettlement = Number(await verifierGas(s, "SettlementVerifier", s.addresses.settlementVerifier, settleProof, false));
  results.verifierSnarkjsSettlement = Number(await verifierGas(s, "SnarkjsSettlementVerifier", snarkjsSettlement.address, settleProof, true));
  results.verifierOursHeaderSettlement = Number(await verifierGas(s, "HeaderSettlementVerifier", s.addresses.headerSettlementVerifier!, combined, false));
  return results;
}

async function main(): Promise<void> {
  const g = await gasScenario();
  const { chain, sc, h2sh } = g;
  const h2pv = await proveHeader(h2sh, "perValidator");
  const h3end = await proveHeader(header({ epoch: 0n, height: 3n, stateRoot: sc.tree.root, next: epochKeys(1n).root }));
  const results: Gas = {
    ...(await headerUpdates(g, h2pv, h3end)),
    ...(await anchoredHeaderUpdates(g, h3end)),
    ...(await settlements(g)),
    ...(await verifiers(g)),
  };

  // Open Libra consensus verified natively (EIP-2537): its own module, own contracts, same chain.
  Object.assign(results, await measureOpenLibraGas(chain));

  await writeResults(OUT, { ...results, notes: NOTES });
  const width = Math.max(...Object.keys(results).map((k) => k.length)) + 2;
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(width)}${v.toLocaleString("en-US").padStart(10)}`);
  console.log(`written to ${OUT}`);
  await chain.conn.close?.();
}

runBench(main);
