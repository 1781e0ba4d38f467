// `olzk bundle`: the files `olzk verify` takes, made from a running Home's HTTP API, with the
// header proofs made locally by the prover.
//   olzk bundle checkpoint  --home URL [--epoch E] [--out FILE]                 -> --checkpoint
//   olzk bundle headers     --home URL --from CHECKPOINT --to HEIGHT [--out]    -> --headers
//   olzk bundle collateral  --home URL --lock ID [--from ..] --out FILE         -> --bundle
// Exit codes: 0 written; 2 usage error, unreadable input, or a Home that cannot be reached or
// cannot serve what was asked (one line on stderr); 3 internal error. Progress on stderr.
import { renameSync, writeFileSync } from "node:fs";
import { parseCommand, UserError, type CommandSpec, type Options } from "../cli/args.ts";
import { runSubcommand, type Subcommand, type SubcommandGroup } from "../cli/subcommands.ts";
import { checkpointToJSON, collateralBundleToJSON, encodeCollateralBundle, headerProofItemToJSON } from "../verifier-ts/bundle.ts";
import { loadCheckpoint } from "../verifier-ts/cli.ts";
import type { Checkpoint } from "../verifier-ts/headerChain.ts";
import { BundleError } from "./assemble.ts";
import { bundleHome, type BundleHome } from "./home.ts";

const SUBCOMMANDS: Record<string, Subcommand> = {
  checkpoint: { summary: "write a checkpoint: the Home's validator set of an epoch (checked like olzk verify validators)", run: (a) => runCheckpoint(a) },
  headers: { summary: "write the header proofs from a checkpoint to a height (proven locally)", run: (a) => runHeaders(a) },
  collateral: { summary: "write a lockup's collateral bundle, JSON or SSZ (header proofs proven locally)", run: (a) => runCollateral(a) },
};

const EXIT = "Exit code 0: file written; 2: usage error, unreadable input, or the Home cannot be reached or cannot serve it; 3: internal error.";

const BUNDLE: SubcommandGroup = {
  name: "bundle",
  summary: "make the files olzk verify takes, from a running Home (its HTTP API), proving headers locally",
  placeholder: "what",
  noun: "bundle",
  commands: SUBCOMMANDS,
  notes: [EXIT],
  isUserError: (e) => e instanceof BundleError,
  // Stop snarkjs's worker threads (if proving started them) so the process can exit.
  cleanup: async () => {
    if ((globalThis as { curve_bn128?: unknown }).curve_bn128) await (await import("../prover/setup/pipeline.ts")).releaseSnarkjs();
  },
};

const homeOpt = { home: { type: "string" } } as const satisfies Options;
const homeHelp = "Home HTTP API base URL, e.g. http://127.0.0.1:8645 (olzk devnet, npm start)";
const proveOpts = { profile: { type: "string" }, quiet: { type: "boolean" } } as const satisfies Options;
const proveHelp = { profile: "artifact profile of the header circuits (default dev; its N must be the Home's set capacity)", quiet: "no progress lines on stderr" };
const fromHelp = "the trusted checkpoint: a checkpoint JSON file (olzk bundle checkpoint --out), or an epoch number E for the Home's own set of epoch E";

function required(v: string | undefined, flag: string, cmd: string): string {
  if (v === undefined || v === "") throw new UserError(`--${flag} is required (see olzk bundle ${cmd} --help)`);
  return v;
}

function uintArg(raw: string, flag: string): bigint {
  if (!/^[0-9]+$/.test(raw)) throw new UserError(`--${flag} must be a whole number, got '${raw}'`);
  return BigInt(raw);
}

function home(raw: string | undefined, cmd: string): BundleHome {
  const url = required(raw, "home", cmd);
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UserError(`--home must be an http:// or https:// URL, got '${url}'`);
  return bundleHome(url);
}

/** --from: a checkpoint file, or an epoch number meaning the Home's own set of that epoch. */
async function checkpointFrom(raw: string, h: BundleHome): Promise<Checkpoint> {
  if (/^[0-9]+$/.test(raw)) return (await import("./make.ts")).makeCheckpoint(h, BigInt(raw));
  return loadCheckpoint(raw);
}

/** Write atomically (a crash leaves the old file or the new one, never half of one); stdout when no path. */
function output(path: string | undefined, data: string | Uint8Array): void {
  if (path === undefined) {
    process.stdout.write(data);
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    throw new UserError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

function progress(quiet: boolean | undefined): ((line: string) => void) | undefined {
  return quiet ? undefined : (line) => process.stderr.write(`olzk bundle: ${line}\n`);
}

const checkpointOptions = { ...homeOpt, epoch: { type: "string" }, out: { type: "string" } } as const satisfies Options;

async function runCheckpoint(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof checkpointOptions> = {
    name: "bundle checkpoint",
    summary: SUBCOMMANDS.checkpoint!.summary,
    usage: "--home URL [--epoch E] [--out checkpoint.json]",
    options: checkpointOptions,
    help: { home: homeHelp, epoch: "epoch whose validator set to start from (default 0, genesis)", out: "write here (default stdout)" },
    notes: `Writes { chainId, epoch, validatorSetRoot } for olzk verify --checkpoint, after checking the set's attestation keys,
BLS bindings and root. The Home serves this set: trust it only as far as you trust that Home (compare the root with one
obtained independently, e.g. the light client's genesis).\n${EXIT}`,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const h = home(v.home, "checkpoint");
  const epoch = v.epoch === undefined ? 0n : uintArg(v.epoch, "epoch");
  const { makeCheckpoint } = await import("./make.ts");
  output(v.out, json(checkpointToJSON(await makeCheckpoint(h, epoch))));
  return 0;
}

const headersOptions = { ...homeOpt, from: { type: "string" }, to: { type: "string" }, out: { type: "string" }, ...proveOpts } as const satisfies Options;

async function runHeaders(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof headersOptions> = {
    name: "bundle headers",
    summary: SUBCOMMANDS.headers!.summary,
    usage: "--home URL --from CHECKPOINT --to HEIGHT [--out headers.json] [--profile P] [--quiet]",
    options: headersOptions,
    help: { home: homeHelp, from: fromHelp, to: "height of the last header", out: "write here (default stdout)", ...proveHelp },
    notes: `Writes a JSON array of { kind, proof, publicSignals } for olzk verify chain --headers: the last header of each epoch
from the checkpoint's (each announces the next set), then the header at --to. Each is proven with AggregatedHeaderQuorum
when it carries an aggregate signature, else with the per-validator HeaderQuorum; the chain is verified before it is
written. Proofs are cached in build/proofs.\n${EXIT}`,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const h = home(v.home, "headers");
  const from = required(v.from, "from", "headers");
  const to = uintArg(required(v.to, "to", "headers"), "to");
  const { makeHeaderChain } = await import("./make.ts");
  const items = await makeHeaderChain(h, await checkpointFrom(from, h), to, { profile: v.profile, progress: progress(v.quiet) });
  output(v.out, json(items.map(headerProofItemToJSON)));
  progress(v.quiet)?.(`${items.length} header proofs${v.out ? ` written to ${v.out}` : ""}`);
  return 0;
}

const collateralOptions = {
  ...homeOpt,
  lock: { type: "string" },
  from: { type: "string" },
  height: { type: "string" },
  ssz: { type: "boolean" },
  json: { type: "boolean" },
  out: { type: "string" },
  ...proveOpts,
} as const satisfies Options;

async function runCollateral(argv: string[]): Promise<number> {
  const spec: CommandSpec<typeof collateralOptions> = {
    name: "bundle collateral",
    summary: SUBCOMMANDS.collateral!.summary,
    usage: "--home URL --lock ID [--from CHECKPOINT] [--height H] [--ssz | --json] --out FILE [--profile P] [--quiet]",
    options: collateralOptions,
    help: {
      home: homeHelp,
      lock: "lockup id",
      from: `${fromHelp} (default 0)`,
      height: "read the lockup from the state of this block (default: the latest sealed block)",
      ssz: "write the SSZ bytes of the bundle",
      json: "write the JSON bundle (the default)",
      out: "bundle file to write",
      ...proveHelp,
    },
    notes: `The bundle carries the checkpoint, the header proofs from it to the state's height, the lockup and its state
proof; olzk verify collateral --checkpoint must name the same checkpoint (olzk bundle checkpoint writes it).\n${EXIT}`,
  };
  const parsed = parseCommand(spec, argv);
  if (!parsed) return 0;
  const v = parsed.values;
  const h = home(v.home, "collateral");
  const lockId = uintArg(required(v.lock, "lock", "collateral"), "lock");
  if (v.ssz && v.json) throw new UserError("give at most one of --ssz and --json");
  const out = required(v.out, "out", "collateral");
  const height = v.height === undefined ? undefined : uintArg(v.height, "height");
  const { makeCollateralBundle } = await import("./make.ts");
  const checkpoint = await checkpointFrom(v.from ?? "0", h);
  const bundle = await makeCollateralBundle(h, checkpoint, lockId, { profile: v.profile, progress: progress(v.quiet), ...(height !== undefined ? { height } : {}) });
  output(out, v.ssz ? encodeCollateralBundle(bundle) : json(collateralBundleToJSON(bundle)));
  progress(v.quiet)?.(`lockup ${lockId} bundle (${bundle.headers.length} header proofs, state at height ${bundle.stateHeight}) written to ${out}`);
  return 0;
}

/** `olzk bundle <what> ...`: returns the exit code; prints one line for any error. */
export function run(argv: string[]): Promise<number> {
  return runSubcommand(BUNDLE, argv);
}
