// The two-nonce aggregated signing session (home/attestation/): a real session gives an
// EdDSA-Poseidon signature under Apk that the model accepts; a signer that drops out and one
// whose partial signature is bad are excluded (attributed by slot) and the session restarts;
// nonce reuse is refused within a process, across a restart (SQLite store on disk) and when
// the random generator repeats itself; the coordinator cannot make a signer sign a header it
// did not validate, for a set other than its registry's, without its slot, without quorum or
// with bad nonce points; scalars come from 512 random bits reduced mod l.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  AttestationSigner,
  MemoryNonceStore,
  coordinateSession,
  sessionContext,
  verifyPartial,
  type NonceStore,
  type SessionRequest,
  type SignerEndpoint,
} from "../../../home/attestation/index.ts";
import { SqliteNonceStore } from "../../../home/attestation/sqlite-nonce-store.ts";
import {
  BABYJUB_SUBORDER,
  FIELD_MODULUS,
  IDENTITY,
  checkAggregateSignature,
  headerHash,
  verifyPoseidon,
  aggregateKey,
  bytesToBigIntLE,
  mulBase8,
  validatorSetRoot,
  type Header,
  type ValidatorSet,
} from "../../../home/model/index.ts";
import { codeOf } from "../../fixtures/error-code.ts";
import { TEST_CHAIN_ID, makeSet, type TestValidator } from "../model/fixtures.ts";
import { testBytes } from "../model/reference.ts";

const C = TEST_CHAIN_ID;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "olzk-nonces-"));
  dirs.push(d);
  return d;
}

const { set, members } = makeSet(3n, 4, [10n, 10n, 10n, 10n]);
const header: Header = {
  chainId: C,
  epoch: 3n,
  height: 31n,
  timestampMs: 1_700_000_000_000n,
  parentHash: 77n,
  stateRoot: 88n,
  validatorSetRoot: validatorSetRoot(set),
  nextValidatorSetRoot: 0n,
};
const sameHeader = (h: Header) => headerHash(h) === headerHash(header) || "not the header this signer's node holds";

function signer(m: TestValidator, opts: { store?: NonceStore; randomBytes?: (n: number) => Uint8Array; registry?: ValidatorSet } = {}): AttestationSigner {
  return new AttestationSigner({
    privateKey: m.attestationPrivateKey,
    chainId: C,
    store: opts.store ?? new MemoryNonceStore(),
    registry: (e) => (e === set.epoch ? (opts.registry ?? set) : undefined),
    validateHeader: sameHeader,
    randomBytes: opts.randomBytes,
  });
}

function endpoints(signers: AttestationSigner[]): SignerEndpoint[] {
  return signers.map((s, slot) => ({ slot, commit: () => s.commit(slot), sign: (req) => s.sign(req) }));
}

/** A deterministic byte stream, restartable from its seed: a "broken RNG". */
function seededRandom(seed: number): (n: number) => Uint8Array {
  let calls = 0;
  return (n) => testBytes(seed * 1000 + calls++, n);
}

/** A request for slots `slots` with fresh commitments from `signers`. */
function request(signers: AttestationSigner[], slots: number[], h: Header = header): SessionRequest {
  return {
    header: h,
    signers: set.validators.map((_, i) => slots.includes(i)),
    commitments: slots.map((i) => signers[i]!.commit(i)),
  };
}

describe("aggregated signing session", () => {
  it("makes one EdDSA-Poseidon signature of headerHash under the sum of the signers' keys", () => {
    const out = coordinateSession({ chainId: C, set, header, signers: endpoints(members.map((m) => signer(m))) });
    expect(out.rounds).toBe(1);
    expect(out.excluded).toEqual([]);
    const agg = out.aggregate!;
    expect(agg.signers).toEqual([true, true, true, true]);
    expect(agg.signature.S).toBeLessThan(BABYJUB_SUBORDER);
    expect(verifyPoseidon(headerHash(header), agg.signature, aggregateKey(set, agg.signers))).toBe(true);
    expect(checkAggregateSignature(header, set, agg)).toEqual({ ok: true });
    // and not under another key, nor for another header
    expect(verifyPoseidon(headerHash(header), agg.signature, members[0]!.validator.attestationKey)).toBe(false);
    expect(checkAggregateSignature({ ...header, stateRoot: 89n }, set, agg).ok).toBe(false);
  });

  it("excludes a signer that drops out after committing and restarts without it", () => {
    const signers = members.map((m) => signer(m));
    const eps = endpoints(signers);
    eps[3] = { ...eps[3]!, sign: () => { throw new Error("connection reset"); } };
    const out = coordinateSession({ chainId: C, set, header, signers: eps });
    expect(out.rounds).toBe(2);
    expect(out.excluded).toEqual([{ slot: 3, round: 1, code: "SignerUnavailable", reason: "connection reset" }]);
    expect(out.aggregate!.signers).toEqual([true, true, true, false]);
    expect(checkAggregateSignature(header, set, out.aggregate!)).toEqual({ ok: true });
  });

  it("attributes a bad partial signature to its signer and restarts without it", () => {
    const signers = members.map((m) => signer(m));
    const eps = endpoints(signers);
    eps[1] = { ...eps[1]!, sign: (req) => (signers[1]!.sign(req) + 1n) % BABYJUB_SUBORDER };
    const out = coordinateSession({ chainId: C, set, header, signers: eps });
    expect(out.excluded).toMatchObject([{ slot: 1, round: 1, code: "BadPartialSignature" }]);
    expect(out.aggregate!.signers).toEqual([true, false, true, true]);
    expect(checkAggregateSignature(header, set, out.aggregate!)).toEqual({ ok: true });
  });

  it("gives up without an aggregate when the signers left hold no quorum", () => {
    const eps = endpoints(members.map((m) => signer(m)));
    eps[2] = { ...eps[2]!, commit: () => { throw new Error("offline"); } };
    eps[3] = { ...eps[3]!, commit: () => { throw new Error("offline"); } };
    const out = coordinateSession({ chainId: C, set, header, signers: eps });
    expect(out.aggregate).toBeNull();
    expect(out.excluded.map((e) => e.slot)).toEqual([2, 3]);
  });

  it("the coordinator verifies each partial signature against that signer's own key and nonces", () => {
    const signers = members.map((m) => signer(m));
    const req = request(signers, [0, 1, 2]);
    const ctx = sessionContext(C, set, req);
    const s0 = signers[0]!.sign(req);
    expect(verifyPartial(ctx, set, req.commitments[0]!, s0)).toBe(true);
    expect(verifyPartial(ctx, set, req.commitments[1]!, s0)).toBe(false);
    expect(verifyPartial(ctx, set, req.commitments[0]!, s0 + BABYJUB_SUBORDER)).toBe(false);
  });
});

describe("nonces", () => {
  it("a pair signs once: the same request again is refused", () => {
    const signers = members.map((m) => signer(m));
    const req = request(signers, [0, 1, 2]);
    signers[0]!.sign(req);
    expect(codeOf(() => signers[0]!.sign(req))).toBe("NonceReused");
    // nor under another signer set or header with the same commitment (the attack a second signature enables)
    const other = { ...req, header: { ...header, height: 32n } };
    expect(codeOf(() => signers[0]!.sign(other))).toBe("HeaderRejected");
    const otherSet: SessionRequest = { header, signers: [true, true, false, true], commitments: [req.commitments[0]!, req.commitments[1]!, signers[3]!.commit(3)] };
    expect(codeOf(() => signers[0]!.sign(otherSet))).toBe("NonceReused");
  });

  it("a spent pair stays refused after a restart (SQLite store on disk), and a repeating generator is caught", () => {
    const file = join(tempDir(), "nonces.sqlite");
    const store1 = new SqliteNonceStore(file);
    const a1 = signer(members[0]!, { store: store1, randomBytes: seededRandom(42) });
    const others = members.map((m) => signer(m));
    const req = request([a1, ...others.slice(1)], [0, 1, 2]);
    a1.sign(req);
    store1.close();

    // The process restarts: memory is gone, the store on disk is not.
    const store2 = new SqliteNonceStore(file);
    const a2 = signer(members[0]!, { store: store2, randomBytes: seededRandom(42) });
    expect(codeOf(() => a2.sign(req))).toBe("NonceReused");
    // The restarted generator repeats the same bytes: the pair it draws was used, so it is refused.
    expect(codeOf(() => a2.commit(0))).toBe("NonceRepeated");
    // A working generator gives pairs that sign.
    const a3 = signer(members[0]!, { store: store2 });
    expect(a3.sign(request([a3, ...others.slice(1)], [0, 1, 2]))).toBeTypeOf("bigint");
    store2.close();
  });

  it("a session batched in one transaction (SqliteNonceStore.batch, the devnet's) records its pairs on disk when it ends, also when it throws", () => {
    const file = join(tempDir(), "nonces.sqlite");
    const store1 = new SqliteNonceStore(file);
    const batched = members.map((m) => signer(m, { store: store1 }));
    const req = request(batched, [0, 1, 2]);
    const partials = store1.batch(() => [0, 1, 2].map((i) => batched[i]!.sign(req)));
    expect(partials).toHaveLength(3);
    expect(() => store1.batch(() => {
      batched[3]!.sign(request(batched, [0, 1, 3]));
      throw new Error("the session failed after slot 3 signed");
    })).toThrow(/session failed/);
    store1.close();

    const store2 = new SqliteNonceStore(file);
    expect(store2.spentCount()).toBe(4);
    const again = signer(members[0]!, { store: store2 });
    expect(codeOf(() => again.sign(req))).toBe("NonceReused");
    store2.close();
  });

  it("a pair not yet used does not survive a restart (secrets are never stored)", () => {
    const file = join(tempDir(), "nonces.sqlite");
    const a1 = signer(members[0]!, { store: new SqliteNonceStore(file) });
    const others = members.map((m) => signer(m));
    const req = request([a1, ...others.slice(1)], [0, 1, 2]);
    const a2 = signer(members[0]!, { store: new SqliteNonceStore(file) });
    expect(codeOf(() => a2.sign(req))).toBe("UnknownNonce");
  });

  it("draws each scalar from 64 random bytes reduced mod l", () => {
    const asked: number[] = [];
    const allOnes = (n: number) => {
      asked.push(n);
      return new Uint8Array(n).fill(0xff);
    };
    const s = signer(members[0]!, { randomBytes: allOnes });
    const c = s.commit(0);
    expect(asked).toEqual([64, 64]);
    const k = bytesToBigIntLE(new Uint8Array(64).fill(0xff)) % BABYJUB_SUBORDER;
    expect(c.R1).toEqual(mulBase8(k));
  });
});

describe("a signer computes everything itself and refuses what it cannot check", () => {
  const signers = members.map((m) => signer(m));

  it("refuses a header its own view of Home does not hold", () => {
    const forged = { ...header, stateRoot: 666n };
    expect(codeOf(() => signers[0]!.sign(request(signers, [0, 1, 2], forged)))).toBe("HeaderRejected");
    // The coordinator learns who refused and why, and cannot get a quorum of signatures for it.
    const out = coordinateSession({ chainId: C, set, header: forged, signers: endpoints(signers) });
    expect(out.aggregate).toBeNull();
    expect(out.excluded.map((e) => [e.slot, e.code])).toEqual([
      [0, "HeaderRejected"],
      [1, "HeaderRejected"],
      [2, "HeaderRejected"],
      [3, "HeaderRejected"],
    ]);
  });

  it("refuses a header whose set commitment is not its registry's set", () => {
    const other = makeSet(3n, 4, [10n, 10n, 10n, 11n]).set;
    const s = signer(members[0]!, { registry: other });
    const req = request([s, ...signers.slice(1)], [0, 1, 2]);
    expect(codeOf(() => s.sign(req))).toBe("SetMismatch");
  });

  it("refuses a signer set without its slot, without quorum, or with a commitment it does not hold", () => {
    expect(codeOf(() => signers[3]!.sign(request(signers, [0, 1, 2])))).toBe("NotInSignerSet");
    expect(codeOf(() => signers[0]!.sign(request(signers, [0, 1])))).toBe("NoQuorum"); // 20 of 40
    const req = request(signers, [0, 1, 2]);
    const swapped = { ...req, commitments: [{ ...req.commitments[1]!, slot: 0 }, { ...req.commitments[0]!, slot: 1 }, req.commitments[2]!] };
    expect(codeOf(() => signers[0]!.sign(swapped))).toBe("UnknownNonce");
  });

  it("refuses nonce points that are small-order, the identity or repeated", () => {
    const req = request(signers, [0, 1, 2]);
    const with1 = (R: { x: bigint; y: bigint }) => ({ ...req, commitments: req.commitments.map((c, i) => (i === 1 ? { ...c, R2: R } : c)) });
    expect(codeOf(() => signers[0]!.sign(with1({ x: 0n, y: FIELD_MODULUS - 1n })))).toBe("BadNonceCommitment");
    expect(codeOf(() => signers[0]!.sign(with1(IDENTITY)))).toBe("BadNonceCommitment");
    expect(codeOf(() => signers[0]!.sign(with1(req.commitments[0]!.R1)))).toBe("BadNonceCommitment");
  });

  it("refuses an identity aggregate key (a set holding a key and its negation)", () => {
    const a = members[0]!.validator.attestationKey;
    const neg = { ...members[1]!.validator, attestationKey: { Ax: FIELD_MODULUS - a.Ax, Ay: a.Ay } };
    // The pair holds the quorum (200 of 202), so only the identity check can refuse it.
    const bad: ValidatorSet = { ...set, validators: [members[0]!.validator, neg, members[2]!.validator, members[3]!.validator].map((v, i) => ({ ...v, power: i < 2 ? 100n : 1n })) };
    const req: SessionRequest = {
      header: { ...header, validatorSetRoot: validatorSetRoot(bad) },
      signers: [true, true, false, false],
      commitments: [signers[0]!.commit(0), signers[1]!.commit(1)],
    };
    expect(codeOf(() => sessionContext(C, bad, req))).toBe("IdentityAggregateKey");
});
});
