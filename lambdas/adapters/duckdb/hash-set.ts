/**
 * A compact set of 52-bit key hashes (open addressing on a Float64Array, 16 bytes per key at most).
 * Used as an exact-membership pre-filter: a hash that is absent proves the key is new without a
 * database lookup; a hash that is present is confirmed against the database (true duplicates and the
 * rare collision).
 */
export class KeyHashSet {
  private table = new Float64Array(1 << 16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(hash: number): boolean {
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === 0) return false;
      if (v === hash) return true;
    }
  }

  add(hash: number): void {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === hash) return;
      if (v === 0) {
        this.table[i] = hash;
        this.count++;
        return;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.count = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}

/** 52-bit hash of a string (two independent 32-bit FNV-1a style lanes), never 0. */
export function hashKey(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  const hi = (h1 >>> 0) & 0xfffff;
  const lo = h2 >>> 0;
  return hi * 0x100000000 + lo || 1;
}
