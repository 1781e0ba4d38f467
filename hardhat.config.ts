import { createRequire } from "node:module";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import type { HardhatUserConfig } from "hardhat/config";

// Compile offline with solc-js: Hardhat needs the absolute path of soljson.js.
const require = createRequire(import.meta.url);
const soljson = require.resolve("solc/soljson.js");

const config: HardhatUserConfig = {
  plugins: [hardhatViem],
  solidity: {
    version: "0.8.37",
    path: soljson,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "prague",
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test/contracts",
  },
  // Solidity property tests (test/contracts/*.t.sol): bounded so `npm test` stays within CI's time.
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 24, depth: 40 },
    },
  },
  networks: {
    // `hardhat node` (the Away chain of `npm start` and the end-to-end tests) mines a block per
    // transaction and one a second; without this each extra block in a second pushes block
    // timestamps a second ahead of the wall clock for good, and latencies read from them drift.
    node: { type: "edr-simulated", allowBlocksWithSameTimestamp: true },
    localhost: { type: "http", url: process.env.OLZK_AWAY_RPC ?? "http://127.0.0.1:8545" },
  },
};

export default config;
