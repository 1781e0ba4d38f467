// Collateral accounts (home/risk accounts.ts): `open-account` deposits LIBRA into a new account,
// `deposit` adds to one, `withdraw` takes LIBRA out, never below what its open lockups need at
// their own terms and the current LIBRA price. Each writes the account leaf.
import { ACTION_REQUESTS } from "../../api/index.ts";
import { depositCollateral, openAccount, withdrawCollateral } from "../../risk/index.ts";
import { accountLeaf, allocateAccountId, defineAction } from "../auctions-state.ts";
import { underRisk } from "../risk.ts";

export const openAccountAction = defineAction({
  type: "open-account",
  request: ACTION_REQUESTS["open-account"],
  check: (_state, req) => req,
  apply(state, params, req) {
    const accountId = allocateAccountId(state);
    const a = underRisk(() => openAccount(state.book, { accountId, owner: req.owner, deposit: req.deposit }));
    return { result: { accountId, collateral: a.collateral }, writes: [accountLeaf(params, state, accountId)] };
  },
});

export const depositAction = defineAction({
  type: "deposit",
  request: ACTION_REQUESTS.deposit,
  check: (_state, req) => req,
  apply(state, params, req) {
    const { collateral } = underRisk(() => depositCollateral(state.book, req));
    return { result: { accountId: req.accountId, collateral }, writes: [accountLeaf(params, state, req.accountId)] };
  },
});

export const withdrawAction = defineAction({
  type: "withdraw",
  request: ACTION_REQUESTS.withdraw,
  check: (_state, req) => req,
  apply(state, params, req) {
    const { collateral } = underRisk(() => withdrawCollateral(state.book, req, state.risk, params.risk));
    return { result: { accountId: req.accountId, collateral }, writes: [accountLeaf(params, state, req.accountId)] };
  },
});
