// A worker id that survives a restart, so a restarted worker takes its own claims back at once
// (JobStore.releaseOwner) instead of waiting for their leases to run out. Without a configured
// `workerId`, the id is `<hostname>-<random>` made once and kept in `<dataDir>/worker-id`.
// Several processes on one data dir (a planner and workers on one SQLite file) each hold one
// lock file `<dataDir>/worker-<k>.lock` (k = 0, 1, ...) with their pid and get the id
// `<base>` (k = 0) or `<base>-<k>`: a process takes the first lock that is free or whose pid is
// no longer running (kill -9 leaves it behind), so a restart gets the id it had.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { isProcessAlive } from "../runtime/process.ts";

/** Locks held by this process (two relayers in one process, as tests run them, get different ids). */
const held = new Set<string>();

function baseId(dataDir: string): string {
  const file = join(dataDir, "worker-id");
  try {
    const id = readFileSync(file, "utf8").trim();
    if (/^[\w.:@-]{1,100}$/.test(id)) return id;
  } catch {
    /* first start */
  }
  const id = `${hostname().replace(/[^\w.-]/g, "-").slice(0, 60)}-${randomBytes(3).toString("hex")}`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${id}\n`);
  renameSync(tmp, file); // two processes starting at once: one id wins, both read it back
  return readFileSync(file, "utf8").trim();
}

/** Try to hold `lock`: create it, or take it over from a process that is gone. */
function tryLock(lock: string): boolean {
  if (held.has(lock)) return false;
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(lock);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let pid = NaN;
      try {
        pid = Number(readFileSync(lock, "utf8").trim());
      } catch {
        continue; // removed meanwhile: try to create it again
      }
      if (isProcessAlive(pid) && pid !== process.pid) return false;
      try {
        unlinkSync(lock); // left by a process that died (or by this process, but not held: a stale file)
      } catch {
        /* someone else took it over first */
      }
    }
  }
  return false;
}

export interface WorkerIdentity {
  id: string;
  /** Give the id back (on close): the next process on this data dir may take it. */
  release(): void;
}

/** The configured id, or the stable one of this data dir (see above). */
export function workerIdentity(dataDir: string, configured: string | undefined): WorkerIdentity {
  if (configured) return { id: configured, release: () => {} };
  mkdirSync(dataDir, { recursive: true });
  const base = baseId(dataDir);
  for (let k = 0; k < 1000; k++) {
    const lock = join(dataDir, `worker-${k}.lock`);
    if (!tryLock(lock)) continue;
    return {
      id: k === 0 ? base : `${base}-${k}`,
      release: () => {
        held.delete(lock);
        try {
          unlinkSync(lock);
        } catch {
          /* already gone */
        }
      },
    };
  }
  throw new Error(`no free worker id in ${dataDir} (1000 lock files held)`);
}
