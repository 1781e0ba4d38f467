// Settle jobs: AtomicSettlement.settle with the stored proof, until the receipt is closed or the
// result's pause-extended deadline (read from the light client's pause log before each attempt)
// has passed. A settle call settles every open fill it can; when some stay open (their
// FillFailed reasons decoded), the job is retried for them with the same proof. Reverts are
// handled by their custom error (causes.ts): LP- or winner-side failures and a guardian pause
// are retried until the deadline, a stale or missing header gets a fresher one.
import { withinSettleWindow } from "../../home/model/rules.ts";
import { decodeRevert, doneErrors, fillFailures, revertCause } from "../causes.ts";
import type { Cause } from "../jobs.ts";
import { refused } from "./common.ts";
import { headerReady, proveSettlement, receiptClosed, windowClosed } from "./settlement.ts";
import type { JobHandler, Outcome } from "./types.ts";

export const settleHandler: JobHandler<"settle"> = {
  prove: (ctx) =>
    proveSettlement(ctx, async (m) => {
      const w = await ctx.away.port.settlementWindow(m.result);
      return withinSettleWindow(w.deadline, w.nowSec) ? undefined : { type: "expired", cause: windowClosed(ctx.job, w.deadline, w.nowSec) };
    }),

  async submit(ctx): Promise<Outcome> {
    const { job, away } = ctx;
    const { port } = away;
    const { material, calldata } = job.proof!;
    let retryBefore: number | undefined;
    if (!job.txHash) {
      if (await receiptClosed(ctx)) return { type: "done", how: "already-done", detail: "Away already has a closed receipt" };
      const w = await port.settlementWindow(material.result);
      if (!withinSettleWindow(w.deadline, w.nowSec)) return { type: "expired", cause: windowClosed(job, w.deadline, w.nowSec) };
      retryBefore = Date.now() + Number(w.deadline - w.nowSec) * 1000;
      const notReady = await headerReady(ctx, material.height);
      if (notReady) return notReady;
    }
    const out = await ctx.submit(() => ({ ...port.settleTx(material, calldata), doneErrors: doneErrors("settle") }), () => receiptClosed(ctx));
    if (out.status === "failed") {
      const o = refused("settle", out, retryBefore);
      // a header older than maxStateAge: ask for one at the latest Home height
      if (o.type === "retry" && decodeRevert(out.revertData).name === "StaleHeader") return { ...o, payload: { ...job.payload, minHeight: await ctx.homeHeight() } };
      return o;
    }
    const done = { type: "done", how: out.how, txHash: out.txHash, gasUsed: out.gasUsed, blockNumber: out.blockNumber, detail: out.detail } as const;
    if (out.how !== "mined") return done;
    if (await receiptClosed(ctx)) {
      await ctx.settled(out.blockNumber!, material.result.clearedAt);
      return done;
    }
    // some fills settled, the others stay open: retry them
    const failures = fillFailures(out.logs ?? [], port.settlement);
    const first = failures[0];
    const cause: Cause = first
      ? { ...revertCause(first.revert, "fill"), message: failures.map((f) => `fill ${f.fillIndex}: ${revertCause(f.revert, "fill").message}`).join("; ") }
      : { kind: "fill", name: "FillsOpen", message: "the settle transaction left fills open" };
    return { type: "retry", cause, txHash: out.txHash, retryBefore };
  },
};
