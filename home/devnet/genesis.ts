// What an Away deployment needs to trust before the devnet runs: the Home chain id and the root
// of the epoch-0 validator set (the light client's genesis), both fixed by the config (the sets
// derive from the seed: validator-sim.ts). No chain is opened for it.
import { validatorSetRoot } from "../model/index.ts";
import { resolveConfig, type DevnetConfigInput } from "./config.ts";
import { ValidatorSim } from "./validator-sim.ts";

export interface DevnetGenesis {
  homeChainId: number;
  /** validatorSetRoot of epoch 0. */
  validatorSetRoot: bigint;
}

export function devnetGenesis(partial: DevnetConfigInput = {}): DevnetGenesis {
  const c = resolveConfig(partial);
  const sim = new ValidatorSim({ seed: c.seed, chainId: c.homeChainId, capacity: c.capacity, active: c.active, powers: c.powers });
  return { homeChainId: c.homeChainId, validatorSetRoot: validatorSetRoot(sim.setOf(0n)) };
}
