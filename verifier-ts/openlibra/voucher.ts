// Attestation-set vouchers (DESIGN section 10): the real validators of Open Libra epoch E sign,
// with an aggregate BLS quorum of their voting power, that the attestation committee of epoch E has
// the set commitment `attestationSetRoot` (the Home model's validatorSetRoot). Encoding:
// circuits/ENCODING.md, "Open Libra anchoring".
import type { AggregateSignature, EpochState } from "./bcs.ts";
import { OpenLibraError } from "./errors.ts";
import { fromHex, toHex } from "./hash.ts";
import { verifyMultiSignature, type QuorumCertificate } from "./quorum.ts";

/** ASCII domain tag that starts every voucher message (31 bytes). */
export const VOUCHER_DOMAIN = "OLZK::AttestationSetVoucher::V1";
export const VOUCHER_MESSAGE_BYTES = 31 + 8 + 32;

export interface Voucher {
  epoch: bigint;
  /** The attestation set commitment (a BN254 field element, 32 bytes big-endian in the message). */
  attestationSetRoot: bigint;
  signatures: AggregateSignature;
}

/** utf8(VOUCHER_DOMAIN) || epoch (u64 big-endian) || attestationSetRoot (32 bytes big-endian). */
export function voucherMessage(epoch: bigint, attestationSetRoot: bigint): Uint8Array {
  if (epoch < 0n || epoch >= 1n << 64n) throw new RangeError(`voucher epoch ${epoch} is not a u64`);
  if (attestationSetRoot < 0n || attestationSetRoot >= 1n << 256n) throw new RangeError("attestation set root is not 32 bytes");
  const out = new Uint8Array(VOUCHER_MESSAGE_BYTES);
  out.set(new TextEncoder().encode(VOUCHER_DOMAIN), 0);
  const view = new DataView(out.buffer);
  view.setBigUint64(31, epoch, false);
  for (let i = 0; i < 32; i++) out[39 + i] = Number((attestationSetRoot >> BigInt(8 * (31 - i))) & 0xffn);
  return out;
}

/**
 * Checks that `voucher` is signed by a quorum (total * 2 / 3 + 1) of `state`, the verified
 * validator set of the voucher's epoch, and that it vouches for `expectedRoot` when given.
 */
export function verifyVoucher(state: EpochState, voucher: Voucher, expectedRoot?: bigint): QuorumCertificate {
  if (voucher.epoch !== state.epoch) {
    throw new OpenLibraError("EpochMismatch", `voucher is for epoch ${voucher.epoch}, the validator set of epoch ${state.epoch}`);
  }
  if (expectedRoot !== undefined && voucher.attestationSetRoot !== expectedRoot) {
    throw new OpenLibraError("VoucherMismatch", `voucher vouches for attestation set ${voucher.attestationSetRoot}, expected ${expectedRoot}`);
  }
  const message = voucherMessage(voucher.epoch, voucher.attestationSetRoot);
  return { epoch: state.epoch, ...verifyMultiSignature(state.verifier, message, voucher.signatures) };
}

/**
 * A voucher file (JSON): `{ "epoch": "9", "attestationSetRoot": "<decimal or 0x hex>",
 * "validatorBitmask": "0x..", "signature": "0x<96-byte compressed G2>" }`; integers as strings.
 */
export interface VoucherJSON {
  epoch: string;
  attestationSetRoot: string;
  validatorBitmask: string;
  signature: string;
}

export function voucherToJSON(v: Voucher): VoucherJSON {
  if (v.signatures.sig === null) throw new RangeError("the voucher carries no aggregate signature");
  return {
    epoch: v.epoch.toString(),
    attestationSetRoot: v.attestationSetRoot.toString(),
    validatorBitmask: `0x${toHex(v.signatures.validatorBitmask)}`,
    signature: `0x${toHex(v.signatures.sig)}`,
  };
}

function integerField(o: Record<string, unknown>, key: string, bits: number): bigint {
  const raw = o[key];
  const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof text !== "string" || !/^(0|[1-9][0-9]{0,79}|0x[0-9a-fA-F]{1,64})$/.test(text) || BigInt(text) >= 1n << BigInt(bits)) {
    throw new OpenLibraError("MalformedFile", `voucher ${key} must be a ${bits}-bit unsigned integer (decimal or 0x hex), got ${JSON.stringify(raw)}`);
  }
  return BigInt(text);
}

/** A voucher from its JSON (voucherToJSON); a bad field is a MalformedFile naming it. The signature is checked by verifyVoucher. */
export function voucherFromJSON(json: unknown): Voucher {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new OpenLibraError("MalformedFile", "a voucher must be a JSON object");
  const o = json as Record<string, unknown>;
  const bitmask = o.validatorBitmask;
  if (typeof bitmask !== "string" || !/^0x([0-9a-fA-F]{2}){1,8192}$/.test(bitmask)) {
    throw new OpenLibraError("MalformedFile", `voucher validatorBitmask must be 0x hex bytes, got ${JSON.stringify(bitmask)}`);
  }
  if (typeof o.signature !== "string") throw new OpenLibraError("MalformedFile", "voucher signature must be 0x hex (96 bytes)");
  return {
    epoch: integerField(o, "epoch", 64),
    attestationSetRoot: integerField(o, "attestationSetRoot", 256),
    signatures: { validatorBitmask: fromHex(bitmask, (bitmask.length - 2) / 2, "voucher validatorBitmask"), sig: fromHex(o.signature, 96, "voucher signature") },
  };
}
