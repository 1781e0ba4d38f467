// Shared by the handlers: what a refused transaction means for a job (by the decoded error's
// name, causes.ts), and the cause of an exception.
import { HomeError } from "../../home/api/index.ts";
import { isTransient } from "../backoff.ts";
import { decodeRevert, dispositionOf, revertCause } from "../causes.ts";
import { HomeNotYetError } from "../home-http.ts";
import type { AwayTxKind, Cause } from "../jobs.ts";
import { BroadcastRejectedError, type SubmitOutcome } from "../submit.ts";
import type { Outcome } from "./types.ts";

type Failed = Extract<SubmitOutcome, { status: "failed" }>;

/** A submission that did not go through, as an Outcome for a job of `kind`. */
export function refused(kind: AwayTxKind, out: Failed, retryBefore?: number): Outcome {
  if (!out.reverted) return { type: "retry", cause: { kind: "rpc", name: "CallFailed", message: out.reason }, txHash: out.txHash, retryBefore };
  const r = decodeRevert(out.revertData);
  const cause = revertCause(r, "revert", out.reason);
  switch (dispositionOf(kind, r.name)) {
    case "done":
      return { type: "done", how: "done-error", txHash: out.txHash, detail: r.name };
    case "reprove":
      return { type: "retry", cause, txHash: out.txHash, reprove: true, retryBefore };
    case "expired":
      return { type: "expired", cause };
    case "fatal":
      return { type: "failed", cause };
    case "wait":
      return { type: "retry", cause, txHash: out.txHash, retryBefore };
  }
}

/** The cause of an exception thrown while working on a job (never decided by its wording). */
export function causeOfError(e: unknown): Cause {
  const err = e as { name?: unknown; code?: unknown; status?: unknown; message?: unknown; reason?: unknown; shortMessage?: unknown };
  const message = String(err?.shortMessage ?? err?.message ?? e).split("\n")[0]!;
  if (e instanceof BroadcastRejectedError) return { kind: "broadcast", name: e.reason, message };
  if (e instanceof HomeError) return { kind: "home", name: e.code, message };
  if (e instanceof HomeNotYetError) return { kind: "home", name: e.cause.code, message };
  const name = String(err?.name ?? "Error");
  if (name === "GaveUpError" || isTransient(e)) return { kind: "rpc", name: typeof err.code === "string" ? err.code : name, message };
  return { kind: "internal", name, message };
}

/** Run the prover; its failures are causes of kind "prover". */
export async function proving<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T; seconds: number } | { ok: false; cause: Cause }> {
  const t0 = performance.now();
  try {
    return { ok: true, value: await fn(), seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    return { ok: false, cause: { kind: "prover", name: (e as Error)?.name ?? "Error", message: String((e as Error)?.message ?? e).split("\n")[0]! } };
  }
}
