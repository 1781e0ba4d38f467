// Child-process entry of ProverPool (pool.ts): proves each request it is sent with snarkjs
// groth16.fullProve, one at a time, forwarding snarkjs's log lines, then sends the proof or the
// error. Exits when its parent goes (the IPC channel closes). Run by Node directly (type
// annotations only, no other project imports).
import type { ProveMessage, ProverReply } from "./pool.ts";

const send = process.send?.bind(process);
if (!send) throw new Error("prove-child.ts runs as a child process of ProverPool (an IPC channel)");
process.on("disconnect", () => process.exit(0));
const name = "snarkjs"; // imported by name: snarkjs ships no types
const snarkjs = await import(name);

process.on("message", async (m: ProveMessage) => {
  const post = (r: ProverReply) => send(r);
  const log = (level: "debug" | "warn" | "error") => (message: string) => post({ id: m.id, type: "log", level, message: String(message) });
  const logger = { debug: log("debug"), info: () => {}, warn: log("warn"), error: log("error") };
  try {
    const out = await snarkjs.groth16.fullProve(m.input, m.wasmPath, m.zkeyPath, logger);
    post({ id: m.id, type: "done", proof: out.proof, publicSignals: out.publicSignals });
  } catch (e) {
    post({ id: m.id, type: "error", message: (e as Error)?.message ?? String(e) });
  }
});
