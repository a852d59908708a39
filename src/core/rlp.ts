/**
 * RLP decoding, strict: only the canonical encoding of each value is accepted (no long form for
 * short lengths, no leading zeros in lengths), and the input must be exactly one item. The
 * intake re-encodes what it decoded and compares bytes anyway; strictness here just fails early.
 */
import { CairnError } from "./errors";

export type RlpValue = Buffer | RlpValue[];

/** Bytes that are not exactly one canonical RLP item. */
export class RlpError extends CairnError {
  override readonly name = "RlpError";
  readonly code = "MALFORMED_RLP";
}

/** Decodes `input[offset…]` as exactly one RLP item. */
export function rlpDecode(input: Buffer, offset = 0): RlpValue {
  let decoded: [RlpValue, number];
  try {
    decoded = item(input, offset);
  } catch (e) {
    // Lists nested deeper than the call stack goes (a few kilobytes of input do it) are
    // malformed input like any other; only the stack throws RangeError here.
    if (e instanceof RangeError) throw new RlpError("RLP lists nested too deep", { cause: e });
    throw e;
  }
  const [value, end] = decoded;
  if (end !== input.length) throw new RlpError(`${input.length - end} trailing bytes after the RLP item`);
  return value;
}

function item(b: Buffer, at: number): [RlpValue, number] {
  if (at >= b.length) throw new RlpError("unexpected end of RLP input");
  const p = b[at];
  if (p < 0x80) return [b.subarray(at, at + 1), at + 1];
  if (p < 0xb8) {
    const len = p - 0x80;
    const end = at + 1 + len;
    if (end > b.length) throw new RlpError("RLP string runs past the input");
    if (len === 1 && b[at + 1] < 0x80) throw new RlpError("single byte below 0x80 must encode itself");
    return [b.subarray(at + 1, end), end];
  }
  if (p < 0xc0) {
    const [len, start] = longLength(b, at, p - 0xb7);
    return [b.subarray(start, start + len), start + len];
  }
  let start: number;
  let len: number;
  if (p < 0xf8) {
    len = p - 0xc0;
    start = at + 1;
  } else {
    [len, start] = longLength(b, at, p - 0xf7);
  }
  const end = start + len;
  if (end > b.length) throw new RlpError("RLP list runs past the input");
  const items: RlpValue[] = [];
  let cursor = start;
  while (cursor < end) {
    const [v, next] = item(b, cursor);
    if (next > end) throw new RlpError("RLP item runs past its list");
    items.push(v);
    cursor = next;
  }
  return [items, end];
}

function longLength(b: Buffer, at: number, lengthOfLength: number): [number, number] {
  const start = at + 1 + lengthOfLength;
  if (start > b.length) throw new RlpError("RLP length runs past the input");
  if (b[at + 1] === 0) throw new RlpError("RLP length with a leading zero");
  if (lengthOfLength > 4) throw new RlpError("RLP item too long");
  let len = 0;
  for (let i = at + 1; i < start; i++) len = len * 256 + b[i];
  if (len < 56) throw new RlpError("RLP long form for a short length");
  if (start + len > b.length) throw new RlpError("RLP item runs past the input");
  return [len, start];
}

/**
 * Writes RLP items into one reusable buffer — the transaction encodings the sequencer builds
 * twice per transaction, without a Buffer per field. `bytes()` copies out what was written.
 */
export class RlpWriter {
  private buf = Buffer.allocUnsafe(512);
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  /** A non-negative integer as its minimal big-endian bytes. */
  int(v: bigint): this {
    if (v < 0x80n) return v === 0n ? this.byte(0x80) : this.byte(Number(v));
    if (v <= 0xffffffffffffn) {
      let n = Number(v);
      let len = 0;
      for (let m = n; m > 0; m = Math.floor(m / 256)) len++;
      this.room(1 + len).byte(0x80 + len);
      for (let i = len - 1; i >= 0; i--, n = Math.floor(n / 256)) this.buf[this.length + i] = n % 256;
      this.length += len;
      return this;
    }
    let hex = v.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    this.header(hex.length / 2, 0x80, 0xb7);
    this.length += this.buf.write(hex, this.length, "hex");
    return this;
  }

  /** A byte string (a big-endian integer's leading zeros are the caller's to strip). */
  string(b: Uint8Array): this {
    if (b.length === 1 && b[0] < 0x80) return this.byte(b[0]);
    this.header(b.length, 0x80, 0xb7);
    return this.raw(b);
  }

  /** A 0x-prefixed 20-byte address as a byte string. */
  address(a: string): this {
    this.room(21).byte(0x80 + 20);
    this.length += this.buf.write(a.slice(2), this.length, 20, "hex");
    return this;
  }

  /** The header of a list whose payload is `length` bytes. */
  listHeader(length: number): this {
    return this.header(length, 0xc0, 0xf7);
  }

  /** Bytes already encoded. */
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  byte(v: number): this {
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }

  /** A view of what was written: valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of what was written. */
  bytes(): Buffer {
    return Buffer.from(this.view());
  }

  private header(len: number, short: number, long: number): this {
    if (len <= 55) return this.byte(short + len);
    let lenOfLen = 0;
    for (let m = len; m > 0; m = Math.floor(m / 256)) lenOfLen++;
    this.byte(long + lenOfLen);
    this.room(lenOfLen);
    for (let i = lenOfLen - 1, m = len; i >= 0; i--, m = Math.floor(m / 256)) this.buf[this.length + i] = m % 256;
    this.length += lenOfLen;
    return this;
  }

  private room(n: number): this {
    if (this.length + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.length + n));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    return this;
  }
}
