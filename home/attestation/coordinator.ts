// The coordinator of an aggregated signing session: collects nonce commitments, chooses the
// signer set T, sends every signer the same request, aggregates the partial signatures and
// checks the aggregate (one EdDSA-Poseidon verification; when it fails, or a signer did not
// answer, it verifies each partial signature, so an abort names the signer who caused it, as
// RFC 9591 section 5.3 has it), and restarts without the signers that dropped out or
// misbehaved, with fresh nonces, while the rest still hold a quorum. A malicious coordinator can stall a session, not forge: every signer recomputes the session
// from its own registry and its own validated header (signer.ts).
//
// coordinateSession is the driver for signers reachable by plain function calls (the devnet's
// in-process validators); a networked driver composes the same steps (chooseSignerSet,
// sessionContext, verifyPartial, aggregatePartials) around its own transport.

import { BABYJUB_SUBORDER, hasQuorum, signedPower, totalPower, verifyPoseidon, type AggregateSignature, type Header, type ValidatorSet } from "../model/index.ts";
import {
  AttestationError,
  aggregatePartials,
  assertNoncePoints,
  sessionContext,
  verifyPartial,
  type AttestationErrorCode,
  type NonceCommitment,
  type SessionCache,
  type SessionRequest,
} from "./session.ts";

/** A signer as the coordinator reaches it; either call may throw (offline, refusal). */
export interface SignerEndpoint {
  slot: number;
  commit(): NonceCommitment;
  sign(req: SessionRequest): bigint;
}

/** A signer left out of the session, and why. */
export interface Exclusion {
  slot: number;
  round: number;
  code: AttestationErrorCode;
  reason: string;
}

export interface SessionOutcome {
  /** The aggregate signature, or null when no quorum of signers was left. */
  aggregate: AggregateSignature | null;
  /** Rounds run (1 when nobody dropped out). */
  rounds: number;
  excluded: Exclusion[];
}

/**
 * T = every slot that committed (their power counts), or null when they hold no quorum.
 * Refuses commitments for empty slots or with bad nonce points.
 */
export function chooseSignerSet(set: ValidatorSet, commitments: readonly NonceCommitment[], cache?: SessionCache): boolean[] | null {
  const signers: boolean[] = Array.from({ length: set.capacity }, () => false);
  for (const c of commitments) {
    if (!Number.isInteger(c.slot) || c.slot < 0 || c.slot >= set.capacity || set.validators[c.slot]!.power === 0n || signers[c.slot]) {
      throw new AttestationError("MalformedRequest", `commitment for slot ${c.slot} is not for a distinct non-empty slot`, c.slot);
    }
    signers[c.slot] = true;
  }
  assertNoncePoints(commitments, cache);
  return hasQuorum(signedPower(set, signers), totalPower(set)) ? signers : null;
}

const isScalar = (s: unknown): s is bigint => typeof s === "bigint" && s >= 0n && s < BABYJUB_SUBORDER;
const badPartial = (slot: number) => new AttestationError("BadPartialSignature", `slot ${slot}'s partial signature does not verify`, slot);

function asAttestationError(e: unknown, slot: number): AttestationError {
  if (e instanceof AttestationError) return e;
  return new AttestationError("SignerUnavailable", (e as Error)?.message ?? String(e), slot);
}

/**
 * Runs a session for `header` with the given signers (the devnet's in-process validators).
 * `set` is the coordinator's copy of the epoch's set (it verifies partials with it).
 */
export function coordinateSession(opts: {
  chainId: number;
  set: ValidatorSet;
  header: Header;
  signers: readonly SignerEndpoint[];
  maxRounds?: number;
  cache?: SessionCache;
}): SessionOutcome {
  const { chainId, set, header, cache } = opts;
  const maxRounds = opts.maxRounds ?? 4;
  const excluded: Exclusion[] = [];
  let live = [...opts.signers].sort((a, b) => a.slot - b.slot);
  const exclude = (round: number, slot: number, e: AttestationError) => {
    excluded.push({ slot, round, code: e.code, reason: e.message });
    live = live.filter((s) => s.slot !== slot);
  };
  for (let round = 1; round <= maxRounds; round++) {
    const commitments: NonceCommitment[] = [];
    for (const s of live) {
      try {
        const c = s.commit();
        if (c.slot !== s.slot) throw new AttestationError("MalformedRequest", `signer of slot ${s.slot} committed for slot ${c.slot}`, s.slot);
        assertNoncePoints([c], cache);
        commitments.push(c);
      } catch (e) {
        exclude(round, s.slot, asAttestationError(e, s.slot));
      }
    }
    const signers = chooseSignerSet(set, commitments, cache);
    if (!signers) return { aggregate: null, rounds: round, excluded };
    const req: SessionRequest = { header, signers, commitments };
    const ctx = sessionContext(chainId, set, req, cache);
    const answers: { c: NonceCommitment; s: bigint }[] = [];
    let failed = false;
    for (const c of commitments) {
      const endpoint = live.find((s) => s.slot === c.slot)!;
      try {
        const s = endpoint.sign(req);
        if (!isScalar(s)) throw badPartial(c.slot);
        answers.push({ c, s });
      } catch (e) {
        exclude(round, c.slot, asAttestationError(e, c.slot));
        failed = true;
      }
    }
    if (!failed) {
      // One signature check instead of one per signer; only when it fails is each partial checked, to name the culprits.
      const aggregate = aggregatePartials(ctx, req, answers.map((a) => a.s));
      if (verifyPoseidon(ctx.M, aggregate.signature, { Ax: ctx.apk.x, Ay: ctx.apk.y })) return { aggregate, rounds: round, excluded };
    }
    for (const { c, s } of answers) if (!verifyPartial(ctx, set, c, s)) exclude(round, c.slot, badPartial(c.slot));
  }
  return { aggregate: null, rounds: maxRounds, excluded };
}
