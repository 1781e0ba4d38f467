// Making the files `olzk verify` takes from a running Home: a checkpoint (an epoch's validator
// set, accepted with verifier-ts's set rules), a header chain (the headers assemble.ts picks,
// checked against the light client's rules before anything is proven, proven locally with the
// prover, then verified with the circuits' keys), and a collateral bundle (that chain up to the
// height of the lockup's state proof, put together by assembleCollateralBundle).
import { headerHash } from "../home/model/header.ts";
import { proveHeader, loadVerificationKey, type CircuitName, type ProgressEvent } from "../prover/prover.ts";
import { headerQuorumPublicSignals } from "../prover/inputs/headerQuorum.ts";
import type { CollateralBundle } from "../verifier-ts/collateral.ts";
import type { SnarkjsVerificationKey } from "../verifier-ts/groth16.ts";
import { verifyHeaderChain, type Checkpoint, type HeaderProofItem, type HeaderProofKind, type HeaderVerifiers } from "../verifier-ts/headerChain.ts";
import { checkValidatorSetBindings } from "../verifier-ts/validatorSet.ts";
import { assembleCollateralBundle, BundleError, headerHeightsFor } from "./assemble.ts";
import type { BundleHome, HomeHeader } from "./home.ts";

export interface MakeOptions {
  /** Artifact profile of the header circuits (default dev): its N must be the Home's set capacity. */
  profile?: string;
  /** One line per step slower than a moment (fetching, each proof, 5 s heartbeats while proving). */
  progress?: (line: string) => void;
}

const CIRCUIT: Record<HeaderProofKind, CircuitName> = { aggregated: "AggregatedHeaderQuorum", perValidator: "HeaderQuorum" };

/** The checkpoint of `epoch`: the Home's set for it, refused unless verifier-ts accepts the set (key rules, bindings, root). */
export async function makeCheckpoint(home: BundleHome, epoch: bigint): Promise<Checkpoint> {
  const { homeChainId } = await home.status();
  const { root, set } = await home.validatorSet(epoch);
  const check = checkValidatorSetBindings(set, root, homeChainId);
  if (!check.ok) throw new BundleError("BadHomeReply", `the Home's validator set of epoch ${epoch} is not acceptable: ${check.reason}`);
  return { chainId: homeChainId, epoch, validatorSetRoot: root };
}

/** The proof kind a header gets: aggregated when it carries an aggregate signature, else per-validator. */
function kindOf(h: HomeHeader): HeaderProofKind {
  return h.signed.aggregate ? "aggregated" : "perValidator";
}

/** The light client's rules on the headers' public inputs alone (before paying for proofs). */
function checkChainRules(checkpoint: Checkpoint, headers: HomeHeader[]): void {
  const accept = () => ({ ok: true as const });
  const items = headers.map((h): HeaderProofItem => ({ kind: kindOf(h), proof: { pi_a: [], pi_b: [], pi_c: [] }, publicSignals: headerQuorumPublicSignals(h.signed) }));
  const r = verifyHeaderChain({ aggregated: accept, perValidator: accept }, checkpoint, items);
  if (!r.ok) throw new BundleError("NotAChain", `the Home's headers do not continue the checkpoint: ${r.code}: ${r.reason.replace(/^item (\d+)/, (_m, i: string) => `header ${headers[Number(i)]!.signed.header.height}`)}`);
}

/** Header proofs from `checkpoint` to `toHeight` (see assemble.ts for which headers), verified before they are returned. */
export async function makeHeaderChain(home: BundleHome, checkpoint: Checkpoint, toHeight: bigint, opts: MakeOptions = {}): Promise<HeaderProofItem[]> {
  const say = opts.progress ?? (() => {});
  const status = await home.status();
  if (status.homeChainId !== checkpoint.chainId) {
    throw new BundleError("NotAChain", `the checkpoint is of Home chain ${checkpoint.chainId}, the Home at ${home.url} is chain ${status.homeChainId}`);
  }
  if (toHeight > status.height) throw new BundleError("HomeRefused", `height ${toHeight} is not sealed yet (the Home is at height ${status.height})`);
  const heights = headerHeightsFor(checkpoint, toHeight, status.epochBlocks);
  const headers: HomeHeader[] = [];
  for (const h of heights) {
    const header = await home.header(h);
    if (!header.quorum) {
      throw new BundleError("NoQuorum", `header ${h} has no quorum (signed power ${header.signedPower} of ${header.totalPower}): no light client accepts it${h === toHeight ? "; choose another height" : ", so the chain cannot pass its epoch"}`);
    }
    headers.push(header);
  }
  checkChainRules(checkpoint, headers);

  const items: HeaderProofItem[] = [];
  for (const [i, h] of headers.entries()) {
    const height = h.signed.header.height;
    const kind = kindOf(h);
    say(`proving header ${height} (${i + 1} of ${headers.length}, ${kind})`);
    const onProgress = (e: ProgressEvent) => {
      if (e.stage === "prove") say(`  still proving header ${height} (${(e.elapsedMs / 1000).toFixed(0)} s)`);
    };
    let r;
    try {
      r = await proveHeader(h.signed, { profile: opts.profile ?? "dev", kind, onProgress });
    } catch (e) {
      if (e instanceof RangeError) throw new BundleError("ProofRefused", e.message);
      throw e;
    }
    say(`  header ${height} (hash ${headerHash(h.signed.header).toString(16).slice(0, 12)}...) ${r.cached ? "from the proof cache" : `proven in ${r.seconds.toFixed(1)} s`}`);
    const { pi_a, pi_b, pi_c, protocol, curve } = r.proof;
    items.push({ kind, proof: { pi_a, pi_b, pi_c, protocol, curve }, publicSignals: r.publicSignals });
  }

  const verified = verifyHeaderChain(await headerKeys(items, opts.profile), checkpoint, items);
  if (!verified.ok) throw new Error(`the proven header chain does not verify: ${verified.code}: ${verified.reason}`);
  return items;
}

/** The verification key of each header circuit the items use. */
async function headerKeys(items: HeaderProofItem[], profile = "dev"): Promise<HeaderVerifiers> {
  const keys: HeaderVerifiers = {};
  for (const kind of new Set(items.map((i) => i.kind))) {
    keys[kind] = (await loadVerificationKey(CIRCUIT[kind], { profile })) as SnarkjsVerificationKey;
  }
  return keys;
}

/** A collateral bundle for `lockId`: its state proof at `height` (default: the latest sealed block) and the header chain to it. */
export async function makeCollateralBundle(
  home: BundleHome,
  checkpoint: Checkpoint,
  lockId: bigint,
  opts: MakeOptions & { height?: bigint } = {},
): Promise<CollateralBundle> {
  const state = await home.lockupState(lockId, opts.height);
  if (!state.proof.included || !state.lockup || !state.proof.leaf || !state.awayContract) {
    throw new BundleError("LockNotFound", `lockup ${lockId} is not in the Home state at height ${state.height}`);
  }
  (opts.progress ?? (() => {}))(`lockup ${lockId} found in the state of height ${state.height}`);
  const headers = await makeHeaderChain(home, checkpoint, state.height, opts);
  return assembleCollateralBundle({
    checkpoint,
    headers,
    stateHeight: state.height,
    lockup: state.lockup,
    stateProof: state.proof,
    // awayBinding = awayChainId * 2^160 + contract (ENCODING.md "Leaves"); the Home names the contract.
    awayChainId: state.proof.leaf.awayBinding >> 160n,
    awayContract: state.awayContract,
  });
}
