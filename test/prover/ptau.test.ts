// Powers-of-tau resolution order (explicit/env, cache, shared, download, dev ceremony),
// rejection of corrupt files, and the download's blake2b-512 check against a local server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PtauError,
  REPO_ROOT,
  blake2b512File,
  defaultSharedDir,
  devCeremony,
  hermezFileName,
  readPtauHeader,
  requiredPower,
  resolvePtau,
  type ResolvePtauOptions,
} from "../../prover/setup/ptau.ts";

let root: string;
let good: string; // a real, prepared power-4 ptau made by the dev ceremony step
let goodHash: string;
let ceremonyLog: string[];
const quiet = () => {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "olzk-ptau-test-"));
  ceremonyLog = [];
  good = await devCeremony(4, join(root, "ceremony"), (l) => ceremonyLog.push(l));
  goodHash = await blake2b512File(good);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function scenario(name: string) {
  const dir = join(root, name);
  const dirs = { cache: join(dir, "cache"), shared: join(dir, "shared"), other: join(dir, "other") };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  const base: ResolvePtauOptions = {
    power: 3,
    env: {},
    cacheDir: dirs.cache,
    sharedDir: dirs.shared,
    download: false,
    allowCeremony: false,
    log: quiet,
  };
  return { dirs, base };
}

/** Put the good file into the shared folder with a README listing its hash. */
async function share(dir: string, name = "dev-bn128-4.ptau", hash = goodHash) {
  await copyFile(good, join(dir, name));
  await writeFile(join(dir, "README.md"), `| file | power | blake2b-512 |\n|---|---|---|\n| ${name} | 2^4 | ${hash} |\n`);
  return join(dir, name);
}

describe("ptau file checks", () => {
  it("parses the header of a ceremony file and its sidecar hash matches", async () => {
    const h = await readPtauHeader(good);
    expect(h.power).toBe(4);
    expect(h.prepared).toBe(true);
    expect((await readFile(good + ".blake2b", "utf8")).trim()).toBe(goodHash);
  });

  it("the dev ceremony warns, then reports each of its three steps as plain lines off a terminal", () => {
    expect(ceremonyLog[0]).toMatch(/^!+\n!! WARNING: no powers-of-tau file found for 2\^4\. Running a LOCAL SINGLE-PARTY/);
    expect(ceremonyLog.filter((l) => l.includes("done in"))).toEqual([
      expect.stringMatching(/^ptau: dev ceremony 2\^4, step 1\/3 new accumulator: done in \d+ s$/),
      expect.stringMatching(/^ptau: dev ceremony 2\^4, step 2\/3 contribute: done in \d+ s$/),
      expect.stringMatching(/^ptau: dev ceremony 2\^4, step 3\/3 prepare phase 2: done in \d+ s$/),
    ]);
    expect(ceremonyLog.join("\n")).not.toContain("\r");
  });

  it("computes the power snarkjs needs", () => {
    expect(requiredPower(65205, 8)).toBe(16);
    expect(requiredPower(65530, 6)).toBe(17);
    expect(requiredPower(30000, 4)).toBe(15);
  });
});

describe("resolution order", () => {
  it("explicit path wins over env, cache and shared", async () => {
    const { dirs, base } = await scenario("explicit");
    const mine = join(dirs.other, "mine.ptau");
    await copyFile(good, mine);
    await copyFile(good, join(dirs.cache, "c.ptau"));
    await share(dirs.shared);
    const r = await resolvePtau({ ...base, explicitPath: mine, env: { OLZK_PTAU: join(dirs.cache, "c.ptau") } });
    expect(r.source).toBe("explicit");
    expect(r.path).toBe(mine);
    expect(r.blake2b).toBe(goodHash);
    expect(r.insecure).toBe(true);
  });

  it("env OLZK_PTAU comes next", async () => {
    const { dirs, base } = await scenario("env");
    const mine = join(dirs.other, "env.ptau");
    await copyFile(good, mine);
    await copyFile(good, join(dirs.cache, "c.ptau"));
    const r = await resolvePtau({ ...base, env: { OLZK_PTAU: mine } });
    expect(r.source).toBe("env");
    expect(r.path).toBe(mine);
  });

  it("OLZK_CACHE_DIR locates the cache when no cacheDir is given", async () => {
    const { dirs, base } = await scenario("cacheenv");
    await mkdir(join(dirs.other, "ptau"), { recursive: true });
    await copyFile(good, join(dirs.other, "ptau", "x.ptau"));
    const r = await resolvePtau({ ...base, cacheDir: undefined, env: { OLZK_CACHE_DIR: dirs.other } });
    expect(r.source).toBe("cache");
    expect(r.path).toBe(join(dirs.other, "ptau", "x.ptau"));
  });

  it("OLZK_SHARED_DIR points the shared folder elsewhere; none or a missing folder hides it", async () => {
    const { dirs, base } = await scenario("sharedenv");
    await mkdir(join(dirs.other, "ptau"), { recursive: true });
    const path = await share(join(dirs.other, "ptau"));
    const r = await resolvePtau({ ...base, sharedDir: undefined, env: { OLZK_SHARED_DIR: dirs.other } });
    expect(r).toMatchObject({ source: "shared", path });
    expect(defaultSharedDir({ OLZK_SHARED_DIR: dirs.other })).toBe(join(dirs.other, "ptau"));
    expect(defaultSharedDir({})).toBe(join(REPO_ROOT, "..", "shared", "ptau"));
    expect(defaultSharedDir({ OLZK_SHARED_DIR: "none" })).toBeNull();
    for (const hidden of ["none", join(dirs.other, "missing")]) {
      await expect(resolvePtau({ ...base, sharedDir: undefined, env: { OLZK_SHARED_DIR: hidden } })).rejects.toThrow(/no powers-of-tau file for 2\^3/);
    }
  });

  it("cache comes before the shared folder, shared before download", async () => {
    const { dirs, base } = await scenario("order");
    await share(dirs.shared);
    const fetchCalls: string[] = [];
    const download = {
      fetch: (async (url: string) => {
        fetchCalls.push(url);
        throw new Error("offline");
      }) as unknown as typeof fetch,
    };
    let r = await resolvePtau({ ...base, download });
    expect(r.source).toBe("shared");
    expect(fetchCalls).toEqual([]);
    await copyFile(good, join(dirs.cache, "cached.ptau"));
    r = await resolvePtau({ ...base, download });
    expect(r.source).toBe("cache");
  });

  it("a power too small is not picked; the smallest sufficient power is", async () => {
    const { dirs, base } = await scenario("power");
    await share(dirs.shared);
    await expect(resolvePtau({ ...base, power: 5 })).rejects.toThrow(/no powers-of-tau file for 2\^5/);
    const r = await resolvePtau({ ...base, power: 4 });
    expect(r.power).toBe(4);
  });
});

describe("corrupt files", () => {
  it("a truncated cache file is rejected and resolution moves on to shared", async () => {
    const { dirs, base } = await scenario("truncated");
    const bad = join(dirs.cache, "bad.ptau");
    await copyFile(good, bad);
    await truncate(bad, 5000);
    await share(dirs.shared);
    const lines: string[] = [];
    const r = await resolvePtau({ ...base, log: (l) => lines.push(l) });
    expect(r.source).toBe("shared");
    expect(lines.join("\n")).toMatch(/rejecting .*bad\.ptau.*truncated/);
  });

  it("a shared file with a flipped byte fails its hash and is rejected", async () => {
    const { dirs, base } = await scenario("flipped");
    const path = await share(dirs.shared);
    const bytes = await readFile(path);
    bytes[bytes.length - 10] ^= 0xff;
    await writeFile(path, bytes);
    const lines: string[] = [];
    await expect(resolvePtau({ ...base, log: (l) => lines.push(l) })).rejects.toThrow(PtauError);
    expect(lines.join("\n")).toMatch(/blake2b-512 mismatch/);
  });

  it("a shared file with no known hash is skipped", async () => {
    const { dirs, base } = await scenario("unknown");
    await copyFile(good, join(dirs.shared, "mystery.ptau"));
    const lines: string[] = [];
    await expect(resolvePtau({ ...base, log: (l) => lines.push(l) })).rejects.toThrow(/no powers-of-tau/);
    expect(lines.join("\n")).toMatch(/no known blake2b-512/);
  });

  it("a corrupt explicit file fails loudly instead of moving on", async () => {
    const { dirs, base } = await scenario("badexplicit");
    const bad = join(dirs.other, "x.ptau");
    await writeFile(bad, "not a ptau file at all");
    await share(dirs.shared);
    await expect(resolvePtau({ ...base, explicitPath: bad })).rejects.toThrow(/not a ptau file/);
    await expect(resolvePtau({ ...base, explicitPath: join(dirs.other, "missing.ptau") })).rejects.toThrow(/no such file/);
  });
});

describe("download", () => {
  let server: Server;
  let baseUrl: string;
  let served = 0;
  beforeAll(async () => {
    const bytes = await readFile(good);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 1] ^= 1;
    server = createServer((req, res) => {
      served++;
      if (req.url === `/good/${hermezFileName(4)}`) {
        res.writeHead(200, { "content-length": bytes.length });
        res.end(bytes);
      } else if (req.url === `/bad/${hermezFileName(4)}`) {
        res.writeHead(200, { "content-length": corrupt.length });
        res.end(corrupt);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("downloads into the cache when the published hash matches, then serves it from cache", async () => {
    const { dirs, base } = await scenario("dl-good");
    const before = served;
    const r = await resolvePtau({ ...base, download: { baseUrl: `${baseUrl}/good`, hashes: { 4: goodHash } } });
    expect(r.source).toBe("download");
    expect(r.path).toBe(join(dirs.cache, hermezFileName(4)));
    expect(served).toBe(before + 1);
    const again = await resolvePtau({ ...base, download: { baseUrl: `${baseUrl}/good`, hashes: { 4: goodHash } } });
    expect(again.source).toBe("cache");
    expect(served).toBe(before + 1);
  });

  it("rejects a download whose hash differs and leaves nothing in the cache", async () => {
    const { dirs, base } = await scenario("dl-bad");
    const lines: string[] = [];
    await expect(
      resolvePtau({ ...base, log: (l) => lines.push(l), download: { baseUrl: `${baseUrl}/bad`, hashes: { 4: goodHash } } }),
    ).rejects.toThrow(/no powers-of-tau/);
    expect(lines.join("\n")).toMatch(/download failed: .*blake2b-512 mismatch/);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(dirs.cache)).toEqual([]);
  });

  it("fails fast on a closed network and falls through to the next step", async () => {
    const { base } = await scenario("dl-closed");
    const t0 = Date.now();
    const lines: string[] = [];
    // Port 9 on localhost: connection refused immediately.
    await expect(
      resolvePtau({ ...base, log: (l) => lines.push(l), download: { baseUrl: "http://127.0.0.1:9", hashes: { 4: goodHash }, timeoutMs: 2000 } }),
    ).rejects.toThrow(/no powers-of-tau/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(lines.join("\n")).toMatch(/download failed/);
  });

  it("falls through to the dev ceremony as the last resort", async () => {
    const { dirs, base } = await scenario("ceremony");
    const r = await resolvePtau({ ...base, power: 3, allowCeremony: true, download: { fetch: (async () => { throw new Error("offline"); }) as unknown as typeof fetch, hashes: { 3: "00" } } });
    expect(r.source).toBe("ceremony");
    expect(r.insecure).toBe(true);
    expect(r.path).toBe(join(dirs.cache, "dev-ceremony-bn128-3.ptau"));
  }, 120_000);

  it("makes the ceremony at ceremonyPower when a run needs a larger power later; the cache then serves both", async () => {
    const { dirs, base } = await scenario("ceremony-max");
    const offline = { ...base, allowCeremony: true, download: false as const };
    const first = await resolvePtau({ ...offline, power: 3, ceremonyPower: 5 });
    expect(first).toMatchObject({ source: "ceremony", power: 5, path: join(dirs.cache, "dev-ceremony-bn128-5.ptau") });
    // The larger circuit of the same run: no second ceremony.
    expect(await resolvePtau({ ...offline, power: 5, allowCeremony: false })).toMatchObject({ source: "cache", power: 5, path: first.path });
  }, 120_000);
});
