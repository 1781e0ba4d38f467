// `lock`: deposits LIBRA collateral and locks it for an Away borrower, with a credit limit from
// the LIBRA price and the collateral ratio. Writes the lockup leaf (status 1).
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import { LOCK_STATUS_LOCKED } from "../../model/index.ts";
import { allocateLockId, creditLimitFor, defineAction, lockLeaf, type LockupRecord } from "../auctions-state.ts";

export const lock = defineAction({
  type: "lock",
  request: ACTION_REQUESTS.lock,
  check(_state, req, now) {
    if (req.expiry <= now) throw new HomeError("invalid-request", `expiry ${req.expiry} is not in the future (Home time ${now})`);
    return req;
  },
  apply(state, params, req, ctx) {
    const creditLimit = creditLimitFor(req.collateral, ctx.priceScaled, ctx.collateralRatioPercent);
    if (creditLimit === 0n) throw new HomeError("no-credit", `collateral ${req.collateral} is worth no credit at the configured LIBRA price`);
    const lockId = allocateLockId(state);
    const rec: LockupRecord = {
      payload: { lockId, owner: req.owner, borrower: req.borrower, creditAsset: req.creditAsset, creditLimit, expiry: req.expiry, status: LOCK_STATUS_LOCKED },
      collateral: req.collateral,
      priceScaled: ctx.priceScaled,
      collateralRatioPercent: ctx.collateralRatioPercent,
      heldBy: null,
    };
    state.lockups.set(lockId, rec);
    return { result: { lockId, creditLimit }, writes: [lockLeaf(params, rec)] };
  },
});
