// Powers-of-tau resolution for Groth16 setup (DESIGN section 5), in this exact order:
//   1. explicit path (`--ptau`) or env OLZK_PTAU;
//   2. local cache (OLZK_CACHE_DIR/ptau, default ~/.cache/olzk/ptau);
//   3. `ptau/` in a `shared` directory beside the checkout (../shared/ptau; OLZK_SHARED_DIR
//      points it elsewhere, `none` hides it);
//   4. download of the public Perpetual Powers of Tau (Hermez) file for that power,
//      its blake2b-512 checked against the published hash;
//   5. a local single-party dev ceremony (insecure, slow) with a loud warning.
// Every candidate file is parsed (binary header, section table against the file size,
// BN254 prime, prepared for phase 2) and hashed; a file whose name is in a known-hash
// table must match it. A corrupt file is rejected with a clear message; an explicit
// path fails loudly, other sources move on to the next step.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { contributeTracker, preparePhase2Tracker, type StepTracker } from "./ceremony-progress.ts";
import { progress } from "./progress.ts";

/** BN254 base field modulus q, as stored in a ptau header. */
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/**
 * Published blake2b-512 hashes of the Hermez (Perpetual Powers of Tau, 54 contributions,
 * prepared for phase 2) files `powersOfTau28_hez_final_NN.ptau`, as listed in the snarkjs
 * README ("Prepare phase 2" table).
 */
export const HERMEZ_PTAU_BLAKE2B: Readonly<Record<number, string>> = {
  8: "d6a8fb3a04feb600096c3b791f936a578c4e664d262e4aa24beed1b7a9a96aa5eb72864d628db247e9293384b74b36ffb52ca8d148d6e1b8b51e279fdf57b583",
  9: "94f108a80e81b5d932d8e8c9e8fd7f46cf32457e31462deeeef37af1b71c2c1b3c71fb0d9b59c654ec266b042735f50311f9fd1d4cadce47ab234ad163157cb5",
  10: "6cfeb8cda92453099d20120bdd0e8a5c4e7706c2da9a8f09ccc157ed2464d921fd0437fb70db42104769efd7d6f3c1f964bcf448c455eab6f6c7d863e88a5849",
  11: "47c282116b892e5ac92ca238578006e31a47e7c7e70f0baa8b687f0a5203e28ea07bbbec765a98dcd654bad618475d4661bfaec3bd9ad2ed12e7abc251d94d33",
  12: "ded2694169b7b08e898f736d5de95af87c3f1a64594013351b1a796dbee393bd825f88f9468c84505ddd11eb0b1465ac9b43b9064aa8ec97f2b73e04758b8a4a",
  13: "58efc8bf2834d04768a3d7ffcd8e1e23d461561729beaac4e3e7a47829a1c9066d5320241e124a1a8e8aa6c75be0ba66f65bc8239a0542ed38e11276f6fdb4d9",
  14: "eeefbcf7c3803b523c94112023c7ff89558f9b8e0cf5d6cdcba3ade60f168af4a181c9c21774b94fbae6c90411995f7d854d02ebd93fb66043dbb06f17a831c1",
  15: "982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e",
  16: "6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125",
  17: "6247a3433948b35fbfae414fa5a9355bfb45f56efa7ab4929e669264a0258976741dfbe3288bfb49828e5df02c2e633df38d2245e30162ae7e3bcca5b8b49345",
  18: "7e6a9c2e5f05179ddfc923f38f917c9e6831d16922a902b0b4758b8e79c2ab8a81bb5f29952e16ee6c5067ed044d7857b5de120a90704c1d3b637fd94b95b13e",
  19: "bca9d8b04242f175189872c42ceaa21e2951e0f0f272a0cc54fc37193ff6648600eaf1c555c70cdedfaf9fb74927de7aa1d33dc1e2a7f1a50619484989da0887",
  20: "89a66eb5590a1c94e3f1ee0e72acf49b1669e050bb5f93c73b066b564dca4e0c7556a52b323178269d64af325d8fdddb33da3a27c34409b821de82aa2bf1a27b",
};

/** blake2b-512 of the insecure single-contributor dev files in ../shared/ptau (see its README). */
export const DEV_PTAU_BLAKE2B: Readonly<Record<string, string>> = {
  "dev-bn128-16.ptau":
    "c0324433510e0e259165a8cff193cc19d9244bf208696579b3bf13c9d40da902fbb95e35bf2776ba3ce2d4207d79f58cf203edcaa41dc08de84dde8201f1913d",
  "dev-bn128-17.ptau":
    "887f5494db8231678b03aac2077ccbf958e4d0c2698c5d17d1df2340b639416e53224564996e2785c3a9ce5b4c5151ec93a3afa27a8592a4f8e36037cea6aae7",
};

export const HERMEZ_PTAU_BASE_URL = "https://storage.googleapis.com/zkevm/ptau";

export function hermezFileName(power: number): string {
  return `powersOfTau28_hez_final_${String(power).padStart(2, "0")}.ptau`;
}

export type PtauSource = "explicit" | "env" | "cache" | "shared" | "download" | "ceremony";

export interface ResolvedPtau {
  path: string;
  /** Power of the file (it serves circuits up to 2^power constraints, see requiredPower). */
  power: number;
  source: PtauSource;
  /** blake2b-512, lowercase hex. */
  blake2b: string;
  /** True unless the file is a public multi-party ceremony file (hash in HERMEZ_PTAU_BLAKE2B). */
  insecure: boolean;
}

/** Thrown when a ptau file fails its checks (bad header, truncated, wrong hash). */
export class PtauError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PtauError";
  }
}

export interface ResolvePtauOptions {
  /** Minimum power the circuit needs (see requiredPower). */
  power: number;
  /** `--ptau` flag. */
  explicitPath?: string;
  /** Environment (OLZK_PTAU, OLZK_CACHE_DIR, OLZK_SHARED_DIR); default process.env. */
  env?: Record<string, string | undefined>;
  /** Cache directory holding .ptau files; default $OLZK_CACHE_DIR/ptau or ~/.cache/olzk/ptau. */
  cacheDir?: string;
  /** The shared ptau folder; default defaultSharedDir(env); null disables. */
  sharedDir?: string | null;
  /** Download step; `false` disables it. */
  download?: false | DownloadOptions;
  /** Allow the local dev ceremony as a last resort (default true). */
  allowCeremony?: boolean;
  /**
   * Power of the dev ceremony when one must be made (at least `power`): a run whose circuits
   * need several powers makes one file of the largest, which the cache then serves to all.
   */
  ceremonyPower?: number;
  /** Extra known hashes by file name (for tests or private ceremonies). */
  knownHashes?: Record<string, string>;
  log?: (line: string) => void;
}

export interface DownloadOptions {
  /** Base URL; the file name hermezFileName(power) is appended. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Connection timeout (ms) before falling through; default 8000. */
  timeoutMs?: number;
  /** Published hashes by power; default HERMEZ_PTAU_BLAKE2B. */
  hashes?: Readonly<Record<number, string>>;
}

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const base = env.OLZK_CACHE_DIR ?? join(homedir(), ".cache", "olzk");
  return join(base, "ptau");
}

/**
 * The shared ptau folder: `ptau/` in $OLZK_SHARED_DIR, else in the `shared` directory beside
 * the checkout (../shared/ptau). OLZK_SHARED_DIR=none hides it (as does a missing folder).
 */
export function defaultSharedDir(env: Record<string, string | undefined> = process.env): string | null {
  const shared = env.OLZK_SHARED_DIR;
  if (shared === "none") return null;
  return join(shared ? resolve(shared) : resolve(REPO_ROOT, "..", "shared"), "ptau");
}

/**
 * The smallest ptau power that snarkjs `zKey.newZKey` accepts for a circuit:
 * floor(log2(constraints + public inputs + outputs)) + 1.
 */
export function requiredPower(nConstraints: number, nPublic: number): number {
  const n = nConstraints + nPublic;
  return Math.max(1, Math.floor(Math.log2(Math.max(1, n))) + 1);
}

// ---------------------------------------------------------------- file checks

export interface PtauHeader {
  power: number;
  ceremonyPower: number;
  /** Section ids present. */
  sections: number[];
  prepared: boolean;
}

/**
 * Parse and sanity-check a ptau file's binary layout without reading the points:
 * magic "ptau", section table that exactly covers the file, a BN254 header, the
 * point sections of the sizes the power implies, and the phase-2 (Lagrange) section.
 */
export async function readPtauHeader(path: string): Promise<PtauHeader> {
  const fh = await open(path, "r").catch((e: NodeJS.ErrnoException) => {
    throw new PtauError(`${path}: cannot open (${e.code ?? e.message})`);
  });
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, len: number): Promise<Buffer> => {
      if (pos + len > size) throw new PtauError(`${path}: truncated (file is ${size} bytes)`);
      const b = Buffer.alloc(len);
      await fh.read(b, 0, len, pos);
      return b;
    };
    const head = await read(0, 12);
    if (head.toString("latin1", 0, 4) !== "ptau") throw new PtauError(`${path}: not a ptau file (bad magic)`);
    const nSections = head.readUInt32LE(8);
    if (nSections < 1 || nSections > 64) throw new PtauError(`${path}: implausible section count ${nSections}`);
    let pos = 12;
    const table = new Map<number, { p: number; size: number }>();
    for (let i = 0; i < nSections; i++) {
      const h = await read(pos, 12);
      const id = h.readUInt32LE(0);
      const len = Number(h.readBigUInt64LE(4));
      pos += 12;
      if (pos + len > size) throw new PtauError(`${path}: truncated in section ${id} (file is ${size} bytes)`);
      table.set(id, { p: pos, size: len });
      pos += len;
    }
    if (pos !== size) throw new PtauError(`${path}: ${size - pos} trailing bytes after the last section`);
    const hdr = table.get(1);
    if (!hdr || hdr.size !== 4 + 32 + 8) throw new PtauError(`${path}: missing or malformed header section`);
    const hb = await read(hdr.p, hdr.size);
    if (hb.readUInt32LE(0) !== 32) throw new PtauError(`${path}: not a BN254 file (n8 != 32)`);
    const q = BigInt("0x" + Buffer.from(hb.subarray(4, 36)).reverse().toString("hex"));
    if (q !== BN254_Q) throw new PtauError(`${path}: not a BN254 (bn128) file`);
    const power = hb.readUInt32LE(36);
    const ceremonyPower = hb.readUInt32LE(40);
    if (power < 1 || power > 28) throw new PtauError(`${path}: implausible power ${power}`);
    const n = 2 ** power;
    const G1 = 64;
    const G2 = 128;
    const expected: Record<number, number> = { 2: (2 * n - 1) * G1, 3: n * G2, 4: n * G1, 5: n * G1, 6: G2 };
    for (const [id, len] of Object.entries(expected)) {
      const s = table.get(Number(id));
      if (!s) throw new PtauError(`${path}: missing section ${id}`);
      if (s.size !== len) throw new PtauError(`${path}: section ${id} is ${s.size} bytes, expected ${len} for power ${power}`);
    }
    const lag = table.get(12);
    if (lag && lag.size !== (4 * n - 1) * G1) throw new PtauError(`${path}: phase-2 section has the wrong size for power ${power}`);
    return { power, ceremonyPower, sections: [...table.keys()].sort((a, b) => a - b), prepared: lag !== undefined };
  } finally {
    await fh.close();
  }
}

export async function blake2b512File(path: string): Promise<string> {
  const h = createHash("blake2b512");
  await pipeline(createReadStream(path), h);
  return h.digest("hex");
}

/** The known blake2b-512 for a file name, if any (Hermez names, shared dev files, extras). */
export function knownHashFor(name: string, extra: Record<string, string> = {}): string | undefined {
  if (extra[name]) return extra[name];
  if (DEV_PTAU_BLAKE2B[name]) return DEV_PTAU_BLAKE2B[name];
  const m = /^powersOfTau28_hez_final_(\d\d)\.ptau$/.exec(name);
  if (m) return HERMEZ_PTAU_BLAKE2B[Number(m[1])];
  return undefined;
}

function isPublicCeremonyHash(hash: string): boolean {
  return Object.values(HERMEZ_PTAU_BLAKE2B).includes(hash);
}

/**
 * Check one file: parse, prepared for phase 2, power >= minPower, and its hash against
 * `expectedHash` (when given). Returns its power and hash; throws PtauError otherwise.
 */
export async function checkPtauFile(
  path: string,
  minPower: number,
  expectedHash?: string,
): Promise<{ power: number; blake2b: string }> {
  const h = await readPtauHeader(path);
  if (!h.prepared) throw new PtauError(`${path}: not prepared for phase 2 (run snarkjs powersoftau prepare phase2)`);
  if (h.power < minPower) throw new PtauError(`${path}: power ${h.power} is too small, the circuit needs 2^${minPower}`);
  const hash = await blake2b512File(path);
  if (expectedHash && hash !== expectedHash.toLowerCase()) {
    throw new PtauError(`${path}: blake2b-512 mismatch (got ${hash.slice(0, 16)}..., expected ${expectedHash.slice(0, 16)}...): corrupt or tampered`);
  }
  return { power: h.power, blake2b: hash };
}

// ---------------------------------------------------------------- resolution

/** blake2b-512 hashes listed in a folder's README.md table rows (`| name.ptau | ... | <128 hex> |`). */
export async function readmeHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const text = await readFile(join(dir, "README.md"), "utf8").catch(() => "");
  for (const line of text.split("\n")) {
    const name = /^\|\s*([\w.-]+\.ptau)\s*\|/.exec(line)?.[1];
    const hash = /\b([0-9a-f]{128})\b/.exec(line)?.[1];
    if (name && hash) out[name] = hash;
  }
  return out;
}

/** Candidate .ptau files in a directory with their header power, smallest power first. */
async function candidates(dir: string, minPower: number, log: (l: string) => void): Promise<{ path: string; power: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { path: string; power: number }[] = [];
  for (const name of names.filter((n) => n.endsWith(".ptau"))) {
    const path = join(dir, name);
    try {
      const h = await readPtauHeader(path);
      if (h.power >= minPower && h.prepared) out.push({ path, power: h.power });
    } catch (e) {
      log(`ptau: rejecting ${path}: ${(e as Error).message}`);
    }
  }
  return out.sort((a, b) => a.power - b.power || a.path.localeCompare(b.path));
}

/** Resolve a ptau file for a circuit needing 2^power, following DESIGN section 5's order. */
export async function resolvePtau(opts: ResolvePtauOptions): Promise<ResolvedPtau> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((l: string) => console.error(l));
  const p: PtauSearch = { min: opts.power, extra: opts.knownHashes ?? {}, cacheDir: opts.cacheDir ?? defaultCacheDir(env), log };
  // 1. explicit path or env: the user asked for this file, so any failure is fatal.
  const explicit = opts.explicitPath ?? env.OLZK_PTAU;
  if (explicit) return fromExplicit(p, explicit, opts.explicitPath ? "explicit" : "env");
  // 2. local cache, 3. shared folder beside the checkout, 4. download of the public ceremony file
  const sharedDir = opts.sharedDir === undefined ? defaultSharedDir(env) : opts.sharedDir;
  const found =
    (await fromCache(p)) ??
    (sharedDir ? await fromShared(p, sharedDir) : null) ??
    (opts.download !== false ? await fromDownload(p, opts.download ?? {}) : null);
  if (found) return found;
  // 5. local dev ceremony
  if (opts.allowCeremony === false) {
    throw new PtauError(
      `no powers-of-tau file for 2^${p.min}: pass --ptau FILE or set OLZK_PTAU, or put ${hermezFileName(p.min)} in ${p.cacheDir}`,
    );
  }
  const path = await devCeremony(Math.max(p.min, opts.ceremonyPower ?? p.min), p.cacheDir, log);
  return checked(p, path, "ceremony", await readFile(path + ".blake2b", "utf8").then((s) => s.trim()));
}

/** What every step of resolvePtau shares: the power needed, extra known hashes, the cache, the log. */
interface PtauSearch {
  min: number;
  extra: Record<string, string>;
  cacheDir: string;
  log: (l: string) => void;
}

/** A ptau file checked against the power and its expected hash (throws PtauError when it fails). */
async function checked(p: PtauSearch, path: string, source: PtauSource, expected?: string): Promise<ResolvedPtau> {
  const { power, blake2b } = await checkPtauFile(path, p.min, expected);
  return { path, power, source, blake2b, insecure: !isPublicCeremonyHash(blake2b) };
}

function fromExplicit(p: PtauSearch, explicit: string, source: "explicit" | "env"): Promise<ResolvedPtau> {
  const path = resolve(explicit);
  if (!existsSync(path)) throw new PtauError(`${source === "env" ? "OLZK_PTAU" : "--ptau"}: no such file ${path}`);
  return checked(p, path, source, knownHashFor(basename(path), p.extra));
}

async function fromCache(p: PtauSearch): Promise<ResolvedPtau | null> {
  const cacheHashes = { ...(await sidecarHashes(p.cacheDir)), ...p.extra };
  for (const c of await candidates(p.cacheDir, p.min, p.log)) {
    try {
      return await checked(p, c.path, "cache", knownHashFor(basename(c.path), cacheHashes));
    } catch (e) {
      p.log(`ptau: rejecting cached ${c.path}: ${(e as Error).message}`);
    }
  }
  return null;
}

/** A file of the shared folder, only with a known hash (its README's table, or `extra`). */
async function fromShared(p: PtauSearch, sharedDir: string): Promise<ResolvedPtau | null> {
  const sharedHashes = { ...(await readmeHashes(sharedDir)), ...p.extra };
  for (const c of await candidates(sharedDir, p.min, p.log)) {
    const expected = knownHashFor(basename(c.path), sharedHashes);
    if (!expected) {
      p.log(`ptau: skipping ${c.path}: no known blake2b-512 for it (add it to ${join(sharedDir, "README.md")})`);
      continue;
    }
    try {
      return await checked(p, c.path, "shared", expected);
    } catch (e) {
      p.log(`ptau: rejecting shared ${c.path}: ${(e as Error).message}`);
    }
  }
  return null;
}

async function fromDownload(p: PtauSearch, download: DownloadOptions): Promise<ResolvedPtau | null> {
  try {
    const path = await downloadPtau(p.min, p.cacheDir, download, p.log);
    return await checked(p, path, "download");
  } catch (e) {
    // fetch's own message is just "fetch failed"; the reason (DNS, refused, timeout) is its cause.
    const cause = (e as Error).cause instanceof Error ? ` (${((e as Error).cause as Error).message})` : "";
    p.log(`ptau: download failed: ${(e as Error).message}${cause}`);
    return null;
  }
}

/** Hashes recorded next to cache files we produced ourselves (`<file>.blake2b`). */
async function sidecarHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    if (!n.endsWith(".ptau.blake2b")) continue;
    out[n.slice(0, -".blake2b".length)] = (await readFile(join(dir, n), "utf8")).trim();
  }
  return out;
}

/**
 * Download hermezFileName(power) into cacheDir, checking its published blake2b-512 before
 * moving it into place. Fails fast (connection timeout) when the network is closed.
 */
export async function downloadPtau(
  power: number,
  cacheDir: string,
  opts: DownloadOptions,
  log: (l: string) => void = console.error,
): Promise<string> {
  const hashes = opts.hashes ?? HERMEZ_PTAU_BLAKE2B;
  const pick = Object.keys(hashes)
    .map(Number)
    .filter((p) => p >= power)
    .sort((a, b) => a - b)[0];
  if (pick === undefined) throw new PtauError(`no published ptau hash for power >= ${power}`);
  const expected = hashes[pick]!;
  const name = hermezFileName(pick);
  const url = `${(opts.baseUrl ?? HERMEZ_PTAU_BASE_URL).replace(/\/$/, "")}/${name}`;
  const doFetch = opts.fetch ?? fetch;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 8000);
  log(`ptau: downloading ${url}`);
  let res: Response;
  try {
    res = await doFetch(url, { signal: ctl.signal });
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || !res.body) throw new PtauError(`GET ${url}: HTTP ${res.status}`);
  await mkdir(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `.${name}.${process.pid}.part`);
  const total = Number(res.headers.get("content-length") ?? 0);
  const bar = total > 0 ? progress(`ptau: downloading ${name}`, { log }) : undefined;
  let got = 0;
  const h = createHash("blake2b512");
  const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream);
  body.on("data", (chunk: Buffer) => {
    got += chunk.length;
    h.update(chunk);
    bar?.update(got / total);
  });
  try {
    await pipeline(body, createWriteStream(tmp));
    bar?.done();
    const hash = h.digest("hex");
    if (hash !== expected) throw new PtauError(`${url}: blake2b-512 mismatch (got ${hash.slice(0, 16)}..., published ${expected.slice(0, 16)}...)`);
    const dest = join(cacheDir, name);
    await rename(tmp, dest);
    return dest;
  } finally {
    bar?.stop();
    await rm(tmp, { force: true });
  }
}

/**
 * Last resort: a single-party BN254 ceremony of 2^power with snarkjs (new, one random
 * contribution, prepare phase 2). INSECURE: whoever ran it could forge proofs.
 */
export async function devCeremony(power: number, cacheDir: string, log: (l: string) => void = console.error): Promise<string> {
  const banner = "!".repeat(78);
  log(
    [
      banner,
      `!! WARNING: no powers-of-tau file found for 2^${power}. Running a LOCAL SINGLE-PARTY`,
      "!! ceremony. The result is INSECURE (this machine's entropy could forge proofs) and",
      "!! slow (2^15 took 27-36 min on 2 busy cores; each extra power doubles it). Use it for",
      `!! development only. To avoid it, pass --ptau FILE, set OLZK_PTAU, or put`,
      `!! ${hermezFileName(power)} into ${cacheDir}.`,
      banner,
    ].join("\n"),
  );
  const snarkjs = await loadSnarkjs();
  await mkdir(cacheDir, { recursive: true });
  const work = join(tmpdir(), `olzk-ceremony-${process.pid}-${Date.now()}`);
  await mkdir(work, { recursive: true });
  const dest = join(cacheDir, `dev-ceremony-bn128-${power}.ptau`);
  const [p0, p1, p2] = ["p0.ptau", "p1.ptau", "p2.ptau"].map((f) => join(work, f)) as [string, string, string];
  const entropy = createHash("sha256").update(crypto.getRandomValues(new Uint8Array(64))).digest("hex");
  const steps: { name: string; tracker?: StepTracker; run: (logger: SnarkjsLogger) => Promise<unknown> }[] = [
    { name: "new accumulator", run: async (l) => snarkjs.powersOfTau.newAccumulator(await snarkjs.curves.getCurveFromName("bn128"), power, p0, l) },
    { name: "contribute", tracker: contributeTracker(power), run: (l) => snarkjs.powersOfTau.contribute(p0, p1, "olzk local dev ceremony", entropy, l) },
    { name: "prepare phase 2", tracker: preparePhase2Tracker(power), run: (l) => snarkjs.powersOfTau.preparePhase2(p1, p2, l) },
  ];
  try {
    for (const [i, step] of steps.entries()) {
      const bar = progress(`ptau: dev ceremony 2^${power}, step ${i + 1}/${steps.length} ${step.name}`, { log });
      const track = (m: string) => {
        const at = step.tracker?.(m);
        if (at) bar.update(at.fraction, `(${at.detail})`);
      };
      const warn = (m: string) => log(`ptau: snarkjs: ${m}`);
      try {
        await step.run({ debug: track, info: track, log: track, warn, error: warn });
        bar.done();
      } finally {
        bar.stop();
      }
    }
    const hash = await blake2b512File(p2);
    await rename(p2, dest).catch(async () => {
      await writeFile(dest, await readFile(p2));
    });
    await writeFile(dest + ".blake2b", hash + "\n");
    return dest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The logger argument of snarkjs's powers-of-tau functions (newAccumulator also calls `log`). */
interface SnarkjsLogger {
  debug: (m: string) => void;
  info: (m: string) => void;
  log: (m: string) => void;
  warn: (m: string) => void;
  error: (m: string) => void;
}

/** snarkjs has no type declarations: load it untyped in one place. */
export async function loadSnarkjs(): Promise<any> {
  const name = "snarkjs";
  return import(name);
}

/** Size in bytes (for messages). */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
