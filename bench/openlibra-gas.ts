// Gas of OpenLibraLightClient on Hardhat's in-process EDR chain (EIP-2537 precompiles), part of
// `npm run bench:gas`: the real mainnet 29-of-41 epoch-117 LedgerInfo verification, a synthetic
// 41-validator epoch change (all 41 sign; keys and BCS from verifier-ts/openlibra until the devnet
// makes real ones) and a 28-of-41 voucher, in its epoch and late (the same voucher after the client
// moved on to the next epoch, checked against the kept commitment of its set). Run alone (`npx tsx bench/openlibra-gas.ts`) it merges its
// keys into bench/results/gas.json and leaves the other keys as they are.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex, type Address, type Hex } from "viem";
import { allSigners, encodeSetOpening, ledgerInfoCalldata, setCommitment, signVoucher, uncompressedSignature, type EpochState } from "../verifier-ts/openlibra/index.ts";
import { connectChain, type Chain } from "../test/contracts/fixtures.ts";
import { syntheticEpochChange } from "../test/openlibra/synthetic.ts";
import { loadMainnet } from "../test/openlibra/vectors.ts";

type Client = { address: Address; abi: never; write: Record<string, (a: unknown[]) => Promise<Hex>> };

async function deploy(chain: Chain, state: EpochState): Promise<Client> {
  return (await chain.viem.deployContract("OpenLibraLightClient" as never, [state.epoch, toHex(setCommitment(state).commitment)] as never)) as unknown as Client;
}

export const openLibraGasNotes = {
  openLibraLedgerInfo:
    "eth_estimateGas of OpenLibraLightClient.verifyLedgerInfo for the real mainnet epoch-117 LedgerInfo (version 38200017, 29 of 41 signers, 12 absent keys in calldata), intrinsic gas and calldata included",
  openLibraEpochChange:
    "OpenLibraLightClient.submitEpochChange receipt gasUsed: synthetic 41-validator epoch change signed by all 41 (BCS LedgerInfo with next_epoch_state, 41 y-coordinate hints), target < 300k",
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

  const s = syntheticEpochChange({ validators: 41, epoch: 7n, label: "bench" });
  const client = await deploy(chain, s.currentState);
  const v = signVoucher(7n, 0x1234n, s.current, allSigners(28));
  const voucherArgs = [
    7n,
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
  // A second client, ratcheted past epoch 7 before its voucher came.
  const late = await deploy(chain, s.currentState);
  await mined(await late.write.submitEpochChange!(changeArgs));
  const voucherLate = await mined(await late.write.submitVoucher!(voucherArgs));
  return { openLibraLedgerInfo: Number(ledgerInfo), openLibraEpochChange: change, openLibraVoucher: voucher, openLibraVoucherLate: voucherLate };
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
