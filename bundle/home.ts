// What a bundle reads from a running Home, through the one typed Home API client (home/api
// HomeClient): /status, /validator-sets/:epoch, /headers/:height and /state/proof for a lockup,
// already decoded into the model's types. Any failure is a BundleError: HomeUnreachable (no
// answer), HomeRefused (a refusal, with the Home's own message), BadHomeReply (an answer that is
// not what the API says).
import { HomeApiError, HomeClient, type StateProofOf, type StatusView } from "../home/api/index.ts";
import { KIND_LOCKUP, type LockupPayload, type SignedHeader, type StateProof, type ValidatorSet } from "../home/model/index.ts";
import { BundleError } from "./assemble.ts";

export interface HomeHeader {
  signed: SignedHeader;
  /** False for a header its signers hold no more than 2/3 of the power of (served, never accepted). */
  quorum: boolean;
  signedPower: bigint;
  totalPower: bigint;
}

export interface LockupState {
  height: bigint;
  /** Inclusion (or non-inclusion) proof of the lockup leaf; payload and contract only when included. */
  proof: StateProof;
  lockup: LockupPayload | null;
  awayContract: `0x${string}` | null;
}

/** The Home as a bundle reads it. */
export interface BundleHome {
  readonly url: string;
  status(): Promise<Pick<StatusView, "homeChainId" | "height"> & { epochBlocks: bigint }>;
  validatorSet(epoch: bigint): Promise<{ root: bigint; set: ValidatorSet }>;
  header(height: bigint): Promise<HomeHeader>;
  lockupState(lockId: bigint, height?: bigint): Promise<LockupState>;
}

/** fetch's failures to get any answer: connection errors (TypeError with a cause) and timeouts. */
function unreachable(e: unknown): e is Error {
  return (e instanceof TypeError && e.cause !== undefined) || (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError"));
}

/** A Home API failure as the bundle's one-line error; anything else is rethrown as it is. */
function asBundleError(url: string, e: unknown): unknown {
  if (e instanceof HomeApiError) {
    if (e.code === "bad-reply") return new BundleError("BadHomeReply", e.message);
    return new BundleError("HomeRefused", `the Home refused ${e.request ?? "the request"}: HTTP ${e.status} ${e.reason ?? e.message}`);
  }
  if (unreachable(e)) {
    const cause = e.cause as { code?: string; message?: string } | undefined;
    return new BundleError("HomeUnreachable", `cannot reach the Home at ${url}: ${cause?.code ?? cause?.message ?? e.message}`);
  }
  return e;
}

export function bundleHome(baseUrl: string, opts: { timeoutMs?: number } = {}): BundleHome {
  const client = new HomeClient(baseUrl, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    run: async (request) => {
      try {
        return await request();
      } catch (e) {
        throw asBundleError(client.baseUrl, e);
      }
    },
  });

  return {
    url: client.baseUrl,
    async status() {
      const s = await client.status();
      return { homeChainId: s.homeChainId, height: s.height, epochBlocks: BigInt(s.epochBlocks) };
    },
    async validatorSet(epoch) {
      const r = await client.validatorSet(epoch);
      return { root: r.root, set: r.validatorSet };
    },
    async header(height) {
      const b = await client.block(height);
      return { signed: b.signedHeader, quorum: b.quorum, signedPower: b.signedPower, totalPower: b.totalPower };
    },
    async lockupState(lockId, height) {
      const p = await client.stateProof(KIND_LOCKUP, lockId, height);
      if (p.kind !== KIND_LOCKUP) throw new BundleError("BadHomeReply", `GET /state/proof for lockup ${lockId} answered a proof of leaf kind ${p.kind}`);
      const lockup: StateProofOf<typeof KIND_LOCKUP> = p;
      return {
        height: lockup.height,
        proof: lockup.proof,
        lockup: lockup.proof.included ? lockup.payload : null,
        awayContract: lockup.awayContract,
      };
    },
  };
}
