// `olzk devnet` flags: parsing into the devnet config, defaults, and one-line errors.
import { describe, expect, it, vi } from "vitest";
import { UserError } from "../../../cli/args.ts";
import { configFromArgs } from "../../../home/devnet/cli.ts";

describe("olzk devnet flags", () => {
  it("parses every flag into the config", () => {
    const c = configFromArgs([
      "--seed", "s", "--home-chain-id", "7", "--validators", "8", "--active", "5", "--powers", "1,2,3,4,5",
      "--epoch-blocks", "6", "--block-ms", "0", "--offline", "1,3@2", "--data-dir", "/tmp/x", "--port", "0",
      "--away-chain-id", "42161", "--settlement-address", "0x5e77000000000000000000000000000000000001",
      "--escrow-address", "0xe5c0000000000000000000000000000000000001", "--away-rpc", "http://127.0.0.1:9",
      "--confirmations", "2", "--libra-price", "0.25", "--collateral-ratio", "150", "--max-fills", "4", "--max-lock-fills", "4",
    ])!;
    expect(c).toMatchObject({
      seed: "s", homeChainId: 7, capacity: 8, active: 5, powers: [1n, 2n, 3n, 4n, 5n], epochBlocks: 6, blockMs: 0,
      offline: [{ slot: 1 }, { slot: 3, epoch: 2n }], dataDir: "/tmp/x", port: 0, awayChainId: 42161n,
      settlementAddress: "0x5E77000000000000000000000000000000000001", awayRpc: "http://127.0.0.1:9",
      confirmations: 2, libraPrice: "0.25", collateralRatioPercent: 150, maxFills: 4, maxLockFills: 4,
    });
    expect(configFromArgs(["--memory"])!.dataDir).toBeNull();
    const d = configFromArgs([])!;
    expect([d.capacity, d.active, d.epochBlocks, d.blockMs, d.port, d.collateralRatioPercent, d.maxLockFills]).toEqual([4, 4, 10, 1000, 8645, 130, 2]);
  });

  it("reports mistakes as one-line user errors", () => {
    const bad: [string[], RegExp][] = [
      [["--validators", "6"], /power of two/],
      [["--active", "5"], /active must be/],
      [["--powers", "1,2"], /2 values for 4 active/],
      [["--offline", "x"], /'x' is not 'slot' or 'slot@epoch'/],
      [["--offline", "9"], /offline slot 9/],
      [["--libra-price", "abc"], /libra-price must be a decimal/],
      [["--collateral-ratio", "90"], /at least 100/],
      [["--settlement-address", "0x12"], /settlement-address must be/],
      [["--bogus"], /bogus/],
    ];
    for (const [argv, msg] of bad) {
      expect(() => configFromArgs(argv)).toThrow(UserError);
      expect(() => configFromArgs(argv)).toThrow(msg);
    }
  });

  it("describes every flag in --help", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    expect(configFromArgs(["--help"])).toBeNull();
    const text = log.mock.calls.map((c) => c.join(" ")).join("\n");
    log.mockRestore();
    for (const f of ["--block-ms", "--epoch-blocks", "--validators", "--active", "--offline", "--data-dir", "--port", "--away-chain-id",
      "--settlement-address", "--escrow-address", "--away-rpc", "--libra-price", "--collateral-ratio", "--confirmations"]) {
      expect(text).toContain(f);
    }
  });
});
