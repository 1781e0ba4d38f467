// LIBRA price series: fixed, scripted path (piecewise linear, jumps on adjacent ticks), CSV and
// JSON files, the one-argument form, and one-line errors with their line or point number.

import { describe, expect, it } from "vitest";
import {
  loadPriceSeries,
  parsePriceCsv,
  parsePriceJson,
  parsePriceSourceArg,
  priceAt,
  priceFileFormat,
  priceSeriesId,
  type PriceSeries,
} from "../../../home/risk/index.ts";
import { E18, refusal, usd } from "./helpers.ts";

describe("priceAt", () => {
  it("a fixed price is the same at every tick", () => {
    const s: PriceSeries = { kind: "fixed", price: usd("0.5") };
    expect(priceAt(s, 0n)).toBe(usd("0.5"));
    expect(priceAt(s, (1n << 64n) - 1n)).toBe(usd("0.5"));
  });

  it("a path interpolates linearly, holds its ends, and jumps between adjacent ticks", () => {
    const s: PriceSeries = {
      kind: "path",
      points: [
        { tick: 10n, price: usd("1") },
        { tick: 20n, price: usd("2") },
        { tick: 23n, price: usd("1") },
        { tick: 24n, price: usd("0.25") },
      ],
    };
    expect(priceAt(s, 0n)).toBe(usd("1")); // before the first point
    expect(priceAt(s, 10n)).toBe(usd("1"));
    expect(priceAt(s, 15n)).toBe(usd("1.5"));
    expect(priceAt(s, 19n)).toBe(usd("1.9"));
    expect(priceAt(s, 20n)).toBe(usd("2"));
    // falling segment: 2 - 1 * 1/3, integer division toward zero keeps it between the points
    expect(priceAt(s, 21n)).toBe(usd("2") - E18 / 3n);
    expect(priceAt(s, 22n)).toBe(usd("2") - (2n * E18) / 3n);
    expect(priceAt(s, 24n)).toBe(usd("0.25")); // the jump
    expect(priceAt(s, 1000n)).toBe(usd("0.25")); // after the last point
  });

  it("interpolated prices never leave the segment's range (exhaustive on a small path)", () => {
    const pts = [
      { tick: 0n, price: 7n },
      { tick: 13n, price: 3n },
      { tick: 14n, price: 1000n },
      { tick: 100n, price: 999n },
    ];
    const s: PriceSeries = { kind: "path", points: pts };
    for (let t = 0n; t <= 110n; t++) {
      const i = pts.findLastIndex((p) => p.tick <= t);
      const a = pts[i]!;
      const b = pts[i + 1] ?? a;
      const p = priceAt(s, t);
      expect(p >= (a.price < b.price ? a.price : b.price) && p <= (a.price > b.price ? a.price : b.price)).toBe(true);
    }
  });
});

describe("CSV price files", () => {
  it("reads points with a header, comments, blank lines and CRLF", () => {
    const s = parsePriceCsv("# LIBRA in USD\r\ntick,price\r\n0,0.0153\r\n\r\n 100 , 0.0149 \r\n101,0.012\r\n", "p.csv");
    expect(s).toEqual({
      kind: "path",
      points: [
        { tick: 0n, price: usd("0.0153") },
        { tick: 100n, price: usd("0.0149") },
        { tick: 101n, price: usd("0.012") },
      ],
    });
  });

  it("refuses bad lines with their line number", () => {
    expect(refusal(() => parsePriceCsv("tick,price\n0,1\n5\n", "p.csv"), "BadPriceSeries")).toBe("p.csv line 3: expected 'tick,price', got 1 field");
    expect(refusal(() => parsePriceCsv("0,1,2", "p.csv"), "BadPriceSeries")).toBe("p.csv line 1: expected 'tick,price', got 3 fields");
    expect(refusal(() => parsePriceCsv("0,1\nx,2", "p.csv"), "BadPriceSeries")).toBe("p.csv line 2: tick 'x' is not an integer in 0..2^64-1");
    expect(refusal(() => parsePriceCsv("18446744073709551616,1", "p.csv"), "BadPriceSeries")).toMatch(/line 1: tick .* not an integer in 0..2\^64-1/);
    expect(refusal(() => parsePriceCsv("0,-1", "p.csv"), "BadPriceSeries")).toBe("p.csv line 1: price '-1' is not a decimal number with at most 18 decimals");
    expect(refusal(() => parsePriceCsv("0,1e3", "p.csv"), "BadPriceSeries")).toMatch(/price '1e3' is not a decimal/);
    expect(refusal(() => parsePriceCsv("0,0.0000000000000000001", "p.csv"), "BadPriceSeries")).toMatch(/at most 18 decimals/);
    expect(refusal(() => parsePriceCsv("0,0", "p.csv"), "BadPriceSeries")).toBe("p.csv line 1: price must be above 0");
    expect(refusal(() => parsePriceCsv("0,1\n0,2", "p.csv"), "BadPriceSeries")).toBe("p.csv: point 2 has tick 0, not after the previous point's tick 0");
    expect(refusal(() => parsePriceCsv("tick,price\n# nothing\n", "p.csv"), "BadPriceSeries")).toBe("p.csv: a price path needs at least one point");
    // a header is only a header on the first data line
    expect(refusal(() => parsePriceCsv("0,1\ntick,price", "p.csv"), "BadPriceSeries")).toMatch(/line 2: tick 'tick'/);
  });
});

describe("JSON price files", () => {
  it("reads {points: [...]} and a bare array, ticks as numbers or strings", () => {
    const expected = { kind: "path", points: [{ tick: 0n, price: usd("2") }, { tick: 7n, price: usd("1.5") }] };
    expect(parsePriceJson('{"points":[{"tick":0,"price":"2"},{"tick":"7","price":"1.5"}]}', "p.json")).toEqual(expected);
    expect(parsePriceJson('[{"tick":0,"price":"2"},{"tick":7,"price":"1.5"}]', "p.json")).toEqual(expected);
  });

  it("refuses bad documents and points with one line naming the point", () => {
    expect(refusal(() => parsePriceJson("{", "p.json"), "BadPriceSeries")).toMatch(/^p\.json: not JSON \(/);
    expect(refusal(() => parsePriceJson('{"pts":[]}', "p.json"), "BadPriceSeries")).toMatch(/expected an array/);
    expect(refusal(() => parsePriceJson("[1]", "p.json"), "BadPriceSeries")).toBe('p.json point 1: expected an object {"tick": ..., "price": "..."}');
    expect(refusal(() => parsePriceJson('[{"tick":0,"price":0.5}]', "p.json"), "BadPriceSeries")).toMatch(/point 1: price must be a decimal string/);
    expect(refusal(() => parsePriceJson('[{"tick":0.5,"price":"1"}]', "p.json"), "BadPriceSeries")).toBe("p.json point 1: tick must be an integer");
    expect(refusal(() => parsePriceJson('[{"tick":-1,"price":"1"}]', "p.json"), "BadPriceSeries")).toMatch(/point 1: tick '-1'/);
    expect(refusal(() => parsePriceJson('[{"tick":0,"price":"1","when":3}]', "p.json"), "BadPriceSeries")).toBe("p.json point 1: unknown field 'when'");
    expect(refusal(() => parsePriceJson('[{"tick":5,"price":"1"},{"tick":4,"price":"1"}]', "p.json"), "BadPriceSeries")).toMatch(/point 2 has tick 4/);
    expect(refusal(() => parsePriceJson("[]", "p.json"), "BadPriceSeries")).toMatch(/at least one point/);
  });
});

describe("price sources", () => {
  it("parses the one-argument forms", () => {
    expect(parsePriceSourceArg("0.0153")).toEqual({ kind: "fixed", price: usd("0.0153") });
    expect(parsePriceSourceArg("path:0=1,10=0.5")).toEqual({ kind: "path", points: [{ tick: 0n, price: usd("1") }, { tick: 10n, price: usd("0.5") }] });
    expect(parsePriceSourceArg("file:data/prices.CSV")).toEqual({ kind: "file", path: "data/prices.CSV" });
    expect(refusal(() => parsePriceSourceArg("abc"), "BadPriceSeries")).toBe("price source: price 'abc' is not a decimal number with at most 18 decimals");
    expect(refusal(() => parsePriceSourceArg("path:0=1,5"), "BadPriceSeries")).toBe("price path point 2: expected 'tick=price', got '5'");
    expect(refusal(() => parsePriceSourceArg("path:5=1,5=2"), "BadPriceSeries")).toMatch(/point 2 has tick 5/);
    expect(refusal(() => parsePriceSourceArg("file:prices.txt"), "BadPriceSeries")).toBe("price file prices.txt: name must end in .csv or .json");
    expect(refusal(() => parsePriceSourceArg("file:"), "BadPriceSeries")).toMatch(/needs a path/);
    expect(priceFileFormat("a.json")).toBe("json");
  });

  it("loads a file through the caller's reader, and reports an unreadable file in one line", () => {
    const files: Record<string, string> = { "a.csv": "0,1\n5,2\n", "b.json": '[{"tick":0,"price":"3"}]' };
    const read = (p: string) => {
      const t = files[p];
      if (t === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'\n    at stack`);
      return t;
    };
    expect(priceAt(loadPriceSeries({ kind: "file", path: "a.csv" }, read), 5n)).toBe(usd("2"));
    expect(priceAt(loadPriceSeries({ kind: "file", path: "b.json" }, read), 9n)).toBe(usd("3"));
    expect(refusal(() => loadPriceSeries({ kind: "file", path: "c.csv" }, read), "BadPriceSeries")).toBe(
      "price file c.csv: cannot read it (ENOENT: no such file or directory, open 'c.csv')",
    );
    expect(refusal(() => loadPriceSeries({ kind: "fixed", price: 0n }, read), "BadPriceSeries")).toMatch(/outside \(0, 2\^128\)/);
    expect(refusal(() => loadPriceSeries({ kind: "path", points: [{ tick: 1n, price: 1n }, { tick: 1n, price: 1n }] }, read), "BadPriceSeries")).toMatch(/point 2/);
  });

  it("priceSeriesId tells series apart and is stable", () => {
    const a = parsePriceSourceArg("path:0=1,10=0.5");
    const b = parsePriceSourceArg("path:0=1,10=0.50000001");
    if (a.kind === "file" || b.kind === "file") throw new Error("unreachable");
    expect(priceSeriesId(a)).toBe(priceSeriesId(parsePriceCsv("0,1\n10,0.5", "x.csv")));
    expect(priceSeriesId(a)).not.toBe(priceSeriesId(b));
    expect(priceSeriesId({ kind: "fixed", price: 1n })).not.toBe(priceSeriesId({ kind: "path", points: [{ tick: 0n, price: 1n }] }));
  });
});
