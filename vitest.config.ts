import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Proof generation and Hardhat are CPU heavy; two cores, so run files one or two at a time.
    fileParallelism: true,
    maxWorkers: 2,
    pool: "forks",
  },
});
