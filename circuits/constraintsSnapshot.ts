// The committed constraint-count snapshot (circuits/constraints.json): which circuit/parameter
// combinations it lists, how to measure them, and how to compare a measurement with the file.
// Written by scripts/constraints-snapshot.ts, checked by test/circuits/constraints.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, compileCircuit, type AnyCircuitParams, type CircuitName, type CompileOptions } from "./build.ts";
import { PROFILES } from "./profiles.ts";

export const SNAPSHOT_PATH = join(REPO_ROOT, "circuits", "constraints.json");

export interface SnapshotEntry {
  circuit: CircuitName;
  params: AnyCircuitParams;
  /** Profiles that ship this combination. */
  profiles: string[];
  optimization: 1 | 2;
  constraints: number;
  /** HeaderQuorum only: constraints / N. */
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
  dev: boolean;
}

/** Every combination in the snapshot; `dev` ones are rechecked by the test. */
export function snapshotTargets(): Target[] {
  const { dev, prod } = PROFILES;
  const t: Target[] = [];
  for (const N of [4, 8, 16, 32, 64]) t.push({ key: `HeaderQuorum-N${N}`, circuit: "HeaderQuorum", params: { N }, optimization: 2, dev: N === dev.N });
  t.push({ key: `Settlement-D${dev.depth}-K${dev.lockups}`, circuit: "Settlement", params: { depth: dev.depth, lockups: dev.lockups }, optimization: 2, dev: true });
  t.push({ key: `Settlement-D${prod.depth}-K${prod.lockups}`, circuit: "Settlement", params: { depth: prod.depth, lockups: prod.lockups }, optimization: 2, dev: false });
  t.push({ key: "EdDSAPoseidonBaseline", circuit: "EdDSAPoseidonBaseline", params: {}, optimization: 2, dev: true });
  // The same at --O1, for comparison with the commonly quoted ~8.1k constraints per signature.
  t.push({ key: "EdDSAPoseidonBaseline-O1", circuit: "EdDSAPoseidonBaseline", params: {}, optimization: 1, dev: false });
  t.push({ key: `HeaderQuorum-N${dev.N}-O1`, circuit: "HeaderQuorum", params: { N: dev.N }, optimization: 1, dev: false });
  return t;
}

function profilesOf(circuit: CircuitName, params: AnyCircuitParams): string[] {
  return Object.entries(PROFILES)
    .filter(([, p]) =>
      circuit === "HeaderQuorum"
        ? (params as { N: number }).N === p.N
        : circuit === "Settlement"
          ? (params as { depth: number }).depth === p.depth && (params as { lockups: number }).lockups === p.lockups
          : false,
    )
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
  if (target.circuit === "HeaderQuorum") entry.perSlot = Math.round(c.constraints / (target.params as { N: number }).N);
  return entry;
}

export function readSnapshot(): Snapshot {
  return JSON.parse(readFileSync(SNAPSHOT_PATH, "utf8")) as Snapshot;
}
