// HTTP API of the devnet on loopback (node:http, no framework): the routes of home/api's route
// table, each request decoded with that table's schemas and answered by its handler in
// routes.ts, which encodes the reply (bigints as decimal strings, bytes as 0x hex); SSZ bytes for
// headers and validator sets when the request sends `Accept: application/octet-stream`.
// Refusals are the domain's HomeError codes, which only this file maps to HTTP statuses; any
// other error is internal: logged with a request id and answered without its message. Routes and
// formats: home/devnet/API.md.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type * as z from "zod";
import {
  HOME_ERRORS,
  HOME_ERROR_CODES,
  HomeError,
  ROUTES,
  ROUTE_IDS,
  describeIssues,
  isActionType,
  matchPath,
  type ActionType,
  type HomeErrorCode,
  type RouteDef,
  type RouteId,
  type SszKind,
  type Where,
} from "../api/index.ts";
import type { DevnetChain } from "./chain.ts";
import { toJSON } from "./json.ts";
import { handlers, type Handler, type Handlers, type Reply, type Request } from "./routes.ts";

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
  "account-not-found": 404,
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
  "unknown-away-chain": 422,
  "wrong-away-chain": 422,
  "no-credit": 422,
  "not-account-owner": 422,
  "unknown-credit-asset": 422,
  "insufficient-collateral": 422,
  "withdrawal-too-large": 422,
  "breaker-hard": 409,
  "duplicate-id": 409,
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
async function dispatch<R extends RouteId>(id: R, route: RouteDef, handler: Handler<R>, req: IncomingMessage, url: URL, rawParams: Record<string, string>, ssz: boolean, signal: AbortSignal): Promise<Reply> {
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
  const server = createServer((req, res) => answer(table, req, res, opts));
  await listen(server, host, port);
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

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** What a reply is recorded as (RecordedReply), learnt while the request is routed. */
interface Routed {
  route?: RouteId;
  action?: ActionType;
  ssz?: SszKind;
}

/** Answers one request: routes it, runs its handler, and replies (a refusal as {error, code}; an internal error without its message). */
async function answer(table: Handlers, req: IncomingMessage, res: ServerResponse, opts: ServeOptions): Promise<void> {
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  const routed: Routed = {};
  const reply = (status: number, r: Reply, headers?: Record<string, string>) => {
    const body = send(res, status, r, headers);
    if (routed.route) opts.onReply?.({ route: routed.route, ...(routed.action ? { action: routed.action } : {}), status, body, ...("ssz" in r && routed.ssz ? { ssz: routed.ssz } : {}) });
  };
  const refuse = (e: HomeError, headers?: Record<string, string>) => reply(HTTP_STATUS[e.code], { json: { error: e.message, code: e.code } }, headers);
  try {
    const url = new URL(req.url ?? "/", "http://devnet.local");
    const hit = matchRoute(req.method, url.pathname);
    if ("allow" in hit) {
      refuse(new HomeError("method-not-allowed", `method ${req.method} not allowed on ${url.pathname} (allowed: ${hit.allow})`), { allow: hit.allow });
      return;
    }
    routed.route = hit.id;
    const route: RouteDef = ROUTES[hit.id];
    if (hit.id === "action" && hit.params.type && isActionType(hit.params.type)) routed.action = hit.params.type;
    const ssz = wantsSsz(req, route, url.pathname);
    routed.ssz = ssz ? route.ssz : undefined;
    reply(200, await dispatch(hit.id, route, table[hit.id] as Handler<RouteId>, req, url, hit.params, ssz, gone.signal));
  } catch (e) {
    if (e instanceof HomeError) {
      refuse(e);
    } else {
      const requestId = randomBytes(6).toString("hex");
      opts.onError?.(e, requestId);
      reply(500, { json: { error: `internal error (request ${requestId}); the devnet's log has the details`, code: "internal", requestId } });
    }
  }
}

/** The route a method and path name, or (the path exists, the method does not) the methods it allows. */
function matchRoute(method: string | undefined, pathname: string): { id: RouteId; params: Record<string, string> } | { allow: string } {
  const matches = ROUTE_IDS.flatMap((id) => {
    const params = matchPath(ROUTES[id].path, pathname);
    return params ? [{ id, params }] : [];
  });
  if (matches.length === 0) throw new HomeError("unknown-route", `no route ${pathname} (see home/devnet/API.md)`);
  const hit = matches.find((m) => ROUTES[m.id].method === method);
  return hit ?? { allow: [...new Set(matches.map((m) => ROUTES[m.id].method))].join(", ") };
}

/** Whether to reply in SSZ: asked for with Accept and served by the route; a JSON-only route refuses an SSZ-only Accept. */
function wantsSsz(req: IncomingMessage, route: RouteDef, pathname: string): boolean {
  const accept = String(req.headers.accept ?? "");
  const asked = accept.includes("application/octet-stream");
  if (asked && !route.ssz && !accept.includes("json") && !accept.includes("*/*")) {
    throw new HomeError("not-acceptable", `${pathname} is JSON only; send Accept: application/json`);
  }
  return asked && route.ssz !== undefined;
}
