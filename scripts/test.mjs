#!/usr/bin/env node
// `npm test`: everything, in order. Vitest runs the TypeScript, circuit, prover, relayer
// and contract tests (contract tests drive Hardhat's EDR in process).
import { spawnSync } from "node:child_process";

function step(cmd, args) {
  console.log(`\n> ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Groth16 artifacts (compile, setup, verifiers) of both profiles: built when missing or stale, a
// quick "cached" pass otherwise. dev: both header circuits (N = 4) and Settlement(32, 2); prod:
// AggregatedHeaderQuorum(64) and Settlement(32, 4), from the dev ptau in ../shared/ptau (so marked
// insecure: local networks only). A cold setup takes a few minutes per profile on 2 cores.
// prod first: it needs the larger ptau (2^16 for Settlement(32, 4)), which dev's 2^15 circuits
// reuse from the cache, so a clone with no ../shared and no network makes one ceremony, not two.
step("node", ["bin/olzk.mjs", "setup", "--profile", "prod", "--allow-insecure-ptau"]);
step("node", ["bin/olzk.mjs", "setup", "--profile", "dev"]);
// Contract artifacts (solc-js, offline) for the contract, relayer and end-to-end tests.
step("hardhat", ["build", "--quiet"]);
step("vitest", ["run", ...process.argv.slice(2)]);
