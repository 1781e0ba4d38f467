// Typed access to the parts of snarkjs that the verifier-ts tests and vectors use.
// snarkjs ships no type declarations; it is loaded through a non-literal dynamic import
// and given the small interface below, so no ambient `declare module` is needed.
import type { SnarkjsProof, SnarkjsVerificationKey } from "../../verifier-ts/groth16.ts";

export interface SnarkjsApi {
  groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasmFile: string,
      zkeyFile: string,
    ): Promise<{ proof: SnarkjsProof; publicSignals: string[] }>;
    verify(vk: unknown, publicSignals: unknown, proof: unknown): Promise<boolean>;
  };
  zKey: {
    newZKey(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<unknown>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHashHex: string, numIterationsExp: number): Promise<unknown>;
    exportVerificationKey(zkeyFile: string): Promise<SnarkjsVerificationKey>;
  };
}

let cached: Promise<SnarkjsApi> | undefined;

/** snarkjs, loaded once. */
export function loadSnarkjs(): Promise<SnarkjsApi> {
  const name: string = "snarkjs";
  cached ??= import(name) as Promise<SnarkjsApi>;
  return cached;
}

/** Release snarkjs's worker threads (its curve objects keep them alive) so a process can exit. */
export async function terminateSnarkjsCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  if (g.curve_bn128) {
    await g.curve_bn128.terminate();
    delete g.curve_bn128;
  }
}
