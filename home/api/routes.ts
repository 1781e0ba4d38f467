// The Home API's route table: method, path, path parameters, query, body and reply schema of
// every route (home/devnet/API.md). The devnet server serves exactly these routes and the
// HomeClient calls them, both through this table, so a route or a field cannot differ between
// the two. Routes marked `ssz` also answer SSZ bytes (the model's types, ssz.ts) when asked for
// `application/octet-stream`.
import * as z from "zod";
import { ACTION_REPLIES, ACTION_REQUESTS, ActionQuery, type ActionType } from "./actions.ts";
import { count, smallUintParam, uint } from "./codecs.ts";
import { BackupReply, BackupRequest, EpochEndingReply, EpochStateReply, VoucherReply, WaypointReply } from "./openlibra.ts";
import {
  AccountReply,
  AuctionReply,
  AuctionsReply,
  BlockReply,
  HeaderOnlyReply,
  HeaderRangeReply,
  LockupReply,
  LockupsReply,
  RiskReply,
  RootReply,
  SettlementProofReply,
  StateProofReply,
  StatusReply,
  ValidatorSetReply,
  leafKindParam,
} from "./views.ts";

/** A path or query integer: a decimal string below 2^64. */
const u64Param = uint(64);

/** `latest` or an epoch number. */
const epochParam = z.union([z.literal("latest"), u64Param], { error: "must be 'latest' or a non-negative decimal integer below 2^64" });

/** The longest a long-poll (GET /status/next) waits before it answers with the current status, in ms. */
export const MAX_WAIT_MS = 30_000;

/** What an SSZ reply holds: the model's SSZ type of it (ssz.ts in the model, SignedHeaderListSSZ in ./ssz.ts). */
export type SszKind = "signedHeader" | "signedHeaderList" | "header" | "validatorSet";

export interface RouteDef {
  method: "GET" | "POST";
  /** Path template; `:name` segments are path parameters. */
  path: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  reply: z.ZodType;
  ssz?: SszKind;
}

function route<const R extends RouteDef>(r: R): R {
  return r;
}

export const ROUTES = {
  root: route({ method: "GET", path: "/", reply: RootReply }),
  status: route({ method: "GET", path: "/status", reply: StatusReply }),
  /** Long-poll: the status once a block above `after` is sealed, or after `waitMs` (default and cap MAX_WAIT_MS) as it is then. */
  nextStatus: route({
    method: "GET",
    path: "/status/next",
    query: z.strictObject({ after: u64Param, waitMs: smallUintParam(MAX_WAIT_MS).optional() }),
    reply: StatusReply,
  }),
  latestHeader: route({ method: "GET", path: "/headers/latest", reply: BlockReply, ssz: "signedHeader" }),
  headers: route({
    method: "GET",
    path: "/headers",
    query: z.object({ from: u64Param, to: u64Param.optional() }),
    reply: HeaderRangeReply,
    ssz: "signedHeaderList",
  }),
  header: route({ method: "GET", path: "/headers/:height", params: z.object({ height: u64Param }), reply: BlockReply, ssz: "signedHeader" }),
  headerOnly: route({ method: "GET", path: "/headers/:height/header", params: z.object({ height: u64Param }), reply: HeaderOnlyReply, ssz: "header" }),
  validatorSet: route({ method: "GET", path: "/validator-sets/:epoch", params: z.object({ epoch: epochParam }), reply: ValidatorSetReply, ssz: "validatorSet" }),
  stateProof: route({
    method: "GET",
    path: "/state/proof",
    query: z.object({ kind: leafKindParam, id: u64Param, height: u64Param.optional() }),
    reply: StateProofReply,
  }),
  /** Open Libra formats: the LedgerInfos that end epochs from..to (default: up to MAX_EPOCH_ENDINGS, or the last ended epoch). */
  openLibraEpochEnding: route({ method: "GET", path: "/openlibra/epoch-ending", query: z.strictObject({ from: u64Param, to: u64Param.optional() }), reply: EpochEndingReply }),
  /** The waypoint of the LedgerInfo that ends the genesis epoch: where `olzk verify openlibra` starts. */
  openLibraWaypoint: route({ method: "GET", path: "/openlibra/waypoint", reply: WaypointReply }),
  /** An epoch's Open Libra validator set (announced as the validator set route's: up to the next epoch once the current one's last block is sealed). */
  openLibraEpochState: route({ method: "GET", path: "/openlibra/epoch-states/:epoch", params: z.object({ epoch: u64Param }), reply: EpochStateReply }),
  /** The voucher of an epoch's attestation set by that epoch's Open Libra validators. */
  openLibraVoucher: route({ method: "GET", path: "/openlibra/vouchers/:epoch", params: z.object({ epoch: u64Param }), reply: VoucherReply }),
  auctions: route({ method: "GET", path: "/auctions", reply: AuctionsReply }),
  auction: route({ method: "GET", path: "/auctions/:auctionId", params: z.object({ auctionId: u64Param }), reply: AuctionReply }),
  settlementProof: route({
    method: "GET",
    path: "/auctions/:auctionId/settlement-proof",
    params: z.object({ auctionId: u64Param }),
    query: z.object({ height: u64Param.optional() }),
    reply: SettlementProofReply,
  }),
  lockups: route({ method: "GET", path: "/lockups", reply: LockupsReply }),
  lockup: route({ method: "GET", path: "/lockups/:lockId", params: z.object({ lockId: u64Param }), reply: LockupReply }),
  /** The risk engine: breaker state, ratio for new lockups, volatility and LIBRA price of the block being built. */
  risk: route({ method: "GET", path: "/risk", reply: RiskReply }),
  /** A collateral account: collateral, open credit and need, headroom, withdrawable, lockups. */
  account: route({ method: "GET", path: "/accounts/:accountId", params: z.object({ accountId: u64Param }), reply: AccountReply }),
  /** Body and reply depend on the action type: ACTION_REQUESTS and ACTION_REPLIES (actions.ts). */
  action: route({ method: "POST", path: "/actions/:type", params: z.object({ type: z.string() }), query: ActionQuery, reply: z.never() }),
  sealBlock: route({ method: "POST", path: "/admin/blocks", reply: BlockReply }),
  setOffline: route({
    method: "POST",
    path: "/admin/offline",
    body: z.strictObject({ slots: z.array(count, { error: "must be an array of slot numbers, or null" }).nullable() }),
    reply: z.strictObject({ offline: z.array(count).nullable() }),
  }),
  setAttestation: route({
    method: "POST",
    path: "/admin/attestation",
    body: z.strictObject({
      aggregate: z.boolean({ error: "must be true or false" }).optional(),
      dropouts: z.array(count, { error: "must be an array of slot numbers" }).optional(),
    }),
    reply: z.strictObject({ aggregate: z.boolean(), dropouts: z.array(count) }),
  }),
  /** Writes an epoch-ending backup (manifest and chunk) of ended epochs into the devnet's --backup-dir. */
  openLibraBackup: route({ method: "POST", path: "/admin/openlibra/backup", body: BackupRequest, reply: BackupReply }),
  advanceTime: route({
    method: "POST",
    path: "/admin/advance-time",
    body: z.strictObject({ seconds: z.number({ error: "must be a positive integer" }).int({ error: "must be a positive integer" }).positive({ error: "must be a positive integer" }).max(Number.MAX_SAFE_INTEGER) }),
    reply: z.strictObject({ nowMs: count }),
  }),
} as const;

export type RouteId = keyof typeof ROUTES;
export const ROUTE_IDS = Object.keys(ROUTES) as RouteId[];

export type ReplyOf<R extends Exclude<RouteId, "action">> = z.output<(typeof ROUTES)[R]["reply"]>;

/** The schema a reply of `route` (for the action route: of `action`) was encoded with. */
export function replySchema(route: RouteId, action?: ActionType): z.ZodType {
  if (route === "action") {
    if (!action) throw new RangeError("the action route's reply depends on the action type");
    return ACTION_REPLIES[action];
  }
  return ROUTES[route].reply;
}

/** The schema of the body of `route` (for the action route: of `action`), if it takes one. */
export function bodySchema(route: RouteId, action?: ActionType): z.ZodType | undefined {
  if (route === "action") return action ? ACTION_REQUESTS[action] : undefined;
  const r: RouteDef = ROUTES[route];
  return r.body;
}

// ---------------------------------------------------------------- paths

interface CompiledPath {
  regex: RegExp;
  names: string[];
}

const compiled = new Map<string, CompiledPath>();

function compile(path: string): CompiledPath {
  let c = compiled.get(path);
  if (!c) {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(seg.slice(1));
        return "([^/]+)";
      })
      .join("/");
    c = { regex: new RegExp(`^${source}$`), names };
    compiled.set(path, c);
  }
  return c;
}

/** The path parameters of `pathname` if it matches the template, else null. */
export function matchPath(template: string, pathname: string): Record<string, string> | null {
  const c = compile(template);
  const m = c.regex.exec(pathname);
  if (!m) return null;
  return Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

/** A path from its template and (already encoded) parameters. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_, n: string) => {
    const v = params[n];
    if (v === undefined) throw new RangeError(`path ${template} needs parameter ${n}`);
    return encodeURIComponent(v);
  });
}
