// The real stack for the protocol-safety tests (DESIGN section 11): Hardhat's EDR as the Away
// chain behind real HTTP JSON-RPC, the contracts deployed by the deploy script, the Home devnet
// chain in process with its own Atomic Auctions rules reading Away storage through verified
// eth_getProof, and real Groth16 proofs (HeaderQuorum of the devnet's signed headers submitted to
// the light client, Settlement of the devnet's own state proofs). Actors are EDR's unlocked dev
// accounts. Home and Away clocks move together (`advance`).
import {
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  encodeAbiParameters,
  getAddress,
  http,
  keccak256,
  maxUint256,
  toHex,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { DevnetChain } from "../../home/devnet/chain.ts";
import { bidCommitment } from "../../home/devnet/auctions-module.ts";
import { resolveConfig, type DevnetConfig } from "../../home/devnet/config.ts";
import { devnetGenesis } from "../../home/devnet/genesis.ts";
import { HomeError, type ActionType } from "../../home/api/index.ts";
import { HTTP_STATUS } from "../../home/devnet/server.ts";
import type { AuctionResultPayload, LockupPayload } from "../../home/model/index.ts";
import { proveHeader, proveSettlement } from "../../prover/prover.ts";
import { HEADER_PROOF_KIND } from "../../relayer/away-viem.ts";
import { loadArtifact } from "../../contracts/deploy/artifacts.ts";
import { deployAll, type DeployedAddresses } from "../../contracts/deploy/deploy.ts";
import { startEdrRpc, type EdrRpc } from "../relayer/edr-rpc.ts";
import { ensureContractsBuilt } from "../relayer/ensure-built.ts";

export const E6 = 10n ** 6n;
export const E18 = 10n ** 18n;
export const PRICE_SCALE = 10n ** 18n;
/** LIBRA base units (6 decimals) for `n` LIBRA. */
export const LIBRA = (n: bigint) => n * E6;
const PROVE = { profile: "dev", network: "hardhat" } as const;

/** EDR's unlocked dev accounts, by role. */
export const ROLES = ["deployer", "guardian", "lp", "lp2", "auctioneer", "w1", "w2", "w3", "attacker", "attacker2", "relayer"] as const;
export type Role = (typeof ROLES)[number];

const artifactAbi = (source: string, name: string) => loadArtifact(source, name).abi;

export interface Contracts {
  settlement: Address;
  escrow: Address;
  registry: Address;
  lightClient: Address;
  usdc: Address;
  weth: Address;
}

/** A revert decoded against every contract ABI of the stack. */
export interface Reverted {
  ok: false;
  error: string;
  args: readonly unknown[];
}
export type Outcome = { ok: true; receipt: TransactionReceipt } | Reverted;

/** "ok", or the revert as `Error(arg, ...)`, for assertions. */
export function show(o: Outcome): string {
  return o.ok ? "ok" : `${o.error}(${o.args.map(String).join(", ")})`;
}

export class SafetyStack {
  readonly pub: PublicClient;
  readonly wallet: WalletClient;
  readonly abi: Record<"settlement" | "escrow" | "registry" | "lightClient" | "token" | "borrower", Abi>;
  private readonly allErrors: Abi;
  /** Height of the newest header proven into the light client. */
  private provenHeight = -1n;

  private constructor(
    readonly rpc: EdrRpc,
    readonly addresses: DeployedAddresses,
    readonly home: DevnetChain,
    readonly account: Record<Role, Address>,
    readonly c: Contracts,
  ) {
    this.pub = createPublicClient({ transport: http(rpc.url) }) as PublicClient;
    this.wallet = createWalletClient({ transport: http(rpc.url) });
    this.abi = {
      settlement: artifactAbi("AtomicSettlement.sol", "AtomicSettlement"),
      escrow: artifactAbi("AuctionEscrow.sol", "AuctionEscrow"),
      registry: artifactAbi("LPRegistry.sol", "LPRegistry"),
      lightClient: artifactAbi("HomeLightClient.sol", "HomeLightClient"),
      token: artifactAbi("test/TestToken.sol", "TestToken"),
      borrower: artifactAbi("test/TestBorrower.sol", "TestBorrower"),
    };
    const errors = new Map<string, unknown>();
    for (const a of Object.values(this.abi)) for (const item of a) if (item.type === "error") errors.set(JSON.stringify(item), item);
    this.allErrors = [...errors.values()] as Abi;
  }

  /** Deploys the contracts, opens the Home devnet bound to them, and returns the stack. */
  static async start(over: Partial<DevnetConfig> = {}): Promise<SafetyStack> {
    await ensureContractsBuilt();
    const rpc = await startEdrRpc();
    const accounts = ((await rpc.request("eth_accounts")) as string[]).map((a) => getAddress(a));
    const account = Object.fromEntries(ROLES.map((r, i) => [r, accounts[i]!])) as Record<Role, Address>;
    const base: Partial<DevnetConfig> = { dataDir: null, blockMs: 0, port: 0, epochBlocks: 1_000_000, confirmations: 0, ...over };
    const { homeChainId, validatorSetRoot: genesisRoot } = devnetGenesis(base);
    const addresses = await deployAll(rpc.url, {
      homeChainId,
      genesisEpoch: 0n,
      genesisValidatorSetRoot: genesisRoot,
      guardian: account.guardian,
      testTokens: true,
      rpcUrl: rpc.url,
    });
    const home = DevnetChain.open(
      resolveConfig({ ...base, awayRpc: rpc.url, awayChainId: 31337n, settlementAddress: addresses.settlement, escrowAddress: addresses.escrow }),
    );
    const c: Contracts = {
      settlement: addresses.settlement,
      escrow: addresses.escrow,
      registry: addresses.registry,
      lightClient: addresses.lightClient,
      usdc: addresses.tokens!.USDC!,
      weth: addresses.tokens!.WETH!,
    };
    const stack = new SafetyStack(rpc, addresses, home, account, c);
    await stack.syncClocks();
    return stack;
  }

  async close(): Promise<void> {
    this.home.close();
    await this.rpc.close();
  }

  // ---------------------------------------------------------------- Away

  /** Decodes a revert into its custom error name and arguments. */
  decode(e: unknown): Reverted {
    for (let cur: any = e; cur; cur = cur.cause) {
      const data = typeof cur.data === "string" ? cur.data : typeof cur.data?.data === "string" ? cur.data.data : undefined;
      if (cur.data?.errorName) return { ok: false, error: cur.data.errorName, args: cur.data.args ?? [] };
      if (data && data.startsWith("0x") && data.length >= 10) {
        try {
          const d = decodeErrorResult({ abi: this.allErrors, data: data as Hex });
          return { ok: false, error: d.errorName, args: d.args ?? [] };
        } catch {
          return { ok: false, error: data.slice(0, 10), args: [] };
        }
      }
    }
    throw e;
  }

  /**
   * Sends a transaction as `from` with a fixed gas limit (no estimate, so it runs in exactly the
   * block it is mined in; EDR mines reverted transactions too). A revert comes back decoded.
   */
  async call(from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[], gas = 12_000_000n): Promise<Outcome> {
    let hash: Hex;
    try {
      hash = await this.wallet.writeContract({ account: from, chain: null, address: to, abi: abi as any, functionName, args, gas } as any);
    } catch (e) {
      return this.decode(e);
    }
    const receipt = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted without a decodable error (tx ${hash})`);
    return { ok: true, receipt };
  }

  /** `call` mined in a block at exactly `t` (unix seconds). */
  async callAt(t: bigint, from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[]): Promise<Outcome> {
    await this.rpc.request("evm_setNextBlockTimestamp", [Number(t)]);
    return this.call(from, to, abi, functionName, args);
  }

  /** `call` that must succeed. */
  async send(from: Address, to: Address, abi: Abi, functionName: string, args: readonly unknown[]): Promise<TransactionReceipt> {
    const r = await this.call(from, to, abi, functionName, args);
    if (!r.ok) throw new Error(`${functionName} from ${from} reverted with ${r.error}(${r.args.join(", ")})`);
    return r.receipt;
  }

  read<T>(to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
    return this.pub.readContract({ address: to, abi: abi as any, functionName, args } as any) as Promise<T>;
  }

  async mint(token: Address, to: Address, amount: bigint): Promise<void> {
    await this.send(this.account.deployer, token, this.abi.token, "mint", [to, amount]);
  }

  async approve(owner: Address, token: Address, spender: Address, amount = maxUint256): Promise<void> {
    await this.send(owner, token, this.abi.token, "approve", [spender, amount]);
  }

  balance(token: Address, who: Address): Promise<bigint> {
    return this.read<bigint>(token, this.abi.token, "balanceOf", [who]);
  }

  capital(lp: Address, asset: Address): Promise<bigint> {
    return this.read<bigint>(this.c.registry, this.abi.registry, "capitalOf", [lp, asset]);
  }

  /** Deploys a contract from its artifact as `from`. */
  async deploy(from: Address, source: string, name: string, args: readonly unknown[]): Promise<Address> {
    const { abi, bytecode } = loadArtifact(source, name);
    const hash = await this.wallet.deployContract({ account: from, chain: null, abi, bytecode, args } as any);
    const r = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (!r.contractAddress) throw new Error(`deploying ${name} failed`);
    return getAddress(r.contractAddress);
  }

  /** A market maker contract (ERC-3156 borrower) that repays from its own balance, funded with `usdc`. */
  async marketMaker(usdc: bigint): Promise<Address> {
    const mm = await this.deploy(this.account.deployer, "test/TestBorrower.sol", "TestBorrower", [this.c.settlement]);
    if (usdc > 0n) await this.mint(this.c.usdc, mm, usdc);
    return mm;
  }

  async awayNow(): Promise<bigint> {
    return (await this.pub.getBlock()).timestamp;
  }

  /**
   * Moves Home time forward and brings Away time to at least Home time (Away blocks mined back to
   * back run ahead of the wall clock; Home then follows Away).
   */
  async advance(seconds: number): Promise<void> {
    await this.syncClocks();
    if (seconds > 0) {
      this.home.advanceTime(seconds);
      await this.mineAt(BigInt(this.homeNow()));
    }
  }

  /** Away block time and Home time equal (to the second) as far as a forward move allows. */
  async syncClocks(): Promise<void> {
    const away = await this.awayNow();
    const home = BigInt(this.homeNow());
    if (away > home) this.home.advanceTime(Number(away - home));
    else if (away < home) await this.mineAt(home);
  }

  /** Mines the next Away block at exactly `t` (unix seconds). */
  async mineAt(t: bigint): Promise<void> {
    await this.rpc.request("evm_setNextBlockTimestamp", [Number(t)]);
    await this.rpc.request("evm_mine", []);
  }

  // ---------------------------------------------------------------- Home

  homeNow(): number {
    return Math.floor(this.home.nowMs() / 1000);
  }

  /** A Home action that must be accepted. */
  async act(type: ActionType, body: Record<string, unknown>): Promise<Record<string, any>> {
    return (await this.home.submit(type, body)).result;
  }

  /** A Home action that must be refused: returns the HTTP status the API answers it with, its code and message. */
  async refused(type: ActionType, body: Record<string, unknown>): Promise<{ status: number; code: string; message: string }> {
    try {
      await this.home.submit(type, body);
    } catch (e) {
      if (e instanceof HomeError) return { status: HTTP_STATUS[e.code], code: e.code, message: e.message };
      throw e;
    }
    throw new Error(`Home accepted ${type} ${JSON.stringify(body)}`);
  }

  /** Locks LIBRA on Home for an Away borrower; returns the lockId and credit limit. */
  async lock(borrower: Address, creditAsset: Address, collateral: bigint, expiry: number): Promise<{ lockId: bigint; creditLimit: bigint }> {
    const r = await this.act("lock", { owner: keccak256(toHex(`home owner of ${borrower}`)), borrower, creditAsset, collateral: collateral.toString(), expiry });
    return { lockId: r.lockId as bigint, creditLimit: r.creditLimit as bigint };
  }

  /** Commits, reveals and clears a sealed-bid auction already created on Home (advances both clocks). */
  async runBids(auctionId: bigint, bids: Bid[], timing: { commitIn: number; revealIn: number }): Promise<AuctionResultPayload> {
    const salted = bids.map((b, i) => ({ ...b, auctionId, lockId: b.lockId ?? 0n, maxRateBps: b.maxRateBps ?? 0, salt: keccak256(toHex(`bid ${auctionId} ${i}`)) }));
    for (const b of salted) await this.act("commit-bid", { auctionId: auctionId.toString(), commitment: bidCommitment(b) });
    await this.advance(timing.commitIn);
    for (const b of salted) {
      await this.act("reveal-bid", {
        auctionId: auctionId.toString(), bidder: b.bidder, amount: b.amount.toString(), limitPrice: b.limitPrice.toString(),
        lockId: b.lockId.toString(), maxRateBps: b.maxRateBps, salt: b.salt,
      });
    }
    await this.advance(timing.revealIn - timing.commitIn);
    await this.act("clear-auction", { auctionId: auctionId.toString() });
    return this.home.auction(auctionId)!.result!;
  }

  // ---------------------------------------------------------------- proofs

  /** Seals a Home block and proves its header into the light client; returns its height. */
  async proveState(): Promise<bigint> {
    const block = this.home.produceBlock();
    const height = block.header.height;
    const sh = this.home.signedHeader(block);
    const r = await proveHeader(sh, PROVE);
    const pub = r.calldata.pubSignals as unknown as readonly [bigint, bigint, bigint, bigint];
    await this.send(this.account.relayer, this.c.lightClient, this.abi.lightClient, "submitHeader", [HEADER_PROOF_KIND[r.kind], r.calldata.proof, pub]);
    this.provenHeight = height;
    return height;
  }

  /** settle / recordDefault arguments of an auction with a real Settlement proof at the newest proven height. */
  async settlementArgs(auctionId: bigint): Promise<readonly [bigint, readonly bigint[], AuctionResultPayload, LockupPayload[]]> {
    // a header covering every accepted Home action
    if (this.provenHeight < 0n || this.home.pendingLeaves > 0 || this.home.latest.header.height > this.provenHeight) await this.proveState();
    const material = this.home.settlementProof(auctionId, this.provenHeight);
    const result = material.result.payload as AuctionResultPayload;
    const lockups = material.lockups.map((l) => l.payload as LockupPayload);
    const proved = await proveSettlement(
      {
        stateRoot: material.result.stateRoot,
        awayBinding: material.result.proof.leaf!.awayBinding,
        result: { auctionId, digest: material.result.proof.leaf!.payloadDigest, proof: material.result.proof },
        lockups: material.lockups.map((l, i) => ({ lockId: lockups[i]!.lockId, digest: l.proof.leaf!.payloadDigest, proof: l.proof })),
      },
      PROVE,
    );
    return [this.provenHeight, proved.calldata.proof, result, lockups] as const;
  }

  /** settle() of an auction by the relayer with a fresh proof, mined now or at Away time `at`. */
  async settle(auctionId: bigint, at?: bigint): Promise<Outcome> {
    const args = await this.settlementArgs(auctionId);
    if (at !== undefined) return this.callAt(at, this.account.relayer, this.c.settlement, this.abi.settlement, "settle", args);
    return this.call(this.account.relayer, this.c.settlement, this.abi.settlement, "settle", args);
  }

  /** recordDefault() of an auction by the relayer with a fresh proof, mined now or at Away time `at`. */
  async recordDefault(auctionId: bigint, at?: bigint): Promise<Outcome> {
    const args = await this.settlementArgs(auctionId);
    if (at !== undefined) return this.callAt(at, this.account.relayer, this.c.settlement, this.abi.settlement, "recordDefault", args);
    return this.call(this.account.relayer, this.c.settlement, this.abi.settlement, "recordDefault", args);
  }

  /** Home reads the Away receipt (verified eth_getProof) and releases or slashes the result's lockups. */
  async consumeReceipt(auctionId: bigint): Promise<Record<string, any>> {
    return this.act("consume-receipt", { auctionId: auctionId.toString() });
  }

  lockStatus(lockId: bigint): number {
    return this.home.lockup(lockId)!.payload.status;
  }

  receiptWord(auctionId: bigint): Promise<bigint> {
    return this.read<bigint>(this.c.settlement, this.abi.settlement, "receipts", [auctionId]);
  }

  /** keccak of a bytes32 label: salts and Home owners. */
  static label(s: string): Hex {
    return keccak256(encodeAbiParameters([{ type: "string" }], [s]));
  }
}

export interface Bid {
  bidder: Address;
  amount: bigint;
  limitPrice: bigint;
  lockId?: bigint;
  maxRateBps?: number;
}

export const LOCK_LOCKED = 1;
export const LOCK_RELEASED = 2;
export const LOCK_SLASHED = 3;
