import { configDefaults, defineConfig } from "vitest/config";

// The relayer soak runs for several minutes (6.2 measured at load 8-10 on 2 cores, 10-13 at load 14), too long
// for `npm test`: `npm run test:soak` runs it (OLZK_SOAK=1), and so does .ci/run after `npm test`.
const SOAK = "test/relayer/soak.test.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: process.env.OLZK_SOAK === "1" ? configDefaults.exclude : [...configDefaults.exclude, SOAK],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Proof generation (snarkjs already uses every core), Hardhat nodes and PostgreSQL are CPU
    // heavy and some tests measure timeouts: run files one at a time so they stay deterministic.
    fileParallelism: false,
    pool: "forks",
  },
});
