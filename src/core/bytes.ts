/** A cursor over packed bytes that throws {@link DecodeError} instead of reading past the end. */
import { DecodeError, OutOfRangeError } from "./errors";

export class ByteReader {
  offset = 0;
  constructor(readonly bytes: Buffer) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++];
  }

  /** Big-endian unsigned integer of `width` bytes (at most 6, so it fits a JS number). */
  uint(width: number, what: string): number {
    this.need(width, what);
    const v = this.bytes.readUIntBE(this.offset, width);
    this.offset += width;
    return v;
  }

  /**
   * An account index: unsigned LEB128, at most 4 bytes (7 bits each, low group first), in its
   * one canonical form: a last group of zero after others would be a second spelling of the value.
   */
  varint(what: string): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8(what);
      v += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return i > 0 && b === 0 ? this.fail(`${what} has a redundant zero group`) : v;
    }
    return this.fail(`${what} longer than 4 bytes`);
  }

  take(length: number, what: string): Buffer {
    this.need(length, what);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  fail(what: string): never {
    throw new DecodeError(what, this.offset);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) throw new DecodeError(`truncated ${what}`, this.offset);
  }
}

/** Collects packed bytes. */
export class ByteWriter {
  private readonly parts: Buffer[] = [];
  length = 0;

  u8(v: number): this {
    return this.bytes(Buffer.of(v));
  }

  uint(v: number, width: number): this {
    const b = Buffer.alloc(width);
    b.writeUIntBE(v, 0, width);
    return this.bytes(b);
  }

  /** Unsigned LEB128 (see ByteReader.varint). */
  varint(v: number): this {
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return this.bytes(Buffer.from(out));
  }

  bytes(b: Uint8Array): this {
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/**
 * Big-endian bit fields, most significant bit first, zero-padded to whole bytes: an operation's
 * head (ops.ts), where account indices take exactly the commitment's index width.
 */
export class BitWriter {
  private readonly out: number[] = [];
  private acc = 0;
  private used = 0;

  /** Appends `v` in `width` bits (width ≤ 30); throws if it does not fit. */
  bits(v: number, width: number): this {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) throw new OutOfRangeError(`${v} does not fit in ${width} bits`);
    for (let i = width - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((v >>> i) & 1);
      if (++this.used === 8) {
        this.out.push(this.acc);
        this.acc = 0;
        this.used = 0;
      }
    }
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.used === 0 ? this.out : [...this.out, this.acc << (8 - this.used)]);
  }
}

/** Reads a {@link BitWriter} head at a ByteReader's offset; `end()` moves the reader past it. */
export class BitReader {
  private bit = 0;
  constructor(private readonly r: ByteReader) {}

  bits(width: number, what: string): number {
    const { bytes, offset } = this.r;
    let v = 0;
    for (let i = 0; i < width; i++, this.bit++) {
      const at = offset + (this.bit >> 3);
      if (at >= bytes.length) throw new DecodeError(`truncated ${what}`, at);
      v = v * 2 + ((bytes[at] >> (7 - (this.bit & 7))) & 1);
    }
    return v;
  }

  /** Ends the head: its padding bits must be zero, so that every head has one encoding. */
  end(what: string): void {
    const pad = (8 - (this.bit & 7)) & 7;
    if (pad && this.bits(pad, what) !== 0) throw new DecodeError(`non-zero padding in ${what}`, this.r.offset);
    this.r.offset += this.bit >> 3;
  }
}

/** Bits needed to write `v` (0 for 0). */
export function bitLength(v: number): number {
  let n = 0;
  while (v >= 2 ** n) n++;
  return n;
}

/** Size of `v` as a varint. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Minimal big-endian bytes of a non-negative bigint (empty for zero). */
export function bigintToBytes(v: bigint): Buffer {
  if (v === 0n) return Buffer.alloc(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  return Buffer.from(hex, "hex");
}

export function bytesToBigint(b: Uint8Array): bigint {
  if (b.length <= 6) {
    // Nonces, fees, gas limits: small enough for exact number arithmetic, no strings.
    let v = 0;
    for (let i = 0; i < b.length; i++) v = v * 256 + b[i];
    return BigInt(v);
  }
  const hex = Buffer.isBuffer(b) ? b.toString("hex") : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
  return BigInt("0x" + hex);
}

/** 32-byte big-endian word of a bigint. */
export function word(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, "0"), "hex");
}

/** 20 bytes of a 0x-prefixed address. */
export function addressBytes(address: string): Buffer {
  return Buffer.from(address.slice(2), "hex");
}

/** Lower-case 0x address of 20 bytes. */
export function bytesToAddress(b: Uint8Array): string {
  return "0x" + Buffer.from(b).toString("hex");
}

export const MAX_UINT256 = (1n << 256n) - 1n;
/** Nonces and the state root's counters are 8-byte fields. */
export const MAX_UINT64 = (1n << 64n) - 1n;
