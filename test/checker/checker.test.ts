// The collateral checker page (checker/) on the real stack: `olzk verify serve` started as a
// child process (the real CLI entry) offering a checkpoint and the aggregated header key,
// the page it serves driven in headless Chromium with real header proofs and bundles
// (test/vectors/headerQuorum-vectors.ts): a dropped JSON bundle is VALID with the lockup's
// borrower, credit, expiry and header age and the three-header chain; tampered bundles are
// INVALID with their codes; the visitor's own files replace the offered ones; screenshots
// of both verdicts are checked (PNG size, the verdict region's colours and that they differ).
// Then `--out DIR` opened from disk, and the command's usage errors and exit codes.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, type SpawnedServer } from "../../cli/spawn.ts";
import { collateralBundleToJSON, encodeCollateralBundle } from "../../verifier-ts/bundle.ts";
import type { CollateralBundle } from "../../verifier-ts/collateral.ts";
import { launchChromium, runBrowserTests, type Chromium } from "../fixtures/chromium.ts";
import { runOlzk } from "../fixtures/olzk.ts";
import { REPO_ROOT } from "../vectors/groth16-vectors.ts";
import { HQ_AWAY_CHAIN, HQ_BORROWER, HQ_LOCKUP, HQ_SETTLEMENT, HQ_STATE_TIME_MS, headerQuorumFixture, type HeaderQuorumFixture } from "../vectors/headerQuorum-vectors.ts";
import { terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

type Page = Awaited<ReturnType<Chromium["context"]["newPage"]>>;

const VIEWPORT = { width: 1280, height: 1100 };
/** Screenshots are kept here (checker/screenshot.png is a copy of valid-verdict.png). */
const SHOT_DIR = join(REPO_ROOT, "build/checker");

let dir = "";
let f: HeaderQuorumFixture;
const paths: Record<string, string> = {};
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const olzk = (...argv: string[]) => runOlzk(["verify", ...argv]);
const hex32 = (v: bigint | string) => `0x${BigInt(v).toString(16).padStart(64, "0")}`;

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  paths[name] = p;
  return p;
}

function bundleJson(b: CollateralBundle): string {
  return JSON.stringify(collateralBundleToJSON(b), null, 2);
}

/** The query that the fixture's lockup answers: 100k of its 250k credit, 30 s after the state header. */
const QUERY = {
  borrower: HQ_BORROWER,
  minCredit: (100_000n * 10n ** 6n).toString(),
  awayChainId: HQ_AWAY_CHAIN.toString(),
  settlementContract: HQ_SETTLEMENT,
  maxAgeSeconds: "60",
  validUntil: "1790000000",
  now: (HQ_STATE_TIME_MS / 1000n + 30n).toString(),
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "olzk-checker-"));
  f = await headerQuorumFixture();
  await terminateSnarkjsCurves();
  file("aggregated-vkey.json", JSON.stringify(f.vkeys.aggregated, null, 1));
  file("per-validator-vkey.json", JSON.stringify(f.vkeys.perValidator, null, 1));
  const cp = (root: bigint) => JSON.stringify({ chainId: f.checkpoint.chainId, epoch: f.checkpoint.epoch.toString(), validatorSetRoot: root.toString() });
  file("checkpoint.json", cp(f.checkpoint.validatorSetRoot));
  file("other-checkpoint.json", cp(f.checkpoint.validatorSetRoot + 1n));
  file("bundle.json", bundleJson(f.bundle));
  file("bundle.ssz", encodeCollateralBundle(f.bundle));
  // The lockup claims more credit than the leaf in the proven state root holds.
  file("more-credit.json", bundleJson({ ...f.bundle, lockup: { ...HQ_LOCKUP, creditLimit: HQ_LOCKUP.creditLimit * 1000n } }));
  // The rotation header's proof carries another header's C point.
  const headers = f.bundle.headers.map((h, i) => (i === 1 ? { ...h, proof: { ...h.proof, pi_c: f.items[0]!.proof.pi_c } } : h));
  file("bad-proof.json", bundleJson({ ...f.bundle, headers }));
  file("per-validator-bundle.ssz", encodeCollateralBundle({ ...f.bundle, headers: f.perValidatorItems }));
  // 60 more copies of the last header (each its own proof object): many proofs to verify, then HeightNotIncreasing.
  const copies = Array.from({ length: 60 }, () => ({ ...f.items[2]!, proof: { ...f.items[2]!.proof } }));
  file("long.json", bundleJson({ ...f.bundle, headers: [...f.items, ...copies] }));
  mkdirSync(SHOT_DIR, { recursive: true });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------- the page ----------

async function openChecker(browser: Chromium, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return { page, errors };
}

const slotInput = (slot: string) => `.slot[data-slot="${slot}"] input[type=file]`;
/** The slot once it holds the visitor's file of this name. */
const loadedSlot = (slot: string, name: string) => `.slot[data-slot="${slot}"][data-state="yours"] .status .name:text-is("${name}")`;

async function pick(page: Page, slot: string, name: string): Promise<void> {
  await page.setInputFiles(slotInput(slot), paths[name]!);
  await page.waitForSelector(loadedSlot(slot, name));
}

/** Drops a file on an element (a slot's box) as a drag and drop from the desktop would. */
async function dropOn(page: Page, selector: string, name: string): Promise<void> {
  const b64 = readFileSync(paths[name]!).toString("base64");
  const dataTransfer = await page.evaluateHandle(
    ({ name, b64 }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      return dt;
    },
    { name, b64 },
  );
  await page.dispatchEvent(selector, "drop", { dataTransfer });
}

async function drop(page: Page, slot: string, name: string): Promise<void> {
  await dropOn(page, `.slot[data-slot="${slot}"]`, name);
  await page.waitForSelector(loadedSlot(slot, name));
}

async function fillQuery(page: Page, q: Partial<typeof QUERY>): Promise<void> {
  for (const [k, v] of Object.entries(q)) await page.fill(`#query input[name=${k}]`, v);
}

interface Verdict {
  word: string;
  code: string;
  reason: string;
  facts: Record<string, string>;
  chain: { index: string; kind: string; height?: string; epoch?: string; status: string; stateRoot?: string; holdsState: boolean }[];
}

/** Clicks "Check collateral" and reads what the page shows once the check has run. */
async function check(page: Page): Promise<Verdict> {
  const run = Number((await page.getAttribute("#verdict", "data-run")) ?? "0");
  await page.click("#check");
  await page.waitForSelector(`#verdict[data-run="${run + 1}"]`, { timeout: 60_000 });
  return page.evaluate(() => {
    const text = (sel: string) => document.querySelector(sel)?.textContent?.trim() ?? "";
    const facts: Record<string, string> = {};
    for (const dd of Array.from(document.querySelectorAll<HTMLElement>("#facts dd"))) facts[dd.dataset.fact!] = dd.textContent!.trim();
    const chain = Array.from(document.querySelectorAll<HTMLTableRowElement>("#chain tbody tr")).map((tr) => ({
      index: tr.dataset.index!,
      kind: tr.dataset.kind!,
      ...(tr.dataset.height ? { height: tr.dataset.height, epoch: tr.dataset.epoch! } : {}),
      status: tr.dataset.status!,
      ...(tr.querySelector<HTMLElement>("td.root") ? { stateRoot: tr.querySelector<HTMLElement>("td.root")!.dataset.value! } : {}),
      holdsState: tr.classList.contains("holds-state"),
    }));
    return { word: text("#verdict-word"), code: text("#verdict-code"), reason: text("#verdict-reason"), facts, chain };
  });
}

interface Shot {
  png: Buffer;
  /** The verdict box in CSS pixels (= screenshot pixels: device scale 1). */
  box: { x: number; y: number; width: number; height: number };
}

async function screenshot(page: Page, name: string): Promise<Shot> {
  const box = (await page.locator("#verdict").boundingBox())!;
  const png = await page.screenshot({ path: join(SHOT_DIR, name) });
  return { png, box };
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * Decodes both screenshots in the browser (a blank page, no CSP) and compares the region
 * both verdict boxes cover: mean colour of each, and the share of pixels that differ.
 */
async function compareVerdictRegions(browser: Chromium, a: Shot, b: Shot) {
  const page = await browser.context.newPage();
  const region = {
    x: Math.ceil(Math.max(a.box.x, b.box.x)),
    y: Math.ceil(Math.max(a.box.y, b.box.y)),
    width: Math.floor(Math.min(a.box.width, b.box.width)),
    height: Math.floor(Math.min(a.box.height, b.box.height)),
  };
  const r = await page.evaluate(
    async ({ pngs, region }) => {
      const pixels = await Promise.all(
        pngs.map(async (b64) => {
          const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: "image/png" }));
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext("2d")!;
          ctx.drawImage(bitmap, 0, 0);
          return ctx.getImageData(region.x, region.y, region.width, region.height).data;
        }),
      );
      const [p, q] = pixels as [Uint8ClampedArray, Uint8ClampedArray];
      const mean = (d: Uint8ClampedArray) => {
        const m = [0, 0, 0];
        for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c++) m[c]! += d[i + c]!;
        return m.map((s) => s / (d.length / 4));
      };
      let differing = 0;
      for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i]! - q[i]!) + Math.abs(p[i + 1]! - q[i + 1]!) + Math.abs(p[i + 2]! - q[i + 2]!) > 60) differing++;
      return { meanA: mean(p), meanB: mean(q), differing: differing / (p.length / 4) };
    },
    { pngs: [a.png.toString("base64"), b.png.toString("base64")], region },
  );
  await page.close();
  return { region, ...r };
}

describe.skipIf(!runBrowserTests)("olzk verify serve: the checker page in headless Chromium", () => {
  let served: SpawnedServer;
  let browser: Chromium;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    served = await spawnServer(["verify", "serve", "--port", "0", "--checkpoint", paths["checkpoint.json"]!, "--vkey", paths["aggregated-vkey.json"]!]);
    browser = await launchChromium({ viewport: VIEWPORT });
    ({ page, errors } = await openChecker(browser, served.url));
  });

  afterAll(async () => {
    await browser?.close();
    if (served) {
      expect(await served.stop("SIGTERM")).toBe(0);
      expect(served.output()).toMatch(/olzk verify serve: SIGTERM, shutting down/);
    }
  });

  it("serves the page, its script and style (with a CSP that forbids connections), nothing else", async () => {
    expect(served.output()).toContain(`offers trusted checkpoint checkpoint.json (sha256 ${sha256(readFileSync(paths["checkpoint.json"]!))})`);
    const index = await fetch(served.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'/);
    const html = await index.text();
    expect(html).toContain('"name":"aggregated-vkey.json"');
    const js = await fetch(new URL("checker.js", served.url));
    expect(js.status).toBe(200);
    const script = await js.text();
    expect(script.length).toBeGreaterThan(50_000);
    expect(script).not.toMatch(/(from|import)\s*\(?\s*["']node:/);
    expect((await fetch(new URL("checker.css", served.url))).status).toBe(200);
    expect((await fetch(new URL("nope.js", served.url))).status).toBe(404);
    expect((await fetch(new URL("constructor", served.url))).status).toBe(404);
    expect((await fetch(served.url, { method: "POST", body: "x" })).status).toBe(405);
  });

  it("shows the offered trust files with the fingerprints of their bytes", async () => {
    const state = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>(".slot")).map((s) => ({ slot: s.dataset.slot, state: s.dataset.state, text: s.querySelector(".status")!.textContent })),
    );
    expect(state.map((s) => [s.slot, s.state])).toEqual([
      ["bundle", "empty"],
      ["checkpoint", "offered"],
      ["aggregated", "offered"],
      ["perValidator", "empty"],
    ]);
    expect(state[1]!.text).toContain(`sha256 ${sha256(readFileSync(paths["checkpoint.json"]!))}`);
    expect(state[2]!.text).toContain(`sha256 ${sha256(readFileSync(paths["aggregated-vkey.json"]!))}`);
  });

  let validShot: Shot;

  it("a file dropped beside the boxes goes nowhere, and the page says where it belongs", async () => {
    await dropOn(page, "header h1", "bundle.json");
    await page.waitForSelector('#drop-hint:text-is("Drop each file on the box it belongs in (or click a box to pick one).")');
    expect(page.url()).toBe(served.url);
    expect(await page.getAttribute('.slot[data-slot="bundle"]', "data-state")).toBe("empty");
  });

  it("a dropped real bundle is VALID with the lockup's borrower, credit, expiry, header age and the chain it relied on", async () => {
    await drop(page, "bundle", "bundle.json");
    await fillQuery(page, QUERY);
    const v = await check(page);
    expect(errors).toEqual([]);
    expect({ word: v.word, code: v.code }).toEqual({ word: "VALID", code: "" });
    expect(v.reason).toMatch(new RegExp(`^${HQ_BORROWER} has credit of at least 100000000000 on chain 31337 \\(checked at ${QUERY.now}, given; \\d+ ms\\)$`));
    expect(v.facts).toEqual({
      lockId: "42",
      borrower: HQ_BORROWER,
      credit: `250000000000 base units of ${HQ_LOCKUP.creditAsset}`,
      expiry: "1800000000 (2027-01-15T08:00:00Z, in 1157.4 days)",
      age: "30 s (height 3, epoch 1, 2023-11-14T22:13:50Z; at most 60 s allowed)",
      owner: HQ_LOCKUP.owner,
    });
    const roots = f.items.map((it) => hex32(it.publicSignals[1]!));
    expect(v.chain).toEqual([
      { index: "0", kind: "aggregated", height: "1", epoch: "0", status: "verified", stateRoot: roots[0], holdsState: false },
      { index: "1", kind: "aggregated", height: "2", epoch: "0", status: "verified", stateRoot: roots[1], holdsState: false },
      { index: "2", kind: "aggregated", height: "3", epoch: "1", status: "verified", stateRoot: roots[2], holdsState: true },
    ]);
    validShot = await screenshot(page, "valid.png");
    // The README's picture, the verdict section alone (checker/screenshot.png is a copy of this file).
    await page.locator("section:has(#verdict)").screenshot({ path: join(SHOT_DIR, "valid-verdict.png") });
  });

  it("tampered bundles are INVALID with their codes; the verdict region of the screenshot turns from green to red", async () => {
    await pick(page, "bundle", "more-credit.json");
    const credit = await check(page);
    expect([credit.word, credit.code]).toEqual(["INVALID", "StateProofInvalid"]);
    expect(credit.reason).toBe(`lockup 42 is not in the state root of header 3 (checked at ${QUERY.now}, given)`);
    expect(credit.facts).toEqual({});
    expect(credit.chain.map((r) => r.status)).toEqual(["verified", "verified", "verified"]);
    expect(credit.chain.some((r) => r.holdsState)).toBe(false);

    await pick(page, "bundle", "bad-proof.json");
    const proof = await check(page);
    expect([proof.word, proof.code]).toEqual(["INVALID", "HeaderChain / InvalidProof"]);
    expect(proof.reason).toBe(`header chain: item 1: invalid aggregated header proof (pairing check failed) (checked at ${QUERY.now}, given)`);
    expect(proof.chain.map((r) => [r.index, r.status, r.height])).toEqual([
      ["0", "verified", "1"],
      ["1", "failed", undefined],
      ["2", "not reached", undefined],
    ]);
    const invalidShot = await screenshot(page, "invalid.png");
    expect(errors).toEqual([]);

    for (const shot of [validShot, invalidShot]) {
      expect(shot.png.length).toBeGreaterThan(10_000);
      expect(pngSize(shot.png)).toEqual(VIEWPORT);
      expect(shot.box.y + shot.box.height).toBeLessThanOrEqual(VIEWPORT.height);
    }
    const cmp = await compareVerdictRegions(browser, validShot, invalidShot);
    expect(cmp.region.width * cmp.region.height).toBeGreaterThan(20_000);
    const [vr, vg] = cmp.meanA;
    const [ir, ig] = cmp.meanB;
    expect(vg! - vr!, `VALID region mean colour ${cmp.meanA.map(Math.round)}`).toBeGreaterThan(40);
    expect(ir! - ig!, `INVALID region mean colour ${cmp.meanB.map(Math.round)}`).toBeGreaterThan(40);
    expect(cmp.differing).toBeGreaterThan(0.5);
  });

  it("shows progress while it verifies a long bundle's header proofs, yielding to the browser between batches", async () => {
    await pick(page, "bundle", "long.json");
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(document.getElementById("verdict-reason")!.textContent!)).observe(document.getElementById("verdict-reason")!, { childList: true, characterData: true, subtree: true });
    });
    const v = await check(page);
    expect([v.word, v.code]).toEqual(["INVALID", "HeaderChain / HeightNotIncreasing"]);
    expect(v.reason).toBe(`header chain: item 3: height 3 is not above the last accepted height 3 (checked at ${QUERY.now}, given)`);
    expect(v.chain.map((r) => r.status)).toEqual(["verified", "verified", "verified", "failed", ...Array(59).fill("not reached")]);
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    const steps = seen.filter((t) => t.startsWith("verifying the header proofs: ")).map((t) => Number(/: (\d+) of 63$/.exec(t)![1]));
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(63);
    // Text set twice in one task reaches the observer once: many distinct steps mean the check yielded between batches.
    expect(steps.length).toBeGreaterThan(10);
    expect(errors).toEqual([]);
  });

  it("takes the visitor's own files over the offered ones: SSZ bundle, a per-validator key, another checkpoint", async () => {
    await pick(page, "bundle", "per-validator-bundle.ssz");
    const noKey = await check(page);
    expect([noKey.word, noKey.code]).toEqual(["INVALID", "HeaderChain / VerifierUnavailable"]);
    expect(noKey.chain.map((r) => r.status)).toEqual(["failed", "not reached", "not reached"]);

    await pick(page, "perValidator", "per-validator-vkey.json");
    const ok = await check(page);
    expect(ok.word).toBe("VALID");
    expect(ok.chain.map((r) => [r.kind, r.height, r.status])).toEqual([
      ["perValidator", "1", "verified"],
      ["perValidator", "2", "verified"],
      ["perValidator", "3", "verified"],
    ]);

    await pick(page, "checkpoint", "other-checkpoint.json");
    expect(await page.getAttribute('.slot[data-slot="checkpoint"]', "data-state")).toBe("yours");
    const untrusted = await check(page);
    expect([untrusted.word, untrusted.code]).toEqual(["INVALID", "UntrustedCheckpoint"]);
    expect(untrusted.reason).toMatch(/^bundle starts from chain 77 epoch 0 set \d+, not the trusted checkpoint \(chain 77 epoch 0 set \d+\)/);
    expect(untrusted.chain[0]!.status).toBe("failed");
    await pick(page, "checkpoint", "checkpoint.json");
  });

  it("says what is wrong with a file in the wrong box and with a bad query, without a verdict", async () => {
    await page.setInputFiles(slotInput("aggregated"), paths["checkpoint.json"]!);
    await page.waitForSelector('.slot[data-slot="aggregated"][data-state="error"]');
    expect(await page.textContent('.slot[data-slot="aggregated"] .status')).toBe(
      "checkpoint.json cannot be used as the AggregatedHeaderQuorum verification key: invalid verification key: protocol must be groth16, got undefined",
    );
    const missing = await check(page);
    expect([missing.word, missing.reason]).toEqual(["NOT CHECKED", "no AggregatedHeaderQuorum verification key: drop or pick its file"]);

    await pick(page, "aggregated", "aggregated-vkey.json");
    await fillQuery(page, { borrower: "0x12" });
    const bad = await check(page);
    expect([bad.word, bad.code, bad.reason]).toEqual(["NOT CHECKED", "", 'query.borrower must be a 0x address of 20 bytes, got "0x12"']);
    expect(bad.chain).toEqual([]);
    await fillQuery(page, { borrower: HQ_BORROWER });
    expect((await check(page)).word).toBe("VALID");
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!runBrowserTests)("olzk verify serve --out: the page as static files", () => {
  it("writes index.html, checker.js, checker.css and favicon.svg that check a bundle opened from disk with the visitor's own files", async () => {
    const out = join(dir, "site");
    const r = await olzk("serve", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`olzk verify serve: wrote index.html, checker.css, favicon.svg, checker.js to ${out}`);
    const browser = await launchChromium({ viewport: VIEWPORT });
    try {
      const { page, errors } = await openChecker(browser, pathToFileURL(join(out, "index.html")).href);
      await pick(page, "checkpoint", "checkpoint.json");
      await pick(page, "aggregated", "aggregated-vkey.json");
      await pick(page, "bundle", "bundle.ssz");
      await fillQuery(page, QUERY);
      const v = await check(page);
      expect(errors).toEqual([]);
      expect(v.word).toBe("VALID");
      expect(v.facts.age).toMatch(/^30 s /);
      expect(v.chain.map((c) => c.height)).toEqual(["1", "2", "3"]);
    } finally {
      await browser.close();
    }
  });

  it("embeds an offered file's text without letting it close the data block or run (opened from disk: no CSP)", async () => {
    // A valid checkpoint (extra fields are ignored) whose text would end the <script> data block and
    // inject a script, and carries the $' and $& sequences String.replace expands.
    const cp = JSON.parse(readFileSync(paths["checkpoint.json"]!, "utf8")) as Record<string, unknown>;
    const hostile = file("hostile-checkpoint.json", JSON.stringify({ ...cp, note: "$' $& </script><script>document.title = 'injected'</script>" }));
    const out = join(dir, "hostile-site");
    expect((await olzk("serve", "--out", out, "--checkpoint", hostile)).code).toBe(0);
    const browser = await launchChromium({ viewport: VIEWPORT });
    try {
      const { page, errors } = await openChecker(browser, pathToFileURL(join(out, "index.html")).href);
      expect(await page.title()).toBe("olzk collateral checker");
      expect(await page.getAttribute('.slot[data-slot="checkpoint"]', "data-state")).toBe("offered");
      expect(await page.textContent('.slot[data-slot="checkpoint"] .status')).toContain(`sha256 ${sha256(readFileSync(hostile))}`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

// ---------- usage errors, in process through the CLI entry ----------

describe("olzk verify serve: usage errors are one line, exit 2", () => {
  it("--help exits 0 and is listed under olzk verify", async () => {
    const help = await olzk("serve", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^olzk verify serve: serve the collateral checker page/);
    expect(help.out).toMatch(/--out <value> +write index.html, checker.js, checker.css and favicon.svg/);
    expect((await olzk("--help")).out).toMatch(/\n  serve +serve the collateral checker web page/);
  });

  it("refuses unreadable or wrong trust files, bad ports, a port in use and --out with --port", async () => {
    expect(await olzk("serve", "--vkey", paths["checkpoint.json"]!, "--port", "0")).toMatchObject({
      code: 2,
      err: `olzk verify: --vkey file '${paths["checkpoint.json"]}' cannot be used as the AggregatedHeaderQuorum verification key: invalid verification key: protocol must be groth16, got undefined`,
    });
    expect(await olzk("serve", "--checkpoint", paths["aggregated-vkey.json"]!)).toMatchObject({
      code: 2,
      err: `olzk verify: --checkpoint file '${paths["aggregated-vkey.json"]}' cannot be used as the trusted checkpoint: checkpoint chainId must be a u32, got nothing`,
    });
    const missing = await olzk("serve", "--per-validator-vkey", join(dir, "nope.json"));
    expect(missing).toMatchObject({ code: 2, err: `olzk verify: cannot read --per-validator-vkey file '${join(dir, "nope.json")}': ENOENT` });
    expect(await olzk("serve", "--port", "65536")).toMatchObject({ code: 2, err: "olzk verify: --port must be at most 65535, got 65536" });
    expect(await olzk("serve", "--port", "x")).toMatchObject({ code: 2, err: "olzk verify: --port must be a whole number, got 'x'" });
    expect(await olzk("serve", "--out", dir, "--port", "1")).toMatchObject({ code: 2, err: "olzk verify: --out writes the page as files and does not serve it: drop --port and --host" });
    expect((await olzk("serve", "extra")).code).toBe(2);

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      expect(await olzk("serve", "--port", String(port))).toMatchObject({ code: 2, err: `olzk verify: port ${port} on 127.0.0.1 is in use; pass --port 0 or another port` });
    } finally {
      busy.close();
    }
    const blocked = file("not-a-dir", "x");
    const w = await olzk("serve", "--out", join(blocked, "site"));
    expect(w).toMatchObject({ code: 2, err: `olzk verify: cannot write the page to '${join(blocked, "site")}': ENOTDIR` });
  });
});
