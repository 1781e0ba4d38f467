// `release-lock`: gives an expired lockup that backs no auction back to its owner (status 2) and
// frees its credit in its collateral account (the account leaf is rewritten).
import { ACTION_REQUESTS, HomeError } from "../../api/index.ts";
import { LOCK_STATUS_LOCKED, LOCK_STATUS_RELEASED } from "../../model/index.ts";
import { releaseLockup } from "../../risk/index.ts";
import { accountLeaf, defineAction, lockLeaf, lockOf } from "../auctions-state.ts";
import { underRisk } from "../risk.ts";

export const releaseLock = defineAction({
  type: "release-lock",
  request: ACTION_REQUESTS["release-lock"],
  check(state, { lockId }, now) {
    const l = lockOf(state, lockId, "lockId");
    if (l.payload.status !== LOCK_STATUS_LOCKED) throw new HomeError("lockup-not-locked", `lockup ${lockId} is not locked (status ${l.payload.status})`);
    if (l.heldBy !== null) throw new HomeError("lockup-in-use", `lockup ${lockId} backs auction ${l.heldBy}; it is released by that auction's receipt`);
    if (now < l.payload.expiry) throw new HomeError("lockup-not-expired", `lockup ${lockId} expires at ${l.payload.expiry}; Home time is ${now}`);
    return l;
  },
  apply(state, params, l) {
    l.payload.status = LOCK_STATUS_RELEASED;
    underRisk(() => releaseLockup(state.book, l.payload.lockId));
    return { result: { lockId: l.payload.lockId, status: l.payload.status }, writes: [lockLeaf(params, l), accountLeaf(params, state, l.accountId)] };
  },
});
