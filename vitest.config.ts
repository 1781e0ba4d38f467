import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Proof generation (snarkjs already uses every core), Hardhat nodes and PostgreSQL are CPU
    // heavy and some tests measure timeouts: run files one at a time so they stay deterministic.
    fileParallelism: false,
    pool: "forks",
  },
});
