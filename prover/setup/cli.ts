// `olzk setup`: trusted setup for a circuit profile (compile, powers of tau, Groth16 setup,
// phase-2 contribution, verification keys and Solidity verifiers). Cached: a second run is instant.
import { relative } from "node:path";
import { UserError, parseCommand, type CommandSpec } from "../../cli/args.ts";
import { REPO_ROOT } from "./ptau.ts";

const options = {
  profile: { type: "string" },
  ptau: { type: "string" },
  "cache-dir": { type: "string" },
  force: { type: "boolean" },
  "no-download": { type: "boolean" },
  "no-ceremony": { type: "boolean" },
  "allow-insecure-ptau": { type: "boolean" },
  "per-validator": { type: "boolean" },
} as const;

const spec: CommandSpec<typeof options> = {
  name: "setup",
  summary: "compile circuits and run the Groth16 trusted setup for a profile",
  usage: "[--profile dev|dev16|prod] [--ptau FILE] [--per-validator] [--force]",
  options,
  help: {
    profile: "circuit profile from circuits/profiles.ts: dev (N=4), dev16 (N=16; both insecure, local only), prod (N=64) (default dev)",
    "per-validator": "also build the per-validator HeaderQuorum(N) where the profile leaves it out (prod: needs a 2^19 ptau, e.g. the Hermez file)",
    ptau: "powers-of-tau file to use (else OLZK_PTAU, cache, ../shared/ptau, download, dev ceremony)",
    "cache-dir": "ptau cache directory (default $OLZK_CACHE_DIR/ptau or ~/.cache/olzk/ptau)",
    force: "ignore cached artifacts and redo the setup",
    "no-download": "do not try to download the public Hermez ptau",
    "no-ceremony": "fail instead of running a local (insecure, slow) dev ceremony",
    "allow-insecure-ptau": "let a non-dev profile use a non-public ptau (testing only)",
  },
  notes: `Artifacts: build/setup/<profile>/<Circuit>/ (circuit.r1cs, circuit.wasm, circuit_final.zkey,
verification_key.json, manifest.json). Generated Solidity verifiers and vkeys: contracts/generated/
for dev, build/setup/<profile>/generated/ otherwise. The dev profile's phase 2 is a fixed public
beacon (reproducible, INSECURE); other profiles get a random contribution.
Environment: OLZK_PTAU (ptau file), OLZK_CACHE_DIR (cache root), OLZK_SHARED_DIR (the shared
folder whose ptau/ is searched, default ../shared beside the checkout; none hides it).`,
};

export async function run(argv: string[]): Promise<number | void> {
  const args = parseCommand(spec, argv);
  if (!args) return 0;
  const v = args.values;
  const profile = v.profile ?? "dev";
  if (!/^[a-z0-9_-]+$/.test(profile)) throw new UserError(`--profile: bad profile name '${profile}'`);
  const { runSetup, releaseSnarkjs, profileCircuits } = await import("./pipeline.ts");
  const circuits = await profileCircuits(profile, { perValidator: Boolean(v["per-validator"]) }).catch((e: Error) => {
    throw new UserError(e.message);
  });
  const t0 = Date.now();
  try {
    const sets = await runSetup({
      profile,
      circuits,
      force: Boolean(v.force),
      allowInsecurePtau: Boolean(v["allow-insecure-ptau"]),
      ptau: {
        explicitPath: v.ptau,
        cacheDir: v["cache-dir"],
        download: v["no-download"] ? false : undefined,
        allowCeremony: !v["no-ceremony"],
      },
      log: (l) => console.log(l),
    });
    for (const [kind, s] of Object.entries(sets)) {
      const m = s.manifest;
      console.log(
        `${kind}: ${m.circuit} ${m.constraints} constraints, ${m.nPublic} public, ${m.insecure ? "INSECURE " : ""}zkey ${relative(REPO_ROOT, s.zkeyPath)}`,
      );
    }
    console.log(`olzk setup (${profile}): done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await releaseSnarkjs();
  }
  return 0;
}
