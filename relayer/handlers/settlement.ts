// Settle and default jobs share their proof: the result and its lockups in Home's state at a
// header height the light client has (or will have: a settlement may be proved while its header
// is being mined), made by the proving pool and stored with the material in the row.
import { OUTCOME_OPEN } from "../../home/model/leaves.ts";
import { causeLine, type Cause, type Job } from "../jobs.ts";
import { proving } from "./common.ts";
import type { JobContext, Outcome } from "./types.ts";

export type SettlementKind = "settle" | "default";

/** The auction's receipt on Away is closed (settled or defaulted): nothing left to do. */
export async function receiptClosed(ctx: JobContext<SettlementKind>): Promise<boolean> {
  return ((await ctx.away.port.receipt(ctx.job.payload.auctionId))?.outcome ?? OUTCOME_OPEN) !== OUTCOME_OPEN;
}

/**
 * The height to prove at: the light client's latest header when it covers the job's minHeight
 * (the freshest), else the height of the header job it depends on; undefined while neither.
 */
async function proofHeight(ctx: JobContext<SettlementKind>): Promise<bigint | undefined> {
  const { minHeight } = ctx.job.payload;
  const lc = await ctx.away.port.lightClientState();
  if (lc.hasHeaders && lc.latestHeight >= minHeight) return lc.latestHeight;
  if (!ctx.job.dependsOn) return undefined;
  const dep = await ctx.store.get(ctx.job.dependsOn);
  if (dep && (dep.kind === "header" || dep.kind === "rotation") && dep.payload.height >= minHeight) return dep.payload.height;
  return undefined;
}

/**
 * Prove the settlement. `beforeProof` may end the job on the material alone (a settle whose
 * window closed needs no proof).
 */
export async function proveSettlement(ctx: JobContext<SettlementKind>, beforeProof?: (m: Awaited<ReturnType<JobContext<SettlementKind>["home"]["settlementMaterial"]>>) => Promise<Outcome | undefined>): Promise<Outcome> {
  const { job } = ctx;
  if (await receiptClosed(ctx)) return { type: "done", how: "already-done", detail: "Away already has a closed receipt" };
  const height = await proofHeight(ctx);
  if (height === undefined) return { type: "wait", reason: `no header at or above height ${job.payload.minHeight} on Away or planned yet` };
  const material = await ctx.home.settlementMaterial(job.payload.auctionId, height, job.chainId);
  const early = await beforeProof?.(material);
  if (early) return early;
  await ctx.update({ state: "proving" });
  const p = await proving(() => ctx.prover.proveSettlement(material));
  if (!p.ok) return { type: "retry", cause: p.cause };
  await ctx.update({ state: "proved", proof: { material, calldata: p.value } });
  ctx.proved(p.seconds, { auctionId: job.payload.auctionId, height });
  return { type: "proved" };
}

/** Before sending: the header the proof was made at must be stored on Away. */
export async function headerReady(ctx: JobContext<SettlementKind>, height: bigint): Promise<Outcome | undefined> {
  if (await ctx.away.port.headerStored(height)) return undefined;
  const lc = await ctx.away.port.lightClientState();
  if (!lc.hasHeaders || lc.latestHeight < height) return { type: "wait", reason: `the header at height ${height} is not on Away yet` };
  // the client moved past it without storing it (another relayer's header, or it left the ring): prove again
  return { type: "retry", reprove: true, cause: { kind: "precondition", name: "HeaderNotStored", message: `the light client has no header at height ${height} (latest ${lc.latestHeight})` } };
}

/** The last failures of a job, for the lines that say why a settlement did not happen. */
export function lastCauses(job: Job | undefined, n = 5): string[] {
  return (job?.causes ?? []).slice(-n).map((c) => `${new Date(c.at).toISOString()} ${causeLine(c)}`);
}

/** Why a settlement window closed without a settlement: the deadline, and the last failure. */
export function windowClosed(job: Job, deadline: bigint, nowSec: bigint): Cause {
  const last = job.causes.at(-1);
  return {
    kind: "precondition",
    name: "DeadlinePassed",
    message: `the settlement window closed at ${deadline} (Away time ${nowSec})${last ? `; last failure: ${causeLine(last)}` : ""}`,
  };
}
