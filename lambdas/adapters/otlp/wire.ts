/**
 * Protobuf wire format (https://protobuf.dev/programming-guides/encoding/), just what the OTLP trace
 * messages use: varints, 64-bit and 32-bit little-endian scalars and length-delimited fields.
 *
 * The reader is strict where a hostile body could do harm and lenient where protobuf asks for it:
 * every read is checked against the end of the message it belongs to (not only the end of the body),
 * so a length that points past its enclosing message, a truncated varint or a varint longer than ten
 * bytes is a `WireError`; unknown fields are skipped; the deprecated group wire types (3, 4) and the
 * undefined ones (6, 7) are refused, since no OTLP sender emits them and skipping a group would need
 * unbounded nesting. Every read advances the position, so decoding a body of n bytes ends after O(n)
 * steps.
 */

/** A malformed body; the message says what and at which byte offset. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32'];

export const wireName = (wireType: number): string =>
  WIRE_NAMES[wireType] ?? `undefined wire type ${wireType}`;

const TWO_32 = 4294967296;

export class WireReader {
  readonly buf: Buffer;
  pos = 0;
  /** End of the message being read: no read may cross it. */
  end: number;
  /** The low and high 32 bits of the last varint or fixed64 read by `varint64` / `fixed64`. */
  lo = 0;
  hi = 0;
  /** Field names from the top message down to the one being read, for error messages. */
  readonly path: string[] = [];

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = this.buf.length;
  }

  fail(what: string, at = this.pos): never {
    throw new WireError(`${what} at byte ${at}`);
  }

  /** A varint's low 32 bits, unsigned (what uint32, int32 and enum fields and tags keep of it). */
  uint32(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    this.varint64();
    return this.lo;
  }

  /** Reads a varint of up to ten bytes into `lo` / `hi`. */
  varint64(): void {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.fail('truncated varint', start);
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    this.fail('varint longer than 10 bytes', start);
  }

  /** A varint that must be 0 or 1 in practice; any non-zero value is true, as protobuf says. */
  bool(): boolean {
    this.varint64();
    return (this.lo | this.hi) !== 0;
  }

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.end) this.fail('truncated fixed32');
    this.pos = pos + 4;
    return this.buf.readUInt32LE(pos);
  }

  /** Reads 8 little-endian bytes into `lo` / `hi`. */
  fixed64(): void {
    const pos = this.pos;
    if (pos + 8 > this.end) this.fail('truncated fixed64');
    this.lo = this.buf.readUInt32LE(pos);
    this.hi = this.buf.readUInt32LE(pos + 4);
    this.pos = pos + 8;
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) this.fail('truncated double');
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /**
   * Reads a length prefix and returns where the delimited bytes end (the position is then at their
   * start). The length must fit inside the enclosing message.
   */
  delimited(): number {
    const at = this.pos;
    let length: number;
    if (at < this.end && this.buf[at]! < 0x80) {
      length = this.buf[at]!;
      this.pos = at + 1;
    } else {
      this.varint64();
      if (this.hi !== 0) this.fail('length over 4 GiB', at);
      length = this.lo;
    }
    if (length > this.end - this.pos) {
      this.fail(`length ${length} runs past the end of its message (${this.end - this.pos} bytes left)`, at);
    }
    return this.pos + length;
  }

  /** A string field; invalid UTF-8 becomes U+FFFD, as Node's decoder (and the generated code) does. */
  string(): string {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.buf.toString('utf8', start, end);
  }

  /** A bytes field as base64 (its OTLP/JSON form). */
  base64(): string {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    return this.buf.toString('base64', start, end);
  }

  /** A bytes field as lowercase hex (how OTLP/JSON writes trace and span ids). */
  hex(): string {
    const end = this.delimited();
    const start = this.pos;
    this.pos = end;
    return this.buf.toString('hex', start, end);
  }

  /** Skips a field this decoder does not know (or does not keep). */
  skip(wireType: number, at: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.delimited();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      case 3:
      case 4:
        this.fail(`deprecated group wire type ${wireType} (OTLP has no groups)`, at);
        break;
      default:
        this.fail(`invalid wire type ${wireType}`, at);
    }
  }
}

/** `lo` / `hi` as an unsigned 64-bit decimal string. */
export function uint64String(lo: number, hi: number): string {
  if (hi === 0) return String(lo);
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** `lo` / `hi` as a signed (two's complement) 64-bit decimal string. */
export function int64String(lo: number, hi: number): string {
  if (hi < 0x80000000) return uint64String(lo, hi);
  const negLo = (~lo + 1) >>> 0;
  const negHi = (~hi + (negLo === 0 ? 1 : 0)) >>> 0;
  return `-${uint64String(negLo, negHi)}`;
}

/** Bytes a varint of `value` (a non-negative integer up to 2^53) takes. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Writes into a buffer of a size computed beforehand (the answers this service encodes are tiny). */
export class WireWriter {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** A tag: field number and wire type. */
  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** A non-negative integer up to 2^53. */
  varint(value: number): this {
    let v = value;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** UTF-8 bytes of `value`, without a length (write it first: Buffer.byteLength). */
  utf8(value: string): this {
    this.pos += this.buf.write(value, this.pos, 'utf8');
    return this;
  }

  finish(): Uint8Array {
    if (this.pos !== this.buf.length) throw new Error(`wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}
