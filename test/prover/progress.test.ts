// Progress that tells the truth: the dev ceremony's contribute and prepare-phase-2 trackers,
// fed the real snarkjs logger lines, rise steadily to the end instead of sitting at 99% through
// the prepare step; off a terminal, progress comes as plain lines every few seconds.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { contributeTracker, preparePhase2Tracker, type StepTracker } from "../../prover/setup/ceremony-progress.ts";
import { progress } from "../../prover/setup/progress.ts";
import { loadSnarkjs } from "../../prover/setup/ptau.ts";

const POWER = 8;
let root: string;
/** The tracker's value after each snarkjs line that moved it, with the line. */
type Seen = { f: number; detail: string; m: string };
let contribute: Seen[];
let prepare: Seen[];

function recorder(tracker: StepTracker, out: Seen[]) {
  const rec = (m: string) => {
    const at = tracker(m);
    if (at) out.push({ f: at.fraction, detail: at.detail, m });
  };
  return { debug: rec, info: rec, log: rec, warn: rec, error: rec };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "olzk-progress-test-"));
  const snarkjs = await loadSnarkjs();
  const [p0, p1, p2] = ["p0", "p1", "p2"].map((n) => join(root, `${n}.ptau`));
  await snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName("bn128"), POWER, p0);
  contribute = [];
  prepare = [];
  await snarkjs.powersOfTau.contribute(p0, p1, "t", "entropy", recorder(contributeTracker(POWER), contribute));
  await snarkjs.powersOfTau.preparePhase2(p1, p2, recorder(preparePhase2Tracker(POWER), prepare));
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const isRising = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]!);

describe("dev ceremony trackers on real snarkjs lines", () => {
  it("contribute rises through its five sections, from 0 to near the end", () => {
    const fs = contribute.map((c) => c.f);
    expect(isRising(fs)).toBe(true);
    expect(fs[0]).toBe(0);
    expect(contribute.map((c) => c.detail)).toEqual(["tauG1", "tauG2", "alphaTauG1", "betaTauG1", "betaTauG2"]);
    expect(fs.at(-1)).toBeGreaterThan(0.99);
  });

  it("prepare phase 2 moves at every power of every section and is not near 100% before its last section", () => {
    const fs = prepare.map((p) => p.f);
    expect(isRising(fs)).toBe(true);
    expect(fs.every((f) => f >= 0 && f < 1)).toBe(true);
    // One step per Lagrange FFT at least: 4 sections, powers 0..POWER (tauG1 to POWER+1).
    expect(new Set(fs).size).toBeGreaterThan(4 * (POWER + 1));
    const at = (section: string) => prepare.find((p) => p.m === `Starting section: ${section}`)!.f;
    // The old bar showed 99% here: tauG2 (the costliest section) and two more were still to come.
    expect(at("tauG2")).toBeGreaterThan(0.2);
    expect(at("tauG2")).toBeLessThan(0.5);
    expect(at("betaTauG1")).toBeLessThan(0.9);
    expect(fs.at(-1)).toBeGreaterThan(0.95);
    // It says which FFT it is in: the last one is betaTauG1's at the full power.
    expect(prepare.map((p) => p.detail)).toContain(`tauG2, FFT of 2^${POWER}`);
    expect(prepare.at(-1)!.detail).toBe(`betaTauG1, FFT of 2^${POWER}`);
  });
});

describe("progress reporter", () => {
  it("off a terminal: plain lines every interval and a last line with the time taken, no carriage returns", async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, "write");
    const p = progress("ptau: step", { log: (l) => lines.push(l), interactive: false, intervalMs: 40 });
    p.update(0.25);
    await new Promise((r) => setTimeout(r, 150));
    p.update(0.5, "(tauG2)");
    p.update(0.4); // never goes backwards
    await new Promise((r) => setTimeout(r, 60));
    p.done();
    p.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/^ptau: step: 25% \(\d+ s\)$/);
    expect(lines[1]).toMatch(/^ptau: step: 25% \(\d+ s\)$/);
    expect(lines.at(-2)).toMatch(/^ptau: step: 50% \(tauG2\) \(\d+ s\)$/);
    expect(lines.at(-1)).toMatch(/^ptau: step: done in \d+ s$/);
    expect(lines.join("")).not.toContain("\r");
  });

  it("on a terminal: one bar on stderr redrawn in place, ended by a newline", () => {
    const writes: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((s) => (writes.push(String(s)), true));
    const lines: string[] = [];
    const p = progress("ptau: step", { log: (l) => lines.push(l), interactive: true });
    p.update(0.5);
    p.update(0.5);
    p.update(0.5, "(tauG1)");
    p.done();
    write.mockRestore();
    expect(lines).toEqual([]);
    expect(writes.map((w) => w.replace(/\x1b\[K$/, ""))).toEqual([
      "\rptau: step [..............................] 0%, 0 s",
      "\rptau: step [###############...............] 50%, 0 s",
      "\rptau: step [###############...............] 50% (tauG1), 0 s",
      "\rptau: step [##############################] 100%, 0 s",
      "\n",
    ]);
  });
});
