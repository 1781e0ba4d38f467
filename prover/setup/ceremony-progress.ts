// How far a snarkjs 0.7.6 powers-of-tau step has got, read from the debug lines it passes to
// its logger argument. Each tracker takes one message and returns the fraction of the step's
// work done so far and what is being worked on (or undefined when the message says nothing).
// These lines are the only progress points snarkjs gives: in prepare phase 2 the largest FFT
// (tauG2 at 2^power points, about a quarter of the work) is one step of several minutes.
//
// contribute: one line per chunk, `processing: <section>: <i>/<points>`, for tauG1 (2n-1 G1
//   points), tauG2 (n G2), alphaTauG1 and betaTauG1 (n G1 each), betaTauG2 (1 G2).
// preparePhase2: `Starting section: <section>` for tauG1, tauG2, alphaTauG1, betaTauG1; in each
//   section one Lagrange FFT per power p = 0..power (tauG1 also power+1) of 2^p points, whose
//   lines carry the section and p: `<section>: fft <p> mix end: <i>/<chunks>` when a chunk's
//   in-chunk levels are done, `<section>: fft  <p>  join: <i>/<p>` for the cross-chunk levels.
//
// Weights (work per unit, measured on 2 cores at 2^12): an FFT of 2^p points costs ~(p+1)*2^p;
// a G2 point costs ~3.5 times a G1 point; in an FFT the parallel in-chunk levels take ~2/3 of
// the wall time and the single-threaded join and final scaling the rest. Checked on a 2^15
// ceremony at load 8: through 34 min of prepare phase 2 the percentage stayed within ~2 min of
// the share of time elapsed.
export interface StepProgress {
  fraction: number;
  /** The section (and FFT size) being processed, e.g. "tauG2, FFT of 2^15". */
  detail: string;
}
export type StepTracker = (message: string) => StepProgress | undefined;

const G2_COST = 3.5;
const MIX_SHARE = 2 / 3;

type Group = "G1" | "G2";
const groupCost = (g: Group) => (g === "G2" ? G2_COST : 1);

/** Progress of `powersOfTau.contribute` for a file of 2^power. */
export function contributeTracker(power: number): StepTracker {
  const n = 2 ** power;
  const sections: [string, Group, number][] = [
    ["tauG1", "G1", 2 * n - 1],
    ["tauG2", "G2", n],
    ["alphaTauG1", "G1", n],
    ["betaTauG1", "G1", n],
    ["betaTauG2", "G2", 1],
  ];
  const before = new Map<string, number>();
  let total = 0;
  for (const [name, g, points] of sections) {
    before.set(name, total);
    total += points * groupCost(g);
  }
  const group = new Map(sections.map(([name, g]) => [name, g]));
  return (message) => {
    const m = /^processing: (\w+): (\d+)\/\d+$/.exec(message);
    const start = m ? before.get(m[1]!) : undefined;
    if (!m || start === undefined) return undefined;
    return { fraction: (start + Number(m[2]) * groupCost(group.get(m[1]!)!)) / total, detail: m[1]! };
  };
}

/** Progress of `powersOfTau.preparePhase2` for a file of 2^power. */
export function preparePhase2Tracker(power: number): StepTracker {
  // Work units in processing order: (section, p), with the work done before each.
  const sections: [string, Group, number][] = [
    ["tauG1", "G1", power + 1],
    ["tauG2", "G2", power],
    ["alphaTauG1", "G1", power],
    ["betaTauG1", "G1", power],
  ];
  const units = new Map<string, { before: number; weight: number }>();
  let total = 0;
  for (const [name, g, maxP] of sections) {
    for (let p = 0; p <= maxP; p++) {
      const weight = (p + 1) * 2 ** p * groupCost(g);
      units.set(`${name} ${p}`, { before: total, weight });
      total += weight;
    }
  }
  let mixEnds = 0;
  let unitKey = "";
  const at = (section: string, p: number, within: number): StepProgress | undefined => {
    const u = units.get(`${section} ${p}`);
    return u && { fraction: (u.before + within * u.weight) / total, detail: `${section}, FFT of 2^${p}` };
  };
  return (message) => {
    const start = /^Starting section: (\w+)$/.exec(message);
    if (start) return at(start[1]!, 0, 0);
    const fft = /^(\w+): fft\s+(\d+)\s+(mix end: \d+\/(\d+)|join: )/.exec(message);
    if (!fft) return undefined;
    const [section, p] = [fft[1]!, Number(fft[2])];
    if (`${section} ${p}` !== unitKey) {
      unitKey = `${section} ${p}`;
      mixEnds = 0;
    }
    if (fft[4] === undefined) return at(section, p, MIX_SHARE);
    mixEnds++;
    return at(section, p, (MIX_SHARE * mixEnds) / Number(fft[4]));
  };
}
