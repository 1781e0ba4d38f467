// Default jobs: AtomicSettlement.recordDefault once the settle job expired (or failed for a cause
// no retry clears) and the pause-extended deadline passed on Away. Before sending, the job logs
// why settlement was impossible: the settle job's last failure causes.
import { withinSettleWindow } from "../../home/model/rules.ts";
import { deadlineOf, decodeRevert, doneErrors } from "../causes.ts";
import { isTerminal, jobKey } from "../jobs.ts";
import { refused } from "./common.ts";
import { headerReady, lastCauses, proveSettlement, receiptClosed } from "./settlement.ts";
import type { JobContext, JobHandler, Outcome } from "./types.ts";

const settleJob = (ctx: JobContext<"default">) => ctx.store.get(jobKey("settle", ctx.job.chainId, ctx.job.payload.auctionId));

/** Wait until the window closes, at the Away chain's pace (its clock may differ from ours). */
function untilDeadline(deadline: bigint, nowSec: bigint, paused: boolean): Outcome {
  const s = Number(deadline - nowSec) + 1;
  return { type: "wait", reason: `settlement window open until ${deadline} (Away time ${nowSec}${paused ? ", light client paused: the deadline grows" : ""})`, delayMs: Math.max(1, s) * 1000 };
}

export const defaultHandler: JobHandler<"default"> = {
  async prove(ctx) {
    const settle = await settleJob(ctx);
    if (settle && !isTerminal(settle.state)) return { type: "wait", reason: `${settle.key} is still ${settle.state}` };
    return proveSettlement(ctx);
  },

  async submit(ctx): Promise<Outcome> {
    const { job, away } = ctx;
    const { port } = away;
    const { material, calldata } = job.proof!;
    if (!job.txHash) {
      if (await receiptClosed(ctx)) return { type: "done", how: "already-done", detail: "Away already has a closed receipt" };
      const w = await port.settlementWindow(material.result);
      if (withinSettleWindow(w.deadline, w.nowSec)) return untilDeadline(w.deadline, w.nowSec, w.paused);
      const notReady = await headerReady(ctx, material.height);
      if (notReady) return notReady;
      const settle = await settleJob(ctx);
      ctx.log.warn("recording a default: the settlement window closed without a settlement", {
        auctionId: job.payload.auctionId, deadline: w.deadline, awayTime: w.nowSec, settleJob: settle?.key, settleState: settle?.state, lastFailures: lastCauses(settle),
      });
    }
    const out = await ctx.submit(() => ({ ...port.defaultTx(material, calldata), doneErrors: doneErrors("default") }), () => receiptClosed(ctx));
    if (out.status === "confirmed") return { type: "done", how: out.how, txHash: out.txHash, gasUsed: out.gasUsed, blockNumber: out.blockNumber, detail: out.detail };
    const deadline = deadlineOf(decodeRevert(out.revertData));
    if (deadline !== undefined) return { type: "wait", reason: `DeadlineNotReached(${deadline})`, delayMs: 2_000 };
    return refused("default", out);
  },
};
