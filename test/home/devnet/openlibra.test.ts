// The devnet in Open Libra's formats, end to end: `olzk devnet --backup-dir` as a process, driven
// over HTTP through several epochs (with a validator offline for one of them), serves epoch-ending
// LedgerInfos (BCS and JSON), its genesis waypoint and vouchers; the Open Libra verifiers take them
// as they take mainnet's (the ratchet hands over to the devnet's real next sets, vouchers anchor the
// attestation sets); and `olzk verify openlibra`, as a process, verifies the backups the devnet wrote
// (exit 0) and refuses tampered ones (exit 1): a flipped signature byte, a dropped record, a waypoint
// of another chain, a manifest that lies, and an epoch whose LedgerInfo lost its quorum to the
// offline switches.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { encode as zEncode } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HomeApiError, HomeClient, ROUTES } from "../../../home/api/index.ts";
import { spawnDevnet, startDevnet, type SpawnedDevnet } from "../../../home/devnet/index.ts";
import { checkAnchoredSet, anchorsFromLedger } from "../../../verifier-ts/anchor.ts";
import {
  EpochState,
  LedgerInfoWithSignatures,
  decodeBcs,
  encodeBcs,
  parseWaypoint,
  ratchetEpochChain,
  readEpochEndingChunk,
  verifyVoucher,
  voucherFromJSON,
  type LedgerInfoWithSignatures as Liws,
} from "../../../verifier-ts/openlibra/index.ts";
import { bytesToHex } from "../../../home/model/index.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const NODE = Number(process.versions.node.split(".")[0]) >= 22 ? process.execPath : join(ROOT, "node_modules/.bin/node");
const K = 3n;

let dir = "";
let backups = "";
let devnet: SpawnedDevnet;
let home: HomeClient;

/** `olzk verify openlibra <args>` as a process: its exit code and output. */
function verifyCli(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(NODE, [join(ROOT, "bin/olzk.mjs"), "verify", "openlibra", ...args], { cwd: ROOT, encoding: "utf8" }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

async function sealUntil(height: bigint): Promise<void> {
  while ((await home.status()).height < height) await home.sealBlock();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "olzk-devnet-openlibra-"));
  backups = join(dir, "backups");
  devnet = await spawnDevnet(["--port", "0", "--block-ms", "0", "--epoch-blocks", String(K), "--validators", "4", "--memory", "--backup-dir", backups, "--quiet"]);
  home = new HomeClient(devnet.url);
}, 60_000);

afterAll(async () => {
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("devnet Open Libra formats over HTTP", () => {
  it("refuses what does not exist yet: the waypoint while epoch 0 runs, the LedgerInfo of an unended epoch, the voucher of an unstarted one", async () => {
    const codes = await Promise.all([home.openLibraWaypoint(), home.openLibraEpochEnding(0n), home.openLibraVoucher(1n)].map((p) => p.then(() => null, (e: HomeApiError) => [e.code, e.status])));
    expect(codes).toEqual([
      ["ledger-info-not-found", 404],
      ["ledger-info-not-found", 404],
      ["voucher-not-found", 404],
    ]);
    // the genesis voucher exists from block 0, by all four validators, and verifies against the genesis set
    // as served (BCS, what olzk deploy --anchor-epoch-state takes): an anchored deployment's trusted start
    const v0 = await home.openLibraVoucher(0n);
    expect(v0.validatorBitmask).toEqual(Uint8Array.of(0xf0));
    const genesisSet = decodeBcs(EpochState, Buffer.from((await home.openLibraEpochState(0n)).bcs.slice(2), "hex"), "genesis set");
    const voucher0 = voucherFromJSON(await (await fetch(`${devnet.url}/openlibra/vouchers/0`)).json());
    expect(verifyVoucher(genesisSet, voucher0, (await home.validatorSet(0n)).root).signers).toEqual([0, 1, 2, 3]);
    await expect(home.openLibraEpochState(2n)).rejects.toMatchObject({ code: "validator-set-not-announced" });
  });

  it("serves epoch-ending LedgerInfos that ratchet from the genesis waypoint to the devnet's real sets, and vouchers that anchor its attestation sets", async () => {
    await sealUntil(2n * K - 1n); // epochs 0 and 1 end with everyone online
    await home.setOffline([3]);
    await sealUntil(3n * K - 1n); // epoch 2 (started with slot 3 online, ends with it offline)
    await home.setOffline(null);
    await sealUntil(4n * K); // epoch 3 ends; epoch 4 starts

    const wp = await home.openLibraWaypoint();
    expect(wp.epoch).toBe(0n);
    expect(wp.version).toBe(K - 1n);
    const reply = await home.openLibraEpochEnding(0n);
    expect(reply).toMatchObject({ from: 0n, to: 3n, lastEndedEpoch: 3n });
    expect(reply.ledgerInfos.map((l) => [l.epoch, l.version])).toEqual([0n, 1n, 2n, 3n].map((e) => [e, (e + 1n) * K - 1n]));
    // the JSON is the BCS, field by field
    const lis: Liws[] = reply.ledgerInfos.map((l) => decodeBcs(LedgerInfoWithSignatures, Buffer.from(l.bcs.slice(2), "hex"), `epoch ${l.epoch}`));
    reply.ledgerInfos.forEach((l) => expect(bytesToHex(encodeBcs(LedgerInfoWithSignatures, l.ledgerInfoWithSignatures))).toBe(l.bcs));
    // it commits to the Home header that ends the epoch: id = its hash, executed_state_id = its stateRoot
    const last0 = await home.block(K - 1n);
    expect(BigInt(bytesToHex(lis[0]!.ledgerInfo.commitInfo.id))).toBe(last0.headerHash);
    expect(BigInt(bytesToHex(lis[0]!.ledgerInfo.commitInfo.executedStateId))).toBe(last0.signedHeader.header.stateRoot);

    const ledger = ratchetEpochChain(parseWaypoint(wp.waypoint), lis);
    expect(ledger.changes.map((c) => (c.verifiedBy === "waypoint" ? "waypoint" : c.verifiedBy.signers.length))).toEqual(["waypoint", 4, 3, 4]);
    for (const c of ledger.changes) {
      const set = (await home.validatorSet(c.next.epoch)).validatorSet;
      expect(c.next.verifier.validatorInfos.map((v) => [bytesToHex(v.address), bytesToHex(v.publicKey), v.votingPower])).toEqual(
        set.validators.filter((v) => v.power > 0n).map((v) => [bytesToHex(v.address), bytesToHex(v.blsPublicKey), v.power]),
      );
    }
    // the offline slot is out of the BLS signatures made while it was offline: the LedgerInfo ending epoch 2 and epoch 2's voucher (its first block)
    expect(lis[2]!.signatures.validatorBitmask).toEqual(Uint8Array.of(0xe0));

    // each voucher (the voucher file, as served) is the epoch's set vouching for its attestation set root
    for (const e of [1n, 2n, 3n, 4n]) {
      const signers = e === 2n ? [0, 1, 2] : [0, 1, 2, 3];
      const res = await fetch(`${devnet.url}/openlibra/vouchers/${e}`);
      const voucher = voucherFromJSON(await res.json());
      const root = (await home.validatorSet(e)).root;
      const [anchor] = anchorsFromLedger(ledger, [voucher]);
      expect(checkAnchoredSet(e, root, anchor!)).toMatchObject({ ok: true, vouchedBy: { signers } });
      expect(checkAnchoredSet(e, root + 1n, anchor!)).toMatchObject({ ok: false, code: "VoucherMismatch" });
    }
    // a range beyond the last ended epoch is cut there; a range too long is refused
    expect((await home.openLibraEpochEnding(2n, 9n)).ledgerInfos.map((l) => l.epoch)).toEqual([2n, 3n]);
    await expect(home.openLibraEpochEnding(0n, 100n)).rejects.toMatchObject({ code: "invalid-request" });
    await expect(home.openLibraEpochEnding(4n)).rejects.toMatchObject({ code: "ledger-info-not-found" });
  });

  it("writes each ended epoch's backup, and one on request; olzk verify openlibra verifies them from the genesis waypoint (exit 0)", async () => {
    const wp = (await home.openLibraWaypoint()).waypoint;
    for (const e of [0, 1, 2, 3]) expect(existsSync(join(backups, `epoch_ending_${e}-${e}`, "epoch_ending.manifest"))).toBe(true);
    const perEpoch = [0, 1, 2, 3].flatMap((e) => ["--epoch-ending", join(backups, `epoch_ending_${e}-${e}`, "epoch_ending.manifest")]);
    const b = await home.openLibraBackup();
    expect(b).toMatchObject({ firstEpoch: 0n, lastEpoch: 3n, manifest: join(backups, "epoch_ending_0-3", "epoch_ending.manifest") });
    expect(b.waypoints[0]).toBe(wp);
    const served = await home.openLibraEpochEnding(0n);
    expect(readEpochEndingChunk(readFileSync(join(backups, "epoch_ending_0-3", "0-.chunk"))).map((l) => bytesToHex(encodeBcs(LedgerInfoWithSignatures, l)))).toEqual(served.ledgerInfos.map((l) => l.bcs));

    const [one, many] = await Promise.all([verifyCli("--waypoint", wp, "--epoch-ending", b.manifest, "--json"), verifyCli("--waypoint", wp, ...perEpoch)]);
    expect(one.code, one.out).toBe(0);
    const o = JSON.parse(one.out);
    expect(o).toMatchObject({ ok: true, trustedWaypoint: wp, waypoint: b.waypoints[3], nextEpoch: { epoch: "4", validators: 4, totalPower: "4000000" } });
    expect(many.code, many.out).toBe(0);
    expect(many.out).toContain(`epoch 0 ends at version ${K - 1n}: matches the trusted waypoint; next: epoch 1, 4 validators, total power 4000000`);
    expect(many.out.split("\n").filter(Boolean).at(-1)).toMatch(/^VALID: 4 epoch change\(s\) verified/);
  }, 120_000);

  it("refuses tampered backups and a quorum lost to offline validators (exit 1, the failing check's code)", async () => {
    const wp = (await home.openLibraWaypoint()).waypoint;
    const good = join(backups, "epoch_ending_0-3");
    const chunk = readFileSync(join(good, "0-.chunk"));
    const copy = (name: string, chunkBytes: Uint8Array, manifest?: string) => {
      const folder = join(dir, name, "epoch_ending_0-3");
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "0-.chunk"), chunkBytes);
      if (manifest === undefined) copyFileSync(join(good, "epoch_ending.manifest"), join(folder, "epoch_ending.manifest"));
      else writeFileSync(join(folder, "epoch_ending.manifest"), manifest);
      return join(folder, "0-.chunk");
    };
    const records = readEpochEndingChunk(chunk);
    // a byte of epoch 2's LedgerInfo flipped (its consensus_data_hash: before the 1-byte bitmask, the option tag and the 96-byte signature)
    const flipped = Uint8Array.from(chunk);
    const recordEnd = records.slice(0, 3).reduce((at, r) => at + 4 + encodeBcs(LedgerInfoWithSignatures, r).length, 0);
    flipped[recordEnd - 110]! ^= 0x01;
    const withoutEpoch1 = Buffer.concat([0, 2, 3].map((i) => {
      const r = encodeBcs(LedgerInfoWithSignatures, records[i]!);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(r.length);
      return Buffer.concat([len, r]);
    }));
    const manifest = JSON.parse(readFileSync(join(good, "epoch_ending.manifest"), "utf8")) as { waypoints: string[] };
    manifest.waypoints[2] = manifest.waypoints[2]!.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    const otherChain = `${K - 1n}:${"ab".repeat(32)}`;

    // a quorum lost: slots 1 and 2 offline while epoch 4 ends leaves 2 of 4 (below 2/3) on its LedgerInfo
    await home.setOffline([1, 2]);
    await sealUntil(5n * K - 1n);
    await home.setOffline(null);
    const weak = await home.openLibraBackup({ fromEpoch: 0n, toEpoch: 4n });
    const li4 = (await home.openLibraEpochEnding(4n)).ledgerInfos[0]!;
    expect(li4.ledgerInfoWithSignatures.signatures.validatorBitmask).toEqual(Uint8Array.of(0x90));

    const runs = await Promise.all([
      verifyCli("--waypoint", wp, "--epoch-ending", copy("flipped", flipped)),
      verifyCli("--waypoint", wp, "--epoch-ending", copy("dropped", withoutEpoch1)),
      verifyCli("--waypoint", otherChain, "--epoch-ending", join(good, "epoch_ending.manifest")),
      verifyCli("--waypoint", wp, "--epoch-ending", join(dirname(copy("lying-manifest", chunk, JSON.stringify(manifest))), "epoch_ending.manifest")),
      verifyCli("--waypoint", wp, "--epoch-ending", weak.manifest),
    ]);
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1, 1]);
    const reasons = runs.map((r) => /INVALID: ([A-Za-z]+)/.exec(r.out)?.[1]);
    expect(reasons).toEqual(["SignatureMismatch", "EpochMismatch", "WaypointMismatch", "ManifestMismatch", "InsufficientVotingPower"]);
  }, 120_000);

  it("the JSON of a LedgerInfo reads back with the route's schema and encodes to the same wire form", async () => {
    const res = await fetch(`${devnet.url}/openlibra/epoch-ending?from=1&to=1`);
    const wire = await res.json();
    const decoded = ROUTES.openLibraEpochEnding.reply.parse(wire);
    expect(zEncode(ROUTES.openLibraEpochEnding.reply, decoded)).toEqual(wire);
  });
});

describe("devnet Open Libra formats across a restart", () => {
  it("refuses a backup on request without --backup-dir (503 backup-dir-missing)", async () => {
    const dn = await startDevnet({ dataDir: null, blockMs: 0, port: 0, epochBlocks: 2 });
    try {
      const client = new HomeClient(dn.url);
      await client.sealBlock();
      await expect(client.openLibraBackup()).rejects.toMatchObject({ code: "backup-dir-missing", status: 503 });
    } finally {
      await dn.close();
    }
  });

  it("serves the same LedgerInfos and vouchers after a restart, and writes a backup a crash left unwritten", async () => {
    const dataDir = join(dir, "restart-data");
    const backupDir = join(dir, "restart-backups");
    const config = { dataDir, backupDir, blockMs: 0, port: 0, epochBlocks: 2 };
    let dn = await startDevnet({ ...config, offline: [{ slot: 2, epoch: 1n }] });
    let client = new HomeClient(dn.url);
    while ((await client.status()).height < 5n) await client.sealBlock();
    const before = [await client.openLibraEpochEnding(0n), await client.openLibraVoucher(1n), await client.openLibraVoucher(2n)];
    expect(before[1]).toMatchObject({ validatorBitmask: Uint8Array.of(0xd0) }); // slot 2 offline in epoch 1
    await dn.close();
    rmSync(join(backupDir, "epoch_ending_1-1"), { recursive: true }); // as if the process died before writing it
    dn = await startDevnet({ ...config, offline: [{ slot: 2, epoch: 1n }] });
    client = new HomeClient(dn.url);
    try {
      expect([await client.openLibraEpochEnding(0n), await client.openLibraVoucher(1n), await client.openLibraVoucher(2n)]).toEqual(before);
      const chunk = readEpochEndingChunk(readFileSync(join(backupDir, "epoch_ending_1-1", "1-.chunk")));
      expect(bytesToHex(encodeBcs(LedgerInfoWithSignatures, chunk[0]!))).toBe((before[0] as { ledgerInfos: { bcs: string }[] }).ledgerInfos[1]!.bcs);
    } finally {
      await dn.close();
    }
  });
});
