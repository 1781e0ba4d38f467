// Unit tests of the RLP decoder and the Merkle-Patricia proof checker, against tries
// built here by an independent (recursive, non-incremental) trie builder.
import { describe, expect, it } from "vitest";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { rlpDecode, rlpEncode, RlpError, type RlpItem } from "../../../home/devnet/rlp.ts";
import { verifyMptProof, verifyStorageProof, MptProofError, EMPTY_TRIE_ROOT } from "../../../home/devnet/mpt.ts";

const enc = new TextEncoder();

function nibblesOf(key: Uint8Array): number[] {
  return [...key].flatMap((b) => [b >> 4, b & 15]);
}
function hexPrefix(nibbles: number[], leaf: boolean): Uint8Array {
  const flag = (leaf ? 2 : 0) + (nibbles.length % 2);
  const all = nibbles.length % 2 ? [flag, ...nibbles] : [flag, 0, ...nibbles];
  const out = new Uint8Array(all.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[2 * i]! << 4) | all[2 * i + 1]!;
  return out;
}

interface Built { node: RlpItem; ref: RlpItem; encoded: Uint8Array }
/** Builds the trie of `entries` (nibble paths) recursively; returns each node's encoding by key path. */
function build(entries: { path: number[]; value: Uint8Array }[], depth: number, nodes: Map<string, Uint8Array>): Built {
  let node: RlpItem;
  if (entries.length === 1) {
    node = [hexPrefix(entries[0]!.path.slice(depth), true), entries[0]!.value];
  } else {
    let common = 0;
    for (;;) {
      const n = entries[0]!.path[depth + common];
      if (n === undefined || !entries.every((e) => e.path[depth + common] === n)) break;
      common++;
    }
    if (common > 0) {
      const child = build(entries, depth + common, nodes);
      node = [hexPrefix(entries[0]!.path.slice(depth, depth + common), false), child.ref];
    } else {
      const branch: RlpItem[] = [];
      for (let i = 0; i < 16; i++) {
        const sub = entries.filter((e) => e.path[depth] === i);
        branch.push(sub.length ? build(sub, depth + 1, nodes).ref : new Uint8Array(0));
      }
      const here = entries.find((e) => e.path.length === depth);
      branch.push(here ? here.value : new Uint8Array(0));
      node = branch;
    }
  }
  const encoded = rlpEncode(node);
  const hash = keccak_256(encoded);
  nodes.set(Buffer.from(hash).toString("hex"), encoded);
  return { node, encoded, ref: encoded.length < 32 ? node : hash };
}

function trie(entries: [Uint8Array, Uint8Array][]) {
  const nodes = new Map<string, Uint8Array>();
  const top = build(entries.map(([k, v]) => ({ path: nibblesOf(k), value: v })), 0, nodes);
  const root = keccak_256(top.encoded);
  // A proof: every hashed node on the walk from the root (inline nodes travel inside their parents).
  const prove = (key: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    let ref: RlpItem = root;
    const path = nibblesOf(key);
    let pos = 0;
    for (;;) {
      let node: RlpItem;
      if (ref instanceof Uint8Array && ref.length === 32) {
        const raw = nodes.get(Buffer.from(ref).toString("hex"))!;
        out.push(raw);
        node = rlpDecode(raw);
      } else node = ref;
      const list = node as RlpItem[];
      if (list.length === 17) {
        if (pos === path.length) return out;
        const c = list[path[pos++]!]!;
        if (c instanceof Uint8Array && c.length === 0) return out;
        ref = c;
      } else {
        const first = (list[0] as Uint8Array)[0]! >> 4;
        if (first >= 2) return out;
        const ext = nibblesOf(list[0] as Uint8Array).slice(first % 2 ? 1 : 2);
        if (!ext.every((n, i) => path[pos + i] === n)) return out;
        pos += ext.length;
        ref = list[1]!;
      }
    }
  };
  return { root, prove };
}

const h = (s: string) => keccak_256(enc.encode(s));

describe("rlp", () => {
  it("round-trips nested items and rejects non-canonical encodings", () => {
    const item: RlpItem = [enc.encode("dog"), [new Uint8Array(0), Uint8Array.of(0x7f)], new Uint8Array(60).fill(7)];
    const bytes = rlpEncode(item);
    expect(rlpEncode(rlpDecode(bytes))).toEqual(bytes);
    expect(Buffer.from(rlpEncode(enc.encode("dog"))).toString("hex")).toBe("83646f67");
    expect(() => rlpDecode(Uint8Array.of(0x81, 0x05))).toThrow(RlpError); // must be 0x05
    expect(() => rlpDecode(Uint8Array.of(0xb8, 0x02, 1, 2))).toThrow(RlpError); // long form for short string
    expect(() => rlpDecode(Uint8Array.of(0x83, 1, 2))).toThrow(RlpError); // truncated
    expect(() => rlpDecode(Uint8Array.of(0x01, 0x02))).toThrow(RlpError); // trailing bytes
  });
});

describe("Merkle-Patricia proofs", () => {
  const entries: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 40; i++) entries.push([h(`key${i}`), rlpEncode(enc.encode(`value-${i}-${"x".repeat(i)}`))]);
  const t = trie(entries);

  it("proves inclusion of every key with its value", () => {
    for (const [k, v] of entries) expect(verifyMptProof(t.root, k, t.prove(k))).toEqual(v);
  });

  it("proves absence of keys not in the trie", () => {
    for (let i = 0; i < 20; i++) {
      const k = h(`absent${i}`);
      expect(verifyMptProof(t.root, k, t.prove(k))).toBeNull();
    }
  });

  it("rejects a proof under the wrong root, a missing node and a tampered node", () => {
    const [k] = entries[3]!;
    const proof = t.prove(k);
    expect(() => verifyMptProof(h("other root"), k, proof)).toThrow(MptProofError);
    expect(() => verifyMptProof(t.root, k, proof.slice(0, -1))).toThrow(/lacks the node/);
    const tampered = proof.map((n) => n.slice());
    const last = tampered[tampered.length - 1]!;
    last[last.length - 1] ^= 1;
    expect(() => verifyMptProof(t.root, k, tampered)).toThrow(MptProofError);
  });

  it("follows inline (short) nodes and extension nodes", () => {
    // Short keys and values make nodes under 32 bytes, which parents embed inline.
    const small: [Uint8Array, Uint8Array][] = [
      [Uint8Array.of(0x12, 0x34), Uint8Array.of(1)],
      [Uint8Array.of(0x12, 0x35), Uint8Array.of(2)],
      [Uint8Array.of(0x12, 0x44), Uint8Array.of(3)],
      [Uint8Array.of(0x99, 0x00), enc.encode("a longer value that will not fit inline")],
    ];
    const s = trie(small);
    for (const [k, v] of small) expect(verifyMptProof(s.root, k, s.prove(k))).toEqual(v);
    expect(verifyMptProof(s.root, Uint8Array.of(0x12, 0x36), s.prove(Uint8Array.of(0x12, 0x36)))).toBeNull();
    expect(verifyMptProof(s.root, Uint8Array.of(0x13, 0x00), s.prove(Uint8Array.of(0x13, 0x00)))).toBeNull();
  });

  it("reads storage words and treats an empty trie as all zeros", () => {
    const slot = new Uint8Array(32);
    slot[31] = 9;
    const word = rlpEncode(Uint8Array.of(0xab, 0xcd));
    const st = trie([[keccak_256(slot), word]]);
    expect(verifyStorageProof(st.root, slot, st.prove(keccak_256(slot)))).toBe(0xabcdn);
    const other = new Uint8Array(32);
    expect(verifyStorageProof(st.root, other, st.prove(keccak_256(other)))).toBe(0n);
    expect(verifyStorageProof(EMPTY_TRIE_ROOT, slot, [])).toBe(0n);
  });
});
