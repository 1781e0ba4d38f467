// Progress of slow steps (ptau download, dev ceremony phases). On an interactive terminal
// (stdout and stderr both TTYs) one bar on stderr, redrawn in place each second and whenever
// the percentage changes. Otherwise (a log file, CI, a pipe) a plain line through the caller's
// log every few seconds and one when the step ends, so a log holds readable lines instead of
// carriage-return redraws.

export interface ProgressOptions {
  /** Where plain progress lines go (the caller's log). */
  log: (line: string) => void;
  /** Draw a bar on stderr; default: stdout and stderr are both terminals. */
  interactive?: boolean;
  /** Time between plain lines; default 5000 ms. */
  intervalMs?: number;
}

export interface Progress {
  /** The fraction done (0..1) of this step (a smaller value than before is ignored), and what it is doing now. */
  update(fraction: number, detail?: string): void;
  /** The step finished: 100% and the time it took. */
  done(): void;
  /** The step failed or was abandoned: stop reporting (idempotent, a no-op after done). */
  stop(): void;
}

const BAR_WIDTH = 30;

/** "45 s", "3 min 05 s". */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

export function progress(label: string, opts: ProgressOptions): Progress {
  const interactive = opts.interactive ?? Boolean(process.stdout.isTTY && process.stderr.isTTY);
  const t0 = Date.now();
  let fraction = 0;
  let detail = "";
  let shown = "";
  let running = true;
  const pct = () => Math.floor(fraction * 100);
  const elapsed = () => formatDuration(Date.now() - t0);
  const status = () => `${pct()}%${detail ? ` ${detail}` : ""}`;
  const draw = () => {
    const fill = Math.round((pct() * BAR_WIDTH) / 100);
    process.stderr.write(`\r${label} [${"#".repeat(fill)}${".".repeat(BAR_WIDTH - fill)}] ${status()}, ${elapsed()}\x1b[K`);
    shown = status();
  };
  const tick = interactive ? draw : () => opts.log(`${label}: ${status()} (${elapsed()})`);
  const timer = setInterval(tick, interactive ? 1000 : (opts.intervalMs ?? 5000));
  timer.unref();
  if (interactive) draw();
  const end = (line: string | null) => {
    if (!running) return;
    running = false;
    clearInterval(timer);
    if (interactive) {
      if (line !== null) draw();
      process.stderr.write("\n");
    } else if (line !== null) opts.log(line);
  };
  return {
    update(f, what) {
      if (!running) return;
      fraction = Math.max(fraction, Math.min(0.99, f));
      detail = what ?? detail;
      if (interactive && status() !== shown) draw();
    },
    done() {
      fraction = 1;
      detail = "";
      end(`${label}: done in ${elapsed()}`);
    },
    stop() {
      end(null);
    },
  };
}
