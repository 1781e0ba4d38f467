// The devnet's reads of Away storage for the actions that need them (ack-escrow, consume-receipt):
// the module says what to read and on which Away chain (awayRequirement: the chain the auction is
// bound to), this reads it through that chain's configured RPC with verified eth_getProof
// (away-proof.ts) and returns the evidence stored with the action.
import { HomeError } from "../api/index.ts";
import type { AwayEvidence, AwayRequirement } from "./auctions-module.ts";
import { checkChainId, checkEscrowDeposit, httpRpc, readSettlementReceipt, type AwayRpc } from "./away-proof.ts";
import { awayChainsOf, type AwayChainConfig, type DevnetConfig } from "./config.ts";

interface ChainReader {
  chain: AwayChainConfig;
  rpc: AwayRpc | null;
  chainIdChecked: boolean;
}

export class AwayReader {
  private readonly chains = new Map<bigint, ChainReader>();

  constructor(private readonly config: DevnetConfig) {
    for (const chain of awayChainsOf(config)) {
      const rpc = chain.awayRpc === null ? null : typeof chain.awayRpc === "string" ? httpRpc(chain.awayRpc) : chain.awayRpc;
      this.chains.set(chain.chainId, { chain, rpc, chainIdChecked: false });
    }
  }

  /** Reads and verifies what `req` names on its Away chain; each RPC's chainId is checked once, on its first read. */
  async read(req: AwayRequirement): Promise<AwayEvidence> {
    const c = this.chains.get(req.awayChainId);
    if (!c) throw new Error(`no Away chain ${req.awayChainId} configured (the module bound a record to it)`);
    if (!c.rpc) throw new HomeError("away-rpc-missing", `this devnet has no RPC for Away chain ${req.awayChainId} (--away-rpc, or the rpc of --away-chain), so it cannot check its storage`);
    if (!c.chainIdChecked) {
      await checkChainId(c.rpc, c.chain.chainId);
      c.chainIdChecked = true;
    }
    const read =
      req.kind === "escrow"
        ? await checkEscrowDeposit(c.rpc, c.chain.escrowAddress, { auctionId: req.auctionId, depositor: req.depositor, asset: req.asset, amount: req.amount, refundNotBefore: req.refundNotBefore }, this.config.confirmations)
        : await readSettlementReceipt(c.rpc, c.chain.settlementAddress, req.auctionId, this.config.confirmations);
    return { blockNumber: read.blockNumber.toString(), blockHash: read.blockHash, stateRoot: read.stateRoot, slot: read.slot, value: read.value.toString() };
  }
}
