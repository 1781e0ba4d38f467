// The devnet's reads of Away storage for the actions that need them (ack-escrow, consume-receipt):
// the module says what to read (awayRequirement), this reads it through the configured Away RPC
// with verified eth_getProof (away-proof.ts) and returns the evidence stored with the action.
import { HomeError } from "../api/index.ts";
import type { AwayEvidence, AwayRequirement, ModuleParams } from "./auctions-module.ts";
import { checkChainId, checkEscrowDeposit, httpRpc, readSettlementReceipt, type AwayRpc } from "./away-proof.ts";
import type { DevnetConfig } from "./config.ts";

export class AwayReader {
  private readonly rpc: AwayRpc | null;
  private chainIdChecked = false;

  constructor(
    private readonly config: DevnetConfig,
    private readonly params: ModuleParams,
  ) {
    this.rpc = config.awayRpc === null ? null : typeof config.awayRpc === "string" ? httpRpc(config.awayRpc) : config.awayRpc;
  }

  /** Reads and verifies what `req` names; the RPC's chainId is checked once, on the first read. */
  async read(req: AwayRequirement): Promise<AwayEvidence> {
    if (!this.rpc) throw new HomeError("away-rpc-missing", "this devnet has no Away RPC (--away-rpc), so it cannot check Away storage");
    if (!this.chainIdChecked) {
      await checkChainId(this.rpc, this.config.awayChainId);
      this.chainIdChecked = true;
    }
    const read =
      req.kind === "escrow"
        ? await checkEscrowDeposit(this.rpc, this.params.escrowAddress, { auctionId: req.auctionId, depositor: req.depositor, asset: req.asset, amount: req.amount, refundNotBefore: req.refundNotBefore }, this.config.confirmations)
        : await readSettlementReceipt(this.rpc, this.params.settlementAddress, req.auctionId, this.config.confirmations);
    return { blockNumber: read.blockNumber.toString(), blockHash: read.blockHash, stateRoot: read.stateRoot, slot: read.slot, value: read.value.toString() };
  }
}
