// `npm run examples` (tsx scripts/examples.ts [DIR]): regenerates examples/ from a real Home
// devnet and real proofs, with the commands an integrator runs: a devnet (in memory, blocks on
// request, 2 blocks per epoch) gets one collateral lockup, then `olzk bundle checkpoint`,
// `olzk bundle headers` and `olzk bundle collateral` (JSON and SSZ) write the samples, the
// AggregatedHeaderQuorum key is copied beside them, and examples/README.md is written with
// the `olzk verify` commands that check them and the lines they print.
// Deterministic: the devnet seed, so the checkpoint (validator-set roots), the heights, the
// lockup and its state proof. Not: header timestamps (Home time is the wall clock) and the
// Groth16 proofs (snarkjs draws fresh randomness), so those change on every run.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../cli/main.ts";
import { parseDecimal18 } from "../home/devnet/config.ts";
import { creditLimitFor, defaultConfig, startDevnet, type RunningDevnet } from "../home/devnet/index.ts";
import type { Address } from "../home/model/leaves.ts";
import { loadVerificationKey } from "../prover/prover.ts";
import { REPO_ROOT } from "../prover/setup/ptau.ts";

/** The sample lockup and the devnet it lives on. */
export const EXAMPLE = {
  epochBlocks: 2,
  settlement: "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Address,
  awayChainId: 31337n,
  owner: `0x${"cd".repeat(32)}`,
  borrower: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" as Address,
  creditAsset: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0" as Address,
  /** LIBRA base units; at the devnet's default price 1 and ratio 130 %: credit 250,000 * 10^6. */
  collateral: 325_000_000_000n,
  /** 2100-01-01. */
  expiry: 4_102_444_800n,
  /** Sealed in block 1 (the last block of epoch 0); the state is read at height 4 (epoch 2). */
  stateHeight: 4n,
  /** Seconds after the state header's time that the sample query asks at. */
  ageSeconds: 30n,
} as const;

/** A devnet holding the sample lockup (id 1, sealed in block 1), sealed up to EXAMPLE.stateHeight. */
export async function exampleHome(): Promise<RunningDevnet> {
  const dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0, epochBlocks: EXAMPLE.epochBlocks, settlementAddress: EXAMPLE.settlement, awayChainId: EXAMPLE.awayChainId });
  try {
    const { owner, borrower, creditAsset, collateral, expiry } = EXAMPLE;
    await dn.chain.submit("lock", { owner, borrower, creditAsset, collateral: collateral.toString(), expiry: expiry.toString() });
    while (dn.chain.latest.header.height < EXAMPLE.stateHeight) dn.chain.produceBlock();
    return dn;
  } catch (e) {
    await dn.close();
    throw e;
  }
}

/** Run one `olzk` command in this process; throws unless it exits 0. */
async function olzk(...argv: string[]): Promise<void> {
  const code = await main(argv);
  if (code !== 0) throw new Error(`olzk ${argv.join(" ")} exited ${code}`);
}

/** The `olzk verify` commands of the README, run from the repository root. */
export function verifyCommands(dir: string, now: bigint): { chain: string[]; collateral: (bundle: string) => string[] } {
  const f = (name: string) => relative(REPO_ROOT, join(dir, name)) || name;
  return {
    chain: ["verify", "chain", "--vkey", f("aggregated-vkey.json"), "--checkpoint", f("checkpoint.json"), "--headers", f("headers.json")],
    collateral: (bundle) => [
      "verify", "collateral", "--vkey", f("aggregated-vkey.json"), "--checkpoint", f("checkpoint.json"), "--bundle", f(bundle),
      "--borrower", EXAMPLE.borrower, "--min-credit", "100000000000", "--chain-id", EXAMPLE.awayChainId.toString(), "--contract", EXAMPLE.settlement,
      "--valid-until", "1900000000", "--max-age", "60", "--now", now.toString(),
    ],
  };
}

function readme(dir: string, home: RunningDevnet, now: bigint, lines: { chain: string; collateral: string }): string {
  const cmd = verifyCommands(dir, now);
  const sh = (argv: string[]) => `node bin/olzk.mjs ${argv.join(" ")}`;
  const credit = lines.collateral.match(/has credit (\d+)/)![1];
  return `# examples/

Small sample files for integrators, made from a real Home devnet with real Groth16 proofs by
\`npm run examples\` (\`scripts/examples.ts\`), which rewrites this folder, this README included.
Do not edit them by hand; \`test/cli/examples.test.ts\` checks that \`olzk verify\` accepts them
with exactly the lines below and refuses tampered copies.

| file | what it is | \`olzk verify\` flag | made by |
|---|---|---|---|
| \`checkpoint.json\` | the trusted start: Home chain ${home.config.homeChainId}, epoch 0 and its validator-set root | \`--checkpoint\` | \`olzk bundle checkpoint\` |
| \`headers.json\` | AggregatedHeaderQuorum proofs of headers 1 and 3 (the last of epochs 0 and 1, each announcing the next set) and ${EXAMPLE.stateHeight} | \`chain --headers\` | \`olzk bundle headers\` |
| \`collateral.json\` | a collateral bundle (JSON): the chain above, lockup 1 and its state proof at height ${EXAMPLE.stateHeight} | \`collateral --bundle\` | \`olzk bundle collateral --json\` |
| \`collateral.ssz\` | the same bundle as SSZ bytes | \`collateral --bundle\` | \`olzk bundle collateral --ssz\` |
| \`aggregated-vkey.json\` | the dev AggregatedHeaderQuorum verification key (insecure dev setup: local use only) | \`--vkey\` | \`olzk setup\` |

The devnet: \`olzk devnet --memory --block-ms 0 --epoch-blocks ${EXAMPLE.epochBlocks} --settlement-address ${EXAMPLE.settlement}\`
(default seed, so the validator sets and the checkpoint are the same every time), then one
lockup: borrower \`${EXAMPLE.borrower}\`, credit asset \`${EXAMPLE.creditAsset}\`,
collateral ${EXAMPLE.collateral} LIBRA base units (credit ${credit} at the default price and collateral ratio), expiry
${EXAMPLE.expiry} (2100-01-01), sealed in block 1; blocks up to ${EXAMPLE.stateHeight}. The heights, the
checkpoint, the lockup and its state proof come out the same on every run; header timestamps
(Home time is the wall clock) and the proofs (fresh randomness) do not, so \`--now\` below is
the state header's time plus ${EXAMPLE.ageSeconds} s of this run. Re-run the script after a change to the
header circuits or the dev setup: the key here is the one these proofs were made with.

## Check them (from the repository root)

\`\`\`sh
${sh(cmd.chain)}
# ${lines.chain}
${sh(cmd.collateral("collateral.json"))}
# ${lines.collateral}
${sh(cmd.collateral("collateral.ssz"))}
# ${lines.collateral}
\`\`\`

To make your own from a running Home (\`npm start\` or \`olzk devnet\`), see "Integrators" in
the top-level [README](../README.md).
`;
}

/** Regenerate the sample files in `dir` (default examples/). */
export async function writeExamples(dir = join(REPO_ROOT, "examples")): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const home = await exampleHome();
  try {
    const at = (name: string) => join(dir, name);
    const common = ["--home", home.url];
    await olzk("bundle", "checkpoint", ...common, "--epoch", "0", "--out", at("checkpoint.json"));
    await olzk("bundle", "headers", ...common, "--from", at("checkpoint.json"), "--to", EXAMPLE.stateHeight.toString(), "--out", at("headers.json"));
    for (const format of ["json", "ssz"]) {
      await olzk("bundle", "collateral", ...common, "--lock", "1", "--from", at("checkpoint.json"), "--height", EXAMPLE.stateHeight.toString(), `--${format}`, "--out", at(`collateral.${format}`));
    }
    writeFileSync(at("aggregated-vkey.json"), JSON.stringify(await loadVerificationKey("AggregatedHeaderQuorum"), null, 2) + "\n");
    const now = home.chain.block(EXAMPLE.stateHeight)!.header.timestampMs / 1000n + EXAMPLE.ageSeconds;
    writeFileSync(at("README.md"), readme(dir, home, now, expectedLines()));
  } finally {
    await home.close();
  }
}

/** What `olzk verify` must print for the samples (from the scenario's facts, not from running it). */
export function expectedLines(): { chain: string; collateral: string } {
  const d = defaultConfig();
  const credit = creditLimitFor(EXAMPLE.collateral, parseDecimal18(d.libraPrice, "libra-price"), d.collateralRatioPercent);
  return {
    chain: `VALID: 3 headers verified, latest height ${EXAMPLE.stateHeight}; now at epoch 2`,
    collateral: `VALID: lock 1: ${EXAMPLE.borrower} has credit ${credit} of ${EXAMPLE.creditAsset} until ${EXAMPLE.expiry}, as of height ${EXAMPLE.stateHeight} (${EXAMPLE.ageSeconds} s old)`,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeExamples(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.error("examples written");
}
