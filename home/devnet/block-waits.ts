// Waiting for a sealed block without polling: a waiter listens for the chain's "block" event
// (and "closed"), so it costs nothing until a block is sealed, and removes its listeners however
// it ends.
import type { EventEmitter } from "node:events";
import { HomeError } from "../api/index.ts";
import type { BlockInfo } from "./block-log.ts";

export interface WaitLimit {
  /** Give up (resolve null) after this many ms. */
  waitMs?: number;
  /** Give up (resolve null) when this aborts. */
  signal?: AbortSignal;
}

/**
 * Resolves with the first block `chain` emits that `wanted` accepts, or with null at the limit;
 * rejects with a "shutting-down" HomeError (`closedMessage`) when the chain closes first.
 */
export function nextBlockEvent(chain: EventEmitter, wanted: (b: BlockInfo) => boolean, closedMessage: string, limit: WaitLimit = {}): Promise<BlockInfo | null> {
  const { waitMs, signal } = limit;
  return new Promise((resolve, reject) => {
    const done = () => {
      if (timer) clearTimeout(timer);
      chain.off("block", onBlock);
      chain.off("closed", onClose);
      signal?.removeEventListener("abort", onGiveUp);
    };
    const onBlock = (b: BlockInfo) => {
      if (!wanted(b)) return;
      done();
      resolve(b);
    };
    const onGiveUp = () => {
      done();
      resolve(null);
    };
    const onClose = () => {
      done();
      reject(new HomeError("shutting-down", closedMessage));
    };
    const timer = waitMs === undefined ? null : setTimeout(onGiveUp, waitMs);
    chain.on("block", onBlock);
    chain.once("closed", onClose);
    signal?.addEventListener("abort", onGiveUp, { once: true });
  });
}
