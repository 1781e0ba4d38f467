// ProverPool (prover/pool.ts): real dev-profile proofs made in prover child processes verify and
// carry the same public signals as proofs made in this thread; proofs beyond the pool's size
// wait for a free process; a process killed mid-proof fails that proof (and only it) and the
// next proof gets a new process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProverPool } from "../../prover/pool.ts";
import { proveAggregatedHeaderQuorum, verifyWithSnarkjs } from "../../prover/prover.ts";
import { ensureArtifacts } from "../../prover/setup/pipeline.ts";
import { aggregatedHeader, validatorSet } from "../circuits/fixtures.ts";

const set = validatorSet(4, [10n, 20n, 30n, 40n]);
const header = (height: bigint) => aggregatedHeader(set, [1, 2, 3], { height, stateRoot: 900n + height });
let pool: ProverPool;

beforeAll(async () => {
  await ensureArtifacts("dev", { log: () => {} });
  pool = new ProverPool(1);
}, 900_000);

afterAll(async () => {
  await pool?.close();
});

/** The pid of the pool's one proving process, once a proof has been sent to it. */
async function provingPid(p: ProverPool): Promise<number> {
  for (let i = 0; i < 400 && p.provingPids.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const [pid] = p.provingPids;
  if (!pid) throw new Error("no proving prover process");
  return pid;
}

describe("ProverPool", () => {
  it("proves in a child process what this thread proves, and the proof verifies", async () => {
    const sh = header(1n);
    const here = await proveAggregatedHeaderQuorum(sh, { cacheDir: false });
    const there = await proveAggregatedHeaderQuorum(sh, { cacheDir: false, pool });
    expect(there.publicSignals).toEqual(here.publicSignals);
    expect(await verifyWithSnarkjs("aggregated", there.proof, there.publicSignals)).toBe(true);
  }, 300_000);

  it("runs at most `size` proofs at once; the others wait and are proved in turn", async () => {
    // In turn: in the order the requests reached the pool (each caller prepares its witness
    // input first, so that need not be the order of the calls), observed at the pool itself.
    const finished: number[] = [];
    let arrived = 0;
    const fullProve = pool.fullProve.bind(pool);
    pool.fullProve = (...args) => {
      const seq = arrived++;
      return fullProve(...args).then((r) => (finished.push(seq), r));
    };
    let most = 0;
    const sample = setInterval(() => (most = Math.max(most, pool.provingPids.length)), 20);
    const proofs = await Promise.all([2n, 3n, 4n].map((h) => proveAggregatedHeaderQuorum(header(h), { cacheDir: false, pool }))).finally(() => {
      clearInterval(sample);
      pool.fullProve = fullProve;
    });
    expect(most).toBe(1);
    expect(finished).toEqual([0, 1, 2]);
    for (const p of proofs) expect(await verifyWithSnarkjs("aggregated", p.proof, p.publicSignals)).toBe(true);
  }, 300_000);

  it("a prover process killed mid-proof fails that proof; the next proof gets a new process", async () => {
    const dying = proveAggregatedHeaderQuorum(header(5n), { cacheDir: false, pool });
    const pid = await provingPid(pool);
    process.kill(pid, "SIGKILL");
    await expect(dying).rejects.toThrow(/prover process exited \(SIGKILL\)/);
    const next = await proveAggregatedHeaderQuorum(header(6n), { cacheDir: false, pool });
    expect(pool.provingPids).toEqual([]);
    expect(await verifyWithSnarkjs("aggregated", next.proof, next.publicSignals)).toBe(true);
  }, 300_000);

  it("refuses a size outside 1..16 and proofs after close", async () => {
    expect(() => new ProverPool(0)).toThrow(RangeError);
    expect(() => new ProverPool(17)).toThrow(RangeError);
    const closed = new ProverPool(1);
    await closed.close();
    await expect(proveAggregatedHeaderQuorum(header(7n), { cacheDir: false, pool: closed })).rejects.toThrow(/closed/);
  });
});
