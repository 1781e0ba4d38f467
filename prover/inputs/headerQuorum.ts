// Builds the HeaderQuorum(N) circuit input from a Home model SignedHeader (signal names and
// meanings: circuits/ENCODING.md "Circuit signals"). Values are decimal strings, arrays in slot
// order; N is the validator set capacity.
import type { SignedHeader } from "../../home/model/index.ts";
import { assertHeaderRanges, packMeta, placeholderSignature } from "../../home/model/index.ts";

export type HeaderQuorumInput = Record<string, string | string[]>;

/**
 * Maps a signed header to the circuit's input signals. The public inputs (meta, stateRoot,
 * validatorSetRoot, nextValidatorSetRoot) come from the header itself; whether the witness
 * satisfies the circuit (valid signatures, quorum, matching set root) is the circuit's job.
 * Throws a RangeError for shapes the circuit cannot take (wrong array lengths, out-of-range
 * header fields).
 */
export function headerQuorumInput(sh: SignedHeader): HeaderQuorumInput {
  const { header: h, validatorSet: set } = sh;
  const n = set.capacity;
  if (set.validators.length !== n || sh.signed.length !== n || sh.signatures.length !== n) {
    throw new RangeError(
      `signed header has ${set.validators.length} slots, ${sh.signed.length} signed flags and ${sh.signatures.length} signatures; capacity is ${n}`,
    );
  }
  assertHeaderRanges(h);
  const meta = packMeta(h);
  const placeholder = placeholderSignature();
  const sigs = sh.signatures.map((s, i) => (sh.signed[i] ? s : placeholder));
  const str = (x: bigint | number): string => x.toString();
  return {
    meta: str(meta),
    stateRoot: str(h.stateRoot),
    validatorSetRoot: str(h.validatorSetRoot),
    nextValidatorSetRoot: str(h.nextValidatorSetRoot),
    chainId: str(h.chainId),
    epoch: str(h.epoch),
    height: str(h.height),
    timestampMs: str(h.timestampMs),
    parentHash: str(h.parentHash),
    Ax: set.validators.map((v) => str(v.attestationKey.Ax)),
    Ay: set.validators.map((v) => str(v.attestationKey.Ay)),
    power: set.validators.map((v) => str(v.power)),
    signed: sh.signed.map((b) => (b ? "1" : "0")),
    R8x: sigs.map((s) => str(s.R8x)),
    R8y: sigs.map((s) => str(s.R8y)),
    S: sigs.map((s) => str(s.S)),
  };
}

/** The four public signals of a HeaderQuorum proof for this header, in circuit order. */
export function headerQuorumPublicSignals(sh: SignedHeader): string[] {
  const input = headerQuorumInput(sh);
  return [input.meta as string, input.stateRoot as string, input.validatorSetRoot as string, input.nextValidatorSetRoot as string];
}
