// What the page computes when the user asks: the collateral verdict (verifier-ts
// checkCollateral) and the header chain it relied on (verifyHeaderChain over the bundle's
// header proofs, from the user's trusted checkpoint). The header proofs are verified first,
// one at a time with a progress callback between them (so a page can show progress and stay
// responsive), and both checks then reuse those results: each proof is verified once.
// No DOM here: page.ts renders the report. Browser-safe: no `node:` imports.
import {
  checkCollateral,
  headerProofVerifiers,
  parseCollateralQuery,
  verifyHeaderChain,
  type CollateralResult,
  type Groth16Result,
  type HeaderChainErrorCode,
  type HeaderProofItem,
  type HeaderProofKind,
  type HeaderProofVerifier,
  type HeaderVerifiers,
  type SnarkjsProof,
  type VerifiedHeader,
} from "../verifier-ts/index.ts";
import { SLOT_TITLES, type SlotValues } from "./files.ts";

/** The query as the form has it: text fields; an empty optional field takes its default. */
export interface QueryFields {
  borrower: string;
  minCredit: string;
  awayChainId: string;
  settlementContract: string;
  maxAgeSeconds: string;
  /** Empty: now (the lockup must merely not have expired). */
  validUntil: string;
  /** Empty: any credit asset. */
  creditAsset: string;
  /** Empty: this machine's clock. */
  now: string;
}

/** One header proof of the bundle, in order, and how far the chain check got with it. */
export interface ChainRow {
  index: number;
  kind: HeaderProofKind;
  /** The header it proves, once verified; absent for the failing item and those after it. */
  header?: VerifiedHeader;
  status: "verified" | "failed" | "not reached";
  /** This is the header whose state root the lockup was read from. */
  holdsState: boolean;
}

export type CheckReport =
  /** Nothing was verified: a file is missing or the query is not well formed. */
  | { state: "cannot-check"; reason: string }
  | {
      state: "checked";
      result: CollateralResult;
      chain: ChainRow[];
      /** Why the chain stopped, if it did. */
      chainFailure?: { index: number; code: HeaderChainErrorCode; reason: string };
      /** The unix time (seconds) ages and expiry were measured from. */
      now: bigint;
      ms: number;
    };

/** Wraps each verifier so a proof object checked once is not checked again (by the chain view and the collateral check). */
function verifyingOnce(verifiers: HeaderVerifiers): Partial<Record<HeaderProofKind, HeaderProofVerifier>> {
  const out: Partial<Record<HeaderProofKind, HeaderProofVerifier>> = {};
  for (const [kind, check] of Object.entries(headerProofVerifiers(verifiers)) as [HeaderProofKind, HeaderProofVerifier][]) {
    const seen = new WeakMap<SnarkjsProof, { signals: unknown; result: Groth16Result }>();
    out[kind] = (signals, proof) => {
      const hit = seen.get(proof);
      if (hit && hit.signals === signals) return hit.result;
      const result = check(signals, proof);
      if (typeof proof === "object" && proof !== null) seen.set(proof, { signals, result });
      return result;
    };
  }
  return out;
}

/** Called after each batch of header proofs verified; the check waits for it (a page yields to the browser here). */
export type Progress = (verified: number, total: number) => Promise<void>;

/** How many header proofs to verify between two progress calls. */
const PROGRESS_BATCH = 4;

/** Verify each header proof (of a kind with a key) in order, reporting progress; the results land in the verifiers' memo. */
async function verifyHeaderProofs(verifiers: Partial<Record<HeaderProofKind, HeaderProofVerifier>>, items: readonly HeaderProofItem[], progress: Progress): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    verifiers[item.kind]?.(item.publicSignals, item.proof);
    if ((i + 1) % PROGRESS_BATCH === 0 || i === items.length - 1) await progress(i + 1, items.length);
  }
}

/** Run the check; `clockSeconds` is used when the `now` field is empty. */
export async function runCheck(files: Partial<SlotValues>, fields: QueryFields, clockSeconds: bigint, progress: Progress = async () => {}): Promise<CheckReport> {
  for (const slot of ["bundle", "checkpoint", "aggregated"] as const) {
    if (!files[slot]) return { state: "cannot-check", reason: `no ${SLOT_TITLES[slot]}: drop or pick its file` };
  }
  const { bundle, checkpoint, aggregated, perValidator } = files as SlotValues;
  const now = fields.now.trim() === "" ? clockSeconds.toString() : fields.now.trim();
  const query = {
    checkpoint,
    borrower: fields.borrower.trim(),
    minCredit: fields.minCredit.trim(),
    awayChainId: fields.awayChainId.trim(),
    settlementContract: fields.settlementContract.trim(),
    maxAgeSeconds: fields.maxAgeSeconds.trim(),
    validUntil: fields.validUntil.trim() === "" ? now : fields.validUntil.trim(),
    now,
    ...(fields.creditAsset.trim() !== "" ? { creditAsset: fields.creditAsset.trim() } : {}),
  };
  const parsed = parseCollateralQuery(query);
  if (!parsed.ok) return { state: "cannot-check", reason: parsed.reason };
  const t0 = performance.now();
  const verifiers = verifyingOnce(perValidator ? { aggregated, perValidator } : { aggregated });
  await verifyHeaderProofs(verifiers, bundle.headers, progress);
  const result = checkCollateral(verifiers, bundle, parsed.query);
  const chain = verifyHeaderChain(verifiers, checkpoint, bundle.headers);
  const rows: ChainRow[] = bundle.headers.map((item, index) => {
    const header = chain.headers[index];
    const status = header ? "verified" : !chain.ok && chain.index === index ? "failed" : "not reached";
    return { index, kind: item.kind, ...(header ? { header } : {}), status, holdsState: result.ok && header?.height === result.header.height };
  });
  return {
    state: "checked",
    result,
    chain: rows,
    ...(chain.ok ? {} : { chainFailure: { index: chain.index, code: chain.code, reason: chain.reason } }),
    now: parsed.query.now,
    ms: performance.now() - t0,
  };
}
