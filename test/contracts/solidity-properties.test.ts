// Runs the Solidity property tests (test/contracts/SettlementInvariants.t.sol: invariant runs over
// random sequences of honest and dishonest actors, and fuzz tests of the pause log and the shared
// rules) with Hardhat's own runner, bounded by hardhat.config.ts, and checks that every one passed.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("Solidity property tests (Hardhat 3 fuzz and invariant runs)", () => {
  it("hold: token conservation, registry solvency, LP value, escrow backing, honest lockups safe, pause log, rules", () => {
    const r = spawnSync(join(ROOT, "node_modules/.bin/hardhat"), ["test", "solidity"], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out.slice(-4000)).toBe(0);
    for (const name of [
      "invariant_tokensConserved",
      "invariant_registrySolvent",
      "invariant_lpValueNeverDecreases",
      "invariant_escrowBacked",
      "invariant_honestLockupsSafe",
      "testFuzz_pausedDuringMatchesBruteForce",
      "testFuzz_rulesNeverShortTheLp",
    ]) {
      expect(out, name).toMatch(new RegExp(`✔ ${name}\\(.*\\(runs: \\d+\\)`));
    }
    expect(out).toMatch(/\b7 passing\b/);
    expect(out).not.toMatch(/\bfailing\b/);
  }, 600_000);
});
