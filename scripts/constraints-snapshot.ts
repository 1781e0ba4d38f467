// Recompiles every circuit/parameter combination of the constraint snapshot and rewrites
// circuits/constraints.json (commit the result). `--check` compares instead of writing and exits
// 1 on a difference; `--checked` limits the run to the entries the test rechecks (what the dev and
// prod setups build).
//   npx tsx scripts/constraints-snapshot.ts [--check] [--checked]
import { existsSync, writeFileSync } from "node:fs";
import { SNAPSHOT_PATH, measure, readSnapshot, snapshotTargets, type Snapshot } from "../circuits/constraintsSnapshot.ts";

const args = new Set(process.argv.slice(2));
const check = args.has("--check");
const checkedOnly = args.has("--checked");
const old: Snapshot | null = existsSync(SNAPSHOT_PATH) ? readSnapshot() : null;
const next: Snapshot = {
  compiler: "circom 2.2.3 (circom2 0.2.23), circomlib 2.0.5; --O2 unless the key ends in -O1",
  note: "Written by scripts/constraints-snapshot.ts; checked by test/circuits/constraints.test.ts. Do not edit by hand.",
  entries: { ...(old?.entries ?? {}) },
};
let differs = false;
for (const t of snapshotTargets()) {
  if (checkedOnly && !t.checked) continue;
  const e = await measure(t, { log: (m) => console.error(m) });
  const before = old?.entries[t.key]?.constraints;
  if (before !== e.constraints) differs = true;
  console.log(`${t.key.padEnd(28)} ${String(e.constraints).padStart(8)}${e.perSlot ? `  (${e.perSlot}/slot)` : ""}${before !== undefined && before !== e.constraints ? `  was ${before}` : ""}`);
  next.entries[t.key] = e;
}
if (check) {
  if (differs) {
    console.error("constraint counts differ from circuits/constraints.json; run npx tsx scripts/constraints-snapshot.ts and commit it");
    process.exit(1);
  }
} else {
  writeFileSync(SNAPSHOT_PATH, JSON.stringify(next, null, 2) + "\n");
  console.log(`wrote ${SNAPSHOT_PATH}`);
}
