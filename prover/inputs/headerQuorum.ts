// Builds the inputs of the two header circuits from a Home model SignedHeader (signal names
// and meanings: circuits/ENCODING.md "Circuit signals"): AggregatedHeaderQuorum(N) from its
// aggregate signature, HeaderQuorum(N) from its per-validator signatures. Values are decimal
// strings, arrays in slot order; N is the validator set capacity.
import type { Header, SignedHeader, ValidatorSet } from "../../home/model/index.ts";
import { assertHeaderRanges, packMeta, placeholderSignature } from "../../home/model/index.ts";

export type HeaderQuorumInput = Record<string, string | string[]>;

const str = (x: bigint | number): string => x.toString();

/** The public inputs and private header fields both circuits share. */
function headerSignals(h: Header): HeaderQuorumInput {
  assertHeaderRanges(h);
  return {
    meta: str(packMeta(h)),
    stateRoot: str(h.stateRoot),
    validatorSetRoot: str(h.validatorSetRoot),
    nextValidatorSetRoot: str(h.nextValidatorSetRoot),
    chainId: str(h.chainId),
    epoch: str(h.epoch),
    height: str(h.height),
    timestampMs: str(h.timestampMs),
    parentHash: str(h.parentHash),
  };
}

function setSignals(set: ValidatorSet): HeaderQuorumInput {
  return {
    Ax: set.validators.map((v) => str(v.attestationKey.Ax)),
    Ay: set.validators.map((v) => str(v.attestationKey.Ay)),
    power: set.validators.map((v) => str(v.power)),
  };
}

function assertSlots(what: string, n: number, lengths: Record<string, number>): void {
  const bad = Object.entries(lengths).filter(([, len]) => len !== n);
  if (bad.length) throw new RangeError(`${what}: ${bad.map(([k, len]) => `${len} ${k}`).join(", ")}; capacity is ${n}`);
}

/**
 * Maps a signed header to HeaderQuorum(N)'s input signals. The public inputs (meta, stateRoot,
 * validatorSetRoot, nextValidatorSetRoot) come from the header itself; whether the witness
 * satisfies the circuit (valid signatures, quorum, matching set commitment) is the circuit's
 * job. Throws a RangeError for shapes the circuit cannot take (wrong array lengths,
 * out-of-range header fields).
 */
export function headerQuorumInput(sh: SignedHeader): HeaderQuorumInput {
  const { header: h, validatorSet: set } = sh;
  const n = set.capacity;
  assertSlots("signed header", n, { slots: set.validators.length, "signed flags": sh.signed.length, signatures: sh.signatures.length });
  const placeholder = placeholderSignature();
  const sigs = sh.signatures.map((s, i) => (sh.signed[i] ? s : placeholder));
  return {
    ...headerSignals(h),
    ...setSignals(set),
    signed: sh.signed.map((b) => (b ? "1" : "0")),
    R8x: sigs.map((s) => str(s.R8x)),
    R8y: sigs.map((s) => str(s.R8y)),
    S: sigs.map((s) => str(s.S)),
  };
}

/**
 * Maps a signed header's aggregate signature to AggregatedHeaderQuorum(N)'s input signals.
 * Throws a RangeError when the header has no aggregate signature or for wrong shapes.
 */
export function aggregatedHeaderQuorumInput(sh: SignedHeader): HeaderQuorumInput {
  const { header: h, validatorSet: set, aggregate } = sh;
  if (!aggregate) throw new RangeError(`header ${h.height} has no aggregate signature`);
  assertSlots("aggregate attestation", set.capacity, { slots: set.validators.length, "signer flags": aggregate.signers.length });
  return {
    ...headerSignals(h),
    ...setSignals(set),
    signer: aggregate.signers.map((b) => (b ? "1" : "0")),
    R8x: str(aggregate.signature.R8x),
    R8y: str(aggregate.signature.R8y),
    S: str(aggregate.signature.S),
  };
}

/** The four public signals of either header proof for this header, in circuit order. */
export function headerQuorumPublicSignals(sh: SignedHeader): string[] {
  const s = headerSignals(sh.header);
  return [s.meta as string, s.stateRoot as string, s.validatorSetRoot as string, s.nextValidatorSetRoot as string];
}
