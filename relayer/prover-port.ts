// ProverPort over prover/ (snarkjs Groth16 with its on-disk proof cache): header proofs of signed
// headers (AggregatedHeaderQuorum from the aggregate signature by default, the per-validator
// HeaderQuorum where the profile has it and Home made no aggregate), settlement proofs of the
// material the Home source assembled, and HeaderSettlement proofs of both at once.
// Loaded lazily so a worker that never proves does not load snarkjs. Proofs run in the
// prover's child processes (prover/pool.ts, `processes` at once), never on the relayer's
// own thread: polling, submissions and an in-process Home devnet cannot stall them.
import type { SignedHeader } from "../home/model/header.ts";
import type { ProveOptions } from "../prover/prover.ts";
import { ProverPool } from "../prover/pool.ts";
import type { Groth16Calldata, HeaderCalldata, ProverPort, SettlementMaterial } from "./ports.ts";

export interface ProverPortOptions {
  profile?: string;
  network?: string;
  buildDir?: string;
  cacheDir?: string | false;
  /** Proofs at once (the relayer's proverConcurrency; default prover/pool.ts defaultProofConcurrency). */
  processes?: number;
}

export function defaultProver({ processes, ...prove }: ProverPortOptions = {}): ProverPort {
  const opts: ProveOptions = { ...prove, pool: new ProverPool(processes) }; // processes start on the first proof
  const load = () => import("../prover/prover.ts");
  return {
    async proveHeader(sh: SignedHeader): Promise<HeaderCalldata> {
      const { proveHeader } = await load();
      const r = await proveHeader(sh, opts);
      return { proof: r.calldata.proof, pub: r.calldata.pubSignals, kind: r.kind };
    },
    async proveSettlement(m: SettlementMaterial): Promise<Groth16Calldata> {
      const { proveSettlement } = await load();
      const r = await proveSettlement(m.proverArgs, opts);
      return { proof: r.calldata.proof, pub: r.calldata.pubSignals };
    },
    async proveHeaderSettlement(sh: SignedHeader, m: SettlementMaterial): Promise<Groth16Calldata> {
      const { proveHeaderSettlement } = await load();
      const r = await proveHeaderSettlement(sh, m.proverArgs as Parameters<typeof proveHeaderSettlement>[1], opts);
      return { proof: r.calldata.proof, pub: r.calldata.pubSignals };
    },
  };
}
