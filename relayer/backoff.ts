// Retry policy for RPC and HTTP faults: exponential backoff with full jitter, and the
// classification of an error as transient (connection refused/reset, timeouts, HTTP 5xx/429,
// node rate limits, errors marked `transient`) or permanent (reverts, bad input), which is
// returned at once.
export interface BackoffOptions {
  /** First delay in ms (before jitter). */
  baseMs?: number;
  /** Cap of one delay in ms. */
  maxMs?: number;
  /** Give up after this many attempts (Infinity: keep trying until aborted). */
  maxAttempts?: number;
  /** Give up rather than wait past this time (ms since epoch). */
  deadline?: number;
  /** Called before each wait (for logs/metrics). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
}

/** Delay before retry number `attempt` (1-based): uniform in [d/2, d] with d = min(max, base*2^(attempt-1)). */
export function backoffDelay(attempt: number, baseMs = 250, maxMs = 15_000, random = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d / 2 + (random() * d) / 2);
}

const TRANSIENT_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ECONNABORTED",
]);

/** True when retrying the same request later may succeed. */
export function isTransient(err: unknown): boolean {
  for (let e: any = err, depth = 0; e && depth < 8; e = e.cause, depth++) {
    // An error that says so itself (a Home refusal whose code means "not yet": relayer/home-http.ts).
    if (e.transient === true) return true;
    if (typeof e.code === "string" && TRANSIENT_CODES.has(e.code)) return true;
    const status = e.status ?? e.statusCode;
    if (typeof status === "number" && (status >= 500 || status === 429 || status === 408)) return true;
    const name = String(e.name ?? "");
    if (["HttpRequestError", "TimeoutError", "RpcRequestError_timeout", "AbortError", "SocketClosedError", "WebSocketRequestError"].includes(name)) {
      // viem wraps fetch failures (connection refused, reset) and timeouts in these
      if (name !== "HttpRequestError" || !(typeof e.status === "number" && e.status < 500 && e.status !== 429)) return true;
    }
    if (name === "LimitExceededRpcError" || name === "ResourceUnavailableRpcError" || name === "InternalRpcError") return true;
    // Only the first line: viem appends the request body (calldata hex, where "503" and the like
    // occur by chance) to its messages, and a revert must never look like a gateway error.
    const msg = String(e.shortMessage ?? e.message ?? "").split("\n")[0]!;
    if (/fetch failed|socket hang up|ECONNREFUSED|ECONNRESET|timed? ?out|\b(?:502|503|504)\b|Service Unavailable|rate limit/i.test(msg)) return true;
  }
  return false;
}

export class GaveUpError extends Error {
  constructor(readonly attempts: number, readonly last: unknown) {
    super(`gave up after ${attempts} attempts: ${(last as Error)?.message ?? String(last)}`, { cause: last });
    this.name = "GaveUpError";
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Run `fn`, retrying transient failures with backoff; permanent errors are rethrown at once. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: BackoffOptions = {}): Promise<T> {
  const max = opts.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (attempt >= max) throw new GaveUpError(attempt, e);
      let d = backoffDelay(attempt, opts.baseMs, opts.maxMs, opts.random);
      if (opts.deadline !== undefined) {
        const left = opts.deadline - Date.now();
        if (left <= 0) throw new GaveUpError(attempt, e);
        d = Math.min(d, left);
      }
      opts.onRetry?.(e, attempt, d);
      await sleep(d, opts.signal);
    }
  }
}
