// Whether a lock file's owner still runs: the one check behind the stale-lock takeovers (the
// devnet's data-dir LOCK, the relayer's worker-id locks, the setup pipeline's profile lock).

/** True when `pid` names a running process (one we may not signal counts as running). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
