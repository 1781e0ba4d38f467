// verifier-ts in a browser: bundles verifier-ts/index.ts with esbuild for the browser (ESM;
// any `node:` import would fail the build), serves it from 127.0.0.1 and runs Groth16
// verifications (valid and tampered), a header chain and a collateral check with real
// HeaderQuorum proofs in headless Chromium (playwright-core, system /usr/bin/chromium).
// Skips only when Chromium is missing outside CI; in CI (process.env.CI set) it must run
// (test/fixtures/chromium.ts).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collateralBundleToJSON } from "../../verifier-ts/bundle.ts";
import { bundleForBrowser } from "../fixtures/browser-bundle.ts";
import { launchChromium, runBrowserTests, type Chromium } from "../fixtures/chromium.ts";
import { groth16Vectors, REPO_ROOT, type Groth16Vector } from "../vectors/groth16-vectors.ts";
import { HQ_AWAY_CHAIN, HQ_BORROWER, HQ_SETTLEMENT, HQ_STATE_TIME_MS, headerQuorumFixture } from "../vectors/headerQuorum-vectors.ts";
import { terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>verifier-ts</title></head>
<body><script type="module">
import * as v from "/verifier-ts.js";
window.verifierTs = v;
window.verifierReady = true;
</script></body></html>`;

describe.skipIf(!runBrowserTests)("verifier-ts in headless Chromium", () => {
  let server: Server;
  let baseUrl = "";
  let bundleBytes = 0;
  let bundleText = "";
  let vectors: Groth16Vector[] = [];
  let fixtureJson = "";
  let browser: Chromium | undefined;

  beforeAll(async () => {
    const js = await bundleForBrowser(join(REPO_ROOT, "verifier-ts/index.ts"));
    bundleBytes = js.length;
    bundleText = new TextDecoder().decode(js);

    vectors = await groth16Vectors();
    const f = await headerQuorumFixture();
    await terminateSnarkjsCurves();
    fixtureJson = JSON.stringify({
      vkeys: f.vkeys,
      checkpoint: { chainId: f.checkpoint.chainId, epoch: f.checkpoint.epoch.toString(), validatorSetRoot: f.checkpoint.validatorSetRoot.toString() },
      items: f.items,
      perValidatorItems: f.perValidatorItems,
      bundle: collateralBundleToJSON(f.bundle),
      query: {
        borrower: HQ_BORROWER,
        minCredit: (100_000n * 10n ** 6n).toString(),
        awayChainId: HQ_AWAY_CHAIN.toString(),
        settlementContract: HQ_SETTLEMENT,
        validUntil: "1790000000",
        maxAgeSeconds: "60",
        now: (HQ_STATE_TIME_MS / 1000n + 30n).toString(),
      },
    });
    const vectorsJson = JSON.stringify(vectors);

    server = createServer((req, res) => {
      const send = (type: string, body: string | Uint8Array) => {
        res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      };
      if (req.url === "/") send("text/html", PAGE);
      else if (req.url === "/verifier-ts.js") send("text/javascript", js);
      else if (req.url === "/vectors.json") send("application/json", vectorsJson);
      else if (req.url === "/headerQuorum.json") send("application/json", fixtureJson);
      else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  async function openPage() {
    const page = await browser!.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(baseUrl + "/");
    await page.waitForFunction(() => (window as unknown as { verifierReady?: boolean }).verifierReady === true, undefined, { timeout: 30_000 });
    return { page, errors };
  }

  it("builds a browser bundle without node: imports", () => {
    expect(bundleBytes).toBeGreaterThan(10_000);
    expect(bundleText).not.toMatch(/(from|import)\s*\(?\s*["']node:/);
    expect(bundleText).not.toMatch(/require\(\s*["'](node:)?(fs|crypto|path|os|worker_threads)["']/);
    expect(bundleText).not.toMatch(/WebAssembly\./);
  });

  it("gives every Groth16 vector its expected verdict in the browser", async () => {
    const { page, errors } = await openPage();
    const verdicts = await page.evaluate(async () => {
      const v = (window as unknown as { verifierTs: typeof import("../../verifier-ts/index.ts") }).verifierTs;
      const vecs = (await (await fetch("/vectors.json")).json()) as Groth16Vector[];
      const t0 = performance.now();
      const out = vecs.map((x) => ({ name: `${x.circuit}/${x.name}`, ok: v.verifyGroth16(x.vkey, x.publicSignals, x.proof), expected: x.expected }));
      return { out, ms: performance.now() - t0, userAgent: navigator.userAgent };
    });
    expect(errors).toEqual([]);
    expect(verdicts.userAgent).toMatch(/HeadlessChrome|Chrome/);
    expect(verdicts.out.length).toBe(vectors.length);
    for (const r of verdicts.out) expect(r.ok, r.name).toBe(r.expected);
    expect(verdicts.out.some((r) => r.ok)).toBe(true);
    await page.close();
  });

  it("verifies a real header chain and answers a collateral query in the browser", async () => {
    const { page, errors } = await openPage();
    const result = await page.evaluate(async () => {
      const v = (window as unknown as { verifierTs: typeof import("../../verifier-ts/index.ts") }).verifierTs;
      const fx = await (await fetch("/headerQuorum.json")).json();
      const checkpoint = { chainId: fx.checkpoint.chainId, epoch: BigInt(fx.checkpoint.epoch), validatorSetRoot: BigInt(fx.checkpoint.validatorSetRoot) };
      const chain = v.verifyHeaderChain(fx.vkeys, checkpoint, fx.items);
      const pvChain = v.verifyHeaderChain(fx.vkeys, checkpoint, fx.perValidatorItems);
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        if (!v.verifyGroth16(fx.vkeys.aggregated, fx.items[1].publicSignals, fx.items[1].proof)) throw new Error("rejected");
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const bundle = v.parseCollateralBundle(JSON.stringify(fx.bundle));
      const ssz = v.encodeCollateralBundle(bundle);
      const q = fx.query;
      const query = {
        checkpoint,
        borrower: q.borrower,
        minCredit: BigInt(q.minCredit),
        awayChainId: BigInt(q.awayChainId),
        settlementContract: q.settlementContract,
        validUntil: BigInt(q.validUntil),
        maxAgeSeconds: BigInt(q.maxAgeSeconds),
        now: BigInt(q.now),
      };
      const ok = v.checkCollateral(fx.vkeys, v.decodeCollateralBundle(ssz), query);
      const tooMuch = v.checkCollateral(fx.vkeys, bundle, { ...query, minCredit: 10n ** 30n });
      return {
        chainOk: chain.ok,
        perValidatorChainOk: pvChain.ok,
        heights: chain.headers.map((h) => h.height.toString()),
        collateralOk: ok.ok,
        height: ok.ok ? ok.header.height.toString() : ok.reason,
        rejected: tooMuch.ok ? "accepted" : tooMuch.code,
        medianMs: times[3]!,
      };
    });
    expect(errors).toEqual([]);
    const { medianMs, ...verdicts } = result;
    console.log(`verifier-ts in Chromium: AggregatedHeaderQuorum Groth16 verify median ${medianMs.toFixed(1)} ms`);
    expect(medianMs).toBeGreaterThan(0);
    expect(verdicts).toEqual({ chainOk: true, perValidatorChainOk: true, heights: ["1", "2", "3"], collateralOk: true, height: "3", rejected: "InsufficientCredit" });
    await page.close();
  });
});
