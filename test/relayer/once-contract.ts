// Test helper: a tiny contract whose `mark(id)` does a unit of work once (AlreadyDone after
// that, Forbidden for id 13), deployed on an EDR chain, with readers for what it recorded.
import { encodeFunctionData, type Abi, type Address, type Hex } from "viem";
import { compile, type EdrRpc } from "./edr-rpc.ts";

export const ONCE_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Once {
  mapping(uint256 => bool) public done;
  uint256 public calls;
  error AlreadyDone(uint256 id);
  error Forbidden(uint256 id);
  function mark(uint256 id) external {
    if (id == 13) revert Forbidden(id);
    if (done[id]) revert AlreadyDone(id);
    done[id] = true;
    calls++;
  }
}`;

export interface OnceContract {
  address: Address;
  abi: Abi;
  /** Calldata of mark(id). */
  mark(id: bigint): Hex;
  isDone(id: bigint): Promise<boolean>;
  calls(): Promise<bigint>;
}

export async function waitReceipt(rpc: EdrRpc, hash: string): Promise<any> {
  for (let i = 0; i < 500; i++) {
    const r = await rpc.request("eth_getTransactionReceipt", [hash]);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no receipt for ${hash}`);
}

export async function deployOnce(rpc: EdrRpc): Promise<OnceContract> {
  const { abi, bytecode } = compile(ONCE_SOURCE, "Once");
  const [deployer] = await rpc.request("eth_accounts");
  const hash = await rpc.request("eth_sendTransaction", [{ from: deployer, data: bytecode }]);
  const address = (await waitReceipt(rpc, hash)).contractAddress as Address;
  const call = async (data: Hex) => BigInt(await rpc.request("eth_call", [{ to: address, data }, "latest"]));
  return {
    address,
    abi,
    mark: (id) => encodeFunctionData({ abi, functionName: "mark", args: [id] }),
    isDone: async (id) => (await call(encodeFunctionData({ abi, functionName: "done", args: [id] }))) === 1n,
    calls: () => call(encodeFunctionData({ abi, functionName: "calls" })),
  };
}
