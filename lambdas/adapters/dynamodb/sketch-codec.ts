import { type SketchBins, ZERO_BIN } from '../../domain/sketch';

/**
 * One sketch's bins as one DynamoDB Binary attribute, instead of one number attribute per bin: a busy
 * hour's rollup item shrinks from 5–10 KB to 1–3 KB, and every write to it is billed by that size.
 *
 * Layout (format 1): the format byte; a flags byte (bit 0: a zero bin follows); the zero bin's weight
 * when flagged; the number of indexed bins as a varint; then each bin in ascending index order as the
 * zig-zag varint of its index minus the previous one (the first minus 0) and its weight.
 *
 * A weight is one varint: an integer of magnitude below 2^51 is its zig-zag value times 2 (even), any
 * other number is 1 followed by its IEEE 754 double, little-endian (weights may be fractional or
 * negative: sampled events, sessions moving between bins). Integers are exact; doubles round-trip.
 */
const FORMAT = 1;
const HAS_ZERO = 1;
const MAX_SMALL_INT = 2 ** 51;

class Writer {
  private bytes: number[] = [];

  varint(n: number): void {
    // n is a non-negative integer below 2^53: divide instead of shifting (shifts are 32-bit).
    while (n >= 128) {
      this.bytes.push((n % 128) + 128);
      n = Math.floor(n / 128);
    }
    this.bytes.push(n);
  }

  zigzag(n: number): void {
    this.varint(n < 0 ? -2 * n - 1 : 2 * n);
  }

  weight(w: number): void {
    if (Number.isInteger(w) && Math.abs(w) < MAX_SMALL_INT) {
      this.varint((w < 0 ? -2 * w - 1 : 2 * w) * 2);
      return;
    }
    this.varint(1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(w);
    for (const x of b) this.bytes.push(x);
  }

  byte(b: number): void {
    this.bytes.push(b);
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

class Reader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new TypeError('packed sketch: truncated');
    return this.bytes[this.at++]!;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 127) * scale;
      if (b < 128) return n;
      scale *= 128;
      if (scale > 2 ** 56) throw new TypeError('packed sketch: varint too long');
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  weight(): number {
    const code = this.varint();
    if (code % 2 === 0) {
      const z = code / 2;
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    if (code !== 1) throw new TypeError(`packed sketch: unknown weight code ${code}`);
    if (this.at + 8 > this.bytes.length) throw new TypeError('packed sketch: truncated');
    const w = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.at, 8).readDoubleLE(0);
    this.at += 8;
    return w;
  }

  get ended(): boolean {
    return this.at === this.bytes.length;
  }
}

/** Encodes bins (keys `z` or integer indexes, as binKey makes them). Throws on any other key. */
export function encodeSketch(bins: SketchBins): Uint8Array {
  const indexed: Array<[number, number]> = [];
  let zero: number | undefined;
  for (const [k, w] of Object.entries(bins)) {
    if (k === ZERO_BIN) {
      zero = w;
      continue;
    }
    const i = Number(k);
    if (!Number.isSafeInteger(i) || String(i) !== k) throw new TypeError(`packed sketch: bin key ${k}`);
    indexed.push([i, w]);
  }
  indexed.sort((a, b) => a[0] - b[0]);
  const out = new Writer();
  out.byte(FORMAT);
  out.byte(zero === undefined ? 0 : HAS_ZERO);
  if (zero !== undefined) out.weight(zero);
  out.varint(indexed.length);
  let prev = 0;
  for (const [i, w] of indexed) {
    out.zigzag(i - prev);
    out.weight(w);
    prev = i;
  }
  return out.done();
}

export function decodeSketch(bytes: Uint8Array): SketchBins {
  const input = new Reader(bytes);
  const format = input.byte();
  if (format !== FORMAT) throw new TypeError(`packed sketch: unknown format ${format}`);
  const flags = input.byte();
  const bins: SketchBins = {};
  if (flags & HAS_ZERO) bins[ZERO_BIN] = input.weight();
  const n = input.varint();
  let index = 0;
  for (let j = 0; j < n; j++) {
    index += input.zigzag();
    bins[String(index)] = input.weight();
  }
  if (!input.ended) throw new TypeError('packed sketch: trailing bytes');
  return bins;
}
