// Which failures the relayer retries: connection faults and gateway errors yes, contract
// reverts never, even when the request body viem appends to a message happens to contain
// "503" inside the calldata hex (which once made a NoLiquidity revert retry forever).
import { describe, expect, it } from "vitest";
import { backoffDelay, isTransient } from "../../relayer/backoff.ts";

function viemStyle(name: string, shortMessage: string, details: string, cause?: unknown): Error {
  const e = new Error(`${shortMessage}\n\n${details}`, { cause }) as Error & { shortMessage: string };
  e.name = name;
  e.shortMessage = shortMessage;
  return e;
}

describe("isTransient", () => {
  it("never retries a revert, whatever digits its request body holds", () => {
    const body = 'Request body: {"method":"eth_estimateGas","params":[{"data":"0x1234503abc502def504"}]}';
    const revert = viemStyle(
      "EstimateGasExecutionError",
      "Execution reverted with reason: reverted with custom error 'NoLiquidity(0xDc64, 100, 30)'.",
      body,
      viemStyle("RpcRequestError", "Execution reverted", `${body}\nDetails: timed out? no: 503 inside data 0xff503`),
    );
    expect(isTransient(revert)).toBe(false);
  });

  it("retries connection faults, timeouts and gateway errors", () => {
    expect(isTransient(new Error("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }))).toBe(true);
    expect(isTransient(Object.assign(new Error("HTTP request failed."), { name: "HttpRequestError", status: 503 }))).toBe(true);
    expect(isTransient(new Error("The request timed out."))).toBe(true);
    expect(isTransient(new Error("upstream answered 502 Bad Gateway"))).toBe(true);
    expect(isTransient(Object.assign(new Error("HTTP request failed."), { name: "HttpRequestError", status: 400 }))).toBe(false);
  });

  it("backs off exponentially up to the cap, with jitter in [d/2, d]", () => {
    expect(backoffDelay(1, 250, 15_000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 15_000, () => 0)).toBe(500);
    expect(backoffDelay(20, 250, 15_000, () => 1)).toBe(15_000);
  });
});
