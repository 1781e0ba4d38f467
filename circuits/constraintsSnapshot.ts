// The committed constraint-count snapshot (circuits/constraints.json): which circuit/parameter
// combinations it lists, how to measure them, and how to compare a measurement with the file.
// Written by scripts/constraints-snapshot.ts, checked by test/circuits/constraints.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, compileCircuit, isHeaderCircuit, type AnyCircuitParams, type CircuitName, type CompileOptions } from "./build.ts";
import { PROFILES } from "./profiles.ts";

export const SNAPSHOT_PATH = join(REPO_ROOT, "circuits", "constraints.json");

export interface SnapshotEntry {
  circuit: CircuitName;
  params: AnyCircuitParams;
  /** Profiles whose `olzk setup` builds this combination. */
  profiles: string[];
  optimization: 1 | 2;
  constraints: number;
  /** Header circuits only: constraints / N. */
  perSlot?: number;
}

export interface Snapshot {
  compiler: string;
  note: string;
  entries: Record<string, SnapshotEntry>;
}

interface Target {
  key: string;
  circuit: CircuitName;
  params: AnyCircuitParams;
  optimization: 1 | 2;
  /** Rechecked by test/circuits/constraints.test.ts: what the dev and prod setups build, and the baseline. */
  checked: boolean;
}

/** Every combination in the snapshot (both header curves at N = 4..128 where they compile here). */
export function snapshotTargets(): Target[] {
  const { dev, prod } = PROFILES;
  const t: Target[] = [];
  const shipped = (circuit: CircuitName, params: AnyCircuitParams) => profilesOf(circuit, params).some((p) => p === "dev" || p === "prod");
  for (const N of [4, 16, 64, 128]) {
    const params = { N };
    t.push({ key: `AggregatedHeaderQuorum-N${N}`, circuit: "AggregatedHeaderQuorum", params, optimization: 2, checked: shipped("AggregatedHeaderQuorum", params) });
  }
  for (const N of [4, 8, 16, 32, 64]) t.push({ key: `HeaderQuorum-N${N}`, circuit: "HeaderQuorum", params: { N }, optimization: 2, checked: shipped("HeaderQuorum", { N }) });
  for (const p of [dev, prod]) {
    const params = { depth: p.depth, lockups: p.lockups };
    t.push({ key: `Settlement-D${p.depth}-K${p.lockups}`, circuit: "Settlement", params, optimization: 2, checked: true });
  }
  for (const p of [dev, prod]) {
    const params = { N: p.N, depth: p.depth, lockups: p.lockups };
    t.push({ key: `HeaderSettlement-N${p.N}-D${p.depth}-K${p.lockups}`, circuit: "HeaderSettlement", params, optimization: 2, checked: true });
  }
  t.push({ key: "EdDSAPoseidonBaseline", circuit: "EdDSAPoseidonBaseline", params: {}, optimization: 2, checked: true });
  // The same at --O1, for comparison with the commonly quoted ~8.1k constraints per signature.
  t.push({ key: "EdDSAPoseidonBaseline-O1", circuit: "EdDSAPoseidonBaseline", params: {}, optimization: 1, checked: false });
  t.push({ key: `HeaderQuorum-N${dev.N}-O1`, circuit: "HeaderQuorum", params: { N: dev.N }, optimization: 1, checked: false });
  return t;
}

/** Profiles whose setup builds `circuit` with `params` (HeaderQuorum only where the profile has the per-validator fallback). */
function profilesOf(circuit: CircuitName, params: AnyCircuitParams): string[] {
  return Object.entries(PROFILES)
    .filter(([, p]) => {
      if (isHeaderCircuit(circuit)) return (params as { N: number }).N === p.N && (circuit === "AggregatedHeaderQuorum" || p.perValidator);
      const settles = (params as { depth: number }).depth === p.depth && (params as { lockups: number }).lockups === p.lockups;
      if (circuit === "Settlement") return settles;
      if (circuit === "HeaderSettlement") return settles && (params as { N: number }).N === p.N;
      return false;
    })
    .map(([name]) => name);
}

/** Compiles (or takes from the build cache) one target and returns its snapshot entry. */
export async function measure(target: Target, opts: CompileOptions = {}): Promise<SnapshotEntry> {
  const c = await compileCircuit(target.circuit, target.params as never, { ...opts, optimization: target.optimization });
  const entry: SnapshotEntry = {
    circuit: target.circuit,
    params: target.params,
    profiles: profilesOf(target.circuit, target.params),
    optimization: target.optimization,
    constraints: c.constraints,
  };
  if (isHeaderCircuit(target.circuit)) entry.perSlot = Math.round(c.constraints / (target.params as { N: number }).N);
  return entry;
}

export function readSnapshot(): Snapshot {
  return JSON.parse(readFileSync(SNAPSHOT_PATH, "utf8")) as Snapshot;
}
