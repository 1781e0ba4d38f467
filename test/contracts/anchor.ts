// The Open Libra side of an anchored HomeLightClient for tests and bench/gas.ts: deterministic real
// validator sets of Open Libra epochs 0, 1 and 2 (BLS keys generated with noble, epoch-ending
// LedgerInfos built and signed with verifier-ts/openlibra), the vouchers they sign for Home
// attestation sets, and the transactions that ratchet an OpenLibraLightClient and record vouchers.
import { toHex, type Hex } from "viem";
import {
  allSigners,
  ledgerInfoCalldata,
  signVoucher,
  voucherCalldata,
  type EpochState,
  type ValidatorSigner,
  type Voucher,
} from "../../verifier-ts/openlibra/index.ts";
import { syntheticEpochChange, type SyntheticEpochChange } from "../openlibra/synthetic.ts";
import type { Chain, Instance } from "./fixtures.ts";

/** Validators per Open Libra set: a quorum is 7 of 10 (total * 2 / 3 + 1 = 6,666,667 of 10,000,000). */
export const OL_VALIDATORS = 10;

export interface OpenLibraEpochs {
  /** The real validators of Open Libra epochs 0, 1, 2 (index = epoch). */
  signers: ValidatorSigner[][];
  states: EpochState[];
  /** The epoch-ending LedgerInfo of epoch e (signed by all of set e), handing over to set e + 1: changes[0] ends epoch 0. */
  changes: SyntheticEpochChange[];
}

export function openLibraEpochs(label = "anchored-light-client"): OpenLibraEpochs {
  const changes = [0n, 1n].map((epoch) => syntheticEpochChange({ validators: OL_VALIDATORS, epoch, label }));
  const signers = [changes[0]!.current, changes[1]!.current, changes[1]!.next];
  const states = [changes[0]!.currentState, changes[1]!.currentState, changes[1]!.nextState];
  return { signers, states, changes };
}

/** A voucher of `root` for `epoch` by `signerCount` (default all) of that epoch's Open Libra validators. */
export function vouch(ol: OpenLibraEpochs, epoch: bigint, root: bigint, signerCount = OL_VALIDATORS): Voucher {
  return signVoucher(epoch, root, ol.signers[Number(epoch)]!, allSigners(signerCount));
}

async function mined(chain: Chain, hash: Hex): Promise<bigint> {
  const rc = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (rc.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return rc.gasUsed;
}

/** OpenLibraLightClient.submitEpochChange with the epoch-ending LedgerInfo of `epoch`. */
export async function ratchetOpenLibra(chain: Chain, client: Instance, ol: OpenLibraEpochs, epoch: bigint): Promise<bigint> {
  const ch = ol.changes[Number(epoch)]!;
  const c = ledgerInfoCalldata(ch.currentState, ch.liws);
  return mined(chain, await client.write.submitEpochChange([toHex(c.ledgerInfo), toHex(c.bitmask), toHex(c.signature), toHex(c.setOpening), toHex(c.nextKeyYs)]));
}

/** OpenLibraLightClient.submitVoucher arguments of a voucher by `state` (the set of its epoch). */
export function voucherArgs(state: EpochState, v: Voucher): readonly [bigint, Hex, Hex, Hex, Hex] {
  const c = voucherCalldata(state, v);
  return [c.epoch, toHex(c.attestationSetRoot), toHex(c.bitmask), toHex(c.signature), toHex(c.setOpening)];
}

/** OpenLibraLightClient.submitVoucher of `v` (its epoch: the client's current one or an earlier one it ratcheted through). */
export async function submitVoucher(chain: Chain, client: Instance, ol: OpenLibraEpochs, v: Voucher): Promise<bigint> {
  return mined(chain, await client.write.submitVoucher([...voucherArgs(ol.states[Number(v.epoch)]!, v)]));
}

/** The custom error a call reverted with, decoded by viem ({ errorName, args }), or null when it did not revert. */
export async function revertOf(p: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[] } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    for (let cur = e as { data?: { errorName?: string; args?: readonly unknown[] }; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) {
      if (cur.data?.errorName) return { errorName: cur.data.errorName, args: cur.data.args ?? [] };
    }
    throw e;
  }
}
