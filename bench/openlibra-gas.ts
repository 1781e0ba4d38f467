// Gas of OpenLibraLightClient on Hardhat's in-process EDR chain (EIP-2537 precompiles), part of
// `npm run bench:gas`: the real mainnet 29-of-41 epoch-117 LedgerInfo verification, a 41-validator
// epoch change made by the devnet (home/devnet/openlibra.ts: 41 active validators, one block per
// epoch; the change ending epoch 1, all 41 sign, to a client started at epoch 1: a steady-state
// change, not the first one from epoch 0 at version 0, whose cursor write starts from an empty
// slot and costs ~17k more) and a 28-of-41 voucher by the same set, in
// its epoch and late (the same voucher after the client moved on to the next epoch, checked against
// the kept commitment of its set). Run alone (`npx tsx bench/openlibra-gas.ts`) it merges its
// keys into bench/results/gas.json and leaves the other keys as they are.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex, type Address, type Hex } from "viem";
import { allSigners, encodeSetOpening, ledgerInfoCalldata, setCommitment, signVoucher, uncompressedSignature, type EpochState } from "../verifier-ts/openlibra/index.ts";
import { connectChain, type Chain } from "../test/contracts/fixtures.ts";
import { DevnetChain, resolveConfig } from "../home/devnet/index.ts";
import { loadMainnet } from "../test/openlibra/vectors.ts";

type Client = { address: Address; abi: never; write: Record<string, (a: unknown[]) => Promise<Hex>> };

async function deploy(chain: Chain, state: EpochState): Promise<Client> {
  return (await chain.viem.deployContract("OpenLibraLightClient" as never, [state.epoch, toHex(setCommitment(state).commitment)] as never)) as unknown as Client;
}

export const openLibraGasNotes = {
  openLibraLedgerInfo:
    "eth_estimateGas of OpenLibraLightClient.verifyLedgerInfo for the real mainnet epoch-117 LedgerInfo (version 38200017, 29 of 41 signers, 12 absent keys in calldata), intrinsic gas and calldata included",
  openLibraEpochChange:
    "OpenLibraLightClient.submitEpochChange receipt gasUsed: the devnet's 41-validator epoch change (the LedgerInfo ending its epoch 1, signed by all 41, to a client started at epoch 1; BCS with next_epoch_state, 41 y-coordinate hints), target < 300k",
  openLibraVoucher: "OpenLibraLightClient.submitVoucher receipt gasUsed: 28 of 41 validators vouch for an attestation set root",
  openLibraVoucherLate: "the same voucher (same calldata) submitted late: after the client ratcheted to the next epoch, checked against the kept commitment of the voucher's set",
};

export async function measureOpenLibraGas(chain: Chain): Promise<Record<keyof typeof openLibraGasNotes, number>> {
  const m = loadMainnet();
  const mainnet = await deploy(chain, m.ledger.current);
  const c = ledgerInfoCalldata(m.ledger.current, m.li117);
  const ledgerInfo = await chain.publicClient.estimateContractGas({
    address: mainnet.address,
    abi: mainnet.abi,
    functionName: "verifyLedgerInfo" as never,
    args: [toHex(c.ledgerInfo), toHex(c.bitmask), toHex(c.signature), toHex(c.setOpening)] as never,
  });

  // one block per epoch: block 1 ends epoch 1
  const devnet = DevnetChain.open(resolveConfig({ dataDir: null, blockMs: 0, capacity: 64, active: 41, epochBlocks: 1, seed: "bench" }));
  devnet.produceBlock();
  const s = { currentState: devnet.openLibra.epochState(1n), liws: devnet.openLibra.ledgerInfo(1n) };
  const v = signVoucher(1n, 0x1234n, devnet.openLibra.signers(1n), allSigners(28));
  devnet.close();
  if (s.liws.signatures.validatorBitmask.reduce((n, b) => n + popcount(b), 0) !== 41) throw new Error("the devnet's epoch change is not signed by all 41");
  const client = await deploy(chain, s.currentState);
  const voucherArgs = [
    1n,
    toHex(0x1234n, { size: 32 }),
    toHex(v.signatures.validatorBitmask),
    toHex(uncompressedSignature(v.signatures.sig!)),
    toHex(encodeSetOpening(s.currentState, v.signatures.validatorBitmask)),
  ];
  const mined = async (hash: Hex) => {
    const rc = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (rc.status !== "success") throw new Error(`OpenLibraLightClient refused a benchmark transaction (${hash})`);
    return Number(rc.gasUsed);
  };
  const e = ledgerInfoCalldata(s.currentState, s.liws);
  const changeArgs = [toHex(e.ledgerInfo), toHex(e.bitmask), toHex(e.signature), toHex(e.setOpening), toHex(e.nextKeyYs)];
  const voucher = await mined(await client.write.submitVoucher!(voucherArgs));
  const change = await mined(await client.write.submitEpochChange!(changeArgs));
  // A second client, ratcheted past epoch 1 before its voucher came.
  const late = await deploy(chain, s.currentState);
  await mined(await late.write.submitEpochChange!(changeArgs));
  const voucherLate = await mined(await late.write.submitVoucher!(voucherArgs));
  return { openLibraLedgerInfo: Number(ledgerInfo), openLibraEpochChange: change, openLibraVoucher: voucher, openLibraVoucherLate: voucherLate };
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "gas.json");
  const chain = await connectChain();
  const results = await measureOpenLibraGas(chain);
  const current = JSON.parse(await readFile(out, "utf8")) as Record<string, unknown> & { notes: Record<string, string> };
  const { notes, ...rest } = current;
  await writeFile(out, JSON.stringify({ ...rest, ...results, notes: { ...notes, ...openLibraGasNotes } }, null, 2) + "\n");
  for (const [k, g] of Object.entries(results)) console.log(`${k.padEnd(24)}${g.toLocaleString("en-US").padStart(10)}`);
  console.log(`merged into ${out}`);
  await chain.conn.close?.();
  process.exit(0);
}
