// HomeClient: the one typed client of the Home HTTP API. Every request is encoded and every reply
// decoded with the schemas of the route table (routes.ts), the same ones the devnet server uses,
// so callers get the model's types (bigints, checksummed addresses, StateProof, SignedHeader)
// and never decode JSON by hand. A refusal becomes a HomeApiError carrying the reply's code
// (branch on `code`, never on the message); a reply that does not match the schema is a
// HomeApiError with code "bad-reply". Network failures are thrown as fetch throws them.
import type * as z from "zod";
import { encode as zEncode } from "zod";
import type { LeafKind, SignedHeader, Header, ValidatorSet } from "../model/index.ts";
import { actionReplySchema, actionRequestSchema, type ActionBody, type ActionReply, type ActionType } from "./actions.ts";
import { ErrorReply, HomeError, type HomeErrorCode } from "./errors.ts";
import { describeIssues } from "./issues.ts";
import { ROUTES, fillPath, type ReplyOf, type RouteDef, type SszKind } from "./routes.ts";
import { SSZ_CODECS, type SszValues } from "./ssz.ts";
import type { BackupView, EpochEndingReplyView, EpochStateView, VoucherView, WaypointView } from "./openlibra.ts";
import type { AccountView, AuctionView, BlockView, HeaderOnlyView, HeaderRangeView, LockupView, RiskView, SettlementProofView, StateProofView, StatusView, ValidatorSetView } from "./views.ts";

/** A refusal by the Home API (or a reply that does not fit it): the code, the HTTP status, the message. */
export class HomeApiError extends HomeError {
  /** Names an internal error in the devnet's log. */
  readonly requestId?: string;
  /** The request refused, e.g. "GET /headers/9" (not set for a request refused before it was sent). */
  readonly request?: string;
  /** The Home's own words for a refusal (its reply's `error`), without the request and status. */
  readonly reason?: string;

  constructor(
    code: HomeErrorCode,
    message: string,
    /** The HTTP status of the reply. */
    readonly status: number,
    details: { requestId?: string; request?: string; reason?: string } = {},
  ) {
    super(code, message);
    this.name = "HomeApiError";
    this.requestId = details.requestId;
    this.request = details.request;
    this.reason = details.reason;
  }
}

export interface HomeClientOptions {
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** How each request runs, e.g. inside a retry policy (default: once). */
  run?: <T>(request: () => Promise<T>) => Promise<T>;
}

interface Call {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: { schema: z.ZodType; value: unknown };
  ssz?: boolean;
  /** Aborts the request (besides the client's timeout). */
  signal?: AbortSignal;
  /** How long the server may hold the request before it answers (added to the timeout). */
  holdMs?: number;
}

export class HomeClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly run: <T>(request: () => Promise<T>) => Promise<T>;

  constructor(baseUrl: string, opts: HomeClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.run = opts.run ?? ((request) => request());
  }

  // ---------------------------------------------------------------- chain

  /** What the service is (GET /): its name and where its docs are. */
  service(): Promise<z.output<typeof ROUTES.root.reply>> {
    return this.json(ROUTES.root, ROUTES.root.reply, {});
  }

  status(): Promise<StatusView> {
    return this.json(ROUTES.status, ROUTES.status.reply, {});
  }

  /**
   * Long-poll (GET /status/next): the status as soon as a block above `after` is sealed, or after
   * `waitMs` (at most MAX_WAIT_MS) as it is then; `height > after` tells which. It is sent once,
   * outside the client's retry policy (the caller loops anyway, and must be able to stop it with
   * `signal`). A Home without the route refuses it with a 404 (code "unknown-route").
   */
  nextStatus(after: bigint, waitMs: number, opts: { signal?: AbortSignal } = {}): Promise<StatusView> {
    return this.decodeJson(ROUTES.nextStatus, ROUTES.nextStatus.reply, { query: { after, waitMs }, signal: opts.signal, holdMs: waitMs });
  }

  /** A signed header with its quorum, at `height` or the latest. */
  block(height: bigint | "latest"): Promise<BlockView> {
    if (height === "latest") return this.json(ROUTES.latestHeader, ROUTES.latestHeader.reply, {});
    return this.json(ROUTES.header, ROUTES.header.reply, { params: { height } });
  }

  /** The signed header at `height` (SSZ: the model's SignedHeader). */
  signedHeader(height: bigint | "latest"): Promise<SignedHeader> {
    if (height === "latest") return this.ssz(ROUTES.latestHeader, "signedHeader", {});
    return this.ssz(ROUTES.header, "signedHeader", { params: { height } });
  }

  /** The header alone (JSON, with its hash). */
  headerOnly(height: bigint): Promise<HeaderOnlyView> {
    return this.json(ROUTES.headerOnly, ROUTES.headerOnly.reply, { params: { height } });
  }

  /** The header alone (SSZ). */
  header(height: bigint): Promise<Header> {
    return this.ssz(ROUTES.headerOnly, "header", { params: { height } });
  }

  /** Headers from..to (at most 256; `to` defaults to from + 63 or the head). */
  headers(from: bigint, to?: bigint): Promise<HeaderRangeView> {
    return this.json(ROUTES.headers, ROUTES.headers.reply, { query: { from, to } });
  }

  /** Signed headers from..to (SSZ list). */
  signedHeaders(from: bigint, to?: bigint): Promise<SignedHeader[]> {
    return this.ssz(ROUTES.headers, "signedHeaderList", { query: { from, to } });
  }

  validatorSet(epoch: bigint | "latest"): Promise<ValidatorSetView> {
    return this.json(ROUTES.validatorSet, ROUTES.validatorSet.reply, { params: { epoch } });
  }

  /** The validator set of `epoch` (SSZ: the model's ValidatorSet). */
  validatorSetSsz(epoch: bigint | "latest"): Promise<ValidatorSet> {
    return this.ssz(ROUTES.validatorSet, "validatorSet", { params: { epoch } });
  }

  // ---------------------------------------------------------------- Open Libra formats

  /** The epoch-ending LedgerInfos of epochs from..to (BCS and JSON; at most MAX_EPOCH_ENDINGS; `to` defaults to the last ended epoch). */
  openLibraEpochEnding(from: bigint, to?: bigint): Promise<EpochEndingReplyView> {
    return this.json(ROUTES.openLibraEpochEnding, ROUTES.openLibraEpochEnding.reply, { query: { from, to } });
  }

  /** The waypoint of the LedgerInfo that ends epoch 0 (code "ledger-info-not-found" while epoch 0 runs). */
  openLibraWaypoint(): Promise<WaypointView> {
    return this.json(ROUTES.openLibraWaypoint, ROUTES.openLibraWaypoint.reply, {});
  }

  /** The Open Libra validator set of `epoch` (BCS and JSON; code "validator-set-not-announced" beyond the next epoch): e.g. the trusted start of an OpenLibraLightClient. */
  openLibraEpochState(epoch: bigint): Promise<EpochStateView> {
    return this.json(ROUTES.openLibraEpochState, ROUTES.openLibraEpochState.reply, { params: { epoch } });
  }

  /** The voucher of `epoch`'s attestation set (code "voucher-not-found" before the epoch's first block). */
  openLibraVoucher(epoch: bigint): Promise<VoucherView> {
    return this.json(ROUTES.openLibraVoucher, ROUTES.openLibraVoucher.reply, { params: { epoch } });
  }

  // ---------------------------------------------------------------- state

  /** Inclusion or non-inclusion proof of leaf (kind, id) at `height` (default latest). */
  stateProof(kind: LeafKind, id: bigint, height?: bigint): Promise<StateProofView> {
    return this.json(ROUTES.stateProof, ROUTES.stateProof.reply, { query: { kind, id, height } });
  }

  /** The result leaf of an auction and its lockups in the Settlement circuit's slot order, at one height. */
  settlementProof(auctionId: bigint, height?: bigint): Promise<SettlementProofView> {
    return this.json(ROUTES.settlementProof, ROUTES.settlementProof.reply, { params: { auctionId }, query: { height } });
  }

  async auctions(): Promise<AuctionView[]> {
    return (await this.json(ROUTES.auctions, ROUTES.auctions.reply, {})).auctions;
  }

  auction(auctionId: bigint): Promise<AuctionView> {
    return this.json(ROUTES.auction, ROUTES.auction.reply, { params: { auctionId } });
  }

  async lockups(): Promise<LockupView[]> {
    return (await this.json(ROUTES.lockups, ROUTES.lockups.reply, {})).lockups;
  }

  lockup(lockId: bigint): Promise<LockupView> {
    return this.json(ROUTES.lockup, ROUTES.lockup.reply, { params: { lockId } });
  }

  /** The risk engine's state for the block being built: breaker, ratio for new lockups, volatility, LIBRA price. */
  risk(): Promise<RiskView> {
    return this.json(ROUTES.risk, ROUTES.risk.reply, {});
  }

  /** A collateral account: collateral, open credit and need, headroom, withdrawable LIBRA and its lockups. */
  account(accountId: bigint): Promise<AccountView> {
    return this.json(ROUTES.account, ROUTES.account.reply, { params: { accountId } });
  }

  // ---------------------------------------------------------------- actions

  /**
   * Submits an action. The body is checked against the action's schema here first (a mistake is
   * a HomeApiError "invalid-request" without a request). `wait` answers once its block is sealed.
   */
  act<T extends ActionType>(type: T, body: ActionBody<T>, opts: { wait?: boolean } = {}): Promise<ActionReply<T>> {
    const schema = actionRequestSchema(type);
    const checked = schema.safeParse(body, { reportInput: true });
    if (!checked.success) return Promise.reject(new HomeApiError("invalid-request", describeIssues(checked.error, "field", type), 0));
    return this.json(ROUTES.action, actionReplySchema(type), {
      params: { type },
      query: opts.wait ? { wait: "1" } : {},
      body: { schema, value: checked.data },
    });
  }

  // ---------------------------------------------------------------- devnet controls

  /** Seals a block now (POST /admin/blocks). */
  sealBlock(): Promise<BlockView> {
    return this.json(ROUTES.sealBlock, ROUTES.sealBlock.reply, {});
  }

  /** These validator slots stop signing from the next block on; null returns to the configured ones. */
  async setOffline(slots: number[] | null): Promise<number[] | null> {
    return (await this.json(ROUTES.setOffline, ROUTES.setOffline.reply, { body: { schema: ROUTES.setOffline.body, value: { slots } } })).offline;
  }

  /** Devnet switches of the aggregated signing scheme for blocks from now on; returns the switches in force. */
  setAttestation(controls: Partial<ReplyOf<"setAttestation">>): Promise<ReplyOf<"setAttestation">> {
    return this.json(ROUTES.setAttestation, ROUTES.setAttestation.reply, { body: { schema: ROUTES.setAttestation.body, value: controls } });
  }

  /** Writes an epoch-ending backup of epochs fromEpoch..toEpoch (default: every ended one) into the devnet's backup dir. */
  openLibraBackup(range: { fromEpoch?: bigint; toEpoch?: bigint } = {}): Promise<BackupView> {
    return this.json(ROUTES.openLibraBackup, ROUTES.openLibraBackup.reply, { body: { schema: ROUTES.openLibraBackup.body, value: range } });
  }

  /** Moves Home time forward; returns Home time (unix ms). */
  async advanceTime(seconds: number): Promise<number> {
    return (await this.json(ROUTES.advanceTime, ROUTES.advanceTime.reply, { body: { schema: ROUTES.advanceTime.body, value: { seconds } } })).nowMs;
  }

  // ---------------------------------------------------------------- transport

  private json<T>(route: RouteDef, reply: z.ZodType<T, unknown>, call: Call): Promise<T> {
    return this.run(() => this.decodeJson(route, reply, call));
  }

  /** One request, its JSON reply decoded with `reply`. */
  private async decodeJson<T>(route: RouteDef, reply: z.ZodType<T, unknown>, call: Call): Promise<T> {
    const res = await this.send(route, call);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HomeApiError("bad-reply", `${this.what(route, call)}: HTTP ${res.status} with a body that is not JSON`, res.status);
    }
    const decoded = reply.safeParse(json, { reportInput: true });
    if (!decoded.success) throw new HomeApiError("bad-reply", `${this.what(route, call)}: the reply does not match the API: ${describeIssues(decoded.error, "field")}`, res.status);
    return decoded.data;
  }

  private async ssz<K extends SszKind>(route: RouteDef, kind: K, call: Call): Promise<SszValues[K]> {
    return this.run(async () => {
      const res = await this.send(route, { ...call, ssz: true });
      const bytes = new Uint8Array(await res.arrayBuffer());
      try {
        return SSZ_CODECS[kind].decode(bytes);
      } catch (e) {
        throw new HomeApiError("bad-reply", `${this.what(route, call)}: the SSZ reply does not decode: ${(e as Error).message}`, res.status);
      }
    });
  }

  private what(route: RouteDef, call: Call): string {
    return `Home ${route.method} ${this.path(route, call)}`;
  }

  private path(route: RouteDef, call: Call): string {
    const params = route.params && call.params ? stringRecord(zEncode(route.params, call.params)) : {};
    const query = route.query && call.query ? stringRecord(zEncode(route.query, call.query)) : {};
    const search = new URLSearchParams(query).toString();
    return fillPath(route.path, params) + (search ? `?${search}` : "");
  }

  /** Sends the request; a non-2xx reply becomes a HomeApiError with the reply's code. */
  private async send(route: RouteDef, call: Call): Promise<Response> {
    const path = this.path(route, call);
    const body = call.body ? JSON.stringify(zEncode(call.body.schema, call.body.value)) : undefined;
    const res = await fetch(this.baseUrl + path, {
      method: route.method,
      headers: { accept: call.ssz ? "application/octet-stream" : "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body,
      signal: requestSignal(this.timeoutMs + (call.holdMs ?? 0), call.signal),
    });
    if (res.ok) return res;
    const text = await res.text();
    let parsed: ErrorReply | null = null;
    try {
      const r = ErrorReply.safeParse(JSON.parse(text));
      if (r.success) parsed = r.data;
    } catch {
      /* not JSON */
    }
    const request = `${route.method} ${path}`;
    if (!parsed) throw new HomeApiError("bad-reply", `Home ${request}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status, { request });
    throw new HomeApiError(parsed.code, `Home ${request}: HTTP ${res.status} ${parsed.error}`, res.status, { requestId: parsed.requestId, request, reason: parsed.error });
  }
}

/** The client's timeout, and the caller's signal if any. */
function requestSignal(timeoutMs: number, caller: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return caller ? AbortSignal.any([timeout, caller]) : timeout;
}

/** Encoded params and queries are strings (undefined ones are left out). */
function stringRecord(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof x !== "object" || x === null) return out;
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = String(v);
  return out;
}
