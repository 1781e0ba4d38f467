// Open Libra jobs of an anchored light client (DESIGN section 10), submit phase only (no proof: the
// data carries Open Libra's own BLS quorum certificates, checked by the anchor on chain):
//   ol-epoch E  submitEpochChange with the LedgerInfo that ends Open Libra epoch E, under epoch E's
//               set: the anchor (OpenLibraLightClient) moves to epoch E + 1's real validator set;
//   voucher E   submitVoucher: epoch E's real validators vouch for the attestation set of Home epoch
//               E, which the light client's rotation into E then requires.
// Done without a transaction when the chain already has it: the anchor past epoch E, or the voucher's
// root recorded for E. Before sending, the anchor must be able to take it (at epoch E for an epoch
// change; holding epoch E's set for a voucher), else the job waits; a voucher of another root than the
// one the anchor records for E can never be taken, and is not sent.
import { toHex } from "viem";
import { ledgerInfoCalldata, voucherCalldata } from "../../verifier-ts/openlibra/index.ts";
import type { AnchorPort } from "../ports.ts";
import { refused } from "./common.ts";
import type { JobContext, JobHandler, Outcome } from "./types.ts";

type OpenLibraKind = "ol-epoch" | "voucher";

/** The chain's anchor, or the outcome of a job on a light client that has none. */
function anchorOf(ctx: JobContext<OpenLibraKind>): AnchorPort | Outcome {
  return ctx.away.port.anchor ?? { type: "failed", cause: { kind: "precondition", name: "NotAnchored", message: `the light client of chain ${ctx.job.chainId} has no Open Libra anchor` } };
}

const isOutcome = (v: AnchorPort | Outcome): v is Outcome => "type" in v;

function finished(out: Awaited<ReturnType<JobContext<OpenLibraKind>["submit"]>>, kind: OpenLibraKind): Outcome {
  if (out.status === "confirmed") return { type: "done", how: out.how, txHash: out.txHash, gasUsed: out.gasUsed, blockNumber: out.blockNumber, detail: out.detail };
  return refused(kind, out);
}

const rootHex = (r: bigint) => toHex(r, { size: 32 });

export const openLibraEpochHandler: JobHandler<"ol-epoch"> = {
  async submit(ctx) {
    const anchor = anchorOf(ctx);
    if (isOutcome(anchor)) return anchor;
    const { epoch } = ctx.job.payload;
    const passed = async () => (await anchor.epoch()) > epoch;
    if (!ctx.job.txHash) {
      const at = await anchor.epoch();
      if (at > epoch) return { type: "done", how: "already-done", detail: `the anchor is at Open Libra epoch ${at}` };
      if (at < epoch) return { type: "wait", reason: `the anchor is at Open Libra epoch ${at}, the LedgerInfo ends epoch ${epoch}` };
    }
    const [liws, state] = await Promise.all([ctx.home.openLibraEpochEnding(epoch), ctx.home.openLibraEpochState(epoch)]);
    const calldata = ledgerInfoCalldata(state, liws);
    return finished(await ctx.submit(() => anchor.epochChangeTx(calldata), passed), "ol-epoch");
  },
};

export const voucherHandler: JobHandler<"voucher"> = {
  async submit(ctx) {
    const anchor = anchorOf(ctx);
    if (isOutcome(anchor)) return anchor;
    const { epoch } = ctx.job.payload;
    const voucher = await ctx.home.openLibraVoucher(epoch);
    const root = voucher.attestationSetRoot;
    const recorded = async () => (await anchor.vouched(epoch)) === root;
    if (!ctx.job.txHash) {
      const vouched = await anchor.vouched(epoch);
      if (vouched === root) return { type: "done", how: "already-done", detail: `the anchor records the voucher of epoch ${epoch}` };
      if (vouched !== 0n) {
        const message = `the anchor records attestation set ${rootHex(vouched)} for epoch ${epoch}; Home's voucher is for ${rootHex(root)}`;
        return { type: "failed", cause: { kind: "precondition", name: "ConflictingVoucher", message } };
      }
      const at = await anchor.epoch();
      if (at < epoch) return { type: "wait", reason: `the anchor is at Open Libra epoch ${at}, before the voucher's epoch ${epoch}` };
    }
    const calldata = voucherCalldata(await ctx.home.openLibraEpochState(epoch), voucher);
    return finished(await ctx.submit(() => anchor.voucherTx(calldata), recorded), "voucher");
  },
};
