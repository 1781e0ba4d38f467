// GET /status/next over real HTTP: the devnet holds the request until a block above `after` is
// sealed and answers then (not at the end of waitMs), answers at waitMs with the unchanged
// status when no block comes, at once when the block is already there, refuses bad parameters
// with a 400 and a code, and forgets a waiter whose client went away.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HomeApiError, HomeClient } from "../../../home/api/index.ts";
import { startDevnet, type RunningDevnet } from "../../../home/devnet/index.ts";

let dn: RunningDevnet;
let home: HomeClient;

beforeAll(async () => {
  dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0, epochBlocks: 3 });
  dn.chain.produceBlock();
  home = new HomeClient(dn.url);
});
afterAll(async () => {
  await dn?.close();
});

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("GET /status/next (long-poll)", () => {
  it("answers as soon as the next block is sealed, not at waitMs", async () => {
    const h = (await home.status()).height;
    const started = Date.now();
    const answered = home.nextStatus(h, 10_000).then((s) => ({ s, at: Date.now() }));
    await delay(300);
    let sealedAt = 0;
    dn.chain.once("block", () => (sealedAt = Date.now()));
    await home.sealBlock();
    const { s, at } = await answered;
    expect(s.height).toBe(h + 1n);
    expect(at - started).toBeGreaterThanOrEqual(300); // it was held until the block
    expect(at - sealedAt).toBeLessThan(100);
  });

  it("answers at waitMs with the unchanged status when no block is sealed", async () => {
    const h = (await home.status()).height;
    const started = Date.now();
    const s = await home.nextStatus(h, 400);
    const took = Date.now() - started;
    expect(s.height).toBe(h);
    expect(took).toBeGreaterThanOrEqual(395);
    expect(took).toBeLessThan(2_000);
  });

  it("answers at once when a block above `after` is already sealed, and waits for one above a future height", async () => {
    const h = (await home.status()).height;
    const started = Date.now();
    expect((await home.nextStatus(h - 1n, 10_000)).height).toBe(h);
    expect(Date.now() - started).toBeLessThan(1_000);
    // after = h + 1: the next block (h + 1) is not above it, so the request is still held
    const answered = home.nextStatus(h + 1n, 10_000);
    let done = false;
    void answered.then(() => (done = true));
    await home.sealBlock();
    await delay(200);
    expect(done).toBe(false);
    await home.sealBlock();
    expect((await answered).height).toBe(h + 2n);
  });

  it("refuses bad parameters with 400 invalid-request, naming the parameter", async () => {
    const cases: [string, RegExp][] = [
      ["", /missing query parameter 'after'/],
      ["?after=x", /query parameter 'after' must be/],
      ["?after=-1", /query parameter 'after' must be/],
      ["?after=1&waitMs=30001", /query parameter 'waitMs' must be an integer from 0 to 30000/],
      ["?after=1&waitMs=1.5", /query parameter 'waitMs' must be/],
      ["?after=1&wait=100", /unknown query parameter 'wait'/],
    ];
    for (const [query, message] of cases) {
      const res = await fetch(`${dn.url}/status/next${query}`);
      const body = (await res.json()) as { code: string; error: string };
      expect([res.status, body.code], query).toEqual([400, "invalid-request"]);
      expect(body.error, query).toMatch(message);
    }
  });

  it("stops waiting when the client goes away (an aborted request leaves no waiter behind)", async () => {
    const before = dn.chain.listenerCount("block");
    const h = (await home.status()).height;
    const ac = new AbortController();
    const asked = home.nextStatus(h, 30_000, { signal: ac.signal });
    await delay(200);
    expect(dn.chain.listenerCount("block")).toBe(before + 1);
    const abortedAt = Date.now();
    ac.abort();
    const e = await asked.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(HomeApiError);
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    await delay(200);
    expect(dn.chain.listenerCount("block")).toBe(before);
  });
});
