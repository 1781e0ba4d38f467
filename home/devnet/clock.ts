// Home time: the wall clock plus the devnet's time warp (POST /admin/advance-time, like an EVM
// node's evm_increaseTime), never going backwards. The warp is stored, so a restart keeps it.
import type { DevnetStore } from "./store.ts";

export class HomeClock {
  private offsetMs = 0;
  private lastMs = 0;

  constructor(private readonly store: DevnetStore) {}

  /** Takes up the stored time warp (on open). */
  restore(): void {
    this.offsetMs = Number(this.store.getMeta("timeOffsetMs") ?? "0");
  }

  /** Home time in unix ms. */
  nowMs(): number {
    this.lastMs = Math.max(this.lastMs, Date.now() + this.offsetMs);
    return this.lastMs;
  }

  /** Moves Home time forward by `seconds` (a positive integer); returns the new time. */
  advance(seconds: number): number {
    if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new RangeError("seconds must be a positive integer");
    this.offsetMs += seconds * 1000;
    this.store.setMeta("timeOffsetMs", String(this.offsetMs));
    return this.nowMs();
  }

  /** Time never goes back behind what the chain has already used (replayed blocks and actions). */
  observe(ms: number): void {
    this.lastMs = Math.max(this.lastMs, ms);
  }
}
