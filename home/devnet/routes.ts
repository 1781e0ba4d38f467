// The devnet's answer to each route of home/api's route table, one function per route group
// (status, headers, state, actions, admin). Each handler gets its request decoded with the
// route's schemas (server.ts does that) and returns its reply encoded with the route's reply
// schema, or SSZ bytes. Refusals are HomeErrors; server.ts maps their codes to HTTP statuses.
import type * as z from "zod";
import { encode as zEncode } from "zod";
import {
  ACTION_TYPES,
  HomeError,
  ROUTES,
  SSZ_CODECS,
  MAX_RANGE,
  MAX_WAIT_MS,
  actionReplySchema,
  isActionType,
  waits,
  type ActionType,
  type AccountView,
  type AuctionView,
  type BlockView,
  type LockupView,
  type RiskView,
  type RouteId,
  type SszKind,
  type SszValues,
  type StatusView,
} from "../api/index.ts";
import { validatorSetRoot } from "../model/index.ts";
import { currentRatioBps, formatPrice, isqrt, riskStatePayload, type RiskConfig, type RiskState } from "../risk/index.ts";
import type { AuctionRecord, LockupRecord } from "./auctions-module.ts";
import type { BlockInfo, DevnetChain } from "./chain.ts";
import { awayChainsOf, type AwayChainConfig } from "./config.ts";

/** A reply: JSON already encoded with its route's schema, or SSZ bytes. */
export type Reply = { json: unknown } | { ssz: Uint8Array };

/** A decoded request, as each route's handler sees it. */
export interface Request<R extends RouteId> {
  params: Decoded<(typeof ROUTES)[R], "params">;
  query: Decoded<(typeof ROUTES)[R], "query">;
  body: Decoded<(typeof ROUTES)[R], "body">;
  /** The raw JSON body (the action route decodes it per action type). */
  rawBody: unknown;
  ssz: boolean;
  /** Aborts when the client goes away before the reply (a long-poll stops waiting). */
  signal: AbortSignal;
}
type Decoded<D, K extends "params" | "query" | "body"> = D extends { [k in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

export type Handler<R extends RouteId> = (req: Request<R>) => Reply | Promise<Reply>;
export type Handlers = { [R in RouteId]: Handler<R> };

function encoded<S extends z.ZodType>(schema: S, value: z.output<S>): Reply {
  return { json: zEncode(schema, value) };
}

function sszReply<K extends SszKind>(kind: K, value: SszValues[K]): Reply {
  return { ssz: SSZ_CODECS[kind].encode(value) };
}

/** The handlers of every route: adding a route to home/api's table means adding it to a group here. */
export function handlers(chain: DevnetChain): Handlers {
  return { ...statusRoutes(chain), ...headerRoutes(chain), ...stateRoutes(chain), ...openLibraRoutes(chain), ...actionRoutes(chain), ...adminRoutes(chain) };
}

// ---- views: the chain's records as the API's reply types ----

function blockView(chain: DevnetChain, b: BlockInfo): BlockView {
  return {
    height: b.header.height,
    epoch: b.header.epoch,
    headerHash: b.hash,
    epochEnd: b.header.nextValidatorSetRoot !== 0n,
    quorum: b.quorum,
    signedPower: b.signedPower,
    totalPower: b.totalPower,
    aggregated: b.aggregate !== null,
    signedHeader: chain.signedHeader(b),
  };
}

/** The Away RPC URL, "in-process" for a client object, null when none is configured. */
const rpcName = (rpc: AwayChainConfig["awayRpc"]) => (rpc === null ? null : typeof rpc === "string" ? rpc : "in-process");

function statusView(chain: DevnetChain): StatusView {
  const l = chain.latest;
  const c = chain.config;
  const aways = awayChainsOf(c).map((a) => ({ chainId: a.chainId, settlementAddress: a.settlementAddress, escrowAddress: a.escrowAddress, awayRpc: rpcName(a.awayRpc) }));
  return {
    homeChainId: c.homeChainId,
    height: l.header.height,
    epoch: l.header.epoch,
    headerHash: l.hash,
    timestampMs: l.header.timestampMs,
    nowMs: chain.nowMs(),
    epochBlocks: c.epochBlocks,
    blockMs: c.blockMs,
    capacity: c.capacity,
    active: c.active,
    awayChainId: aways[0]!.chainId,
    settlementAddress: aways[0]!.settlementAddress,
    escrowAddress: aways[0]!.escrowAddress,
    awayRpc: aways[0]!.awayRpc,
    awayChains: aways,
    confirmations: c.confirmations,
    libraPrice: c.libraPrice,
    collateralRatioPercent: c.collateralRatioPercent,
    maxFills: c.maxFills,
    maxLockFills: c.maxLockFills,
    pendingLeaves: chain.pendingLeaves,
  };
}

const auctionView = (a: AuctionRecord): AuctionView => a;

function lockupView(l: LockupRecord): LockupView {
  return {
    ...l.payload,
    accountId: l.accountId,
    collateral: l.collateral,
    priceScaled: l.priceScaled,
    ratioBps: l.ratioBps,
    collateralRatioPercent: Math.ceil(l.ratioBps / 100),
    heldBy: l.heldBy,
    awayChainId: l.awayChainId,
  };
}

function riskView(risk: RiskState, cfg: RiskConfig): RiskView {
  return {
    tick: risk.tick,
    breaker: risk.breaker,
    ratioBps: currentRatioBps(risk, cfg),
    acceptsNew: risk.breaker !== "HARD",
    libraPrice: formatPrice(risk.price),
    libraPriceScaled: risk.price,
    // variance = volBps^2 * 1e10 (home/risk volatility.ts)
    volatilityBps: Number(isqrt(risk.variance / 10n ** 10n)),
    variance: risk.variance,
    calmTicks: risk.calmTicks,
    leaf: riskStatePayload(risk, cfg),
  };
}

function accountView(chain: DevnetChain, accountId: bigint): AccountView {
  const a = chain.account(accountId);
  if (!a) throw new HomeError("account-not-found", `collateral account ${accountId} does not exist`);
  const { account, position: p } = a;
  return {
    accountId,
    owner: account.owner,
    collateral: account.collateral,
    slashed: account.slashed,
    collateralValue: p.collateralValue,
    openLockups: p.openLockups,
    openCreditValue: p.openCreditValue,
    openNeedValue: p.openNeedValue,
    headroomValue: p.headroomValue,
    withdrawable: p.withdrawable,
    lockups: a.lockups.map(({ accountId: _, ...l }) => l),
  };
}

// ---- route groups ----

/** GET /, /status, /status/next (long-poll). */
function statusRoutes(chain: DevnetChain): Pick<Handlers, "root" | "status" | "nextStatus"> {
  return {
    root: () => encoded(ROUTES.root.reply, { service: "olzk Home devnet", docs: "home/devnet/API.md", status: "/status" }),
    status: () => encoded(ROUTES.status.reply, statusView(chain)),
    nextStatus: async ({ query, signal }) => {
      await chain.nextBlockAfter(query.after, query.waitMs ?? MAX_WAIT_MS, signal);
      return encoded(ROUTES.nextStatus.reply, statusView(chain));
    },
  };
}

/** GET /headers/..., /validator-sets/:epoch: JSON or SSZ. */
function headerRoutes(chain: DevnetChain): Pick<Handlers, "latestHeader" | "headers" | "header" | "headerOnly" | "validatorSet"> {
  const block = (h: bigint) => {
    const b = chain.block(h);
    if (!b) throw new HomeError("block-not-found", `no block at height ${h} (latest is ${chain.latest.header.height})`);
    return b;
  };
  const blockReply = (b: BlockInfo, ssz: boolean): Reply => (ssz ? sszReply("signedHeader", chain.signedHeader(b)) : encoded(ROUTES.header.reply, blockView(chain, b)));
  return {
    latestHeader: ({ ssz }) => blockReply(chain.latest, ssz),
    headers: ({ query, ssz }) => {
      const { from, to, latest } = headerRange(chain, query.from, query.to);
      const blocks = chain.blocks(from, to);
      if (ssz) return sszReply("signedHeaderList", blocks.map((b) => chain.signedHeader(b)));
      return encoded(ROUTES.headers.reply, { from, to: blocks[blocks.length - 1]!.header.height, latest, headers: blocks.map((b) => blockView(chain, b)) });
    },
    header: ({ params, ssz }) => blockReply(block(params.height), ssz),
    headerOnly: ({ params, ssz }) => {
      const b = block(params.height);
      return ssz ? sszReply("header", b.header) : encoded(ROUTES.headerOnly.reply, { headerHash: b.hash, header: b.header });
    },
    validatorSet: ({ params, ssz }) => {
      const epoch = params.epoch === "latest" ? chain.latest.header.epoch : params.epoch;
      const set = chain.validatorSet(epoch);
      if (!set) {
        throw new HomeError("validator-set-not-announced", `the validator set of epoch ${epoch} is not announced yet (latest block is in epoch ${chain.latest.header.epoch})`);
      }
      return ssz ? sszReply("validatorSet", set) : encoded(ROUTES.validatorSet.reply, { epoch: set.epoch, root: validatorSetRoot(set), validatorSet: set });
    },
  };
}

/** The range GET /headers serves: from `from` to `to` (default: 64 headers, or up to the latest), at most MAX_RANGE. */
function headerRange(chain: DevnetChain, from: bigint, toAsked: bigint | undefined): { from: bigint; to: bigint; latest: bigint } {
  const latest = chain.latest.header.height;
  if (from > latest) throw new HomeError("block-not-found", `no block at height ${from} (latest is ${latest})`);
  const to = toAsked ?? (from + 63n > latest ? latest : from + 63n);
  if (to < from) throw new HomeError("invalid-request", `'to' (${to}) is below 'from' (${from})`);
  if (to - from + 1n > BigInt(MAX_RANGE)) throw new HomeError("invalid-request", `a range holds at most ${MAX_RANGE} headers, asked for ${to - from + 1n}`);
  return { from, to, latest };
}

/** GET /state/proof, /auctions..., /lockups..., /risk, /accounts/:id: the module state and its proofs. */
function stateRoutes(chain: DevnetChain): Pick<Handlers, "stateProof" | "auctions" | "auction" | "settlementProof" | "lockups" | "lockup" | "risk" | "account"> {
  return {
    risk: () => encoded(ROUTES.risk.reply, riskView(chain.riskState(), chain.params.risk)),
    account: ({ params }) => encoded(ROUTES.account.reply, accountView(chain, params.accountId)),
    stateProof: ({ query }) => encoded(ROUTES.stateProof.reply, chain.stateProof(query.kind, query.id, query.height)),
    auctions: () => encoded(ROUTES.auctions.reply, { auctions: chain.auctions().map(auctionView) }),
    auction: ({ params }) => {
      const a = chain.auction(params.auctionId);
      if (!a) throw new HomeError("auction-not-found", `auction ${params.auctionId} not found`);
      return encoded(ROUTES.auction.reply, auctionView(a));
    },
    settlementProof: ({ params, query }) => {
      const p = chain.settlementProof(params.auctionId, query.height);
      return encoded(ROUTES.settlementProof.reply, { height: p.result.height, stateRoot: p.result.stateRoot, headerHash: p.result.headerHash, result: p.result, lockups: p.lockups });
    },
    lockups: () => encoded(ROUTES.lockups.reply, { lockups: chain.lockups().map(lockupView) }),
    lockup: ({ params }) => {
      const l = chain.lockup(params.lockId);
      if (!l) throw new HomeError("lockup-not-found", `lockup ${params.lockId} not found`);
      return encoded(ROUTES.lockup.reply, lockupView(l));
    },
  };
}

/** POST /actions/:type (?wait=1: answer once the action's block is sealed). */
function actionRoutes(chain: DevnetChain): Pick<Handlers, "action"> {
  return {
    action: async ({ params, query, rawBody }) => {
      const type = params.type;
      if (!isActionType(type)) throw new HomeError("unknown-action", `unknown action '${type}' (actions: ${ACTION_TYPES.join(", ")})`);
      return actionReply(chain, type, rawBody, waits(query));
    },
  };
}

async function actionReply<T extends ActionType>(chain: DevnetChain, type: T, body: unknown, wait: boolean): Promise<Reply> {
  const r = await chain.submit(type, body);
  const schema = actionReplySchema(type);
  if (!wait) return encoded(schema, { ...r, sealed: false });
  const b = await chain.waitForHeight(r.height);
  return encoded(schema, { ...r, sealed: true, headerHash: b.hash, stateRoot: b.header.stateRoot });
}

/** GET /openlibra/..., POST /admin/openlibra/backup: the chain in Open Libra's formats (openlibra.ts). */
function openLibraRoutes(
  chain: DevnetChain,
): Pick<Handlers, "openLibraEpochEnding" | "openLibraWaypoint" | "openLibraEpochState" | "openLibraVoucher" | "openLibraBackup"> {
  return {
    openLibraEpochEnding: ({ query }) => encoded(ROUTES.openLibraEpochEnding.reply, chain.openLibra.epochEndings(query.from, query.to)),
    openLibraWaypoint: () => encoded(ROUTES.openLibraWaypoint.reply, chain.openLibra.waypointView()),
    openLibraEpochState: ({ params }) => {
      if (!chain.validatorSet(params.epoch)) throw new HomeError("validator-set-not-announced", `the validator set of epoch ${params.epoch} is not announced yet (latest block is in epoch ${chain.latest.header.epoch})`);
      return encoded(ROUTES.openLibraEpochState.reply, chain.openLibra.epochStateView(params.epoch));
    },
    openLibraVoucher: ({ params }) => encoded(ROUTES.openLibraVoucher.reply, chain.openLibra.voucherView(params.epoch)),
    openLibraBackup: ({ body }) => encoded(ROUTES.openLibraBackup.reply, chain.openLibra.backupOnRequest(body.fromEpoch, body.toEpoch)),
  };
}

/** POST /admin/...: the devnet's switches (seal a block, offline slots, aggregation, time warp). */
function adminRoutes(chain: DevnetChain): Pick<Handlers, "sealBlock" | "setOffline" | "setAttestation" | "advanceTime"> {
  return {
    sealBlock: () => encoded(ROUTES.sealBlock.reply, blockView(chain, chain.produceBlock())),
    setOffline: ({ body }) => {
      badSlotsAreInvalidRequests(() => chain.setOffline(body.slots));
      return encoded(ROUTES.setOffline.reply, { offline: body.slots });
    },
    setAttestation: ({ body }) => encoded(ROUTES.setAttestation.reply, badSlotsAreInvalidRequests(() => chain.setAttestationControls(body))),
    advanceTime: ({ body }) => encoded(ROUTES.advanceTime.reply, { nowMs: chain.advanceTime(body.seconds) }),
  };
}

/** The chain refuses a slot outside the set with a RangeError: to the client that is a bad request. */
function badSlotsAreInvalidRequests<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) throw new HomeError("invalid-request", e.message);
    throw e;
  }
}
