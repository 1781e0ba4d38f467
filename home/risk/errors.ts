// The one error type of home/risk: every refusal carries a code that callers (the devnet
// module, its API, tests) switch on; the message is one line for people and never needs parsing.

export type RiskErrorCode =
  // configuration and input data
  | "BadConfig" // a risk config field out of range or inconsistent with another
  | "BadPriceSeries" // a price file, scripted path or price argument that cannot be read
  | "BadAmount" // an amount, id or address outside its range
  // the circuit breaker
  | "BreakerHard" // the breaker is HARD: no new lockups and no new auctions
  // collateral accounts
  | "UnknownAccount" // no account with this id
  | "DuplicateAccount" // an account with this id already exists
  | "NotOwner" // the caller is not the account's owner
  | "UnknownAsset" // the credit asset has no price in the config (per Away chain and address)
  | "UnknownLockup" // no lockup with this id in the collateral book
  | "DuplicateLockup" // a lockup with this id already exists
  | "LockupNotOpen" // the lockup was already released or slashed
  | "InsufficientCollateral" // the lockup would take the account's credit above what its collateral supports
  | "WithdrawalTooLarge"; // the withdrawal would leave less collateral than the open lockups need

export class RiskError extends Error {
  readonly code: RiskErrorCode;
  constructor(code: RiskErrorCode, message: string) {
    super(message);
    this.name = "RiskError";
    this.code = code;
  }
}
