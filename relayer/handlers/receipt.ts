// Receipt jobs: carry a closed Away receipt to Home (POST /actions/consume-receipt), which checks it
// with eth_getProof and releases or slashes each lockup by its fill's outcome. Home's answers are
// decided by their codes in the Home source ("already consumed" is done); everything else is
// retried: collateral must not stay locked because Home was briefly unreachable.
import type { JobHandler } from "./types.ts";

export const receiptHandler: JobHandler<"receipt"> = {
  async submit(ctx) {
    const r = await ctx.home.postReceipt(ctx.job.chainId, ctx.job.payload.auctionId);
    return { type: "done", how: r === "already" ? "already-done" : "mined", detail: `Home receipt ${r}` };
  },
};
