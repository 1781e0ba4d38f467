// Prover processes: snarkjs groth16.fullProve in child processes (prove-child.ts) instead of
// the caller's thread, so whatever else that thread runs (the relayer's polling and
// submissions, an in-process Home devnet sealing and signing blocks) cannot stall a proof's
// witness computation or the dispatch of its multi-exponentiations to snarkjs's threads, and a
// proof cannot block that thread's event loop. (Processes, not worker threads: snarkjs's
// web-worker dependency takes any non-main thread for one of its own workers.) At most `size`
// proofs run at once (each already uses every core through snarkjs's threads); the others
// wait in a queue, in arrival order. A process is started on
// first use and kept for the next proof (snarkjs's curve and threads are built once); an idle
// one does not keep the caller alive, and each exits when its parent goes (kill -9 included:
// its IPC channel closes). A process that dies fails its proof; the next proof starts another.
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Groth16Proof } from "./prover.ts";

/** What the caller's snarkjs logger would have been told (prover.ts forwards it to progress). */
export interface ProverLogger {
  debug(m: string): void;
  warn(m: string): void;
  error(m: string): void;
}

/** A proof request to a prover process (IPC with advanced serialization: bigints survive). */
export interface ProveMessage {
  id: number;
  input: Record<string, unknown>;
  wasmPath: string;
  zkeyPath: string;
}

/** A prover process's answers: snarkjs log lines while proving, then the proof or the error. */
export type ProverReply =
  | { id: number; type: "log"; level: "debug" | "warn" | "error"; message: string }
  | { id: number; type: "done"; proof: Groth16Proof; publicSignals: string[] }
  | { id: number; type: "error"; message: string };

interface Queued {
  msg: ProveMessage;
  logger?: ProverLogger;
  resolve(v: { proof: Groth16Proof; publicSignals: string[] }): void;
  reject(e: Error): void;
}

/**
 * Proofs at once by default: one per 4 cores, at least 1 (one snarkjs proof already keeps every
 * core busy in its multi-exponentiations; more at once only helps where its single-threaded
 * witness computation and setup leave cores idle).
 */
export function defaultProofConcurrency(cores = availableParallelism()): number {
  return Math.max(1, Math.min(16, Math.floor(cores / 4)));
}

const CHILD = fileURLToPath(new URL("./prove-child.ts", import.meta.url));

export class ProverPool {
  private readonly idle: ChildProcess[] = [];
  private readonly busy = new Map<ChildProcess, Queued>();
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  /** @param size proofs at once (processes), 1..16. */
  constructor(readonly size: number = defaultProofConcurrency()) {
    if (!Number.isInteger(size) || size < 1 || size > 16) throw new RangeError(`prover processes must be a whole number 1..16, got ${size}`);
  }

  /** Process ids of the prover processes proving now. */
  get provingPids(): number[] {
    return [...this.busy.keys()].flatMap((c) => (c.pid ? [c.pid] : []));
  }

  /** groth16.fullProve in a prover process (queued while `size` proofs run). */
  fullProve(input: Record<string, unknown>, wasmPath: string, zkeyPath: string, logger?: ProverLogger): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
    if (this.closed) return Promise.reject(new Error("the prover pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ msg: { id: this.nextId++, input, wasmPath, zkeyPath }, logger, resolve, reject });
      this.dispatch();
    });
  }

  /** Fails queued proofs, stops every process (a running proof fails). */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error("the prover pool is closed"));
    const all = [...this.idle.splice(0), ...this.busy.keys()].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(all.map((c) => new Promise<void>((resolve) => (c.once("exit", () => resolve()), c.kill("SIGTERM")))));
  }

  private dispatch(): void {
    while (this.queue.length && this.busy.size < this.size) {
      const job = this.queue.shift()!;
      const c = this.idle.pop() ?? this.spawn();
      this.busy.set(c, job);
      this.hold(c, true);
      c.send(job.msg);
    }
  }

  private spawn(): ChildProcess {
    const c = fork(CHILD, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    c.on("message", (r: ProverReply) => this.onReply(c, r));
    c.on("error", (e) => this.onDeath(c, e));
    c.on("exit", (code, signal) => this.onDeath(c, new Error(`prover process exited (${signal ?? `code ${code}`})`)));
    return c;
  }

  /** Whether the process (and its IPC channel) keeps this one alive: only while it proves. */
  private hold(c: ChildProcess, on: boolean): void {
    if (on) {
      c.ref();
      c.channel?.ref();
    } else {
      c.unref();
      c.channel?.unref();
    }
  }

  private onReply(c: ChildProcess, r: ProverReply): void {
    const job = this.busy.get(c);
    if (!job || job.msg.id !== r.id) return;
    if (r.type === "log") {
      job.logger?.[r.level](r.message);
      return;
    }
    this.busy.delete(c);
    this.hold(c, false);
    if (!this.closed) this.idle.push(c);
    if (r.type === "done") job.resolve({ proof: r.proof, publicSignals: r.publicSignals });
    else job.reject(new Error(r.message));
    this.dispatch();
  }

  private onDeath(c: ChildProcess, e: Error): void {
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    const job = this.busy.get(c);
    this.busy.delete(c);
    job?.reject(e);
    if (!this.closed) this.dispatch();
  }
}
