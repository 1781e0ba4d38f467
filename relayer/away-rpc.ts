// JSON-RPC access to one Away chain over one or more URLs, with failover, as a viem Transport.
// URLs are tried in the configured order (the first is preferred). A URL that fails with a
// transport fault (connection refused or reset, timeout, HTTP 5xx/429) is skipped for a
// cooldown that doubles with each consecutive failure (1 s up to 5 min), so a black-holed URL
// costs one timeout per cooldown, not one per request; the request goes to the next URL at
// once. Answers from the node (reverts, nonce errors, ...) are returned as they are: they would
// be the same elsewhere. When every URL is down the last fault is thrown and the caller's
// backoff (backoff.ts) retries.
//
// Every URL must serve the configured chain: `preflight()` asks each one for `eth_chainId` at
// start (a mismatch refuses to start; no URL answering within the startup timeout does too),
// and a URL that did not answer then is checked the first time it does, before it is used.
import { createTransport, http, type EIP1193RequestFn, type Transport } from "viem";
import { isTransient, withRetry } from "./backoff.ts";
import { ConfigError } from "./config.ts";
import type { Logger } from "./log.ts";
import { silentLogger } from "./log.ts";

/** No URL of an Away chain answered within the startup timeout (the relayer refuses to start). */
export class AwayUnreachableError extends Error {
  readonly code = "AWAY_UNREACHABLE";
  constructor(message: string) {
    super(message);
    this.name = "AwayUnreachableError";
  }
}

/** A URL answered with another chain id than the configured one. */
export class WrongChainError extends ConfigError {
  constructor(readonly url: string, readonly got: number, readonly expected: number, chain: string) {
    super(`Away chain ${chain}: ${url} serves chainId ${got}, but the config says chainId ${expected}`);
    this.name = "WrongChainError";
  }
}

export interface AwayRpcOptions {
  chainId: number;
  /** Label for logs and messages. */
  name?: string;
  urls: string[];
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  log?: Logger;
  /** Called when requests move from one URL to another. */
  onFailover?: (from: string, to: string) => void;
}

interface Endpoint {
  url: string;
  request: EIP1193RequestFn;
  /** eth_chainId matched the config. */
  verified: boolean;
  /** Serves another chain: never used. */
  wrongChain: boolean;
  downUntil: number;
  failures: number;
}

const COOLDOWN_BASE_MS = 1_000;
const COOLDOWN_MAX_MS = 300_000;

/** One line for an RPC fault: viem's short message and the socket error code under it. */
export function faultLine(e: unknown): string {
  let code: string | undefined;
  for (let c: any = e, d = 0; c && d < 8 && !code; c = c.cause, d++) if (typeof c.code === "string") code = c.code;
  const msg = String((e as { shortMessage?: string })?.shortMessage ?? (e as Error)?.message ?? e).split("\n")[0];
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}

export class AwayRpc {
  readonly transport: Transport;
  private readonly endpoints: Endpoint[];
  private current: Endpoint | undefined;
  private readonly log: Logger;
  private readonly label: string;

  constructor(private readonly opts: AwayRpcOptions) {
    if (opts.urls.length === 0) throw new ConfigError(`Away chain ${opts.chainId}: no RPC URL`);
    this.log = opts.log ?? silentLogger;
    this.label = opts.name ? `${opts.name} (${opts.chainId})` : String(opts.chainId);
    this.endpoints = opts.urls.map((url) => ({
      url,
      request: http(url, { retryCount: 0, timeout: opts.timeoutMs ?? 10_000 })({ retryCount: 0 }).request,
      verified: false,
      wrongChain: false,
      downUntil: 0,
      failures: 0,
    }));
    this.transport = () =>
      createTransport({
        key: "olzk-away",
        name: `Away ${this.label}`,
        type: "olzk-away",
        retryCount: 0,
        request: (async ({ method, params }: { method: string; params?: unknown }) => this.request(method, params)) as EIP1193RequestFn,
      });
  }

  /** The URL requests currently go to. */
  get currentUrl(): string | undefined {
    return this.current?.url;
  }

  private async verify(ep: Endpoint): Promise<void> {
    if (ep.verified) return;
    const got = Number(await ep.request({ method: "eth_chainId" }));
    if (got !== this.opts.chainId) {
      ep.wrongChain = true;
      throw new WrongChainError(ep.url, got, this.opts.chainId, this.label);
    }
    ep.verified = true;
  }

  /** Usable endpoints: those not cooling down in configured order, then the rest by when they come back. */
  private order(now: number): Endpoint[] {
    const usable = this.endpoints.filter((e) => !e.wrongChain);
    const up = usable.filter((e) => e.downUntil <= now);
    const down = usable.filter((e) => e.downUntil > now).sort((a, b) => a.downUntil - b.downUntil);
    return [...up, ...down];
  }

  private async request(method: string, params: unknown): Promise<unknown> {
    let last: unknown;
    for (const ep of this.order(Date.now())) {
      try {
        await this.verify(ep);
        const result = await ep.request({ method, params } as Parameters<EIP1193RequestFn>[0]);
        ep.failures = 0;
        ep.downUntil = 0;
        if (this.current !== ep) {
          if (this.current) {
            this.log.warn("Away RPC failover", { chain: this.label, from: this.current.url, to: ep.url });
            this.opts.onFailover?.(this.current.url, ep.url);
          }
          this.current = ep;
        }
        return result;
      } catch (e) {
        if (e instanceof WrongChainError) {
          this.log.error("Away RPC URL serves another chain; never using it", { chain: this.label, url: ep.url, chainId: e.got });
          last ??= e;
          continue;
        }
        if (!isTransient(e)) throw e;
        ep.failures++;
        ep.downUntil = Date.now() + Math.min(COOLDOWN_MAX_MS, COOLDOWN_BASE_MS * 2 ** (ep.failures - 1));
        last = e;
      }
    }
    throw last ?? new ConfigError(`Away chain ${this.label}: every RPC URL serves another chain`);
  }

  /**
   * Startup check: every URL that answers must serve the configured chain (WrongChainError,
   * a ConfigError, otherwise), and at least one must answer within `timeoutMs`: while none
   * does (connection refused, timeouts, 5xx) they are retried with backoff until then, so a
   * node starting next to the relayer gets that long; then, or at once when the answers are
   * not transport faults (HTTP 404, ...), AwayUnreachableError names each URL and its fault.
   * URLs still down when another answered are logged, and checked when they first answer.
   */
  async preflight(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    let faults = new Map<string, unknown>();
    const verifyAll = async () => {
      faults = new Map();
      await Promise.all(
        this.endpoints.map((ep) =>
          this.verify(ep).catch((e) => {
            if (e instanceof WrongChainError) throw e;
            faults.set(ep.url, e);
          }),
        ),
      );
      if (faults.size === this.endpoints.length) throw [...faults.values()].find(isTransient) ?? [...faults.values()][0];
    };
    try {
      await withRetry(verifyAll, {
        maxAttempts: Infinity, deadline: Date.now() + timeoutMs, baseMs: 250, maxMs: 5_000, signal,
        onRetry: (_e, _attempt, delayMs) => this.log.warn("Away RPC unreachable at start; retrying", { chain: this.label, faults: faultList(faults), retryInMs: delayMs }),
      });
    } catch (e) {
      if (e instanceof ConfigError || signal?.aborted) throw e;
      throw new AwayUnreachableError(`Away chain ${this.label} unreachable: no RPC URL answered eth_chainId within ${Math.round(timeoutMs / 1000)} s (${faultList(faults)})`);
    }
    for (const [url, fault] of faults) this.log.warn("Away RPC URL unreachable at start; it is checked when it answers", { chain: this.label, url, fault: faultLine(fault) });
  }
}

const faultList = (faults: Map<string, unknown>): string => [...faults].map(([url, f]) => `${url}: ${faultLine(f)}`).join("; ");
