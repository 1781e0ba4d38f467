// `olzk prove`: Groth16 proofs of Home facts. `header` proves a signed header (AggregatedHeaderQuorum
// from its aggregate signature, or the per-validator HeaderQuorum when it has none or with --per-validator),
// `settlement` an auction result with its lockups (Settlement). Data comes from the Home devnet
// HTTP API (home/devnet/API.md) or from a JSON file; the proof JSON goes to --out or stdout.
import { readFile, writeFile } from "node:fs/promises";
import { UserError, parseCommand, type CommandSpec } from "../cli/args.ts";
import type { HomeClient } from "../home/api/index.ts";
import type { SignedHeader, StateProof } from "../home/model/index.ts";
import type { ProofResult, SettlementProveArgs } from "./prover.ts";

const options = {
  devnet: { type: "string" },
  height: { type: "string" },
  auction: { type: "string" },
  input: { type: "string" },
  out: { type: "string" },
  profile: { type: "string" },
  "no-cache": { type: "boolean" },
  "per-validator": { type: "boolean" },
  quiet: { type: "boolean" },
} as const;

const spec: CommandSpec<typeof options> = {
  name: "prove",
  summary: "prove a Home header (AggregatedHeaderQuorum, or HeaderQuorum) or a settlement (Settlement) with Groth16",
  usage: "header (--devnet URL --height H | --input signed-header.json) | settlement (--devnet URL --auction ID [--height H] | --input args.json) [--out FILE]",
  options,
  help: {
    devnet: "Home devnet HTTP API base URL, e.g. http://127.0.0.1:8645",
    height: "header height (header: required with --devnet; settlement: state at this height, default latest)",
    auction: "auction id (settlement)",
    input: "read a signed-header JSON (header) or settlement-args JSON (settlement) instead of the devnet",
    out: "write the proof JSON here (default stdout)",
    profile: "artifact profile (default dev)",
    "no-cache": "do not use the on-disk proof cache",
    "per-validator": "header: prove the per-validator HeaderQuorum even when the header has an aggregate signature",
    quiet: "no progress lines on stderr",
  },
  notes: `The proof JSON: { kind (aggregated | headerQuorum | settlement), profile, publicSignals, proof (snarkjs), calldata: { proof[8], pubSignals } } with
calldata in the Solidity verifier's order [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y] (decimal strings).
A signed-header JSON is the devnet's GET /headers/H reply (its "signedHeader" field) or that field alone.
Settlement args JSON: { stateRoot, awayBinding, result: { auctionId, digest, proof }, lockups: [{ lockId, digest, proof }] }
with StateProof objects { leafKey, siblings[], leaf: { leafKey, awayBinding, payloadDigest } | null, included }.`,
  allowPositionals: true,
};

async function readJSON(path: string): Promise<any> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new UserError(`--input ${path}: ${(e as Error).message}`);
  }
}

function toStateProof(j: any): StateProof {
  const leaf = j.leaf ? { leafKey: BigInt(j.leaf.leafKey), awayBinding: BigInt(j.leaf.awayBinding), payloadDigest: BigInt(j.leaf.payloadDigest) } : null;
  return { leafKey: BigInt(j.leafKey), siblings: (j.siblings as string[]).map((s) => BigInt(s)), leaf, included: Boolean(j.included) };
}

/** A devnet call; what the devnet refuses (or a devnet that cannot be reached) is a UserError. */
async function fromDevnet<T>(base: string, call: (home: HomeClient, api: typeof import("../home/api/index.ts")) => Promise<T>): Promise<T> {
  const api = await import("../home/api/index.ts");
  try {
    return await call(new api.HomeClient(base), api);
  } catch (e) {
    if (e instanceof api.HomeError) throw new UserError(`${e.message} (${e.code})`);
    throw new UserError(`cannot reach the devnet at ${base}: ${(e as Error).message}`);
  }
}

/**
 * Settlement args from the devnet's GET /auctions/{id}/settlement-proof: the result leaf and
 * its lockups (already in the circuit's slot order), all at one height.
 */
export async function settlementArgsFromDevnet(base: string, auctionId: bigint, height?: bigint): Promise<SettlementProveArgs> {
  return fromDevnet(base, async (home, api) => api.settlementInputs(await home.settlementProof(auctionId, height)));
}

function settlementArgsFromJSON(j: any): SettlementProveArgs {
  return {
    stateRoot: BigInt(j.stateRoot),
    awayBinding: BigInt(j.awayBinding),
    result: { auctionId: BigInt(j.result.auctionId), digest: BigInt(j.result.digest), proof: toStateProof(j.result.proof) },
    lockups: (j.lockups ?? []).map((l: any) => ({ lockId: BigInt(l.lockId), digest: BigInt(l.digest), proof: toStateProof(l.proof) })),
  };
}

function bigintArg(name: string, raw: string | undefined): bigint | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UserError(`--${name} must be a whole number, got '${raw}'`);
  return BigInt(raw);
}

export async function run(argv: string[]): Promise<number | void> {
  const args = parseCommand(spec, argv);
  if (!args) return 0;
  const v = args.values;
  const [what, ...extra] = args.positionals;
  if (what !== "header" && what !== "settlement") throw new UserError(`say what to prove: 'header' or 'settlement' (see olzk prove --help)`);
  if (extra.length) throw new UserError(`unexpected argument '${extra[0]}'`);
  if (!v.devnet === !v.input) throw new UserError("give exactly one of --devnet URL or --input FILE");
  const height = bigintArg("height", v.height);
  const profile = v.profile ?? "dev";
  const model = await import("../home/model/index.ts");
  const prover = await import("./prover.ts");
  const { releaseSnarkjs } = await import("./setup/pipeline.ts");
  const opts = { profile, printProgress: !v.quiet, ...(v["no-cache"] ? { cacheDir: false as const } : {}) };
  let result: ProofResult;
  let kind: "aggregated" | "headerQuorum" | "settlement" = "settlement";
  const meta: Record<string, string> = {};
  try {
    if (what === "header") {
      let sh: SignedHeader;
      if (v.devnet) {
        if (height === undefined) throw new UserError("--height is required with --devnet");
        sh = (await fromDevnet(v.devnet, (home) => home.block(height))).signedHeader;
      } else {
        const json = await readJSON(v.input!);
        try {
          sh = model.signedHeaderFromJSON(json.signedHeader ?? json);
        } catch (e) {
          throw new UserError(`not a signed header: ${(e as Error).message}`);
        }
      }
      meta.height = sh.header.height.toString();
      meta.headerHash = model.headerHash(sh.header).toString();
      const r = await prover.proveHeader(sh, { ...opts, ...(v["per-validator"] ? { kind: "perValidator" as const } : {}) });
      result = r;
      kind = r.kind === "aggregated" ? "aggregated" : "headerQuorum";
    } else {
      let sargs: SettlementProveArgs;
      if (v.devnet) {
        const id = bigintArg("auction", v.auction);
        if (id === undefined) throw new UserError("--auction is required with --devnet");
        sargs = await settlementArgsFromDevnet(v.devnet, id, height);
      } else sargs = settlementArgsFromJSON(await readJSON(v.input!));
      meta.auctionId = sargs.result.auctionId.toString();
      result = await prover.proveSettlement(sargs, opts);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  } finally {
    await releaseSnarkjs();
  }
  const out = {
    kind,
    profile,
    ...meta,
    publicSignals: result.publicSignals,
    proof: result.proof,
    calldata: { proof: result.calldata.proof.map(String), pubSignals: result.calldata.pubSignals.map(String) },
  };
  const text = JSON.stringify(out, null, 2) + "\n";
  if (v.out) {
    await writeFile(v.out, text);
    if (!v.quiet) console.error(`proof written to ${v.out}${result.cached ? " (from cache)" : ""}`);
  } else process.stdout.write(text);
  return 0;
}
