// The relayer on an anchored light client (DESIGN section 10), with every real component: the Home
// devnet over HTTP (Open Libra formats), an EDR Away chain with the contracts deployed anchored
// (the OpenLibraLightClient started from the devnet's /openlibra/epoch-states/0, the genesis
// voucher from /openlibra/vouchers/0), real Groth16 proofs and the `olzk relay` process.
//   - Ratchet: three Home epochs; the relayer submits the Open Libra epoch changes (0 -> 1 -> 2) and
//     the vouchers of epochs 1 and 2 to the anchor, rotates the light client 0 -> 1 -> 2 once each
//     voucher is recorded, and settles an auction of epoch 2 (its header carried). It is killed
//     with kill -9 once the voucher of epoch 1 is mined and the rotation that needs it is signed
//     but not yet on the chain, and again with that rotation's transaction pending; counted from the
//     chain afterwards: each epoch change, voucher, rotation and the settlement once, every relayer
//     transaction successful.
//   - Attack: the anchor records, for epoch 3, a voucher of another attestation set than the one
//     Home's epoch-ending header names (the real Open Libra validators did not vouch for the
//     committee's set). The light client refuses that rotation (UnvouchedValidatorSet, shown by
//     sending the relayer's own proof); the relayer does not send it: no transaction, the job retries
//     with backoff and records why.
//   - An addresses file whose `openLibraLightClient` is not the light client's own anchor is a
//     config mistake (exit 2, one line).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, decodeEventLog, encodeFunctionData, getAbiItem, http, toFunctionSelector, toHex, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../contracts/deploy/artifacts.ts";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { HEADER_PROOF_KIND, LIGHT_CLIENT_ABI, SETTLEMENT_ABI } from "../../relayer/away-viem.ts";
import { AWAY_ERRORS_ABI, OPEN_LIBRA_LIGHT_CLIENT_ABI } from "../../relayer/generated/away-abi.ts";
import { httpHomeSource } from "../../relayer/home-http.ts";
import type { HeaderCalldata } from "../../relayer/ports.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import { allSigners, ledgerInfoCalldata, signVoucher, voucherCalldata } from "../../verifier-ts/openlibra/index.ts";
import { revertOf } from "../contracts/anchor.ts";
import { until as pollUntil } from "../fixtures/until.ts";
import { clearedMode2Auction, fundMode2, send, sentTxs, startAwayStack, type Addresses, type Mode2Parties } from "./away-chain.ts";
import type { EdrRpc } from "./edr-rpc.ts";
import { relayCli, type Child } from "./relay-process.ts";

const RELAYER_KEY = "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"; // hardhat #8
const relayerAddress = privateKeyToAccount(RELAYER_KEY).address;
const OUTSIDER = "0x14dc79964da2c08b23698b3d3cc7ca32193d9955" as Address; // #7: anyone may submit Open Libra data
const PARTIES: Mode2Parties = {
  lp: "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65" as Address, // #4
  winner: "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc" as Address, // #5
  auctioneer: "0x976ea74026e726554db657fa54763abd0c3a0aa9" as Address, // #6
};
const selector = (abi: Abi, name: string) => toFunctionSelector(getAbiItem({ abi, name }) as never);
const SELECTOR = {
  submitEpochChange: selector(OPEN_LIBRA_LIGHT_CLIENT_ABI, "submitEpochChange"),
  submitVoucher: selector(OPEN_LIBRA_LIGHT_CLIENT_ABI, "submitVoucher"),
  submitHeader: selector(LIGHT_CLIENT_ABI, "submitHeader"),
  settleWithHeader: selector(SETTLEMENT_ABI, "settleWithHeader"),
};
const OLC_EVENTS = loadArtifact("OpenLibraLightClient.sol", "OpenLibraLightClient").abi as Abi;
const LC_EVENTS = loadArtifact("HomeLightClient.sol", "HomeLightClient").abi as Abi;
const SETTLEMENT_EVENTS = loadArtifact("AtomicSettlement.sol", "AtomicSettlement").abi as Abi;

let rpc: EdrRpc;
let dn: RunningDevnet;
let addresses: Addresses;
let store: SqliteJobStore;
let anchor: Address;
const dir = mkdtempSync(join(tmpdir(), "olzk-anchored-"));
const dbFile = join(dir, "relayer.sqlite");
const configFile = join(dir, "relayer.json");

async function diagnostics(): Promise<string> {
  const jobs = (await store.list()).map((j) => `${j.key} ${j.state} <- ${j.dependsOn ?? "-"} attempts=${j.attempts} ${j.lastError ?? ""}`);
  return `\njobs:\n${jobs.join("\n")}\nlast relayer output:\n${relayers.at(-1)?.output().slice(-3000) ?? ""}`;
}
const until = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 300_000) => pollUntil(what, fn, { timeoutMs, everyMs: 50, diagnostics });

const relayers: Child[] = [];
function spawnRelayer(): Child {
  const child = relayCli(["--config", configFile], { ANCHORED_RELAYER_KEY: RELAYER_KEY });
  relayers.push(child);
  return child;
}

const running = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

async function kill9(child: Child): Promise<void> {
  child.proc.kill("SIGKILL");
  await child.exited;
}

async function stopCleanly(child: Child): Promise<void> {
  child.proc.kill("SIGTERM");
  expect(await child.exited, child.output().slice(-2000)).toBe(0);
}

const confirmed = (key: string) => async () => (await store.get(key))?.state === "confirmed";
const nonce = async () => Number(await rpc.request("eth_getTransactionCount", [relayerAddress, "latest"]));
const client = () => createPublicClient({ transport: http(rpc.url) });
const anchorEpoch = () => client().readContract({ address: anchor, abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "currentEpoch" });
const lightClientEpoch = () => client().readContract({ address: addresses.lightClient, abi: LIGHT_CLIENT_ABI, functionName: "currentEpoch" });
/** The attestation set root Home's epoch `e` runs with (what its voucher vouches for). */
const homeRoot = (e: bigint) => dn.chain.openLibra.voucher(e).attestationSetRoot;

/** Events `name` of `address` over the whole chain, decoded, oldest first. */
async function events(address: Address, abi: Abi, name: string): Promise<Record<string, unknown>[]> {
  const logs = await rpc.request("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", address }]);
  const out: Record<string, unknown>[] = [];
  for (const log of logs) {
    try {
      const ev = decodeEventLog({ abi, data: log.data, topics: log.topics }) as unknown as { eventName: string; args: Record<string, unknown> };
      if (ev.eventName === name) out.push(ev.args);
    } catch {
      /* another event */
    }
  }
  return out;
}

/** Every transaction the relayer's signer got mined, by selector, each with its receipt status. */
async function relayerTxs(): Promise<{ selector: Hex; ok: boolean }[]> {
  const txs = await sentTxs(rpc, relayerAddress);
  return Promise.all(txs.map(async (t) => ({ selector: t.selector, ok: (await rpc.request("eth_getTransactionReceipt", [t.hash])).status === "0x1" })));
}

beforeAll(async () => {
  ({ rpc, addresses, dn } = await startAwayStack(join(dir, "addresses.json"), { anchored: true }));
  anchor = addresses.openLibraLightClient!;
  await fundMode2(rpc, addresses, PARTIES);
  writeFileSync(
    configFile,
    JSON.stringify({
      homeUrl: dn.url, dataDir: dir, database: dbFile, pollIntervalMs: 200, leaseMs: 3000, logLevel: "debug", retry: { maxMs: 4000 },
      away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "ANCHORED_RELAYER_KEY", confirmations: 1 }],
    }),
  );
  store = new SqliteJobStore(dbFile);
}, 600_000);

afterAll(async () => {
  for (const ch of relayers) if (running(ch)) ch.proc.kill("SIGKILL");
  await store?.close();
  await dn?.close();
  await rpc?.close();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

describe("relayer on an anchored light client", () => {
  it("ratchets the anchor and the light client through two epochs and settles, across kill -9 between a voucher and its rotation; each once on chain", async () => {
    const c = dn.chain;
    // the deployment took the devnet's genesis set and voucher
    expect(await anchorEpoch()).toBe(0n);
    expect(await client().readContract({ address: anchor, abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "vouchedAttestationSetRoot", args: [0n] })).toBe(toHex(homeRoot(0n), { size: 32 }));
    // epochs 0 and 1 end (10 blocks each); the auction clears in epoch 2
    for (let i = 0; i < 21; i++) c.produceBlock();
    const a = await clearedMode2Auction(c, addresses, PARTIES, "anchored");
    expect(c.block(a.height)!.header.epoch).toBe(2n);

    // 1. kill -9 once the voucher of epoch 1 is mined and the rotation that needs it is signed and
    //    recorded, before its broadcast reaches the chain (the test holds broadcasts of submitHeader)
    rpc.intercept((method, params) => (method === "eth_sendRawTransaction" && String(params[0]).includes(SELECTOR.submitHeader.slice(2)) ? "hold" : "pass"));
    const first = spawnRelayer();
    const signed = await until("the voucher of epoch 1 mined and the rotation into epoch 1 signed", async () => {
      const [v, r] = [await store.get("voucher:31337:1"), await store.get("rotation:31337:0")];
      return v?.state === "confirmed" && r?.state === "submitting" ? r : undefined;
    });
    await kill9(first);
    rpc.intercept(undefined);
    expect(await lightClientEpoch()).toBe(0n);
    expect(await rpc.request("eth_getTransactionByHash", [signed.txHash])).toBeNull(); // never reached the chain
    expect(signed.dependsOn).toBe("voucher:31337:1");
    expect((await store.get("voucher:31337:1"))?.dependsOn).toBe("ol-epoch:31337:0");

    // 2. kill -9 with the rotation's transaction pending (blocks not mined), at the nonce recorded before
    await rpc.request("evm_setAutomine", [false]);
    const second = spawnRelayer();
    const pending = await until("the rotation into epoch 1 to be broadcast", async () => {
      const j = await store.get("rotation:31337:0");
      return j?.state === "submitted" ? j : undefined;
    });
    await kill9(second);
    expect(pending.nonce).toBe(signed.nonce); // the recorded nonce (its transaction, or a replacement of it): at most one can be mined
    expect(await rpc.request("eth_getTransactionReceipt", [pending.txHash])).toBeNull();
    await rpc.request("evm_setAutomine", [true]);
    await rpc.request("evm_mine", []);

    // 3. restart: everything finishes
    const third = spawnRelayer();
    await until("the settlement to be confirmed", confirmed(`settle:31337:${a.auctionId}`));
    for (const k of ["ol-epoch:31337:0", "ol-epoch:31337:1", "voucher:31337:1", "voucher:31337:2", "rotation:31337:0", "rotation:31337:1"]) {
      expect((await store.get(k))?.state, k).toBe("confirmed");
    }
    expect((await store.get("rotation:31337:0"))?.nonce).toBe(signed.nonce); // mined at the nonce recorded before the first kill
    expect([await anchorEpoch(), await lightClientEpoch()]).toEqual([2n, 2n]);
    await until("the receipt to reach Home", confirmed(`receipt:31337:${a.auctionId}`));
    expect(c.auction(a.auctionId)!.status).toBe("settled");

    // counted from the chain: each once, nothing lost
    expect((await events(anchor, OLC_EVENTS, "EpochChanged")).map((e) => e.epoch)).toEqual([0n, 1n, 2n]);
    expect((await events(anchor, OLC_EVENTS, "AttestationSetVouched")).map((e) => [e.epoch, BigInt(e.attestationSetRoot as Hex)])).toEqual([0n, 1n, 2n].map((e) => [e, homeRoot(e)]));
    expect((await events(addresses.lightClient, LC_EVENTS, "EpochRotated")).map((e) => [e.newEpoch, e.validatorSetRoot])).toEqual([0n, 1n, 2n].map((e) => [e, homeRoot(e)]));
    expect((await events(addresses.settlement, SETTLEMENT_EVENTS, "Settled")).map((e) => e.auctionId)).toEqual([a.auctionId]);
    const txs = await relayerTxs();
    expect(txs.every((t) => t.ok), JSON.stringify(txs)).toBe(true);
    const count = (s: Hex) => txs.filter((t) => t.selector === s).length;
    expect([count(SELECTOR.submitEpochChange), count(SELECTOR.submitVoucher), count(SELECTOR.submitHeader), count(SELECTOR.settleWithHeader)]).toEqual([2, 2, 2, 1]);
    expect(txs.length, JSON.stringify(txs)).toBe(7);
    await stopCleanly(third);
  }, 900_000);

  it("does not send a rotation to a set the anchor's validators did not vouch for: the light client would refuse it", async () => {
    for (const ch of relayers) if (running(ch)) await kill9(ch); // none left by a failed first test
    await rpc.request("evm_setAutomine", [true]);
    const c = dn.chain;
    while (c.latest.header.height < 30n) c.produceBlock(); // epoch 2 ends at 29; 30 starts epoch 3
    // someone ratchets the anchor to epoch 3, and epoch 3's real validators vouch for a set that is not the committee's
    const home = httpHomeSource(dn.url);
    const change = ledgerInfoCalldata(await home.openLibraEpochState(2n), await home.openLibraEpochEnding(2n));
    await send(rpc, OUTSIDER, anchor, encodeFunctionData({ abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "submitEpochChange", args: [toHex(change.ledgerInfo), toHex(change.bitmask), toHex(change.signature), toHex(change.setOpening), toHex(change.nextKeyYs)] }));
    const other = homeRoot(3n) ^ 1n;
    const signers = c.openLibra.signers(3n);
    const v = voucherCalldata(await home.openLibraEpochState(3n), signVoucher(3n, other, signers, allSigners(signers.length)));
    await send(rpc, OUTSIDER, anchor, encodeFunctionData({ abi: OPEN_LIBRA_LIGHT_CLIENT_ABI, functionName: "submitVoucher", args: [v.epoch, toHex(v.attestationSetRoot), toHex(v.bitmask), toHex(v.signature), toHex(v.setOpening)] }));
    const before = await nonce();

    const relayer = spawnRelayer();
    const refused = await until("the rotation into epoch 3 to be held back", async () => {
      const j = await store.get("rotation:31337:2");
      return j && j.causes.filter((x) => x.name === "UnvouchedValidatorSet").length >= 2 ? j : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000));
    const held = (await store.get("rotation:31337:2"))!;
    expect(held.state).toBe("proved");
    expect(held.txHash).toBeNull();
    expect(held.causes.every((x) => x.kind === "precondition" && x.name === "UnvouchedValidatorSet")).toBe(true);
    expect(held.causes.length).toBeLessThanOrEqual(6); // backoff, not a loop
    expect(refused.dependsOn).toBeNull(); // the anchor records a voucher for epoch 3: no voucher job, none planned
    expect(await store.get("voucher:31337:3")).toBeUndefined();
    expect(await nonce()).toBe(before); // no transaction
    expect(await lightClientEpoch()).toBe(2n);

    // the light client refuses the relayer's own proof of that rotation
    const proof = held.proof as HeaderCalldata;
    const call = client().simulateContract({
      account: OUTSIDER,
      address: addresses.lightClient,
      abi: [...LIGHT_CLIENT_ABI, ...AWAY_ERRORS_ABI],
      functionName: "submitHeader",
      args: [HEADER_PROOF_KIND[proof.kind ?? "aggregated"], proof.proof as never, proof.pub as never],
    });
    expect(await revertOf(call)).toEqual({ errorName: "UnvouchedValidatorSet", args: [3n, homeRoot(3n), other] });
    await stopCleanly(relayer);
  }, 600_000);

  it("refuses to start (config mistake, one line) when the addresses file does not name the light client's own anchor", async () => {
    const written = JSON.parse(readFileSync(join(dir, "addresses.json"), "utf8"));
    for (const [name, value, says] of [
      ["unanchored", null, `is null, but the light client ${addresses.lightClient.toLowerCase()} is anchored to ${anchor.toLowerCase()}`],
      ["another", OUTSIDER, `is ${OUTSIDER}, but the light client ${addresses.lightClient.toLowerCase()} is anchored to ${anchor.toLowerCase()}`],
    ] as const) {
      const file = join(dir, `addresses-${name}.json`);
      writeFileSync(file, JSON.stringify({ ...written, openLibraLightClient: value }));
      const config = join(dir, `relayer-${name}.json`);
      writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(configFile, "utf8")), dataDir: join(dir, name), database: "sqlite", away: [{ ...JSON.parse(readFileSync(configFile, "utf8")).away[0], addressesFile: file }] }));
      const child = relayCli(["--config", config], { ANCHORED_RELAYER_KEY: RELAYER_KEY });
      expect(await child.exited, child.output()).toBe(2);
      expect(child.output().trim().split("\n").at(-1)).toBe(`olzk relay: config: addresses file '${file}': 'openLibraLightClient' ${says}`);
    }
  }, 120_000);
});
