// Trusted-setup pipeline behind `olzk setup`: for a profile, compile each circuit (via
// circuits/build.ts), resolve a powers-of-tau file, run Groth16 setup plus one phase-2
// contribution, export the verification key, our Solidity verifier and snarkjs's verifier.
// Artifacts go to build/setup/<profile>/<Circuit>/ with a manifest.json; they are cached by a
// hash of (circuit sources + parameters + ptau hash + contribution mode), so a second run
// is instant. The dev profiles (dev, dev16: `insecure` in circuits/profiles.ts), and any profile
// set up from an insecure ptau (--allow-insecure-ptau, as CI does for prod with ../shared/ptau),
// use a fixed public beacon as their phase-2 contribution, so their outputs are reproducible
// byte for byte; such artifacts are marked insecure and loadArtifacts accepts them only for a
// local network (dev profiles: also when no network is named). dev and prod write the committed
// verifiers (contracts/generated/ and contracts/generated/prod/).
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { isProcessAlive } from "../../runtime/process.ts";
import { REPO_ROOT, loadSnarkjs, requiredPower, resolvePtau, type ResolvePtauOptions, type ResolvedPtau } from "./ptau.ts";
import { GENERATED_HEADER, generateSolidityVerifier, type Groth16VerificationKey } from "./solidity-verifier.ts";
import type { AnyCircuitParams, CompiledCircuit as BuiltCircuit, CircuitName } from "../../circuits/build.ts";
import { PROFILES, type CircuitProfile, type ProfileName } from "../../circuits/profiles.ts";

export type { ProfileName };

/**
 * aggregated: AggregatedHeaderQuorum(N); headerQuorum: the per-validator HeaderQuorum(N); settlement;
 * headerSettlement: HeaderSettlement(N, D, K), a header and a settlement in one proof.
 */
export type CircuitKind = "aggregated" | "headerQuorum" | "settlement" | "headerSettlement";

/** What setup needs of circuits/build.ts compileCircuit's output (tests compile fixtures). */
export type CompiledCircuit = Pick<BuiltCircuit, "r1csPath" | "wasmPath" | "constraints" | "dir" | "sourceHash">;
export type CompileFn = (name: string, params: Record<string, number>) => Promise<CompiledCircuit>;

/** One circuit of a profile. */
export interface CircuitSpec {
  kind: string;
  /** Template / file name under circuits/ (HeaderQuorum, Settlement). */
  name: string;
  params: Record<string, number>;
  /** Our verifier's contract name. */
  contractName: string;
  /** Contract name of the plain snarkjs verifier (gas benchmark only). */
  snarkjsContractName: string;
}

/** The phase-2 beacon of the dev profile: public, fixed, so dev zkeys are reproducible (and insecure). */
export const DEV_BEACON = {
  name: "olzk dev beacon (INSECURE, public)",
  hash: createHash("sha256").update("olzk dev profile phase-2 beacon v1").digest("hex"),
  iterationsExp: 10,
};

/** Bumped when the pipeline's output format changes, so caches are invalidated. */
const PIPELINE_VERSION = 2;

export const BUILD_DIR = join(REPO_ROOT, "build", "setup");
export const GENERATED_DIR = join(REPO_ROOT, "contracts", "generated");
/** Profiles whose generated verifiers are committed, and where. */
export const COMMITTED_GENERATED: Readonly<Record<string, string>> = { dev: GENERATED_DIR, prod: join(GENERATED_DIR, "prod") };

/** Where a profile's generated verifiers and vkeys go (committed for dev and prod, build/ otherwise). */
export function generatedDirFor(profile: string, buildDir: string = BUILD_DIR): string {
  return COMMITTED_GENERATED[profile] ?? join(buildDir, profile, "generated");
}

/** Contract-name prefix of a profile's generated verifiers: none for dev, e.g. "Prod" for prod (names stay unique in one Hardhat build). */
export function contractPrefix(profile: string): string {
  return profile === "dev" ? "" : profile.split(/[^a-zA-Z0-9]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

export interface ArtifactManifest {
  circuit: string;
  kind: string;
  profile: string;
  params: Record<string, number>;
  insecure: boolean;
  cacheKey: string;
  /** Hash of the circuit sources (circuits/build.ts) of the latest compile that hit this key. */
  sourceHash: string;
  /** sha256 of the .r1cs: what the zkey depends on (comment-only source edits keep it). */
  r1csSha256: string;
  constraints: number;
  nPublic: number;
  ptau: { file: string; blake2b: string; power: number; source: string; insecure: boolean };
  contribution: { type: "beacon"; name: string; hash: string; iterationsExp: number } | { type: "random"; name: string; contributions: number };
  files: { r1cs: string; wasm: string; zkey: string; vkey: string };
  contractName: string;
  snarkjsContractName: string;
  snarkjsVersion: string;
  setupSeconds: number;
}

export interface ArtifactSet {
  dir: string;
  manifest: ArtifactManifest;
  r1csPath: string;
  wasmPath: string;
  zkeyPath: string;
  vkeyPath: string;
}

export interface SetupOptions {
  profile?: ProfileName | string;
  /** Circuits to set up; default the profile's circuits from circuits/profiles.ts. */
  circuits?: CircuitSpec[];
  compile?: CompileFn;
  /** Where artifacts go; default build/setup. */
  buildDir?: string;
  /** Where generated Solidity + vkeys go; default generatedDirFor(profile). */
  generatedDir?: string;
  /** Ptau options (explicit path, cache dir...); power is filled in per circuit. */
  ptau?: Omit<ResolvePtauOptions, "power">;
  /** Ignore the cache. */
  force?: boolean;
  /** Allow an insecure (dev) ptau for a non-dev profile. */
  allowInsecurePtau?: boolean;
  log?: (line: string) => void;
}

/** Thrown when insecure (dev) artifacts are loaded for a non-dev profile or network. */
export class InsecureArtifactsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InsecureArtifactsError";
  }
}

const SNARKJS_VERSION: string = JSON.parse(
  await readFile(join(REPO_ROOT, "node_modules", "snarkjs", "package.json"), "utf8"),
).version;

/** The profile table, indexable by a name from the command line. */
const PROFILE_TABLE: Readonly<Record<string, CircuitProfile>> = PROFILES;

/**
 * A dev profile (circuits/profiles.ts `insecure: true`, e.g. dev, dev16): single-party beacon
 * setup, dev ptau allowed, artifacts marked insecure and accepted only on local networks.
 */
export function isDevProfile(profile: string): boolean {
  return PROFILE_TABLE[profile]?.insecure === true;
}

function sha256(s: string | Buffer): string {
  return createHash("sha256").update(s).digest("hex");
}

/**
 * The circuits of a profile, with parameters from circuits/profiles.ts: the aggregated header
 * circuit, the per-validator HeaderQuorum where the profile builds it (or when `perValidator`
 * asks for it: an operator with a large enough ptau), Settlement, and HeaderSettlement (the header
 * and a settlement in one proof, for AtomicSettlement.settleWithHeader).
 */
export async function profileCircuits(profile: string, opts: { perValidator?: boolean } = {}): Promise<CircuitSpec[]> {
  const p = PROFILE_TABLE[profile];
  if (!p) throw new Error(`unknown profile '${profile}' (known: ${Object.keys(PROFILE_TABLE).join(", ")})`);
  const prefix = contractPrefix(profile);
  const spec = (kind: CircuitKind, name: string, params: Record<string, number>): CircuitSpec => ({
    kind,
    name,
    params,
    contractName: `${prefix}${name}Verifier`,
    snarkjsContractName: `Snarkjs${prefix}${name}Verifier`,
  });
  return [
    spec("aggregated", "AggregatedHeaderQuorum", { N: p.N }),
    ...(p.perValidator || opts.perValidator ? [spec("headerQuorum", "HeaderQuorum", { N: p.N })] : []),
    spec("settlement", "Settlement", { depth: p.depth, lockups: p.lockups }),
    spec("headerSettlement", "HeaderSettlement", { N: p.N, depth: p.depth, lockups: p.lockups }),
  ];
}

async function defaultCompile(name: string, params: Record<string, number>): Promise<CompiledCircuit> {
  // Loaded on first compile only (a cached setup compiles nothing). compileCircuit checks the
  // parameters of the name; a name with no circuit file fails there.
  const { compileCircuit } = await import("../../circuits/build.ts");
  return compileCircuit(name as CircuitName, params as AnyCircuitParams);
}

/** Console progress for steps that take more than a few seconds (quick steps print nothing). */
function timed<T>(log: (l: string) => void, label: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  let shown = false;
  const first = setTimeout(() => {
    shown = true;
    log(`${label}...`);
  }, 2000);
  const timer = setInterval(() => log(`${label}... ${Math.round((Date.now() - t0) / 1000)} s`), 10_000);
  return f().finally(() => {
    clearTimeout(first);
    clearInterval(timer);
    if (shown) log(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}

/** Run setup for every circuit of the profile; returns the artifact sets by kind. */
export async function runSetup(opts: SetupOptions = {}): Promise<Record<string, ArtifactSet>> {
  const profile = opts.profile ?? "dev";
  const log = opts.log ?? ((l: string) => console.error(l));
  const circuits = opts.circuits ?? (await profileCircuits(profile));
  const compile = opts.compile ?? defaultCompile;
  const buildDir = opts.buildDir ?? BUILD_DIR;
  const generatedDir = opts.generatedDir ?? generatedDirFor(profile, buildDir);
  const out: Record<string, ArtifactSet> = {};
  const unlock = await lockDir(join(buildDir, `${profile}.lock`), log);
  try {
    const compiled: CompiledForSetup[] = [];
    for (const spec of circuits) compiled.push(await compileForSetup(spec, compile, log));
    // Should no ptau be found, one local ceremony of the largest power serves every circuit of the run.
    const ceremonyPower = Math.max(...compiled.map((c) => c.power));
    for (const c of compiled) {
      out[c.spec.kind] = await setupCircuit(c, { ...opts, profile, log, buildDir, ceremonyPower });
      await writeGenerated(out[c.spec.kind]!, generatedDir);
    }
    await writeIfChanged(join(generatedDir, SETUP_RECORD), setupRecord(profile, out));
  } finally {
    await unlock();
  }
  return out;
}

/**
 * A cross-process lock (a directory holding the owner's pid), so two processes (e.g. two test
 * files) never set up the same profile at once; a lock whose owner died is taken over.
 */
async function lockDir(path: string, log: (l: string) => void): Promise<() => Promise<void>> {
  await mkdir(join(path, ".."), { recursive: true });
  let waited = false;
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, "pid"), String(process.pid));
      return () => rm(path, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number(await readFile(join(path, "pid"), "utf8").catch(() => "0"));
    if (!isProcessAlive(pid)) {
      // Owner gone (or still writing its pid): give a fresh lock a moment before taking it over.
      await new Promise((r) => setTimeout(r, 500));
      const again = Number(await readFile(join(path, "pid"), "utf8").catch(() => "0"));
      if (again === pid) await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!waited) log(`setup: waiting for process ${pid}, which is setting up the same artifacts`);
    waited = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Name of the committed record of what the generated files were made from. */
export const SETUP_RECORD = "setup.json";

/** Deterministic summary of a setup run (no timings): which sources, ptau and contribution. */
export function setupRecord(profile: string, sets: Record<string, ArtifactSet>): string {
  const circuits: Record<string, unknown> = {};
  for (const [kind, s] of Object.entries(sets)) {
    const m = s.manifest;
    circuits[kind] = {
      circuit: m.circuit,
      params: m.params,
      constraints: m.constraints,
      nPublic: m.nPublic,
      r1csSha256: m.r1csSha256,
      cacheKey: m.cacheKey,
      ptau: { file: m.ptau.file, blake2b: m.ptau.blake2b, power: m.ptau.power },
      contribution: m.contribution,
      contractName: m.contractName,
      snarkjsContractName: m.snarkjsContractName,
    };
  }
  return JSON.stringify({ comment: GENERATED_HEADER, profile, insecure: Object.values(sets).some((s) => s.manifest.insecure), circuits }, null, 2) + "\n";
}

async function writeIfChanged(path: string, content: string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const old = await readFile(path, "utf8").catch(() => null);
  if (old !== content) await writeFile(path, content);
}

/** A compiled circuit with the ptau power its setup needs. */
interface CompiledForSetup {
  spec: CircuitSpec;
  label: string;
  compiled: CompiledCircuit;
  nPublic: number;
  nConstraints: number;
  power: number;
}

async function compileForSetup(spec: CircuitSpec, compile: CompileFn, log: (l: string) => void): Promise<CompiledForSetup> {
  const label = `${spec.name}(${Object.entries(spec.params).map(([k, v]) => `${k}=${v}`).join(", ")})`;
  const compiled = await timed(log, `setup ${label}: compile`, () => compile(spec.name, spec.params));
  const snarkjs = await loadSnarkjs();
  const info = await snarkjs.r1cs.info(compiled.r1csPath);
  const nPublic = Number(info.nPubInputs) + Number(info.nOutputs);
  const nConstraints = Number(info.nConstraints);
  return { spec, label, compiled, nPublic, nConstraints, power: requiredPower(nConstraints, nPublic) };
}

type CircuitSetupOptions = SetupOptions & { profile: string; log: (l: string) => void; buildDir: string; ceremonyPower: number };
type Contribution = ArtifactManifest["contribution"];

/**
 * Setup of one compiled circuit: find its ptau, then reuse the cached artifacts when they were
 * made from the same r1cs, ptau and contribution, else make a new zkey and vkey in a temporary
 * directory and move it into place (a crash leaves the old artifacts or the new, never half).
 */
async function setupCircuit(c: CompiledForSetup, opts: CircuitSetupOptions): Promise<ArtifactSet> {
  const { profile, log } = opts;
  const ptau = await ptauFor(c, opts);
  // A random contribution on top of an insecure ptau buys nothing: such setups use the beacon too (reproducible).
  const beacon = isDevProfile(profile) || ptau.insecure;
  const contribution: Contribution = beacon
    ? { type: "beacon", ...DEV_BEACON }
    : { type: "random", name: "olzk setup random contribution", contributions: 1 };
  const r1csSha256 = sha256(await readFile(c.compiled.r1csPath));
  const key = { r1csSha256, ptau, beacon, contribution, cacheKey: cacheKeyOf(c.spec, r1csSha256, ptau, beacon, contribution) };
  const dir = join(opts.buildDir, profile, c.spec.name);
  const cached = opts.force ? null : await reuseCached(c, dir, key);
  if (cached) {
    log(`setup ${c.label}: cached (${relative(REPO_ROOT, dir)})`);
    return cached;
  }
  const t0 = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await makeKeys(c, artifactPaths(tmp), ptau, beacon, contribution, log);
  const manifest = manifestOf(c, profile, key, (Date.now() - t0) / 1000);
  await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, ".."), { recursive: true });
  await rename(tmp, dir);
  const set = artifactPaths(dir);
  if (!beacon) logHowToContribute(c.label, set, profile, log);
  return { ...set, manifest };
}

/** The ptau for a circuit's power; an insecure one is refused for a non-dev profile unless allowed. */
async function ptauFor(c: CompiledForSetup, opts: CircuitSetupOptions): Promise<ResolvedPtau> {
  const { profile } = opts;
  // A local single-party ceremony only makes sense where an insecure ptau is acceptable.
  const ceremonyOk = isDevProfile(profile) || Boolean(opts.allowInsecurePtau);
  const ptau = await resolvePtau({
    ...opts.ptau,
    allowCeremony: ceremonyOk && opts.ptau?.allowCeremony !== false,
    power: c.power,
    ceremonyPower: opts.ceremonyPower,
    log: opts.log,
  });
  if (ptau.insecure && !isDevProfile(profile) && !opts.allowInsecurePtau) {
    throw new InsecureArtifactsError(
      `profile '${profile}' needs a public ceremony ptau, but ${ptau.path} (${ptau.source}) is not one; pass --ptau with a Hermez file or --allow-insecure-ptau`,
    );
  }
  return ptau;
}

/** What a circuit's artifacts are made from. */
interface SetupKey {
  cacheKey: string;
  r1csSha256: string;
  ptau: ResolvedPtau;
  beacon: boolean;
  contribution: Contribution;
}

/**
 * The zkey depends on the constraint system, the ptau and the contribution: key the cache on
 * the r1cs bytes (a function of sources + parameters), so edits that leave the r1cs unchanged
 * (comments, formatting) stay cached; the witness wasm is refreshed from the compile.
 */
function cacheKeyOf(spec: CircuitSpec, r1csSha256: string, ptau: ResolvedPtau, beacon: boolean, contribution: Contribution): string {
  return sha256(
    JSON.stringify({
      v: PIPELINE_VERSION,
      circuit: spec.name,
      params: spec.params,
      r1cs: r1csSha256,
      ptau: ptau.blake2b,
      contribution: beacon ? contribution : "random",
      snarkjs: SNARKJS_VERSION,
    }),
  );
}

/**
 * The cached artifacts in `dir` when they are complete and were made from `key` (artifacts of an
 * older pipeline version are reused when their content matches exactly; their manifest is
 * rewritten to the new key and the wasm refreshed); null otherwise.
 */
async function reuseCached(c: CompiledForSetup, dir: string, key: SetupKey): Promise<ArtifactSet | null> {
  const set = artifactPaths(dir);
  const cached = await readManifest(dir);
  const complete = [set.r1csPath, set.wasmPath, set.zkeyPath, set.vkeyPath].every(existsSync);
  const sameContent = async (m: ArtifactManifest) =>
    m.ptau.blake2b === key.ptau.blake2b &&
    JSON.stringify(m.contribution) === JSON.stringify(key.contribution) &&
    (key.beacon || m.contribution.type === "random") &&
    m.snarkjsVersion === SNARKJS_VERSION &&
    JSON.stringify(m.params) === JSON.stringify(c.spec.params) &&
    sha256(await readFile(set.r1csPath)) === key.r1csSha256;
  if (!cached || !complete || (cached.cacheKey !== key.cacheKey && !(await sameContent(cached)))) return null;
  if (cached.cacheKey !== key.cacheKey || cached.sourceHash !== c.compiled.sourceHash) {
    cached.cacheKey = key.cacheKey;
    cached.r1csSha256 = key.r1csSha256;
    await copyFile(c.compiled.wasmPath, set.wasmPath);
    cached.sourceHash = c.compiled.sourceHash;
    await writeFile(join(dir, "manifest.json"), JSON.stringify(cached, null, 2) + "\n");
  }
  return { ...set, manifest: cached };
}

/** Groth16 setup and the phase-2 contribution into `out` (r1cs, wasm, zkey, vkey). */
async function makeKeys(c: CompiledForSetup, out: Omit<ArtifactSet, "manifest">, ptau: ResolvedPtau, beacon: boolean, contribution: Contribution, log: (l: string) => void): Promise<void> {
  const { label } = c;
  const snarkjs = await loadSnarkjs();
  await copyFile(c.compiled.r1csPath, out.r1csPath);
  await copyFile(c.compiled.wasmPath, out.wasmPath);
  log(`setup ${label}: ${c.nConstraints} constraints, ${c.nPublic} public, ptau 2^${ptau.power} from ${ptau.source} (${ptau.path})`);
  const zkey0 = join(out.dir, "circuit_0000.zkey");
  const slog = snarkjsLogger(log);
  await timed(log, `setup ${label}: groth16 setup`, async () => {
    const r = await snarkjs.zKey.newZKey(out.r1csPath, ptau.path, zkey0, slog);
    if (r === -1) throw new Error(`groth16 setup failed for ${label} (see messages above)`);
  });
  await timed(log, `setup ${label}: phase-2 ${beacon ? "dev beacon" : "random contribution"}`, async () => {
    if (beacon) await snarkjs.zKey.beacon(zkey0, out.zkeyPath, DEV_BEACON.name, DEV_BEACON.hash, DEV_BEACON.iterationsExp, slog);
    else await snarkjs.zKey.contribute(zkey0, out.zkeyPath, contribution.name, randomBytes(32).toString("hex"), slog);
  });
  await rm(zkey0);
  const vk = await snarkjs.zKey.exportVerificationKey(out.zkeyPath);
  await writeFile(out.vkeyPath, JSON.stringify(vk, null, 2) + "\n");
}

function manifestOf(c: CompiledForSetup, profile: string, key: SetupKey, setupSeconds: number): ArtifactManifest {
  const { spec, compiled } = c;
  const { ptau } = key;
  return {
    circuit: spec.name,
    kind: spec.kind,
    profile,
    params: spec.params,
    insecure: isDevProfile(profile) || ptau.insecure,
    cacheKey: key.cacheKey,
    sourceHash: compiled.sourceHash,
    r1csSha256: key.r1csSha256,
    constraints: c.nConstraints,
    nPublic: c.nPublic,
    ptau: { file: ptau.path.split("/").pop()!, blake2b: ptau.blake2b, power: ptau.power, source: ptau.source, insecure: ptau.insecure },
    contribution: key.contribution,
    files: { r1cs: "circuit.r1cs", wasm: "circuit.wasm", zkey: "circuit_final.zkey", vkey: "verification_key.json" },
    contractName: spec.contractName,
    snarkjsContractName: spec.snarkjsContractName,
    snarkjsVersion: SNARKJS_VERSION,
    setupSeconds,
  };
}

function logHowToContribute(label: string, set: Omit<ArtifactSet, "manifest">, profile: string, log: (l: string) => void): void {
  log(
    `setup ${label}: one random phase-2 contribution applied. To add more: ` +
      `npx snarkjs zkey contribute ${relative(REPO_ROOT, set.zkeyPath)} next.zkey, move next.zkey over it, ` +
      `npx snarkjs zkey export verificationkey it to ${relative(REPO_ROOT, set.vkeyPath)}, check with npx snarkjs zkey verify, ` +
      `then re-run olzk setup --profile ${profile} (cached) to regenerate the Solidity verifiers from the new key.`,
  );
}

function artifactPaths(dir: string): Omit<ArtifactSet, "manifest"> {
  return {
    dir,
    r1csPath: join(dir, "circuit.r1cs"),
    wasmPath: join(dir, "circuit.wasm"),
    zkeyPath: join(dir, "circuit_final.zkey"),
    vkeyPath: join(dir, "verification_key.json"),
  };
}

async function readManifest(dir: string): Promise<ArtifactManifest | null> {
  try {
    return JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as ArtifactManifest;
  } catch {
    return null;
  }
}

function snarkjsLogger(log: (l: string) => void) {
  return { debug: () => {}, info: () => {}, warn: (m: string) => log(`snarkjs: ${m}`), error: (m: string) => log(`snarkjs: ${m}`) };
}

/** The generated files of one circuit, as file name -> content (deterministic). */
export async function generatedFiles(set: ArtifactSet): Promise<Record<string, string>> {
  const m = set.manifest;
  const vkText = await readFile(set.vkeyPath, "utf8");
  const vk = JSON.parse(vkText) as Groth16VerificationKey;
  const notes = [
    `Circuit ${m.circuit}(${Object.entries(m.params).map(([k, v]) => `${k}=${v}`).join(", ")}), profile ${m.profile}${m.insecure ? " (INSECURE dev setup)" : ""}.`,
    `r1cs sha256 ${m.r1csSha256}; ptau ${m.ptau.file} blake2b ${m.ptau.blake2b.slice(0, 16)}...`,
  ];
  const ours = generateSolidityVerifier(vk, m.contractName, { notes });
  const snarkjs = await loadSnarkjs();
  const template = await readFile(join(REPO_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"), "utf8");
  let plain: string = await snarkjs.zKey.exportSolidityVerifier(set.zkeyPath, { groth16: template });
  if (!/contract Groth16Verifier\b/.test(plain)) throw new Error("unexpected snarkjs verifier template: no 'contract Groth16Verifier'");
  plain = plain.replace(/contract Groth16Verifier\b/, `contract ${m.snarkjsContractName}`);
  plain = `// ${GENERATED_HEADER}. Plain snarkjs ${m.snarkjsVersion} verifier for ${m.circuit}, used only by the gas benchmark.\n${plain}`;
  return {
    [`${m.contractName}.sol`]: ours,
    [`snarkjs/${m.snarkjsContractName}.sol`]: plain,
    [`${m.circuit}.vkey.json`]: vkText,
  };
}

async function writeGenerated(set: ArtifactSet, dir: string): Promise<void> {
  for (const [name, content] of Object.entries(await generatedFiles(set))) await writeIfChanged(join(dir, name), content);
}

export interface LoadOptions {
  profile?: string;
  /** The Away network the artifacts will serve; insecure artifacts only for local dev networks. */
  network?: string;
  buildDir?: string;
}

const LOCAL_NETWORKS = new Set(["dev", "devnet", "hardhat", "localhost", "local", "anvil", "test"]);

/**
 * Load the artifacts of one circuit for a profile. Refuses insecure (dev) artifacts for any
 * non-dev profile or non-local network, and artifacts built for another profile.
 */
export async function loadArtifacts(circuit: string, opts: LoadOptions = {}): Promise<ArtifactSet> {
  const profile = opts.profile ?? "dev";
  const dir = join(opts.buildDir ?? BUILD_DIR, profile, circuit);
  const manifest = await readManifest(dir);
  if (!manifest) throw new Error(`no artifacts for ${circuit} (profile ${profile}) in ${dir}: run olzk setup --profile ${profile}`);
  assertArtifactsAllowed(manifest, profile, opts.network);
  return { ...artifactPaths(dir), manifest };
}

/**
 * Insecure artifacts (a dev profile, or a ptau that is not a public ceremony's) serve local
 * networks only: refused for a named non-local network, and for a non-dev profile unless a
 * local network is named (CI's prod setup from the dev ptau is for tests and the local stack).
 */
export function assertArtifactsAllowed(manifest: ArtifactManifest, profile: string, network?: string): void {
  if (manifest.profile !== profile) {
    throw new InsecureArtifactsError(`artifacts of ${manifest.circuit} were built for profile '${manifest.profile}', not '${profile}'`);
  }
  if (!manifest.insecure) return;
  if (network !== undefined && !LOCAL_NETWORKS.has(network)) {
    throw new InsecureArtifactsError(`refusing INSECURE dev artifacts of ${manifest.circuit} for network '${network}'`);
  }
  if (!isDevProfile(profile) && network === undefined) {
    throw new InsecureArtifactsError(
      `refusing INSECURE dev artifacts of ${manifest.circuit} for profile '${profile}' (built from an insecure ptau; allowed for a local network only)`,
    );
  }
}

/**
 * Make sure the artifacts of a profile exist and are current (runs setup when missing or
 * stale; a no-op "cached" pass otherwise). What `npm test` and `npm start` call.
 */
export async function ensureArtifacts(profile: string = "dev", opts: Omit<SetupOptions, "profile"> = {}): Promise<Record<string, ArtifactSet>> {
  return runSetup({ ...opts, profile });
}

/** Stop snarkjs's worker threads so a CLI process can exit. */
export async function releaseSnarkjs(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate: () => Promise<void> } };
  if (g.curve_bn128) {
    await g.curve_bn128.terminate();
    delete g.curve_bn128;
  }
}

export type { ResolvedPtau };
