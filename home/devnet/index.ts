// Programmatic entry point of the Home devnet, for the relayer, prover and end-to-end
// tests: `const dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0 })`, then
// `dn.url` (HTTP API, see API.md), `dn.chain` (DevnetChain, in-process access) and
// `await dn.close()`.
import { DevnetChain, type BlockInfo } from "./chain.ts";
import { resolveConfig, type DevnetConfig, type DevnetConfigInput } from "./config.ts";
import { serve, type RecordedReply } from "./server.ts";

export { DevnetChain, type BlockInfo, type SubmitResult, type StateProofResult } from "./chain.ts";
export { resolveConfig, defaultConfig, type DevnetConfig, type DevnetConfigInput, type OfflineRule } from "./config.ts";
export { devnetGenesis, type DevnetGenesis } from "./genesis.ts";
export { bidCommitment, creditLimitFor, ACTION_TYPES, type ActionType } from "./auctions-module.ts";
export { clearUniformPrice } from "./clearing.ts";
export { httpRpc, type AwayRpc } from "./away-proof.ts";
export { SignedHeaderListSSZ, MAX_RANGE, HTTP_STATUS, type RecordedReply } from "./server.ts";
export { toJSON } from "./json.ts";
export { spawnDevnet, type SpawnedDevnet } from "./spawn.ts";

export interface RunningDevnet {
  url: string;
  chain: DevnetChain;
  config: DevnetConfig;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Called with every reply the HTTP API sends (for recording; see server.ts RecordedReply). */
  onReply?: (r: RecordedReply) => void;
}

/** Opens (or continues) the chain, serves the HTTP API and starts block production. */
export async function startDevnet(partial: DevnetConfigInput = {}, opts: StartOptions = {}): Promise<RunningDevnet> {
  const config = resolveConfig(partial);
  const log = config.log ?? (() => {});
  const chain = DevnetChain.open(config);
  let http;
  try {
    chain.openLibra.writeMissingBackups();
    http = await serve(chain, config.host, config.port, {
      onError: (e, requestId) => log(`internal error (request ${requestId}): ${(e as Error).stack ?? String(e)}`),
      onReply: opts.onReply,
    });
  } catch (e) {
    chain.close();
    throw e;
  }
  chain.on("producer-error", (e: unknown) => log(`block production stopped: ${(e as Error).message}`));
  chain.on("block", (b: BlockInfo) => {
    const h = b.header;
    const q = b.quorum ? "" : `  NO QUORUM (${b.signedPower}/${b.totalPower})`;
    const end = h.nextValidatorSetRoot !== 0n ? `  epoch ${h.epoch} ends, next set root ${h.nextValidatorSetRoot.toString(16).slice(0, 12)}...` : "";
    log(`block ${h.height} epoch ${h.epoch} hash ${b.hash.toString(16).slice(0, 12)}...${q}${end}`);
  });
  chain.start();
  let closed = false;
  return {
    url: http.url,
    chain,
    config,
    async close() {
      if (closed) return;
      closed = true;
      chain.stop();
      await http.close();
      chain.close();
    },
  };
}
