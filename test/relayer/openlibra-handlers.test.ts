// The submit phase of the anchored light client's jobs, decided before anything is sent: an Open
// Libra epoch change or voucher the anchor already has is done without a transaction, one the
// anchor cannot take yet waits, a voucher conflicting with the recorded one fails unsent; a rotation
// is sent only when the anchor vouched for the set it names; and the anchor's reverts are judged by
// name. Real Open Libra data (synthetic validator sets signed with verifier-ts); fake ports that
// record what would be submitted (the real stack: anchored.test.ts).
import { encodeErrorResult, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import { AWAY_ERRORS_ABI } from "../../relayer/generated/away-abi.ts";
import { refused } from "../../relayer/handlers/common.ts";
import { headerHandler } from "../../relayer/handlers/header.ts";
import { openLibraEpochHandler, voucherHandler } from "../../relayer/handlers/openlibra.ts";
import type { JobContext, Outcome } from "../../relayer/handlers/types.ts";
import type { Job, JobKind } from "../../relayer/jobs.ts";
import type { AnchorPort, AwayPort, HomeSource } from "../../relayer/ports.ts";
import type { TxIntent } from "../../relayer/submit.ts";
import { allSigners, encodeBcs, LedgerInfo, signVoucher, toHex as hexOf } from "../../verifier-ts/openlibra/index.ts";
import { syntheticEpochChange } from "../openlibra/synthetic.ts";

const change = syntheticEpochChange({ validators: 10, epoch: 4n, label: "relayer-handlers" });
const ROOT = 0x1234n;
const voucher5 = signVoucher(5n, ROOT, change.next, allSigners(10));

interface Fake {
  ctx: JobContext<JobKind>;
  sent: { what: string; calldata: unknown }[];
}

/** A context for `job` on a chain whose anchor is at `anchorEpoch` and records `vouched`; ctx.submit "mines" whatever it is given. */
function fake(job: Partial<Job> & Pick<Job, "kind" | "payload">, o: { anchorEpoch?: bigint; vouched?: Map<bigint, bigint>; anchored?: boolean; lcEpoch?: bigint } = {}): Fake {
  const sent: Fake["sent"] = [];
  const intent = (what: string, calldata: unknown): TxIntent => {
    sent.push({ what, calldata });
    return { to: "0x00000000000000000000000000000000000000a1", data: "0x", abi: [] };
  };
  const anchor: AnchorPort = {
    address: "0x00000000000000000000000000000000000000a1",
    epoch: async () => o.anchorEpoch ?? 4n,
    vouched: async (e) => o.vouched?.get(e) ?? 0n,
    epochChangeTx: (c) => intent("submitEpochChange", c),
    voucherTx: (c) => intent("submitVoucher", c),
  };
  const port = {
    chainId: 31337,
    anchor: o.anchored === false ? undefined : anchor,
    lightClientState: async () => ({ epoch: o.lcEpoch ?? 4n, latestHeight: 40n, hasHeaders: true }),
    headerStored: async () => false,
    headerTx: (c: unknown) => intent("submitHeader", c),
  } as unknown as AwayPort;
  const home = {
    openLibraEpochEnding: async (e: bigint) => (e === 4n ? change.liws : Promise.reject(new Error(`no LedgerInfo ends ${e}`))),
    openLibraEpochState: async (e: bigint) => (e === 4n ? change.currentState : e === 5n ? change.nextState : Promise.reject(new Error(`no set ${e}`))),
    openLibraVoucher: async (e: bigint) => (e === 5n ? voucher5 : Promise.reject(new Error(`no voucher ${e}`))),
  } as unknown as HomeSource;
  const ctx = {
    job: { key: `${job.kind}:31337:x`, chainId: 31337, txHash: null, proof: null, ...job } as Job,
    home,
    away: { port, name: "local" },
    submit: async (build: () => TxIntent) => {
      build();
      return { status: "confirmed", how: "mined", txHash: "0xabc" as Hex, gasUsed: 1n };
    },
  } as unknown as JobContext<JobKind>;
  return { ctx, sent };
}

const submitOf = (k: "ol-epoch" | "voucher") => (k === "ol-epoch" ? openLibraEpochHandler.submit : voucherHandler.submit) as (c: JobContext<JobKind>) => Promise<Outcome>;

describe("ol-epoch jobs", () => {
  it("send the LedgerInfo ending the anchor's epoch, under that epoch's set; done when the anchor is past it; wait when it is behind", async () => {
    const at = fake({ kind: "ol-epoch", payload: { epoch: 4n } }, { anchorEpoch: 4n });
    expect(await submitOf("ol-epoch")(at.ctx)).toMatchObject({ type: "done", how: "mined" });
    expect(at.sent.map((s) => s.what)).toEqual(["submitEpochChange"]);
    const c = at.sent[0]!.calldata as { ledgerInfo: Uint8Array; nextKeyYs: Uint8Array };
    expect(hexOf(c.ledgerInfo)).toBe(hexOf(encodeBcs(LedgerInfo, change.liws.ledgerInfo)));
    expect(c.nextKeyYs.length).toBe(10 * 48);

    const past = fake({ kind: "ol-epoch", payload: { epoch: 4n } }, { anchorEpoch: 5n });
    expect(await submitOf("ol-epoch")(past.ctx)).toMatchObject({ type: "done", how: "already-done" });
    const behind = fake({ kind: "ol-epoch", payload: { epoch: 4n } }, { anchorEpoch: 3n });
    expect((await submitOf("ol-epoch")(behind.ctx)).type).toBe("wait");
    expect([...past.sent, ...behind.sent]).toEqual([]);
  });

  it("fail, unsent, on a light client without an anchor", async () => {
    const f = fake({ kind: "ol-epoch", payload: { epoch: 4n } }, { anchored: false });
    expect(await submitOf("ol-epoch")(f.ctx)).toMatchObject({ type: "failed", cause: { kind: "precondition", name: "NotAnchored" } });
    expect(f.sent).toEqual([]);
  });
});

describe("voucher jobs", () => {
  it("send Home's voucher once the anchor holds its epoch's set; done when the anchor records it; wait before the epoch", async () => {
    const f = fake({ kind: "voucher", payload: { epoch: 5n } }, { anchorEpoch: 5n });
    expect(await submitOf("voucher")(f.ctx)).toMatchObject({ type: "done", how: "mined" });
    expect(f.sent.map((s) => s.what)).toEqual(["submitVoucher"]);
    expect((f.sent[0]!.calldata as { epoch: bigint }).epoch).toBe(5n);

    const recorded = fake({ kind: "voucher", payload: { epoch: 5n } }, { anchorEpoch: 6n, vouched: new Map([[5n, ROOT]]) });
    expect(await submitOf("voucher")(recorded.ctx)).toMatchObject({ type: "done", how: "already-done" });
    const early = fake({ kind: "voucher", payload: { epoch: 5n } }, { anchorEpoch: 4n });
    expect((await submitOf("voucher")(early.ctx)).type).toBe("wait");
    expect([...recorded.sent, ...early.sent]).toEqual([]);
  });

  it("fail, unsent, when the anchor records another attestation set for the epoch", async () => {
    const f = fake({ kind: "voucher", payload: { epoch: 5n } }, { anchorEpoch: 5n, vouched: new Map([[5n, ROOT + 1n]]) });
    const out = await submitOf("voucher")(f.ctx);
    expect(out).toMatchObject({ type: "failed", cause: { kind: "precondition", name: "ConflictingVoucher" } });
    expect(f.sent).toEqual([]);
  });
});

describe("a rotation on an anchored light client", () => {
  const rotation = (next: bigint) => ({ kind: "rotation" as const, payload: { epoch: 4n, height: 49n }, state: "proved" as const, proof: { proof: [], pub: [1n, 2n, 3n, next] } });
  const submit = headerHandler.submit as (c: JobContext<JobKind>) => Promise<Outcome>;

  it("is sent when the anchor vouched for the set it names, waits while none is recorded, and is held back (retried, unsent) when another is", async () => {
    const vouched = fake(rotation(ROOT), { vouched: new Map([[5n, ROOT]]) });
    expect(await submit(vouched.ctx)).toMatchObject({ type: "done", how: "mined" });
    expect(vouched.sent.map((s) => s.what)).toEqual(["submitHeader"]);

    const none = fake(rotation(ROOT));
    expect(await submit(none.ctx)).toMatchObject({ type: "wait" });
    const other = fake(rotation(ROOT), { vouched: new Map([[5n, ROOT + 1n]]) });
    expect(await submit(other.ctx)).toMatchObject({ type: "retry", cause: { kind: "precondition", name: "UnvouchedValidatorSet" } });
    expect([...none.sent, ...other.sent]).toEqual([]);
    // a header that ends no epoch names no set: nothing to check
    const plain = fake({ kind: "header", payload: { epoch: 4n, height: 45n }, state: "proved", proof: { proof: [], pub: [1n, 2n, 3n, 0n] } } as never);
    expect(await submit(plain.ctx)).toMatchObject({ type: "done" });
    // unanchored: sent as before
    const unanchored = fake(rotation(ROOT), { anchored: false });
    expect(await submit(unanchored.ctx)).toMatchObject({ type: "done" });
  });
});

describe("the anchor's reverts", () => {
  const reverted = (errorName: string, args: readonly unknown[]) =>
    ({ status: "failed", reason: "reverted", reverted: true, revertData: encodeErrorResult({ abi: AWAY_ERRORS_ABI, errorName, args } as never) }) as const;
  it("retry an anchor at another epoch, fail a conflicting voucher and a certificate that does not verify", () => {
    expect(refused("ol-epoch", reverted("WrongEpoch", [3n, 4n])).type).toBe("retry");
    expect(refused("voucher", reverted("UnknownEpoch", [6n, 0n, 5n])).type).toBe("retry");
    expect(refused("voucher", reverted("ConflictingVoucher", [5n, `0x${"11".repeat(32)}`])).type).toBe("failed");
    expect(refused("ol-epoch", reverted("InsufficientVotingPower", [1n, 7n])).type).toBe("failed");
    expect(refused("ol-epoch", reverted("SetOpeningMismatch", [])).type).toBe("failed");
    // a rotation the light client refuses for want of a voucher waits for it
    expect(refused("rotation", reverted("UnvouchedValidatorSet", [5n, 1n, 0n])).type).toBe("retry");
  });
});
