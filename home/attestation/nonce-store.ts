// Where a signer records the nonce pairs it has used. A pair is spent by its first partial
// signature and recorded here BEFORE s_i leaves the signer, so a restart, an aborted session
// or a second coordinator never gets a second signature from the same pair. The secret
// scalars themselves are never stored (they live in the signer's memory only): what is stored
// is an id of the public commitment, so a random generator that repeats itself after a
// restart (a restored VM snapshot, a broken RNG) is caught too.

/** Durable record of spent nonce commitments. */
export interface NonceStore {
  /** True when the commitment with this id has been used for a partial signature. */
  isSpent(id: string): boolean;
  /**
   * Records the id as spent; durable (on disk, synced) when it returns. Throws if it was
   * already recorded: the caller must then not release a signature.
   */
  markSpent(id: string): void;
}

/** A NonceStore in memory: spent pairs are refused for the life of the process only. */
export class MemoryNonceStore implements NonceStore {
  private readonly spent = new Set<string>();
  isSpent(id: string): boolean {
    return this.spent.has(id);
  }
  markSpent(id: string): void {
    if (this.spent.has(id)) throw new Error(`nonce ${id} is already spent`);
    this.spent.add(id);
  }
}
