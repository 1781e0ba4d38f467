// The uniform-price clearing rule: order by price then commit time, partial last fill,
// everyone pays the marginal (lowest accepted) price, reserve and fill cap respected.
import { describe, expect, it } from "vitest";
import { clearUniformPrice, PRICE_SCALE, type ClearingBid } from "../../../home/devnet/clearing.ts";

const P = (x: number) => BigInt(Math.round(x * 1000)) * (PRICE_SCALE / 1000n);
const bid = (name: string, amount: bigint, price: number, commitSeq: number): ClearingBid<string> => ({ amount, limitPrice: P(price), commitSeq, data: name });

describe("uniform-price clearing", () => {
  it("fills highest first and charges everyone the lowest accepted price, partially filling the last", () => {
    const out = clearUniformPrice(100n, P(1), [bid("low", 50n, 1.5, 1), bid("high", 60n, 3, 2), bid("mid", 30n, 2, 3)], 8);
    expect(out.fills.map((f) => [f.bid.data, f.sellAmount])).toEqual([["high", 60n], ["mid", 30n], ["low", 10n]]);
    expect(out.clearingPrice).toBe(P(1.5));
    expect(out.fills.map((f) => f.payAmount)).toEqual([90n, 45n, 15n]);
    expect(out.unsold).toBe(0n);
  });

  it("breaks ties at the marginal price by commit time, earlier first", () => {
    const out = clearUniformPrice(100n, 0n, [bid("late", 40n, 2, 9), bid("top", 50n, 5, 5), bid("early", 40n, 2, 3)], 8);
    expect(out.fills.map((f) => [f.bid.data, f.sellAmount])).toEqual([["top", 50n], ["early", 40n], ["late", 10n]]);
    expect(out.clearingPrice).toBe(P(2));
  });

  it("does not sell below the reserve and returns the unsold rest", () => {
    const out = clearUniformPrice(100n, P(2), [bid("a", 30n, 2.5, 1), bid("b", 500n, 1.9, 2)], 8);
    expect(out.fills.map((f) => f.bid.data)).toEqual(["a"]);
    expect(out.clearingPrice).toBe(P(2.5));
    expect(out.sold).toBe(30n);
    expect(out.unsold).toBe(70n);
  });

  it("has no fills and price 0 without eligible bids, and caps the number of fills", () => {
    const none = clearUniformPrice(10n, P(1), [bid("x", 5n, 0.5, 1)], 8);
    expect(none).toEqual({ clearingPrice: 0n, fills: [], sold: 0n, unsold: 10n });
    const capped = clearUniformPrice(100n, 0n, [bid("a", 10n, 3, 1), bid("b", 10n, 2, 2), bid("c", 10n, 1, 3)], 2);
    expect(capped.fills.map((f) => f.bid.data)).toEqual(["a", "b"]);
    expect(capped.clearingPrice).toBe(P(2));
    expect(capped.unsold).toBe(80n);
  });

  it("skips borrowing bids beyond the lockup slots, letting later bids fill", () => {
    const b = (name: string, amount: bigint, price: number, seq: number, borrows: boolean): ClearingBid<string> => ({ ...bid(name, amount, price, seq), borrows });
    const out = clearUniformPrice(100n, 0n, [b("l1", 30n, 5, 1, true), b("l2", 30n, 4, 2, true), b("l3", 30n, 3, 3, true), b("own", 50n, 2, 4, false)], 8, 2);
    expect(out.fills.map((f) => [f.bid.data, f.sellAmount])).toEqual([["l1", 30n], ["l2", 30n], ["own", 40n]]);
    expect(out.clearingPrice).toBe(P(2));
  });

  it("rounds payAmount down", () => {
    const out = clearUniformPrice(3n, 0n, [bid("a", 3n, 0.333, 1)], 8);
    expect(out.fills[0]!.payAmount).toBe((3n * P(0.333)) / PRICE_SCALE);
    expect(out.fills[0]!.payAmount).toBe(0n);
  });
});
