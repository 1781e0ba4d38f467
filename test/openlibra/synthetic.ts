// A synthetic Open Libra epoch change built with verifier-ts/openlibra: two sets of deterministic
// validators (keys generated with noble), the epoch-ending LedgerInfo of the first carrying the
// second as next_epoch_state, signed by a quorum of the first. Shared by tests and bench/gas.ts
// (anchored light clients); bench/openlibra-gas.ts measures the devnet's own epoch change.
import { sha3_256 } from "@noble/hashes/sha3.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import {
  allSigners,
  epochStateOf,
  makeValidators,
  signLedgerInfo,
  type EpochState,
  type LedgerInfo,
  type LedgerInfoWithSignatures,
  type ValidatorSigner,
} from "../../verifier-ts/openlibra/index.ts";

export interface SyntheticEpochChange {
  current: ValidatorSigner[];
  next: ValidatorSigner[];
  currentState: EpochState;
  nextState: EpochState;
  ledgerInfo: LedgerInfo;
  liws: LedgerInfoWithSignatures;
}

export function syntheticEpochChange(opts: { validators?: number; epoch?: bigint; signers?: number[]; label?: string } = {}): SyntheticEpochChange {
  const n = opts.validators ?? 41;
  const epoch = opts.epoch ?? 7n;
  const label = opts.label ?? "olzk-test";
  const current = makeValidators(`${label}/epoch-${epoch}`, n);
  const next = makeValidators(`${label}/epoch-${epoch + 1n}`, n);
  const currentState = epochStateOf(epoch, current);
  const nextState = epochStateOf(epoch + 1n, next);
  const ledgerInfo: LedgerInfo = {
    commitInfo: {
      epoch,
      round: 4242n,
      id: sha3_256(utf8ToBytes(`${label}/block/${epoch}`)),
      executedStateId: sha3_256(utf8ToBytes(`${label}/accumulator/${epoch}`)),
      version: 1_000_000n * epoch,
      timestampUsecs: 1_722_745_275_128_195n + epoch,
      nextEpochState: nextState,
    },
    consensusDataHash: sha3_256(utf8ToBytes(`${label}/consensus/${epoch}`)),
  };
  const liws = signLedgerInfo(ledgerInfo, current, opts.signers ?? allSigners(n));
  return { current, next, currentState, nextState, ledgerInfo, liws };
}
