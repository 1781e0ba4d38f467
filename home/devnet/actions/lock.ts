// `lock`: opens a lockup for an Away borrower, bound to the Away chain `awayChainId` names
// (default: the first), in one of two forms (home/devnet/README.md):
//   - `accountId` + `creditLimit`: against an existing collateral account, at the risk engine's
//     current ratio and price, refused when the account's open credit would exceed what its
//     collateral supports (home/risk accounts.ts `openLockup`);
//   - `collateral`: deposits it into a new one-lockup account; the credit limit follows from
//     --libra-price (credit-asset base units per LIBRA base unit) at the stricter of
//     --collateral-ratio and the risk ratio. Both forms are refused while the breaker is HARD.
// Writes the lockup leaf (status 1, owner = the account's owner), the account-lockup leaf and
// the account leaf.
import { ACTION_REQUESTS, HomeError, type ActionRequest } from "../../api/index.ts";
import { LOCK_STATUS_LOCKED, PRICE_SCALE } from "../../model/index.ts";
import { ceilDiv, currentRatioBps, lockupTerms, openAccount, openLockup, recordLockup, type AccountLockup, type OpenLockupRequest } from "../../risk/index.ts";
import {
  accountLeaf,
  accountLockupLeaf,
  allocateAccountId,
  allocateLockId,
  awayChainOf,
  creditLimitForBps,
  defineAction,
  lockLeaf,
  type ActionContext,
  type LockupRecord,
  type ModuleParams,
  type ModuleState,
} from "../auctions-state.ts";
import { underRisk } from "../risk.ts";

type Request = ActionRequest<"lock">;
type Checked =
  | { form: "deposit"; req: Request; collateral: bigint }
  | { form: "account"; req: Request; accountId: bigint; creditLimit: bigint };

function checkForm(req: Request): Checked {
  const { collateral, accountId, creditLimit } = req;
  if (collateral !== undefined) {
    if (accountId !== undefined || creditLimit !== undefined) {
      throw new HomeError("invalid-request", "lock takes either 'collateral' (a new one-lockup account) or 'accountId' and 'creditLimit' (a lockup against an account), not both");
    }
    return { form: "deposit", req, collateral };
  }
  if (accountId === undefined || creditLimit === undefined) {
    throw new HomeError("invalid-request", "lock: missing field 'collateral' (a new one-lockup account), or 'accountId' and 'creditLimit' (a lockup against an account)");
  }
  return { form: "account", req, accountId, creditLimit };
}

/** Who opens the lockup and what it is for: the owner, its Away chain and settlement contract (`awayChainId`, default the first chain), the credit asset. */
function lockTarget(req: Request, params: ModuleParams): Pick<OpenLockupRequest, "owner" | "awayChainId" | "settlement" | "creditAsset"> {
  const chain = awayChainOf(params, req.awayChainId);
  return { owner: req.owner, awayChainId: chain.chainId, settlement: chain.settlementAddress, creditAsset: req.creditAsset };
}

/** The value (USD times 1e18) of `creditLimit` at the --libra-price exchange rate and the risk engine's LIBRA price, rounded up. */
function depositFormCreditValue(creditLimit: bigint, ctx: ActionContext, state: ModuleState, params: ModuleParams): bigint {
  return ceilDiv(creditLimit * PRICE_SCALE * state.risk.price, ctx.priceScaled * 10n ** BigInt(params.risk.libraDecimals));
}

/** The `collateral` form: a new account holding the deposit, and its one lockup. */
function lockDeposit(state: ModuleState, params: ModuleParams, c: Extract<Checked, { form: "deposit" }>, ctx: ActionContext): AccountLockup {
  const terms = underRisk(() => lockupTerms(state.risk, params.risk));
  const ratioBps = Math.max(ctx.collateralRatioPercent * 100, currentRatioBps(state.risk, params.risk));
  const creditLimit = creditLimitForBps(c.collateral, ctx.priceScaled, ratioBps);
  if (creditLimit === 0n) throw new HomeError("no-credit", `collateral ${c.collateral} is worth no credit at the configured LIBRA price`);
  const accountId = allocateAccountId(state);
  const lockId = allocateLockId(state);
  return underRisk(() => {
    openAccount(state.book, { accountId, owner: c.req.owner, deposit: c.collateral });
    return recordLockup(state.book, {
      ...lockTarget(c.req, params),
      accountId,
      lockId,
      creditLimit,
      creditValue: depositFormCreditValue(creditLimit, ctx, state, params),
      ratioBps,
      libraPrice: terms.libraPrice,
      openedTick: terms.tick,
    });
  });
}

export const lock = defineAction({
  type: "lock",
  request: ACTION_REQUESTS.lock,
  check(_state, req, now) {
    if (req.expiry <= now) throw new HomeError("invalid-request", `expiry ${req.expiry} is not in the future (Home time ${now})`);
    return checkForm(req);
  },
  apply(state, params, c, ctx) {
    const l =
      c.form === "deposit"
        ? lockDeposit(state, params, c, ctx)
        : underRisk(() => openLockup(state.book, { ...lockTarget(c.req, params), accountId: c.accountId, lockId: allocateLockId(state), creditLimit: c.creditLimit }, state.risk, params.risk));
    const rec: LockupRecord = {
      payload: { lockId: l.lockId, owner: state.book.accounts.get(l.accountId)!.owner, borrower: c.req.borrower, creditAsset: c.req.creditAsset, creditLimit: l.creditLimit, expiry: c.req.expiry, status: LOCK_STATUS_LOCKED },
      awayChainId: l.awayChainId,
      accountId: l.accountId,
      collateral: c.form === "deposit" ? c.collateral : 0n,
      priceScaled: c.form === "deposit" ? ctx.priceScaled : 0n,
      ratioBps: l.ratioBps,
      heldBy: null,
    };
    state.lockups.set(l.lockId, rec);
    return {
      result: { lockId: l.lockId, creditLimit: l.creditLimit, accountId: l.accountId, ratioBps: l.ratioBps },
      writes: [lockLeaf(params, rec), accountLockupLeaf(params, l), accountLeaf(params, state, l.accountId)],
    };
  },
});
