// Header and rotation jobs: prove a signed Home header (AggregatedHeaderQuorum, or the per-validator
// HeaderQuorum where Home made no aggregate) and submit it, with its proof kind, to the light
// client. A rotation is the epoch-ending header: the client moves to the next epoch with it.
// Proving does not wait for the light client (rotations of several epochs are proved ahead);
// submitting waits until the client is at the header's epoch, and, on an anchored light client,
// for a header that ends its epoch, until its anchor records the voucher of the set it names (the client refuses any
// other: UnvouchedValidatorSet), so an unvouched rotation is never sent.
import { doneErrors } from "../causes.ts";
import { proving, refused } from "./common.ts";
import type { JobContext, JobHandler, Outcome } from "./types.ts";

type HeaderKind = "header" | "rotation";

/** The light client already has this header, or has moved past it. */
async function alreadyOnChain(ctx: JobContext<HeaderKind>): Promise<boolean> {
  const { port } = ctx.away;
  const { height, epoch } = ctx.job.payload;
  const lc = await port.lightClientState();
  if (ctx.job.kind === "rotation" && lc.epoch > epoch) return true;
  if (await port.headerStored(height)) return true;
  return ctx.job.kind === "header" && lc.hasHeaders && lc.latestHeight >= height; // superseded by a newer header
}

/**
 * Anchored light client, a header that ends its epoch (a rotation job's, or a header job's at an
 * epoch's last height): its next set (nextValidatorSetRoot, public input 3) must be what the anchor
 * records as vouched for the next epoch. None recorded yet: wait (its
 * voucher job records it). Another one: the attestation committee named a set the real validators
 * did not vouch for; the light client will refuse it whatever we do, so it is not sent (retried
 * with backoff, the proof kept, the cause recorded for an operator).
 */
async function unvouchedRotation(ctx: JobContext<HeaderKind>): Promise<Outcome | undefined> {
  const anchor = ctx.away.port.anchor;
  const named = ctx.job.proof!.pub[3]!;
  if (!anchor || named === 0n) return undefined;
  const next = ctx.job.payload.epoch + 1n;
  const vouched = await anchor.vouched(next);
  if (vouched === named) return undefined;
  if (vouched === 0n) return { type: "wait", reason: `the anchor has no voucher of epoch ${next}'s attestation set yet` };
  const message = `the rotation names attestation set ${named} for epoch ${next}; the anchor vouched for ${vouched}`;
  return { type: "retry", cause: { kind: "precondition", name: "UnvouchedValidatorSet", message } };
}

export const headerHandler: JobHandler<HeaderKind> = {
  async prove(ctx): Promise<Outcome> {
    if (await alreadyOnChain(ctx)) return { type: "done", how: "already-done", detail: "light client already has it" };
    const { height } = ctx.job.payload;
    await ctx.update({ state: "proving" });
    const signed = await ctx.home.signedHeader(height);
    const p = await proving(() => ctx.prover.proveHeader(signed));
    if (!p.ok) return { type: "retry", cause: p.cause };
    await ctx.update({ state: "proved", proof: p.value });
    ctx.proved(p.seconds, { height });
    return { type: "proved" };
  },

  async submit(ctx): Promise<Outcome> {
    const { job, away } = ctx;
    if (!job.txHash) {
      if (await alreadyOnChain(ctx)) return { type: "done", how: "already-done", detail: "light client already has it" };
      const lc = await away.port.lightClientState();
      if (lc.epoch < job.payload.epoch) return { type: "wait", reason: `light client is at epoch ${lc.epoch}, the header is in epoch ${job.payload.epoch}` };
      const unvouched = await unvouchedRotation(ctx);
      if (unvouched) return unvouched;
    }
    const calldata = job.proof!;
    const out = await ctx.submit(() => ({ ...away.port.headerTx(calldata), doneErrors: doneErrors(job.kind) }), () => alreadyOnChain(ctx));
    if (out.status === "confirmed") return { type: "done", how: out.how, txHash: out.txHash, gasUsed: out.gasUsed, blockNumber: out.blockNumber, detail: out.detail };
    return refused(job.kind, out);
  },
};
