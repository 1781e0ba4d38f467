// The Home HTTP API replies a bundle needs (home/devnet/API.md): /status, /validator-sets/:epoch,
// /headers/:height and /state/proof for a lockup, decoded into Home model types. Any failure is
// a BundleError: HomeUnreachable (no answer), HomeRefused (an error status, with the Home's own
// message), BadHomeReply (an answer that is not what the API says).
import { signedHeaderFromJSON, validatorSetFromJSON } from "../home/model/ssz.ts";
import type { SignedHeader } from "../home/model/header.ts";
import type { LockupPayload } from "../home/model/leaves.ts";
import type { StateProof } from "../home/model/smt.ts";
import type { ValidatorSet } from "../home/model/validators.ts";
import { lockupFromJSON, stateProofFromJSON, type ProofJSON } from "../relayer/home-http.ts";
import { BundleError } from "./assemble.ts";

export interface HomeStatus {
  homeChainId: number;
  height: bigint;
  epochBlocks: bigint;
}

export interface HomeHeader {
  signed: SignedHeader;
  /** False for a header its signers hold no more than 2/3 of the power of (served, never accepted). */
  quorum: boolean;
  signedPower: string;
  totalPower: string;
}

export interface LockupState {
  height: bigint;
  /** Inclusion (or non-inclusion) proof of the lockup leaf; payload and contract only when included. */
  proof: StateProof;
  lockup: LockupPayload | null;
  awayContract: `0x${string}` | null;
}

export interface HomeClient {
  readonly url: string;
  status(): Promise<HomeStatus>;
  validatorSet(epoch: bigint): Promise<{ root: bigint; set: ValidatorSet }>;
  header(height: bigint): Promise<HomeHeader>;
  lockupState(lockId: bigint, height?: bigint): Promise<LockupState>;
}

type Json = Record<string, unknown>;

function decode<T>(path: string, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new BundleError("BadHomeReply", `GET ${path}: not ${what}: ${(e as Error).message}`);
  }
}

export function homeClient(baseUrl: string, opts: { timeoutMs?: number } = {}): HomeClient {
  const url = baseUrl.replace(/\/+$/, "");
  const get = async (path: string): Promise<Json> => {
    let res: Response;
    try {
      res = await fetch(url + path, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new BundleError("HomeUnreachable", `cannot reach the Home at ${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BundleError(res.ok ? "BadHomeReply" : "HomeRefused", `GET ${url}${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 120)}`);
    }
    if (!res.ok) {
      const error = typeof (body as Json)?.error === "string" ? ((body as Json).error as string) : text.slice(0, 200);
      throw new BundleError("HomeRefused", `the Home refused GET ${path}: HTTP ${res.status} ${error}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BundleError("BadHomeReply", `GET ${url}${path}: not a JSON object`);
    return body as Json;
  };

  return {
    url,
    async status() {
      const s = await get("/status");
      return decode("/status", "a Home status", () => ({ homeChainId: Number(s.homeChainId), height: BigInt(s.height as string), epochBlocks: BigInt(s.epochBlocks as number) }));
    },
    async validatorSet(epoch) {
      const path = `/validator-sets/${epoch}`;
      const r = await get(path);
      return decode(path, "a validator set", () => ({ root: BigInt(r.root as string), set: validatorSetFromJSON(r.validatorSet) }));
    },
    async header(height) {
      const path = `/headers/${height}`;
      const r = await get(path);
      return decode(path, "a signed header", () => ({
        signed: signedHeaderFromJSON(r.signedHeader),
        quorum: r.quorum === true,
        signedPower: String(r.signedPower),
        totalPower: String(r.totalPower),
      }));
    },
    async lockupState(lockId, height) {
      const path = `/state/proof?kind=1&id=${lockId}${height === undefined ? "" : `&height=${height}`}`;
      const r = await get(path);
      return decode(path, "a state proof", () => ({
        height: BigInt(r.height as string),
        proof: stateProofFromJSON(r as unknown as ProofJSON),
        lockup: r.included && r.payload ? lockupFromJSON(r.payload) : null,
        awayContract: typeof r.awayContract === "string" ? (r.awayContract as `0x${string}`) : null,
      }));
    },
  };
}
