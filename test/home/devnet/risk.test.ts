// Collateral accounts and the risk-aware ratio in the devnet (issue 13), in process: the account
// rules (over-credit refused with its message, withdrawal limits, owners), the breaker refusing
// lockups and auctions in HARD, a SOFT tick raising the ratio of new lockups while old ones keep
// their terms, the old `lock` form's numbers, the leaves in the state tree against the model's
// encoders (proved through the HTTP proof route), and a restart reproducing every root.
// Receipts freeing and slashing account credit are in away.test.ts (they need an Away chain).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getAddress, keccak256, toHex, type Hex } from "viem";
import { HomeClient, HomeError, type HomeErrorCode } from "../../../home/api/index.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig, type DevnetConfigInput } from "../../../home/devnet/config.ts";
import { startDevnet, type RunningDevnet } from "../../../home/devnet/index.ts";
import { HTTP_STATUS } from "../../../home/devnet/server.ts";
import {
  BREAKER_NORMAL,
  HOME_GLOBAL_BINDING,
  KIND_ACCOUNT_LOCKUP,
  KIND_COLLATERAL_ACCOUNT,
  KIND_LOCKUP,
  KIND_RISK_STATE,
  accountLockupDigest,
  awayBinding,
  collateralAccountDigest,
  lockupDigest,
  riskStateDigest,
  verifyStateProof,
} from "../../../home/model/index.ts";

const SETTLEMENT = "0x5e77000000000000000000000000000000000001" as Hex;
const USDC = "0x00000000000000000000000000000000000a11ce" as Hex;
const WETH = "0x00000000000000000000000000000000000000b0" as Hex;
const BORROWER = "0x2222222222222222222222222222222222222222" as Hex;
const OWNER = keccak256(toHex("home account owner"));
const OTHER = keccak256(toHex("someone else"));
const LIBRA = (n: number) => BigInt(Math.round(n * 1e6)); // 6 decimals
const USD6 = (n: number) => BigInt(Math.round(n * 1e6)); // USDC, 6 decimals
const E18 = 10n ** 18n;

const RISK_CONFIG = { assets: [{ awayChainId: 31337n, address: USDC, symbol: "USDC", decimals: 6, price: E18 }] };

const open: { close(): unknown }[] = [];
const dirs: string[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function config(over: DevnetConfigInput = {}) {
  return resolveConfig({ dataDir: null, blockMs: 0, port: 0, settlementAddress: SETTLEMENT, riskConfig: RISK_CONFIG, libraPriceSource: "0.5", ...over });
}

function chain(over: DevnetConfigInput = {}): DevnetChain {
  const c = DevnetChain.open(config(over));
  open.push(c);
  return c;
}

async function refused(p: Promise<unknown>, code: HomeErrorCode, status: number, msg: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, "expected a refusal").toBeInstanceOf(HomeError);
  const err = e as HomeError;
  expect([err.code, HTTP_STATUS[err.code]]).toEqual([code, status]);
  expect(err.message).toMatch(msg);
  expect(err.message).not.toContain("\n");
}

const expiry = (c: DevnetChain) => Math.floor(c.nowMs() / 1000) + 7200;
const accountLock = (c: DevnetChain, accountId: bigint, creditLimit: bigint, owner: Hex = OWNER) =>
  c.submit("lock", { owner, borrower: BORROWER, creditAsset: USDC, accountId, creditLimit, expiry: expiry(c) });
const depositLock = (c: DevnetChain, collateral: bigint) => c.submit("lock", { owner: OWNER, borrower: BORROWER, creditAsset: WETH, collateral, expiry: expiry(c) });
const openAccount = async (c: DevnetChain, deposit: bigint) => (await c.submit("open-account", { owner: OWNER, deposit })).result.accountId;

/** Seals blocks until the risk state reaches tick `tick` (the block being built is `tick`). */
function sealUntilTick(c: DevnetChain, tick: bigint): void {
  while (c.riskState().tick < tick) c.produceBlock();
}

describe("collateral accounts", () => {
  it("refuses a lockup beyond what the account's collateral supports, naming what it could still open", async () => {
    const c = chain();
    // 20,000 LIBRA at 0.5 USD = 10,000 USD; genesis volatility 0.30% gives the standard 130%.
    const id = await openAccount(c, LIBRA(20_000));
    expect(c.riskState()).toMatchObject({ tick: 1n, breaker: "NORMAL" });
    const first = await accountLock(c, id, USD6(6_000));
    expect(first.result).toMatchObject({ creditLimit: USD6(6_000), accountId: id, ratioBps: 13_000 });
    expect(first.leaves.map((l) => l.kind)).toEqual([KIND_LOCKUP, KIND_ACCOUNT_LOCKUP, KIND_COLLATERAL_ACCOUNT]);
    // 7,800 USD needed; 2,200 left backs 2,200 / 1.3 = 1,692.307692 USDC.
    await refused(accountLock(c, id, USD6(2_000)), "insufficient-collateral", 422, /account 1 .*can back at most 1692\.307692 USDC more at 130%, asked 2000 USDC/);
    expect(c.account(id)!.position).toMatchObject({ openLockups: 1, openCreditValue: 6_000n * E18, openNeedValue: 7_800n * E18, headroomValue: 2_200n * E18 });
    expect((await accountLock(c, id, USD6(1_692.307692))).result.ratioBps).toBe(13_000);
    await refused(accountLock(c, id, 1n), "insufficient-collateral", 422, /can back at most 0 USDC more/);
    // Someone else's account, an asset without a price, an account that does not exist.
    await refused(accountLock(c, id, 1n, OTHER), "not-account-owner", 422, /belongs to/);
    await refused(c.submit("lock", { owner: OWNER, borrower: BORROWER, creditAsset: WETH, accountId: id, creditLimit: 1n, expiry: expiry(c) }), "unknown-credit-asset", 422, /no price/);
    await refused(accountLock(c, 99n, 1n), "account-not-found", 404, /99 does not exist/);
    await refused(c.submit("lock", { owner: OWNER, borrower: BORROWER, creditAsset: USDC, accountId: id, expiry: expiry(c) }), "invalid-request", 400, /creditLimit/);
    await refused(
      c.submit("lock", { owner: OWNER, borrower: BORROWER, creditAsset: USDC, accountId: id, creditLimit: 1n, collateral: 1n, expiry: expiry(c) }),
      "invalid-request",
      400,
      /either 'collateral'.*not both/,
    );
  });

  it("never lets a withdrawal take the account below what its open lockups need", async () => {
    const c = chain();
    const id = await openAccount(c, LIBRA(20_000));
    await accountLock(c, id, USD6(6_000)); // needs 7,800 USD = 15,600 LIBRA at 0.5
    expect(c.account(id)!.position.withdrawable).toBe(LIBRA(4_400));
    await refused(c.submit("withdraw", { accountId: id, owner: OWNER, amount: LIBRA(4_400) + 1n }), "withdrawal-too-large", 422, /can withdraw at most 4400 LIBRA of 20000 LIBRA/);
    await refused(c.submit("withdraw", { accountId: id, owner: OTHER, amount: 1n }), "not-account-owner", 422, /belongs to/);
    expect((await c.submit("withdraw", { accountId: id, owner: OWNER, amount: LIBRA(4_400) })).result.collateral).toBe(LIBRA(15_600));
    await refused(c.submit("withdraw", { accountId: id, owner: OWNER, amount: 1n }), "withdrawal-too-large", 422, /at most 0 LIBRA/);
    expect((await c.submit("deposit", { accountId: id, owner: OWNER, amount: LIBRA(10) })).result.collateral).toBe(LIBRA(15_610));
    expect((await c.submit("withdraw", { accountId: id, owner: OWNER, amount: LIBRA(10) })).result.collateral).toBe(LIBRA(15_600));
    await refused(c.submit("withdraw", { accountId: id, owner: OWNER, amount: 0 }), "invalid-request", 400, /amount/);
  });

  it("keeps the old lock form's numbers in a calm market: a one-lockup account at the configured ratio", async () => {
    const c = chain({ libraPrice: "26" }); // the walkthrough's --libra-price
    const r = await depositLock(c, LIBRA(10_000));
    // 10,000 LIBRA * 26 / 1.3 = 200,000 USDC (as before accounts existed)
    expect(r.result).toMatchObject({ creditLimit: 200_000_000_000n, ratioBps: 13_000 });
    const a = c.account(r.result.accountId)!;
    expect(a.account).toMatchObject({ owner: OWNER, collateral: LIBRA(10_000), openLockIds: [r.result.lockId] });
    expect(a.lockups[0]).toMatchObject({ lockId: r.result.lockId, creditLimit: 200_000_000_000n, ratioBps: 13_000, status: "open" });
    // Many calm ticks later the risk tier is aggressive (120%), but the stricter configured 130% holds.
    sealUntilTick(c, 30n);
    expect(c.riskState().breaker).toBe("NORMAL");
    expect((await depositLock(c, LIBRA(10_000))).result).toMatchObject({ creditLimit: 200_000_000_000n, ratioBps: 13_000 });
    expect((await accountLock(c, await openAccount(c, LIBRA(12_000)), USD6(5_000))).result.ratioBps).toBe(12_000);
  });
});

describe("circuit breaker", () => {
  it("refuses new lockups (both forms) and auctions in HARD, logging every transition", async () => {
    const lines: string[] = [];
    // A 40% fall at tick 4: NORMAL -> SOFT -> HARD in one tick.
    const c = chain({ libraPriceSource: "path:0=0.5,3=0.5,4=0.3", log: (l) => lines.push(l) });
    const id = await openAccount(c, LIBRA(20_000));
    sealUntilTick(c, 4n);
    expect(c.riskState()).toMatchObject({ tick: 4n, breaker: "HARD", price: (3n * E18) / 10n });
    expect(lines.filter((l) => l.startsWith("risk: "))).toEqual([
      expect.stringMatching(/^risk: tick 4: circuit breaker NORMAL -> SOFT \(volatility .* >= soft-enter 1%\)$/),
      expect.stringMatching(/^risk: tick 4: circuit breaker SOFT -> HARD \(volatility .* >= hard-enter 3%\)$/),
      expect.stringMatching(/^risk: tick 4: collateral ratio for new lockups 130% -> 175% \(soft\)$/),
    ]);
    await refused(accountLock(c, id, 1n), "breaker-hard", 409, /circuit breaker is HARD .*no new lockups/);
    await refused(depositLock(c, LIBRA(100)), "breaker-hard", 409, /no new lockups/);
    const t = Math.floor(c.nowMs() / 1000);
    const auction = { auctioneer: BORROWER, sellAsset: USDC, sellAmount: "100", buyAsset: WETH, mode: 1, commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600 };
    await refused(c.submit("create-auction", auction), "breaker-hard", 409, /no new auctions/);
    // Deposits still go in; the account shows no headroom while HARD.
    await c.submit("deposit", { accountId: id, owner: OWNER, amount: LIBRA(1) });
    expect(c.account(id)!.position.headroomValue).toBe(0n);
  });

  it("raises the ratio of new lockups in SOFT, leaves old lockups their terms, and returns to NORMAL", async () => {
    const lines: string[] = [];
    // A 5% drop at tick 6: SOFT (volatility ~1.2%), not HARD; then a flat price lets it decay.
    const c = chain({ libraPriceSource: "path:0=0.5,5=0.5,6=0.475", log: (l) => lines.push(l) });
    const id = await openAccount(c, LIBRA(40_000)); // 20,000 USD
    const old = await accountLock(c, id, USD6(6_000)); // 130%: needs 7,800
    const oldDeposit = await depositLock(c, LIBRA(1_300)); // --libra-price 1, 130%: 1,000
    expect(oldDeposit.result).toMatchObject({ creditLimit: LIBRA(1_000), ratioBps: 13_000 });
    sealUntilTick(c, 6n);
    expect(c.riskState().breaker).toBe("SOFT");
    const fresh = await accountLock(c, id, USD6(1_000));
    expect(fresh.result.ratioBps).toBe(17_500);
    expect((await depositLock(c, LIBRA(1_750))).result).toMatchObject({ creditLimit: LIBRA(1_000), ratioBps: 17_500 });
    const book = c.account(id)!.lockups;
    expect(book.find((l) => l.lockId === old.result.lockId)).toMatchObject({ ratioBps: 13_000, libraPrice: E18 / 2n, needValue: 7_800n * E18 });
    expect(book.find((l) => l.lockId === fresh.result.lockId)).toMatchObject({ ratioBps: 17_500, libraPrice: (475n * E18) / 1000n, needValue: 1_750n * E18 });
    expect(c.lockup(old.result.lockId)!.ratioBps).toBe(13_000);
    // In SOFT all of the account's credit counts at 175%: 7,000 * 1.75 = 12,250 of 19,000 USD.
    await refused(accountLock(c, id, USD6(4_000)), "insufficient-collateral", 422, /at 175%/);
    sealUntilTick(c, 60n);
    expect(c.riskState().breaker).toBe("NORMAL");
    const risk = lines.filter((l) => l.startsWith("risk: "));
    expect(risk[0]).toMatch(/^risk: tick 6: circuit breaker NORMAL -> SOFT/);
    expect(risk).toContainEqual(expect.stringMatching(/^risk: tick \d+: circuit breaker SOFT -> NORMAL \(volatility .* < soft-exit 0\.7%\)$/));
  });
});

describe("risk leaves in the state tree", () => {
  it("writes the leaves the model's encoders give, proved through GET /state/proof", async () => {
    const dn: RunningDevnet = await startDevnet({ ...config(), port: 0 });
    open.push(dn);
    const home = new HomeClient(dn.url);
    const id = (await home.act("open-account", { owner: OWNER, deposit: LIBRA(20_000).toString() })).result.accountId;
    const lock = await home.act("lock", { owner: OWNER, borrower: BORROWER, creditAsset: USDC, accountId: id.toString(), creditLimit: USD6(6_000).toString(), expiry: expiry(dn.chain) }, { wait: true });
    if (!lock.sealed) throw new Error("expected a sealed reply");
    const h = lock.height;
    const root = lock.stateRoot;
    const risk = await home.risk();
    expect(risk).toMatchObject({ tick: h + 1n, breaker: "NORMAL", libraPrice: "0.5", ratioBps: 13_000, acceptsNew: true });

    // The risk state block h committed: tick h, price 0.5, genesis variance decayed h times.
    let variance = 30n * 30n * 10n ** 10n;
    for (let i = 0n; i < h; i++) variance = (940_000n * variance) / 1_000_000n;
    const riskProof = await home.stateProof(KIND_RISK_STATE, 0n, h);
    const riskPayload = { tick: h, breaker: BREAKER_NORMAL, ratioBps: 13_000, libraPrice: E18 / 2n, variance, calmTicks: 0 };
    expect(riskProof.payload).toEqual(riskPayload);
    expect(riskProof.proof.leaf).toEqual({ leafKey: riskProof.proof.leafKey, awayBinding: HOME_GLOBAL_BINDING, payloadDigest: riskStateDigest(riskPayload) });
    expect(riskProof.awayContract).toBeNull();
    expect(verifyStateProof(root, riskProof.proof)).toBe(true);

    const accountProof = await home.stateProof(KIND_COLLATERAL_ACCOUNT, id, h);
    const accountPayload = { accountId: id, owner: OWNER, collateral: LIBRA(20_000), slashed: 0n, openLockups: 1, openCreditValue: 6_000n * E18, openNeedValue: 7_800n * E18 };
    expect(accountProof.proof.leaf).toMatchObject({ awayBinding: HOME_GLOBAL_BINDING, payloadDigest: collateralAccountDigest(accountPayload) });
    expect(verifyStateProof(root, accountProof.proof)).toBe(true);

    const lockId = lock.result.lockId;
    const binding = awayBinding(31337n, SETTLEMENT);
    const linkPayload = { lockId, accountId: id, ratioBps: 13_000, libraPrice: E18 / 2n, creditValue: 6_000n * E18, needValue: 7_800n * E18, openedTick: h };
    const linkProof = await home.stateProof(KIND_ACCOUNT_LOCKUP, lockId, h);
    expect(linkProof.proof.leaf).toMatchObject({ awayBinding: binding, payloadDigest: accountLockupDigest(linkPayload) });
    expect(verifyStateProof(root, linkProof.proof)).toBe(true);
    const lockProof = await home.stateProof(KIND_LOCKUP, lockId, h);
    const lockPayload = { lockId, owner: OWNER, borrower: BORROWER, creditAsset: USDC, creditLimit: USD6(6_000), expiry: (await home.lockup(lockId)).expiry, status: 1 };
    expect(lockProof.proof.leaf).toMatchObject({ awayBinding: binding, payloadDigest: lockupDigest(lockPayload) });
    expect(verifyStateProof(root, lockProof.proof)).toBe(true);

    const view = await home.account(id);
    expect(view).toMatchObject({ accountId: id, collateral: LIBRA(20_000), openLockups: 1, withdrawable: LIBRA(4_400), headroomValue: 2_200n * E18 });
    expect(view.lockups).toEqual([expect.objectContaining({ lockId, ratioBps: 13_000, status: "open", settlement: getAddress(SETTLEMENT) })]);
  });
});

describe("restart", () => {
  it("replays to the same roots and risk state, and refuses another price series", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "olzk-devnet-risk-"));
    dirs.push(dataDir);
    const over = { dataDir, libraPriceSource: "path:0=0.5,5=0.5,6=0.475,90=0.475" };
    let c = DevnetChain.open(config(over));
    const id = await openAccount(c, LIBRA(40_000));
    await accountLock(c, id, USD6(6_000));
    sealUntilTick(c, 7n);
    await accountLock(c, id, USD6(1_000)); // opened in SOFT
    await c.submit("withdraw", { accountId: id, owner: OWNER, amount: LIBRA(100) });
    sealUntilTick(c, 100n); // past the 64 blocks whose links a replay checks
    await depositLock(c, LIBRA(50)); // pending: not sealed before the restart
    const before = { latest: c.latest, risk: c.riskState(), account: c.account(id), pending: c.pendingLeaves, old: c.stateProof(KIND_RISK_STATE, 0n, 10n) };
    c.close();

    c = DevnetChain.open(config(over));
    open.push(c);
    expect(c.latest.hash).toBe(before.latest.hash);
    expect(c.latest.header.stateRoot).toBe(before.latest.header.stateRoot);
    expect(c.riskState()).toEqual(before.risk);
    expect(c.account(id)).toEqual(before.account);
    expect(c.pendingLeaves).toBe(before.pending);
    const old = c.stateProof(KIND_RISK_STATE, 0n, 10n);
    expect(old.payload).toEqual(before.old.payload);
    expect(verifyStateProof(c.block(10n)!.header.stateRoot, old.proof)).toBe(true);
    const next = c.produceBlock();
    expect(verifyStateProof(next.header.stateRoot, c.stateProof(KIND_RISK_STATE, 0n).proof)).toBe(true);
    c.close();

    expect(() => DevnetChain.open(config({ ...over, libraPriceSource: "0.5" }))).toThrow(/created with libraPriceSeries = 0x[0-9a-f]+, not 0x/);
    expect(() => DevnetChain.open(config({ ...over, riskConfig: { ...RISK_CONFIG, lambdaPpm: 900_000 } }))).toThrow(/created with riskConfig = /);
  });

  it("refuses a bad price source or risk config file at open with one line naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "olzk-devnet-risk-files-"));
    dirs.push(dir);
    const rc = join(dir, "risk.json");
    writeFileSync(rc, JSON.stringify({ ratios: { softBps: 100 } }));
    expect(() => chain({ riskConfig: rc })).toThrow(new RangeError(`${rc}: risk config: ratios.softBps must be an integer in 10000..1000000, got 100`));
    const prices = join(dir, "prices.csv");
    writeFileSync(prices, "tick,price\n0,0.5\n5,abc\n");
    expect(() => chain({ libraPriceSource: `file:${prices}` })).toThrow(new RangeError(`libra-price-source: ${prices} line 3: price 'abc' is not a decimal number with at most 18 decimals`));
    writeFileSync(prices, "tick,price\n0,0.5\n60,0.5\n61,0.475\n");
    expect(chain({ libraPriceSource: `file:${prices}` }).riskSetup.series).toEqual({ kind: "path", points: [{ tick: 0n, price: E18 / 2n }, { tick: 60n, price: E18 / 2n }, { tick: 61n, price: (475n * E18) / 1000n }] });
    expect(() => resolveConfig({ libraPriceSource: "path:5=1,3=2" })).toThrow(/libra-price-source: price path: point 2 has tick 3, not after/);
  });
});
