// HTTP API of the devnet on loopback (node:http, no framework). JSON everywhere (bigints
// as decimal strings, bytes as 0x hex); SSZ bytes for headers and validator sets when the
// request sends `Accept: application/octet-stream`. Routes and formats: home/devnet/API.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ListCompositeType } from "@chainsafe/ssz";
import {
  SignedHeaderSSZ,
  encodeHeader,
  encodeSignedHeader,
  encodeValidatorSet,
  headerToJSON,
  signedHeaderToJSON,
  validatorSetRoot,
  validatorSetToJSON,
  type ValidatorSet,
} from "../model/index.ts";
import type { AuctionRecord, LockupRecord } from "./auctions-module.ts";
import type { BlockInfo, DevnetChain, StateProofResult } from "./chain.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { toJSON } from "./input.ts";

/** Most headers one range request returns. */
export const MAX_RANGE = 256;
const MAX_BODY = 256 * 1024;
export const SignedHeaderListSSZ = new ListCompositeType(SignedHeaderSSZ, MAX_RANGE);

type Reply = { status?: number; json?: unknown; ssz?: Uint8Array };
type Handler = (ctx: { req: IncomingMessage; url: URL; params: string[]; body: () => Promise<unknown>; ssz: boolean }) => Reply | Promise<Reply>;
interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  handler: Handler;
  /** Route can answer in SSZ. */
  ssz?: boolean;
}


function decimal(raw: string | null, what: string, fallback?: bigint): bigint {
  if (raw === null || raw === "") {
    if (fallback !== undefined) return fallback;
    throw badRequest(`missing query parameter '${what}'`);
  }
  if (!/^(0|[1-9][0-9]{0,19})$/.test(raw)) throw badRequest(`'${what}' must be a non-negative decimal integer, got '${raw}'`);
  const v = BigInt(raw);
  if (v >> 64n !== 0n) throw badRequest(`'${what}' must be below 2^64`);
  return v;
}

function blockJSON(chain: DevnetChain, b: BlockInfo) {
  return {
    height: b.header.height,
    epoch: b.header.epoch,
    headerHash: b.hash,
    epochEnd: b.header.nextValidatorSetRoot !== 0n,
    quorum: b.quorum,
    signedPower: b.signedPower,
    totalPower: b.totalPower,
    aggregated: b.aggregate !== null,
    signedHeader: signedHeaderToJSON(chain.signedHeader(b)),
  };
}

function setJSON(set: ValidatorSet) {
  return { epoch: set.epoch, root: validatorSetRoot(set), validatorSet: validatorSetToJSON(set) };
}

function proofJSON(p: StateProofResult) {
  return {
    height: p.height,
    stateRoot: p.stateRoot,
    headerHash: p.headerHash,
    kind: p.kind,
    id: p.id,
    leafKey: p.proof.leafKey,
    included: p.proof.included,
    leaf: p.proof.leaf,
    siblings: p.proof.siblings,
    payload: p.payload,
    payloadAbi: p.payloadAbi,
    awayContract: p.awayContract,
  };
}

function auctionJSON(a: AuctionRecord) {
  return { ...a, commits: a.commits.map((c) => ({ seq: c.seq, commitment: c.commitment, atMs: c.atMs, revealed: c.revealed })) };
}

function lockupJSON(l: LockupRecord) {
  return { ...l.payload, collateral: l.collateral, priceScaled: l.priceScaled, collateralRatioPercent: l.collateralRatioPercent, heldBy: l.heldBy };
}

function routes(chain: DevnetChain): Route[] {
  const block = (h: bigint) => {
    const b = chain.block(h);
    if (!b) throw notFound(`no block at height ${h} (latest is ${chain.latest.header.height})`);
    return b;
  };
  const blockReply = (b: BlockInfo, ssz: boolean): Reply =>
    ssz ? { ssz: encodeSignedHeader(chain.signedHeader(b)) } : { json: blockJSON(chain, b) };
  return [
    {
      method: "GET",
      pattern: /^\/$/,
      handler: () => ({ json: { service: "olzk Home devnet", docs: "home/devnet/API.md", status: "/status" } }),
    },
    {
      method: "GET",
      pattern: /^\/status$/,
      handler: () => {
        const l = chain.latest;
        const c = chain.config;
        return {
          json: {
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
          },
        };
      },
    },
    { method: "GET", pattern: /^\/headers\/latest$/, ssz: true, handler: ({ ssz }) => blockReply(chain.latest, ssz) },
    {
      method: "GET",
      pattern: /^\/headers$/,
      ssz: true,
      handler: ({ url, ssz }) => {
        const latest = chain.latest.header.height;
        const from = decimal(url.searchParams.get("from"), "from");
        if (from > latest) throw notFound(`no block at height ${from} (latest is ${latest})`);
        const to = decimal(url.searchParams.get("to"), "to", from + 63n > latest ? latest : from + 63n);
        if (to < from) throw badRequest(`'to' (${to}) is below 'from' (${from})`);
        if (to - from + 1n > BigInt(MAX_RANGE)) throw badRequest(`a range holds at most ${MAX_RANGE} headers, asked for ${to - from + 1n}`);
        const blocks = chain.blocks(from, to);
        if (ssz) return { ssz: SignedHeaderListSSZ.serialize(blocks.map((b) => SignedHeaderSSZ.deserialize(encodeSignedHeader(chain.signedHeader(b))))) };
        return { json: { from, to: blocks[blocks.length - 1]!.header.height, latest, headers: blocks.map((b) => blockJSON(chain, b)) } };
      },
    },
    { method: "GET", pattern: /^\/headers\/([^/]+)$/, ssz: true, handler: ({ params, ssz }) => blockReply(block(decimal(params[0]!, "height")), ssz) },
    {
      method: "GET",
      pattern: /^\/headers\/([^/]+)\/header$/,
      ssz: true,
      handler: ({ params, ssz }) => {
        const b = block(decimal(params[0]!, "height"));
        return ssz ? { ssz: encodeHeader(b.header) } : { json: { headerHash: b.hash, header: headerToJSON(b.header) } };
      },
    },
    {
      method: "GET",
      pattern: /^\/validator-sets\/([^/]+)$/,
      ssz: true,
      handler: ({ params, ssz }) => {
        const epoch = params[0] === "latest" ? chain.latest.header.epoch : decimal(params[0]!, "epoch");
        const set = chain.validatorSet(epoch);
        if (!set) throw notFound(`the validator set of epoch ${epoch} is not announced yet (latest block is in epoch ${chain.latest.header.epoch})`);
        return ssz ? { ssz: encodeValidatorSet(set) } : { json: setJSON(set) };
      },
    },
    {
      method: "GET",
      pattern: /^\/state\/proof$/,
      handler: ({ url }) => {
        const kind = Number(decimal(url.searchParams.get("kind"), "kind"));
        if (kind < 1 || kind > 4) throw badRequest(`'kind' must be 1 (lockup), 2 (auction result), 3 (escrow ack) or 4 (receipt), got ${kind}`);
        const id = decimal(url.searchParams.get("id"), "id");
        const h = url.searchParams.get("height");
        return { json: proofJSON(chain.stateProof(kind, id, h === null ? undefined : decimal(h, "height"))) };
      },
    },
    { method: "GET", pattern: /^\/auctions$/, handler: () => ({ json: { auctions: chain.auctions().map(auctionJSON) } }) },
    {
      method: "GET",
      pattern: /^\/auctions\/([^/]+)$/,
      handler: ({ params }) => {
        const id = decimal(params[0]!, "auctionId");
        const a = chain.auction(id);
        if (!a) throw notFound(`auction ${id} not found`);
        return { json: auctionJSON(a) };
      },
    },
    {
      method: "GET",
      pattern: /^\/auctions\/([^/]+)\/settlement-proof$/,
      handler: ({ params, url }) => {
        const id = decimal(params[0]!, "auctionId");
        const h = url.searchParams.get("height");
        const p = chain.settlementProof(id, h === null ? undefined : decimal(h, "height"));
        return {
          json: {
            height: p.result.height,
            stateRoot: p.result.stateRoot,
            headerHash: p.result.headerHash,
            result: proofJSON(p.result),
            lockups: p.lockups.map(proofJSON),
          },
        };
      },
    },
    { method: "GET", pattern: /^\/lockups$/, handler: () => ({ json: { lockups: chain.lockups().map(lockupJSON) } }) },
    {
      method: "GET",
      pattern: /^\/lockups\/([^/]+)$/,
      handler: ({ params }) => {
        const id = decimal(params[0]!, "lockId");
        const l = chain.lockup(id);
        if (!l) throw notFound(`lockup ${id} not found`);
        return { json: lockupJSON(l) };
      },
    },
    {
      method: "POST",
      pattern: /^\/actions\/([^/]+)$/,
      handler: async ({ params, body, url }) => {
        const r = await chain.submit(params[0]!, await body());
        const wait = url.searchParams.get("wait");
        if (wait === "1" || wait === "true") {
          const b = await chain.waitForHeight(r.height);
          return { json: { ...r, sealed: true, headerHash: b.hash, stateRoot: b.header.stateRoot } };
        }
        return { json: { ...r, sealed: false } };
      },
    },
    { method: "POST", pattern: /^\/admin\/blocks$/, handler: () => ({ json: blockJSON(chain, chain.produceBlock()) }) },
    {
      method: "POST",
      pattern: /^\/admin\/offline$/,
      handler: async ({ body }) => {
        const b = (await body()) as { slots?: unknown };
        if (typeof b !== "object" || b === null || !("slots" in b)) throw badRequest("body must be { \"slots\": [slot, ...] } or { \"slots\": null }");
        if (b.slots !== null && !(Array.isArray(b.slots) && b.slots.every((s) => Number.isInteger(s)))) throw badRequest("'slots' must be an array of slot numbers or null");
        try {
          chain.setOffline(b.slots as number[] | null);
        } catch (e) {
          throw badRequest((e as Error).message);
        }
        return { json: { offline: b.slots } };
      },
    },
    {
      method: "POST",
      pattern: /^\/admin\/attestation$/,
      handler: async ({ body }) => {
        const b = (await body()) as Record<string, unknown>;
        const usage = 'body must be { "aggregate"?: true | false, "dropouts"?: [slot, ...] }';
        if (typeof b !== "object" || b === null || Object.keys(b).some((k) => k !== "aggregate" && k !== "dropouts")) throw badRequest(usage);
        if (b.aggregate !== undefined && typeof b.aggregate !== "boolean") throw badRequest(usage);
        if (b.dropouts !== undefined && !(Array.isArray(b.dropouts) && b.dropouts.every((s) => Number.isInteger(s)))) throw badRequest(usage);
        try {
          return { json: chain.setAttestationControls({ ...(b.aggregate !== undefined ? { aggregate: b.aggregate as boolean } : {}), ...(b.dropouts !== undefined ? { dropouts: b.dropouts as number[] } : {}) }) };
        } catch (e) {
          throw badRequest((e as Error).message);
        }
      },
    },
    {
      method: "POST",
      pattern: /^\/admin\/advance-time$/,
      handler: async ({ body }) => {
        const b = (await body()) as { seconds?: unknown };
        const s = typeof b === "object" && b !== null ? b.seconds : undefined;
        if (typeof s !== "number" || !Number.isSafeInteger(s) || s <= 0) throw badRequest("body must be { \"seconds\": <positive integer> }");
        return { json: { nowMs: chain.advanceTime(s) } };
      },
    },
  ];
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, `request body over ${MAX_BODY} bytes`));
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
        reject(badRequest(`request body is not valid JSON: ${(e as Error).message}`));
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, reply: Reply, extraHeaders: Record<string, string> = {}): void {
  if (reply.ssz) {
    res.writeHead(status, { "content-type": "application/octet-stream", "content-length": reply.ssz.length, ...extraHeaders });
    res.end(reply.ssz);
    return;
  }
  const text = toJSON(reply.json ?? null);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

export interface DevnetServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serve(chain: DevnetChain, host: string, port: number, onError: (e: unknown) => void = () => {}): Promise<DevnetServer> {
  const table = routes(chain);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://devnet.local");
      const matches = table.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m);
      if (matches.length === 0) throw notFound(`no route ${url.pathname} (see home/devnet/API.md)`);
      const hit = matches.find((x) => x.r.method === req.method);
      if (!hit) {
        const allow = [...new Set(matches.map((x) => x.r.method))].join(", ");
        send(res, 405, { json: { error: `method ${req.method} not allowed on ${url.pathname} (allowed: ${allow})` } }, { allow });
        return;
      }
      const accept = String(req.headers.accept ?? "");
      const wantsSsz = accept.includes("application/octet-stream");
      if (wantsSsz && !hit.r.ssz && !accept.includes("json") && !accept.includes("*/*")) {
        throw new ApiError(406, `${url.pathname} is JSON only; send Accept: application/json`);
      }
      const reply = await hit.r.handler({ req, url, params: hit.m!.slice(1), body: () => readBody(req), ssz: wantsSsz && hit.r.ssz === true });
      send(res, reply.status ?? 200, reply);
    } catch (e) {
      if (e instanceof ApiError) {
        send(res, e.status, { json: e.code ? { error: e.message, code: e.code } : { error: e.message } });
      } else {
        onError(e);
        send(res, 500, { json: { error: `internal error: ${(e as Error).message}` } });
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
