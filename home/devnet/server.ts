// HTTP API of the devnet on loopback (node:http, no framework): the routes of home/api's route
// table, each request decoded and each reply encoded with that table's schemas (bigints as
// decimal strings, bytes as 0x hex); SSZ bytes for headers and validator sets when the request
// sends `Accept: application/octet-stream`. Refusals are the domain's HomeError codes, which only
// this file maps to HTTP statuses; any other error is internal: logged with a request id and
// answered without its message. Routes and formats: home/devnet/API.md.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type * as z from "zod";
import { encode as zEncode } from "zod";
import {
  ACTION_TYPES,
  HOME_ERRORS,
  HOME_ERROR_CODES,
  HomeError,
  ROUTES,
  ROUTE_IDS,
  SSZ_CODECS,
  MAX_RANGE,
  MAX_WAIT_MS,
  actionReplySchema,
  describeIssues,
  isActionType,
  matchPath,
  waits,
  type ActionType,
  type AuctionView,
  type BlockView,
  type HomeErrorCode,
  type LockupView,
  type RouteDef,
  type RouteId,
  type SszKind,
  type SszValues,
  type StatusView,
  type Where,
} from "../api/index.ts";
import { validatorSetRoot } from "../model/index.ts";
import type { AuctionRecord, LockupRecord } from "./auctions-module.ts";
import type { BlockInfo, DevnetChain } from "./chain.ts";
import { toJSON } from "./json.ts";

export { SignedHeaderListSSZ, MAX_RANGE } from "../api/index.ts";

/** The HTTP status of each error code: the only place a domain refusal meets HTTP. */
export const HTTP_STATUS: Record<HomeErrorCode, number> = {
  "invalid-request": 400,
  "unknown-route": 404,
  "unknown-action": 404,
  "method-not-allowed": 405,
  "not-acceptable": 406,
  "body-too-large": 413,
  "block-not-found": 404,
  "validator-set-not-announced": 404,
  "auction-not-found": 404,
  "lockup-not-found": 404,
  "result-not-found": 404,
  "ledger-info-not-found": 404,
  "voucher-not-found": 404,
  "wrong-phase": 409,
  "wrong-mode": 409,
  "duplicate-commitment": 409,
  "already-revealed": 409,
  "escrow-already-acknowledged": 409,
  "escrow-not-acknowledged": 409,
  "lockup-not-locked": 409,
  "lockup-in-use": 409,
  "lockup-not-expired": 409,
  "position-taken": 409,
  "receipt-open": 409,
  "receipt-consumed": 409,
  "receipt-invalid": 422,
  "credit-too-low": 422,
  "lock-expires-too-early": 422,
  "refund-too-early": 422,
  "wrong-borrower": 422,
  "wrong-credit-asset": 422,
  "no-credit": 422,
  "commitment-mismatch": 422,
  "invalid-bid": 422,
  "escrow-mismatch": 422,
  "away-state-mismatch": 422,
  "away-proof-invalid": 422,
  "away-chain-mismatch": 422,
  "away-rpc-failed": 502,
  "away-rpc-missing": 503,
  "backup-dir-missing": 503,
  "shutting-down": 503,
  internal: 500,
  "bad-reply": 502,
};

/** API.md's error code table: code, HTTP status, meaning of every code (scripts/docs.ts writes it). */
export function errorCodeTable(): string {
  const rows = HOME_ERROR_CODES.map((code) => `| \`${code}\` | ${HTTP_STATUS[code]} | ${HOME_ERRORS[code]} |`);
  return ["| code | status | meaning |", "|---|---|---|", ...rows].join("\n");
}

const MAX_BODY = 256 * 1024;

/** A reply: JSON already encoded with its route's schema, or SSZ bytes. */
type Reply = { json: unknown } | { ssz: Uint8Array };

/** A decoded request, as each route's handler sees it. */
interface Request<R extends RouteId> {
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

type Handlers = { [R in RouteId]: (req: Request<R>) => Reply | Promise<Reply> };

/** One reply as the server sent it, for observers (the round-trip test, `olzk start --record-home-api`). */
export interface RecordedReply {
  route: RouteId;
  /** The action type, on the action route. */
  action?: ActionType;
  status: number;
  /** The JSON text, or the SSZ bytes as base64. */
  body: string;
  ssz?: SszKind;
}

export interface ServeOptions {
  /** Called with each internal error and the request id its reply names. */
  onError?: (e: unknown, requestId: string) => void;
  /** Called with every reply sent. */
  onReply?: (r: RecordedReply) => void;
}

function encoded<S extends z.ZodType>(schema: S, value: z.output<S>): Reply {
  return { json: zEncode(schema, value) };
}

function sszReply<K extends SszKind>(kind: K, value: SszValues[K]): Reply {
  return { ssz: SSZ_CODECS[kind].encode(value) };
}

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

function statusView(chain: DevnetChain): StatusView {
  const l = chain.latest;
  const c = chain.config;
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
    awayChainId: c.awayChainId,
    settlementAddress: c.settlementAddress,
    escrowAddress: c.escrowAddress,
    awayRpc: c.awayRpc === null ? null : typeof c.awayRpc === "string" ? c.awayRpc : "in-process",
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
  return { ...l.payload, collateral: l.collateral, priceScaled: l.priceScaled, collateralRatioPercent: l.collateralRatioPercent, heldBy: l.heldBy };
}

function handlers(chain: DevnetChain): Handlers {
  const block = (h: bigint) => {
    const b = chain.block(h);
    if (!b) throw new HomeError("block-not-found", `no block at height ${h} (latest is ${chain.latest.header.height})`);
    return b;
  };
  const blockReply = (b: BlockInfo, ssz: boolean): Reply => (ssz ? sszReply("signedHeader", chain.signedHeader(b)) : encoded(ROUTES.header.reply, blockView(chain, b)));
  return {
    root: () => encoded(ROUTES.root.reply, { service: "olzk Home devnet", docs: "home/devnet/API.md", status: "/status" }),
    status: () => encoded(ROUTES.status.reply, statusView(chain)),
    nextStatus: async ({ query, signal }) => {
      await chain.nextBlockAfter(query.after, query.waitMs ?? MAX_WAIT_MS, signal);
      return encoded(ROUTES.nextStatus.reply, statusView(chain));
    },
    latestHeader: ({ ssz }) => blockReply(chain.latest, ssz),
    headers: ({ query, ssz }) => {
      const latest = chain.latest.header.height;
      const from = query.from;
      if (from > latest) throw new HomeError("block-not-found", `no block at height ${from} (latest is ${latest})`);
      const to = query.to ?? (from + 63n > latest ? latest : from + 63n);
      if (to < from) throw new HomeError("invalid-request", `'to' (${to}) is below 'from' (${from})`);
      if (to - from + 1n > BigInt(MAX_RANGE)) throw new HomeError("invalid-request", `a range holds at most ${MAX_RANGE} headers, asked for ${to - from + 1n}`);
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
    stateProof: ({ query }) => encoded(ROUTES.stateProof.reply, chain.stateProof(query.kind, query.id, query.height)),
    openLibraEpochEnding: ({ query }) => encoded(ROUTES.openLibraEpochEnding.reply, chain.openLibra.epochEndings(query.from, query.to)),
    openLibraWaypoint: () => encoded(ROUTES.openLibraWaypoint.reply, chain.openLibra.waypointView()),
    openLibraEpochState: ({ params }) => {
      if (!chain.validatorSet(params.epoch)) throw new HomeError("validator-set-not-announced", `the validator set of epoch ${params.epoch} is not announced yet (latest block is in epoch ${chain.latest.header.epoch})`);
      return encoded(ROUTES.openLibraEpochState.reply, chain.openLibra.epochStateView(params.epoch));
    },
    openLibraVoucher: ({ params }) => encoded(ROUTES.openLibraVoucher.reply, chain.openLibra.voucherView(params.epoch)),
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
    action: async ({ params, query, rawBody }) => {
      const type = params.type;
      if (!isActionType(type)) throw new HomeError("unknown-action", `unknown action '${type}' (actions: ${ACTION_TYPES.join(", ")})`);
      return actionReply(chain, type, rawBody, waits(query));
    },
    sealBlock: () => encoded(ROUTES.sealBlock.reply, blockView(chain, chain.produceBlock())),
    setOffline: ({ body }) => {
      try {
        chain.setOffline(body.slots);
      } catch (e) {
        if (e instanceof RangeError) throw new HomeError("invalid-request", e.message);
        throw e;
      }
      return encoded(ROUTES.setOffline.reply, { offline: body.slots });
    },
    setAttestation: ({ body }) => {
      try {
        return encoded(ROUTES.setAttestation.reply, chain.setAttestationControls(body));
      } catch (e) {
        if (e instanceof RangeError) throw new HomeError("invalid-request", e.message);
        throw e;
      }
    },
    openLibraBackup: ({ body }) => encoded(ROUTES.openLibraBackup.reply, chain.openLibra.backupOnRequest(body.fromEpoch, body.toEpoch)),
    advanceTime: ({ body }) => encoded(ROUTES.advanceTime.reply, { nowMs: chain.advanceTime(body.seconds) }),
  };
}

async function actionReply<T extends ActionType>(chain: DevnetChain, type: T, body: unknown, wait: boolean): Promise<Reply> {
  const r = await chain.submit(type, body);
  const schema = actionReplySchema(type);
  if (!wait) return encoded(schema, { ...r, sealed: false });
  const b = await chain.waitForHeight(r.height);
  return encoded(schema, { ...r, sealed: true, headerHash: b.hash, stateRoot: b.header.stateRoot });
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HomeError("body-too-large", `request body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new HomeError("invalid-request", `request body is not valid JSON: ${(e as Error).message}`));
      }
    });
    req.on("error", reject);
  });
}

function decode<S extends z.ZodType | undefined>(schema: S, value: unknown, where: Where): S extends z.ZodType ? z.output<S> : undefined;
function decode(schema: z.ZodType | undefined, value: unknown, where: Where): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) throw new HomeError("invalid-request", describeIssues(r.error, where));
  return r.data;
}

/** Decodes what the route takes and runs its handler. */
async function dispatch<R extends RouteId>(id: R, route: RouteDef, handler: (req: Request<R>) => Reply | Promise<Reply>, req: IncomingMessage, url: URL, rawParams: Record<string, string>, ssz: boolean, signal: AbortSignal): Promise<Reply> {
  const takesBody = route.body !== undefined || id === "action";
  const rawBody = takesBody ? await readBody(req) : undefined;
  if (rawBody !== undefined && route.body && (typeof rawBody !== "object" || rawBody === null || Array.isArray(rawBody))) {
    throw new HomeError("invalid-request", "request body must be a JSON object");
  }
  const typed: Request<R> = {
    params: decode(route.params, rawParams, "path parameter") as Request<R>["params"],
    query: decode(route.query, Object.fromEntries(url.searchParams), "query parameter") as Request<R>["query"],
    body: decode(route.body, rawBody, "field") as Request<R>["body"],
    rawBody,
    ssz,
    signal,
  };
  return handler(typed);
}

function send(res: ServerResponse, status: number, reply: Reply, extraHeaders: Record<string, string> = {}): RecordedReply["body"] {
  if ("ssz" in reply) {
    res.writeHead(status, { "content-type": "application/octet-stream", "content-length": reply.ssz.length, ...extraHeaders });
    res.end(reply.ssz);
    return Buffer.from(reply.ssz).toString("base64");
  }
  const text = toJSON(reply.json);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
  return text;
}

export interface DevnetServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serve(chain: DevnetChain, host: string, port: number, opts: ServeOptions = {}): Promise<DevnetServer> {
  const table = handlers(chain);
  const server = createServer(async (req, res) => {
    const gone = new AbortController();
    res.once("close", () => gone.abort());
    let routeId: RouteId | undefined;
    let action: ActionType | undefined;
    let sszKind: SszKind | undefined;
    const reply = (status: number, r: Reply, headers?: Record<string, string>) => {
      const body = send(res, status, r, headers);
      if (routeId) opts.onReply?.({ route: routeId, ...(action ? { action } : {}), status, body, ...("ssz" in r && sszKind ? { ssz: sszKind } : {}) });
    };
    const refuse = (e: HomeError, headers?: Record<string, string>) => reply(HTTP_STATUS[e.code], { json: { error: e.message, code: e.code } }, headers);
    try {
      const url = new URL(req.url ?? "/", "http://devnet.local");
      const matches = ROUTE_IDS.flatMap((id) => {
        const params = matchPath(ROUTES[id].path, url.pathname);
        return params ? [{ id, params }] : [];
      });
      if (matches.length === 0) throw new HomeError("unknown-route", `no route ${url.pathname} (see home/devnet/API.md)`);
      const hit = matches.find((m) => ROUTES[m.id].method === req.method);
      if (!hit) {
        const allow = [...new Set(matches.map((m) => ROUTES[m.id].method))].join(", ");
        refuse(new HomeError("method-not-allowed", `method ${req.method} not allowed on ${url.pathname} (allowed: ${allow})`), { allow });
        return;
      }
      routeId = hit.id;
      const route: RouteDef = ROUTES[hit.id];
      if (hit.id === "action" && hit.params.type && isActionType(hit.params.type)) action = hit.params.type;
      const accept = String(req.headers.accept ?? "");
      const wantsSsz = accept.includes("application/octet-stream");
      if (wantsSsz && !route.ssz && !accept.includes("json") && !accept.includes("*/*")) {
        throw new HomeError("not-acceptable", `${url.pathname} is JSON only; send Accept: application/json`);
      }
      const ssz = wantsSsz && route.ssz !== undefined;
      sszKind = ssz ? route.ssz : undefined;
      reply(200, await dispatch(hit.id, route, table[hit.id] as (r: Request<RouteId>) => Reply | Promise<Reply>, req, url, hit.params, ssz, gone.signal));
    } catch (e) {
      if (e instanceof HomeError) {
        refuse(e);
      } else {
        const requestId = randomBytes(6).toString("hex");
        opts.onError?.(e, requestId);
        reply(500, { json: { error: `internal error (request ${requestId}); the devnet's log has the details`, code: "internal", requestId } });
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
