#!/usr/bin/env node
// `npm test`: everything, in order. Vitest runs the TypeScript, circuit, prover, relayer
// and contract tests (contract tests drive Hardhat's EDR in process).
import { spawnSync } from "node:child_process";

function step(cmd, args) {
  console.log(`\n> ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// Dev-profile Groth16 artifacts (compile, setup, verifiers): built when missing or stale, a
// quick "cached" pass otherwise. A cold setup takes a few minutes on 2 cores.
step("node", ["bin/olzk.mjs", "setup", "--profile", "dev"]);
// Contract artifacts (solc-js, offline) for the contract, relayer and end-to-end tests.
step("hardhat", ["build", "--quiet"]);
step("vitest", ["run", ...process.argv.slice(2)]);
