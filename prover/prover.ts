// Groth16 prover API: Home data (signed headers, state proofs) -> circuit input (prover/inputs/)
// -> snarkjs groth16.fullProve with the setup artifacts (build/setup/<profile>/). Proofs are
// cached on disk by a hash of (artifact cache key, input), so the same input is never proved
// twice; long proofs report progress. Also verifyWithSnarkjs for checking a proof off-chain.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SignedHeader } from "../home/model/index.ts";
import { aggregatedHeaderQuorumInput, headerQuorumInput } from "./inputs/headerQuorum.ts";
import { settlementInput, type SettlementInputArgs } from "./inputs/settlement.ts";
import { COMMITTED_GENERATED, ensureArtifacts, loadArtifacts, type ArtifactSet } from "./setup/pipeline.ts";
import { REPO_ROOT, loadSnarkjs } from "./setup/ptau.ts";
import { FIELD_Q, FIELD_R, proofToCalldata } from "./setup/solidity-verifier.ts";
import type { ProverPool } from "./pool.ts";

export type CircuitName = "AggregatedHeaderQuorum" | "HeaderQuorum" | "Settlement" | "HeaderSettlement";
/** aggregated: AggregatedHeaderQuorum; headerQuorum: the per-validator HeaderQuorum; settlement; headerSettlement: a header and a settlement in one proof. */
export type ProofKind = "aggregated" | "headerQuorum" | "settlement" | "headerSettlement";
/** Which header circuit a header proof is of (what the light client's submitHeader is told). */
export type HeaderProofKind = "aggregated" | "perValidator";

/** snarkjs Groth16 proof JSON. */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

export interface ProofResult {
  proof: Groth16Proof;
  /** Decimal strings, circuit order (ENCODING.md "Public inputs"). */
  publicSignals: string[];
  /** What the Solidity verifier takes: proof in [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y] order. */
  calldata: { proof: bigint[]; pubSignals: bigint[] };
  /** True when the proof came from the on-disk cache. */
  cached: boolean;
  /** Wall time of this call. */
  seconds: number;
}

export interface ProgressEvent {
  circuit: CircuitName;
  stage: "start" | "witness" | "prove" | "done" | "cached";
  elapsedMs: number;
  message?: string;
}

export interface ProveOptions {
  /** Artifact profile (default "dev"). */
  profile?: string;
  /** Away network the proof is for: insecure dev artifacts are refused for non-local networks. */
  network?: string;
  /** Setup artifacts root (default build/setup). */
  buildDir?: string;
  /** Proof cache directory (default build/proofs); false disables the cache. */
  cacheDir?: string | false;
  /** Run the setup when the artifacts are missing (default true for the dev profile). */
  ensure?: boolean;
  onProgress?: (e: ProgressEvent) => void;
  /** Print progress lines to stderr (for the CLI). */
  printProgress?: boolean;
  /**
   * Prove in this pool's child processes (pool.ts) instead of this thread: what else this
   * thread runs cannot stall the proof, nor the proof this thread. Default: in this thread.
   */
  pool?: ProverPool;
}

/** Counters, for tests and metrics. */
export const proverStats = { fullProveCalls: 0, cacheHits: 0 };

export const DEFAULT_PROOF_CACHE = join(REPO_ROOT, "build", "proofs");

const inflight = new Map<string, Promise<ProofResult>>();

const CIRCUIT_OF_KIND: Record<ProofKind, CircuitName> = {
  aggregated: "AggregatedHeaderQuorum",
  headerQuorum: "HeaderQuorum",
  settlement: "Settlement",
  headerSettlement: "HeaderSettlement",
};

function kindOf(circuit: CircuitName): ProofKind {
  return (Object.keys(CIRCUIT_OF_KIND) as ProofKind[]).find((k) => CIRCUIT_OF_KIND[k] === circuit)!;
}

function circuitOf(kind: ProofKind | CircuitName): CircuitName {
  if (kind in CIRCUIT_OF_KIND) return CIRCUIT_OF_KIND[kind as ProofKind];
  if (Object.values(CIRCUIT_OF_KIND).includes(kind as CircuitName)) return kind as CircuitName;
  throw new Error(`unknown proof kind '${String(kind)}'`);
}

/** Load a circuit's artifacts, running the setup first if they are missing (dev profile). */
export async function artifactsFor(circuit: CircuitName, opts: ProveOptions = {}): Promise<ArtifactSet> {
  const profile = opts.profile ?? "dev";
  const load = () => loadArtifacts(circuit, { profile, network: opts.network, buildDir: opts.buildDir });
  try {
    return await load();
  } catch (e) {
    const missing = /no artifacts for/.test((e as Error).message);
    if (!missing || !(opts.ensure ?? profile === "dev")) throw e;
    await ensureArtifacts(profile, { buildDir: opts.buildDir });
    return load();
  }
}

function toResult(proof: Groth16Proof, publicSignals: string[], cached: boolean, t0: number): ProofResult {
  return {
    proof,
    publicSignals,
    calldata: { proof: proofToCalldata(proof), pubSignals: publicSignals.map((s) => BigInt(s)) },
    cached,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** Prove any circuit input with the profile's artifacts (cached by artifact + input hash). */
export async function proveCircuit(circuit: CircuitName, input: Record<string, unknown>, opts: ProveOptions = {}): Promise<ProofResult> {
  const t0 = Date.now();
  const art = await artifactsFor(circuit, opts);
  const key = createHash("sha256").update(art.manifest.cacheKey).update("\0").update(JSON.stringify(input)).digest("hex");
  const progress = (stage: ProgressEvent["stage"], message?: string) => {
    const e: ProgressEvent = { circuit, stage, elapsedMs: Date.now() - t0, message };
    opts.onProgress?.(e);
    if (opts.printProgress) process.stderr.write(`prove ${circuit}: ${stage}${message ? ` ${message}` : ""} (${(e.elapsedMs / 1000).toFixed(1)} s)\n`);
  };
  const cacheDir = opts.cacheDir === false ? null : (opts.cacheDir ?? DEFAULT_PROOF_CACHE);
  const file = cacheDir ? join(cacheDir, circuit, `${key}.json`) : null;
  if (file) {
    const hit = await readFile(file, "utf8").then(JSON.parse, () => null);
    if (hit) {
      proverStats.cacheHits++;
      progress("cached", file);
      return toResult(hit.proof, hit.publicSignals, true, t0);
    }
  }
  const running = inflight.get(key);
  if (running) return running;
  const job = (async () => {
    progress("start", `${art.manifest.constraints} constraints`);
    const timer = setInterval(() => progress("prove"), 5000);
    const logger = {
      debug: (m: string) => {
        if (/witness|wtns/i.test(m)) progress("witness", m);
      },
      info: () => {},
      warn: (m: string) => progress("prove", m),
      error: (m: string) => progress("prove", m),
    };
    let out: { proof: Groth16Proof; publicSignals: string[] };
    try {
      proverStats.fullProveCalls++;
      out = opts.pool
        ? await opts.pool.fullProve(input, art.wasmPath, art.zkeyPath, logger)
        : await (await loadSnarkjs()).groth16.fullProve(input, art.wasmPath, art.zkeyPath, logger);
    } catch (e) {
      throw new Error(`${circuit}: witness generation or proving failed: ${(e as Error).message}`);
    } finally {
      clearInterval(timer);
    }
    if (file) {
      await mkdir(join(file, ".."), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ circuit, artifact: art.manifest.cacheKey, proof: out.proof, publicSignals: out.publicSignals }) + "\n");
      await rename(tmp, file);
    }
    progress("done");
    return toResult(out.proof, out.publicSignals, false, t0);
  })();
  inflight.set(key, job);
  try {
    return await job;
  } finally {
    inflight.delete(key);
  }
}

async function headerArtifacts(circuit: "AggregatedHeaderQuorum" | "HeaderQuorum" | "HeaderSettlement", sh: SignedHeader, opts: ProveOptions): Promise<ArtifactSet> {
  const art = await artifactsFor(circuit, opts);
  const N = art.manifest.params.N;
  if (sh.validatorSet.capacity !== N) {
    throw new RangeError(`validator set capacity ${sh.validatorSet.capacity} does not match ${circuit}(N=${N}) of profile ${art.manifest.profile}`);
  }
  return art;
}

/** Per-validator HeaderQuorum proof of a signed header (N = the set capacity must match the profile). */
export async function proveHeaderQuorum(sh: SignedHeader, opts: ProveOptions = {}): Promise<ProofResult> {
  await headerArtifacts("HeaderQuorum", sh, opts);
  return proveCircuit("HeaderQuorum", headerQuorumInput(sh), opts);
}

/** AggregatedHeaderQuorum proof of a signed header's aggregate signature. */
export async function proveAggregatedHeaderQuorum(sh: SignedHeader, opts: ProveOptions = {}): Promise<ProofResult> {
  await headerArtifacts("AggregatedHeaderQuorum", sh, opts);
  return proveCircuit("AggregatedHeaderQuorum", aggregatedHeaderQuorumInput(sh), opts);
}

/** True when the profile's artifacts (or, for dev, its setup) include the per-validator HeaderQuorum. */
async function hasPerValidator(opts: ProveOptions): Promise<boolean> {
  const profilesPath = "../circuits/profiles.ts";
  const { PROFILES } = (await import(profilesPath)) as { PROFILES: Record<string, { perValidator?: boolean }> };
  if (PROFILES[opts.profile ?? "dev"]?.perValidator) return true;
  return loadArtifacts("HeaderQuorum", { profile: opts.profile ?? "dev", network: opts.network, buildDir: opts.buildDir }).then(
    () => true,
    () => false,
  );
}

/**
 * A header proof: AggregatedHeaderQuorum when the header carries an aggregate signature, else
 * the per-validator HeaderQuorum where the profile has it (the non-interactive fallback).
 * `opts.kind` forces one. Throws a RangeError when neither applies.
 */
export async function proveHeader(sh: SignedHeader, opts: ProveOptions & { kind?: HeaderProofKind } = {}): Promise<ProofResult & { kind: HeaderProofKind }> {
  const kind: HeaderProofKind = opts.kind ?? (sh.aggregate ? "aggregated" : "perValidator");
  if (kind === "aggregated") return { ...(await proveAggregatedHeaderQuorum(sh, opts)), kind };
  if (!(await hasPerValidator(opts))) {
    throw new RangeError(
      `header ${sh.header.height} has no aggregate signature and profile ${opts.profile ?? "dev"} has no per-validator HeaderQuorum circuit (prover/README.md: building it at N = 64)`,
    );
  }
  return { ...(await proveHeaderQuorum(sh, opts)), kind };
}

/** Settlement args; K defaults to the profile's lockup slots. */
export type SettlementProveArgs = Omit<SettlementInputArgs, "K"> & { K?: number };

/** Settlement proof: the auction result leaf and its lockup leaves in stateRoot. */
export async function proveSettlement(args: SettlementProveArgs, opts: ProveOptions = {}): Promise<ProofResult> {
  const art = await artifactsFor("Settlement", opts);
  const K = art.manifest.params.lockups!;
  const D = art.manifest.params.depth!;
  if (args.K !== undefined && args.K !== K) throw new RangeError(`K = ${args.K} does not match Settlement(lockups=${K}) of profile ${art.manifest.profile}`);
  if (args.result.proof.siblings.length !== D) throw new RangeError(`state proof has ${args.result.proof.siblings.length} siblings, the circuit depth is ${D}`);
  return proveCircuit("Settlement", settlementInput({ ...args, K }), opts);
}

/**
 * HeaderSettlement proof: the header's aggregate attestation (as proveAggregatedHeaderQuorum) and
 * the settlement's leaves in that header's stateRoot (as proveSettlement), in one proof for
 * AtomicSettlement.settleWithHeader. Public signals: the header's four, then the settlement's
 * after its stateRoot (ENCODING.md "Public inputs"). Throws a RangeError when the header has no
 * aggregate signature or the settlement is for another stateRoot.
 */
export async function proveHeaderSettlement(sh: SignedHeader, args: SettlementProveArgs, opts: ProveOptions = {}): Promise<ProofResult> {
  const art = await headerArtifacts("HeaderSettlement", sh, opts);
  const K = art.manifest.params.lockups!;
  const D = art.manifest.params.depth!;
  if (args.stateRoot !== sh.header.stateRoot) throw new RangeError(`settlement stateRoot ${args.stateRoot} is not header ${sh.header.height}'s stateRoot`);
  if (args.K !== undefined && args.K !== K) throw new RangeError(`K = ${args.K} does not match HeaderSettlement(lockups=${K}) of profile ${art.manifest.profile}`);
  if (args.result.proof.siblings.length !== D) throw new RangeError(`state proof has ${args.result.proof.siblings.length} siblings, the circuit depth is ${D}`);
  return proveCircuit("HeaderSettlement", { ...aggregatedHeaderQuorumInput(sh), ...settlementInput({ ...args, K }) }, opts);
}

/**
 * The verification key of a circuit: from the profile's build artifacts, or for a profile with
 * committed generated files (dev, prod) without artifacts, the committed <Circuit>.vkey.json.
 */
export async function loadVerificationKey(
  circuit: CircuitName,
  opts: Pick<ProveOptions, "profile" | "network" | "buildDir"> = {},
): Promise<Record<string, any>> {
  const profile = opts.profile ?? "dev";
  try {
    const art = await loadArtifacts(circuit, { profile, network: opts.network, buildDir: opts.buildDir });
    return JSON.parse(await readFile(art.vkeyPath, "utf8"));
  } catch (e) {
    const committed = COMMITTED_GENERATED[profile];
    if (!committed || !/no artifacts for/.test((e as Error).message)) throw e;
    return JSON.parse(await readFile(join(committed, `${circuit}.vkey.json`), "utf8"));
  }
}

/**
 * Verify a proof with snarkjs and the exported verification key of the profile's artifacts.
 * Public signals must be canonical field elements (< r) and proof coordinates < q.
 */
export async function verifyWithSnarkjs(
  kind: ProofKind | CircuitName,
  proof: Groth16Proof,
  publicSignals: (string | bigint)[],
  opts: Pick<ProveOptions, "profile" | "network" | "buildDir"> & { vkey?: Record<string, unknown> } = {},
): Promise<boolean> {
  const circuit = circuitOf(kind);
  const vk = opts.vkey ?? (await loadVerificationKey(circuit, opts));
  if (publicSignals.length !== vk.nPublic) return false;
  const pub: bigint[] = [];
  for (const s of publicSignals) {
    let v: bigint;
    try {
      v = BigInt(s);
    } catch {
      return false;
    }
    if (v < 0n || v >= FIELD_R) return false;
    pub.push(v);
  }
  const coords = [...proof.pi_a.slice(0, 2), ...proof.pi_b.slice(0, 2).flat(), ...proof.pi_c.slice(0, 2)];
  if (coords.some((c) => BigInt(c) < 0n || BigInt(c) >= FIELD_Q)) return false;
  const snarkjs = await loadSnarkjs();
  return snarkjs.groth16.verify(vk, pub.map(String), proof);
}

export { kindOf };
