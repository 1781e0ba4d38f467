// The Home API's error codes: one union for every refusal the Home module, the chain and the
// server report, and the error reply `{ error, code }` that carries them. Callers branch on the
// code, never on the wording. HTTP statuses are the server's business (home/devnet/server.ts
// maps each code to one); the domain throws `HomeError` with a code and a message only.
import * as z from "zod";

/** Every error code, with what it means (home/devnet/API.md's table is generated from this). */
export const HOME_ERRORS = {
  "invalid-request": "malformed request: bad JSON, a missing, invalid or unknown field or query parameter, fields that contradict each other, a time that is not in the future",
  "unknown-route": "no such route",
  "unknown-action": "no such action type",
  "method-not-allowed": "the route exists but not for this method (the Allow header lists the methods)",
  "not-acceptable": "SSZ asked for a JSON-only route",
  "body-too-large": "request body over 256 KiB",
  "block-not-found": "no block at that height (yet)",
  "validator-set-not-announced": "the validator set of that epoch is not announced yet",
  "auction-not-found": "no such auction",
  "lockup-not-found": "no such lockup",
  "account-not-found": "no such collateral account",
  "result-not-found": "the auction has no result leaf at that height (not cleared, or not sealed yet)",
  "ledger-info-not-found": "no epoch-ending Open Libra LedgerInfo of that epoch: the epoch has not ended yet",
  "voucher-not-found": "no voucher of that epoch: the epoch has not started yet, or no validator signed its first block",
  "wrong-phase": "the auction is not in the phase this action needs (not taking bids, not revealing, not clearable yet, already cleared, no result yet)",
  "wrong-mode": "the action does not apply to this auction's mode",
  "duplicate-commitment": "this commitment was already submitted to the auction",
  "already-revealed": "this bid was already revealed",
  "escrow-already-acknowledged": "the auction's escrow deposit is already acknowledged",
  "escrow-not-acknowledged": "a mode 1 auction cannot clear before its escrow deposit is acknowledged",
  "lockup-not-locked": "the lockup is released or slashed",
  "lockup-in-use": "the lockup already backs an auction",
  "lockup-not-expired": "a lockup is released after its expiry only",
  "position-taken": "a state-tree position the action would write holds another leaf",
  "receipt-open": "the Away receipt is still open (fills may still settle); consume it once closed",
  "receipt-consumed": "the Away receipt was already consumed",
  "receipt-invalid": "the Away receipt word does not fit the result",
  "credit-too-low": "the lockup's credit does not cover the principal plus the maximum interest",
  "lock-expires-too-early": "the lockup must expire after the settle deadline",
  "refund-too-early": "the escrow deposit's refundNotBefore must be after the settle deadline",
  "wrong-borrower": "the lockup belongs to another borrower",
  "wrong-credit-asset": "the lockup gives credit in another asset",
  "unknown-away-chain": "the request names an Away chain (awayChainId) this Home does not bind leaves to",
  "wrong-away-chain": "the lockup is bound to another Away chain than the auction",
  "no-credit": "the collateral is worth no credit at the configured LIBRA price",
  "not-account-owner": "the collateral account belongs to another owner",
  "unknown-credit-asset": "the credit asset has no USD price in the risk config (--risk-config) for this Away chain",
  "insufficient-collateral": "the lockup would take the account's open credit above what its collateral supports at the current ratio",
  "withdrawal-too-large": "the withdrawal would leave less collateral than the account's open lockups need",
  "breaker-hard": "the circuit breaker is HARD (extreme LIBRA volatility): no new lockups or auctions until it recovers",
  "duplicate-id": "a collateral account or lockup with this id already exists",
  "commitment-mismatch": "no commitment of the auction matches the revealed bid",
  "invalid-bid": "the bid breaks a rule of the auction's mode (mode 2 bids pay from own funds)",
  "escrow-mismatch": "the restated deposit (depositor, asset, amount) is not the auction's",
  "away-state-mismatch": "the verified Away state does not show the claim (no deposit or receipt, a different one, not enough confirmations)",
  "away-proof-invalid": "the Away RPC's eth_getProof answer does not verify against the block's stateRoot",
  "away-chain-mismatch": "an Away RPC serves another chain than the Away chain it is configured for",
  "away-rpc-failed": "the Away RPC failed or answered nonsense",
  "away-rpc-missing": "the devnet has no Away RPC configured, so it cannot check Away storage",
  "backup-dir-missing": "the devnet has no backup directory configured (--backup-dir), so it cannot write backups",
  "shutting-down": "the devnet is shutting down",
  internal: "an internal error (the reply carries a request id; the devnet's log has the details)",
  "bad-reply": "(client side) a reply that does not match the API's schema",
} as const satisfies Record<string, string>;

export type HomeErrorCode = keyof typeof HOME_ERRORS;
export const HOME_ERROR_CODES = Object.keys(HOME_ERRORS) as HomeErrorCode[];

/** A refusal of the Home module, chain or API: a code to branch on and a message for people. */
export class HomeError extends Error {
  constructor(
    readonly code: HomeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HomeError";
  }
}

export function isHomeErrorCode(x: string): x is HomeErrorCode {
  return Object.hasOwn(HOME_ERRORS, x);
}

/** The body of every error reply. `requestId` names an internal error in the devnet's log. */
export const ErrorReply = z.strictObject({
  error: z.string(),
  code: z.enum(HOME_ERROR_CODES as [HomeErrorCode, ...HomeErrorCode[]]),
  requestId: z.string().optional(),
});
export type ErrorReply = z.infer<typeof ErrorReply>;
