// Compiles the top-level circuits (AggregatedHeaderQuorum, HeaderQuorum, Settlement, HeaderSettlement) with circom2 (circom 2.2.3 in wasm)
// into build/circuits/<name>-<params>/, cached by a hash of every circuit source, the circomlib
// and circom2 versions, the parameters and the optimisation level, so a second call with
// nothing changed returns at once. Also: the public-input names of each circuit (the order of
// ENCODING.md "Public inputs") and a witness helper for tests and the prover.
//
// circom2 can only read files under its working directory, so it runs with cwd = the repository
// root and relative paths only.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The top-level circuits, plus "EdDSAPoseidonBaseline": circomlib's EdDSAPoseidonVerifier alone
 * (no parameters), the per-signature baseline that DESIGN section 8 compares HeaderQuorum with.
 */
export type CircuitName = "AggregatedHeaderQuorum" | "HeaderQuorum" | "Settlement" | "HeaderSettlement" | "EdDSAPoseidonBaseline";

/** The two header circuits: same public inputs, same set commitment. */
export type HeaderCircuitName = "AggregatedHeaderQuorum" | "HeaderQuorum";

/** HeaderQuorum(N) / AggregatedHeaderQuorum(N): N validator slots, a power of two >= 2. */
export interface HeaderQuorumParams {
  N: number;
}

/** Settlement(D, K): state tree depth D and K lockup slots. */
export interface SettlementParams {
  depth: number;
  lockups: number;
}

/** HeaderSettlement(N, D, K): AggregatedHeaderQuorum(N) and Settlement(D, K) over one stateRoot. */
export interface HeaderSettlementParams extends HeaderQuorumParams, SettlementParams {}

export type BaselineParams = Record<string, never>;

export type CircuitParams<T extends CircuitName> = T extends HeaderCircuitName
  ? HeaderQuorumParams
  : T extends "Settlement"
    ? SettlementParams
    : T extends "HeaderSettlement"
      ? HeaderSettlementParams
      : BaselineParams;

export type AnyCircuitParams = HeaderQuorumParams | SettlementParams | HeaderSettlementParams | BaselineParams;

export interface CompileOptions {
  /** circom simplification level; 2 (default) is circom's --O2 full simplification. */
  optimization?: 1 | 2;
  /** Recompile even if the cache matches. */
  force?: boolean;
  /** Progress messages (compiling, cache hit). */
  log?: (msg: string) => void;
}

export interface CompiledCircuit {
  name: CircuitName;
  params: AnyCircuitParams;
  /** Absolute output directory, build/circuits/<name>-<params>[-O1]. */
  dir: string;
  r1csPath: string;
  wasmPath: string;
  symPath: string;
  /** Number of R1CS constraints (from the r1cs header). */
  constraints: number;
  /** Public input names in circuit order (ENCODING.md "Public inputs"). */
  publicInputs: string[];
  /** Hex sha256 over sources, library versions, parameters and optimisation level. */
  sourceHash: string;
  optimization: 1 | 2;
}

/** Repository root (circom2 runs here). */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CIRCUITS_DIR = join(REPO_ROOT, "circuits");
const BUILD_DIR = join(REPO_ROOT, "build", "circuits");

/** True for the two header circuits (parameter N, the four header public inputs). */
export function isHeaderCircuit(name: CircuitName): name is HeaderCircuitName {
  return name === "HeaderQuorum" || name === "AggregatedHeaderQuorum";
}

function assertN(name: CircuitName, N: number): void {
  if (!Number.isInteger(N) || N < 2 || N > 1024 || (N & (N - 1)) !== 0) {
    throw new Error(`${name}: N must be a power of two in [2, 1024], got ${N}`);
  }
}

function assertSettlementParams(name: CircuitName, { depth, lockups }: SettlementParams): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > 64) throw new Error(`${name}: depth must be in [1, 64], got ${depth}`);
  if (!Number.isInteger(lockups) || lockups < 1 || lockups > 16) throw new Error(`${name}: lockups must be in [1, 16], got ${lockups}`);
}

function assertParams(name: CircuitName, params: AnyCircuitParams): void {
  if (isHeaderCircuit(name)) {
    assertN(name, (params as HeaderQuorumParams).N);
  } else if (name === "Settlement") {
    assertSettlementParams(name, params as SettlementParams);
  } else if (name === "HeaderSettlement") {
    assertN(name, (params as HeaderSettlementParams).N);
    assertSettlementParams(name, params as HeaderSettlementParams);
  } else if (name === "EdDSAPoseidonBaseline") {
    if (Object.keys(params).length !== 0) throw new Error("EdDSAPoseidonBaseline takes no parameters");
  } else {
    throw new Error(`unknown circuit ${String(name)}`);
  }
}

/** Public input names, in the order they appear in the proof's public signals. */
export function publicInputNames(name: CircuitName, params: AnyCircuitParams): string[] {
  assertParams(name, params);
  const header = ["meta", "stateRoot", "validatorSetRoot", "nextValidatorSetRoot"];
  if (isHeaderCircuit(name)) return header;
  if (name === "EdDSAPoseidonBaseline") return [];
  const { lockups } = params as SettlementParams;
  const claims = ["awayBinding", "resultDigest", ...Array.from({ length: lockups }, (_, k) => `lockDigest[${k}]`)];
  // HeaderSettlement: the header's four, then the settlement's after its stateRoot.
  return name === "HeaderSettlement" ? [...header, ...claims] : ["stateRoot", ...claims];
}

function paramTag(name: CircuitName, params: AnyCircuitParams): string {
  if (isHeaderCircuit(name)) return `N${(params as HeaderQuorumParams).N}`;
  if (name === "EdDSAPoseidonBaseline") return "circomlib";
  const p = params as SettlementParams;
  if (name === "HeaderSettlement") return `N${(params as HeaderSettlementParams).N}-D${p.depth}-K${p.lockups}`;
  return `D${p.depth}-K${p.lockups}`;
}

function mainSource(name: CircuitName, params: AnyCircuitParams): string {
  if (name === "EdDSAPoseidonBaseline") {
    return `pragma circom 2.1.0;\n// Generated by circuits/build.ts; do not edit.\ninclude "circomlib/circuits/eddsaposeidon.circom";\ncomponent main = EdDSAPoseidonVerifier();\n`;
  }
  const header = `pragma circom 2.1.0;\n// Generated by circuits/build.ts; do not edit.\ninclude "circuits/${name}.circom";\n`;
  if (isHeaderCircuit(name)) {
    return `${header}component main {public [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot]} = ${name}(${(params as HeaderQuorumParams).N});\n`;
  }
  const p = params as SettlementParams;
  if (name === "HeaderSettlement") {
    const { N } = params as HeaderSettlementParams;
    return `${header}component main {public [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot, awayBinding, resultDigest, lockDigest]} = HeaderSettlement(${N}, ${p.depth}, ${p.lockups});\n`;
  }
  return `${header}component main {public [stateRoot, awayBinding, resultDigest, lockDigest]} = Settlement(${p.depth}, ${p.lockups});\n`;
}

function listCircomFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCircomFiles(p));
    else if (entry.name.endsWith(".circom")) out.push(p);
  }
  return out.sort();
}

function packageVersion(pkg: string): string {
  return JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")).version as string;
}

/** Hash of everything a compiled circuit depends on. */
export function circuitSourceHash(name: CircuitName, params: AnyCircuitParams, optimization: 1 | 2 = 2): string {
  const h = createHash("sha256");
  h.update(`circomlib@${packageVersion("circomlib")}\ncircom2@${packageVersion("circom2")}\nO${optimization}\n`);
  h.update(mainSource(name, params));
  for (const file of listCircomFiles(CIRCUITS_DIR)) {
    h.update(`\n--${relative(REPO_ROOT, file)}\n`);
    h.update(readFileSync(file));
  }
  return h.digest("hex");
}

/** Reads the constraint count from an .r1cs file's header section. */
export function r1csInfo(r1csPath: string): { constraints: number; wires: number; publicInputs: number; privateInputs: number; outputs: number } {
  const buf = readFileSync(r1csPath);
  if (buf.toString("ascii", 0, 4) !== "r1cs") throw new Error(`${r1csPath}: not an r1cs file`);
  const nSections = buf.readUInt32LE(8);
  let off = 12;
  for (let s = 0; s < nSections; s++) {
    const type = buf.readUInt32LE(off);
    const size = Number(buf.readBigUInt64LE(off + 4));
    off += 12;
    if (type === 1) {
      const n8 = buf.readUInt32LE(off);
      let p = off + 4 + n8;
      const wires = buf.readUInt32LE(p); p += 4;
      const outputs = buf.readUInt32LE(p); p += 4;
      const publicInputs = buf.readUInt32LE(p); p += 4;
      const privateInputs = buf.readUInt32LE(p); p += 4;
      p += 8; // nLabels
      const constraints = buf.readUInt32LE(p);
      return { constraints, wires, publicInputs, privateInputs, outputs };
    }
    off += size;
  }
  throw new Error(`${r1csPath}: no header section`);
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

interface BuildRecord {
  sourceHash: string;
  constraints: number;
}

function resultFor(name: CircuitName, params: AnyCircuitParams, dir: string, rec: BuildRecord, optimization: 1 | 2): CompiledCircuit {
  return {
    name,
    params,
    dir,
    r1csPath: join(dir, "main.r1cs"),
    wasmPath: join(dir, "main_js", "main.wasm"),
    symPath: join(dir, "main.sym"),
    constraints: rec.constraints,
    publicInputs: publicInputNames(name, params),
    sourceHash: rec.sourceHash,
    optimization,
  };
}

/** The build record in `dir` if it is complete and for `sourceHash`. */
function cachedRecord(dir: string, sourceHash: string): BuildRecord | null {
  const files = ["build.json", "main.r1cs", "main.sym", join("main_js", "main.wasm"), join("main_js", "witness_calculator.js"), join("main_js", "package.json")];
  if (!files.every((f) => existsSync(join(dir, f)))) return null;
  try {
    const rec = JSON.parse(readFileSync(join(dir, "build.json"), "utf8")) as BuildRecord;
    return rec.sourceHash === sourceHash ? rec : null;
  } catch {
    return null;
  }
}

/**
 * Compiles `name` with `params` (or returns the cached build). Output: main.circom (generated),
 * main.r1cs, main.sym, main_js/main.wasm and build.json in the returned `dir`.
 */
export async function compileCircuit<T extends CircuitName>(name: T, params: CircuitParams<T>, opts: CompileOptions = {}): Promise<CompiledCircuit> {
  assertParams(name, params);
  const optimization = opts.optimization ?? 2;
  const tag = `${name}-${paramTag(name, params)}${optimization === 2 ? "" : `-O${optimization}`}`;
  const dir = join(BUILD_DIR, tag);
  const sourceHash = circuitSourceHash(name, params, optimization);
  const recordPath = join(dir, "build.json");
  const cached = opts.force ? null : cachedRecord(dir, sourceHash);
  if (cached) {
    opts.log?.(`${tag}: cached (${cached.constraints} constraints)`);
    return resultFor(name, params, dir, cached, optimization);
  }

  // Compile into a private temporary directory at the same depth, then move it into place, so
  // concurrent callers never see a half-written build.
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = join(BUILD_DIR, `.tmp-${tag}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(join(tmp, "main.circom"), mainSource(name, params));
    opts.log?.(`${tag}: compiling with circom2 --O${optimization}`);
    const cli = join("node_modules", "circom2", "cli.js");
    const rel = relative(REPO_ROOT, tmp);
    const { code, output } = await run(
      process.execPath,
      [cli, join(rel, "main.circom"), "--r1cs", "--wasm", "--sym", `--O${optimization}`, "-l", "node_modules", "-l", ".", "-o", rel],
      REPO_ROOT,
    );
    if (code !== 0 || !existsSync(join(tmp, "main.r1cs"))) {
      throw new Error(`circom2 failed for ${tag} (exit ${code}):\n${output}`);
    }
    // The generated witness calculator is CommonJS; the repository's package.json says "module".
    writeFileSync(join(tmp, "main_js", "package.json"), '{ "type": "commonjs" }\n');
    const { constraints } = r1csInfo(join(tmp, "main.r1cs"));
    const rec: BuildRecord = { sourceHash, constraints };
    writeFileSync(join(tmp, "build.json"), JSON.stringify({ name, params, optimization, ...rec }, null, 2) + "\n");
    if (cachedRecord(dir, sourceHash)) {
      // Another process finished the identical build while we compiled: keep theirs.
      return resultFor(name, params, dir, rec, optimization);
    }
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process moved its identical build into place first.
      if (!existsSync(recordPath)) throw e;
    }
    opts.log?.(`${tag}: ${constraints} constraints`);
    return resultFor(name, params, dir, rec, optimization);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

type WitnessCalculator = { calculateWitness(input: unknown, sanityCheck: boolean): Promise<bigint[]> };
type WitnessBuilder = (code: Buffer) => Promise<WitnessCalculator>;
const wasmCache = new Map<string, Buffer>();

/** Input values: decimal strings, bigints or numbers, nested in arrays as the circuit declares. */
export type CircuitInput = Record<string, unknown>;

/**
 * Computes the full witness (wire 0 is 1, then the public inputs in order) with the circuit's
 * generated witness calculator. Throws an Error whose message starts with "Assert Failed" when
 * a constraint (an === or a template assert) does not hold for this input.
 */
export async function calculateWitness(wasmPath: string, input: CircuitInput): Promise<bigint[]> {
  const require = createRequire(import.meta.url);
  const builder = require(join(wasmPath, "..", "witness_calculator.js")) as WitnessBuilder;
  let code = wasmCache.get(wasmPath);
  if (!code) {
    code = readFileSync(wasmPath);
    wasmCache.set(wasmPath, code);
  }
  const wc = await builder(code);
  return wc.calculateWitness(input, true);
}
