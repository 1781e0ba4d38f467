// The devnet's validators sign every block with both schemes: an aggregate signature from a
// two-nonce session (home/attestation/) over the online slots, and one signature per slot. The
// offline switches remove a slot from both; a dropout is excluded and the session restarts;
// aggregation can be switched off (per-validator signatures only, the fallback); spent nonces
// are on disk and survive a restart. Home's registration (the devnet's AttestationKeyRegistry)
// refuses rogue, small-order, duplicate and negated keys and keys without a proof of possession.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SqliteNonceStore } from "../../../home/attestation/sqlite-nonce-store.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig, type DevnetConfig } from "../../../home/devnet/config.ts";
import { startDevnet } from "../../../home/devnet/index.ts";
import { codeOf } from "../../fixtures/error-code.ts";
import {
  FIELD_MODULUS,
  addPoint,
  checkAggregateSignature,
  checkSignedHeader,
  mulBase8,
  signedHeaderFromJSON,
} from "../../../home/model/index.ts";

const open: DevnetChain[] = [];
const dirs: string[] = [];
function chain(over: Partial<DevnetConfig>): DevnetChain {
  const c = DevnetChain.open(resolveConfig({ dataDir: null, blockMs: 0, port: 0, ...over }));
  open.push(c);
  return c;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("devnet attestation", () => {
  it("attests every block with an aggregate signature of the online slots and per-validator signatures", () => {
    const c = chain({ seed: "att-1", epochBlocks: 3 });
    for (let i = 0; i < 4; i++) c.produceBlock(); // crosses an epoch: the rotated set signs too
    for (const b of c.blocks(0n, 4n)) {
      const sh = c.signedHeader(b);
      expect(sh.aggregate!.signers).toEqual([true, true, true, true]);
      expect(checkAggregateSignature(sh.header, sh.validatorSet, sh.aggregate!)).toEqual({ ok: true });
      expect(checkSignedHeader(sh)).toEqual({ ok: true });
    }
  });

  it("an offline slot signs in neither scheme; without quorum there is no aggregate", () => {
    const c = chain({ seed: "att-2", active: 4 });
    c.setOffline([2]);
    const b = c.produceBlock();
    expect(b.signed).toEqual([true, true, false, true]);
    expect(b.aggregate!.signers).toEqual([true, true, false, true]);
    expect(checkAggregateSignature(b.header, c.sim.setOf(b.header.epoch), b.aggregate!)).toEqual({ ok: true });
    c.setOffline([1, 2]);
    const none = c.produceBlock();
    expect(none.quorum).toBe(false);
    expect(none.aggregate).toBeNull();
  });

  it("a validator that drops out after committing is excluded and the session restarts without it", () => {
    const c = chain({ seed: "att-3" });
    const excluded: unknown[] = [];
    c.on("attestation-excluded", (e) => excluded.push(e));
    c.setAttestationControls({ dropouts: [0] });
    const b = c.produceBlock();
    expect(b.aggregate!.signers).toEqual([false, true, true, true]);
    expect(b.signed).toEqual([true, true, true, true]); // its own signature still counts in the per-validator scheme
    expect(excluded).toMatchObject([{ height: 1n, excluded: [{ slot: 0, round: 1, code: "SignerUnavailable" }] }]);
    expect(checkAggregateSignature(b.header, c.sim.setOf(0n), b.aggregate!)).toEqual({ ok: true });
  });

  it("with aggregation switched off, blocks carry the per-validator signatures only (the fallback)", () => {
    const c = chain({ seed: "att-4" });
    c.setAttestationControls({ aggregate: false });
    const b = c.produceBlock();
    expect(b.aggregate).toBeNull();
    expect(b.quorum).toBe(true);
    expect(c.setAttestationControls({ aggregate: true }).aggregate).toBe(true);
    expect(c.produceBlock().aggregate).not.toBeNull();
    expect(() => c.setAttestationControls({ dropouts: [9] })).toThrow(/not a slot/);
  });

  it("records every spent nonce pair on disk, and keeps them across a restart", () => {
    const dir = mkdtempSync(join(tmpdir(), "olzk-att-"));
    dirs.push(dir);
    const c1 = chain({ seed: "att-5", dataDir: dir });
    for (let i = 0; i < 3; i++) c1.produceBlock();
    const spent = c1.blocks(1n, 3n).length * 4;
    c1.close();
    open.pop();
    // Every pair used for a partial signature is on disk.
    const store = new SqliteNonceStore(join(dir, "attestation-nonces.sqlite"));
    const rows = store.spentCount();
    store.close();
    expect(rows).toBe(spent + 4); // genesis was attested too
    const c2 = chain({ seed: "att-5", dataDir: dir });
    expect(c2.latest.header.height).toBe(3n);
    expect(c2.latest.aggregate).not.toBeNull(); // stored with the block
    const b = c2.produceBlock();
    expect(checkAggregateSignature(b.header, c2.sim.setOf(b.header.epoch), b.aggregate!)).toEqual({ ok: true });
  });
});

describe("Home's attestation-key registration (the devnet's registry)", () => {
  it("refuses a rogue key T - sum(honest) without a valid proof of possession, and small-order, duplicate and negated keys", () => {
    const c = chain({ seed: "att-reg" });
    c.produceBlock();
    const set = c.sim.setOf(0n);
    const honest = set.validators.slice(0, 3).map((v) => ({ x: v.attestationKey.Ax, y: v.attestationKey.Ay }));
    const sum = honest.reduce((a, p) => addPoint(a, p), { x: 0n, y: 1n });
    const T = mulBase8(31337n);
    const rogue = addPoint(T, { x: FIELD_MODULUS - sum.x, y: sum.y });
    const fresh = c.sim.identity(99).validator; // a valid record of an identity never seated
    expect(codeOf(() => c.sim.registry.register({ ...fresh, attestationKey: { Ax: rogue.x, Ay: rogue.y } }))).toBe("InvalidProofOfPossession");
    expect(codeOf(() => c.sim.registry.register({ ...fresh, attestationKey: { Ax: 0n, Ay: FIELD_MODULUS - 1n } }))).toBe("NotInSubgroup");
    expect(codeOf(() => c.sim.registry.register({ ...fresh, attestationKey: { Ax: 0n, Ay: 1n } }))).toBe("Identity");
    expect(codeOf(() => c.sim.registry.register(set.validators[0]!))).toBe("DuplicateKey");
    expect(codeOf(() => c.sim.registry.register({ ...fresh, proofOfPossession: set.validators[1]!.proofOfPossession }))).toBe("InvalidProofOfPossession");
    expect(c.sim.registry.has(fresh.attestationKey)).toBe(true); // identity 99 registered itself when created
  });
});

describe("devnet attestation over HTTP", () => {
  it("serves the aggregate with the per-validator signatures and takes the switches at POST /admin/attestation", async () => {
    const dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0 });
    try {
      const post = (path: string, body: unknown) =>
        fetch(dn.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      let b = (await post("/admin/blocks", {})).body;
      expect(b.aggregated).toBe(true);
      const sh = signedHeaderFromJSON(b.signedHeader);
      expect(checkSignedHeader(sh)).toEqual({ ok: true });
      expect(sh.aggregate!.signers).toEqual([true, true, true, true]);
      expect(await post("/admin/attestation", { aggregate: false, dropouts: [1] })).toEqual({ status: 200, body: { aggregate: false, dropouts: [1] } });
      b = (await post("/admin/blocks", {})).body;
      expect([b.aggregated, b.signedHeader.aggregate, b.quorum]).toEqual([false, null, true]);
      await post("/admin/attestation", { aggregate: true });
      b = (await post("/admin/blocks", {})).body;
      expect(b.signedHeader.aggregate.signers).toEqual([true, false, true, true]);
      expect((await post("/admin/attestation", { dropouts: "all" })).status).toBe(400);
      expect((await post("/admin/attestation", { dropouts: [7] })).status).toBe(400);
    } finally {
      await dn.close();
    }
  });
});
