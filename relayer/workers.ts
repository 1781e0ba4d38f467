// The worker pools of one relayer process: `proverConcurrency` proving slots and `concurrency`
// submission slots, each a loop that claims the oldest runnable job of its phase and executes it.
// Proofs (seconds of CPU each) thus never hold up a transaction, a receipt or a confirmation:
// while the provers work through settlements, the submission slots send and confirm what is
// proved (the Submitter serializes nonces per chain). A slot's owner id is
// `<workerId>/prove#<i>` or `<workerId>/submit#<i>`; on start the process takes back every claim of
// its worker id that an earlier run left (kill -9), so they resume at once.
import { backoffDelay, sleep } from "./backoff.ts";
import { executeJob, type ExecutionResult, type ExecutorDeps } from "./executor.ts";
import type { Logger } from "./log.ts";
import type { JobStore, Phase } from "./store/types.ts";

/** Wakes sleeping slots when work may have become runnable (a proof stored, a job done, a plan). */
export class Wakeup {
  private waiters = new Set<() => void>();
  wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
  /** Resolves after `ms` or at the next wake, whichever is first. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

export interface PoolOptions {
  store: JobStore;
  /** Executor dependencies without the slot's id. */
  executor: Omit<ExecutorDeps, "workerId" | "log">;
  log: Logger;
  workerId: string;
  leaseMs: number;
  chainIds: number[];
  slots: { phase: Phase; count: number }[];
  /** Longest sleep of an idle slot (it is woken earlier when work appears). */
  idleMs: number;
  wakeup: Wakeup;
  signal: AbortSignal;
  /** After each executed job (metrics refresh). */
  afterJob?: (result: ExecutionResult) => void;
}

export function slotId(workerId: string, phase: Phase, i: number): string {
  return `${workerId}/${phase}#${i}`;
}

/** Start every slot; resolves when all stopped (after the signal aborts). */
export function runPools(o: PoolOptions): Promise<void> {
  const loops: Promise<void>[] = [];
  for (const { phase, count } of o.slots) {
    for (let i = 0; i < count; i++) loops.push(slotLoop(o, phase, i));
  }
  return Promise.allSettled(loops).then(() => {});
}

async function slotLoop(o: PoolOptions, phase: Phase, i: number): Promise<void> {
  const id = slotId(o.workerId, phase, i);
  const log = o.log.child({ slot: `${phase}#${i}` });
  const deps: ExecutorDeps = { ...o.executor, workerId: id, log };
  let storeFailures = 0;
  while (!o.signal.aborted) {
    try {
      const job = await o.store.claim(id, o.leaseMs, { chainIds: o.chainIds, phase });
      storeFailures = 0;
      if (!job) {
        await o.wakeup.wait(o.idleMs, o.signal);
        continue;
      }
      const result = await executeJob(job, deps, o.signal);
      if (result === "proved" || result === "done") o.wakeup.wake(); // its submission, or its dependents, may run now
      o.afterJob?.(result);
    } catch (e) {
      storeFailures++;
      log.error("worker loop error", { error: (e as Error).message?.split("\n")[0] });
      await sleep(backoffDelay(storeFailures, 500, 15_000), o.signal).catch(() => {});
    }
  }
}
