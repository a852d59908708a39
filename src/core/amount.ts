/**
 * The compact, lossless encoding of amounts, fees and gas limits: mantissa × 10^exponent.
 *
 * First byte: `len << 5 | exp` with exp in 0..31. For len 0..6 the mantissa follows in len
 * bytes; len 7 is an escape: a length byte L (1..32) and L mantissa bytes follow. Round values
 * — what wallets send and what the node quotes — take two or three bytes.
 */
import { ByteReader, ByteWriter, bigintToBytes, bytesToBigint, MAX_UINT256 } from "./bytes";

const MAX_EXP = 31;
const ESCAPE = 7;

/** Appends the encoding of `value` (0 ≤ value < 2^256). */
export function writeAmount(w: ByteWriter, value: bigint): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`amount ${value} outside uint256`);
  let mantissa = value;
  let exp = 0;
  while (mantissa !== 0n && mantissa % 10n === 0n && exp < MAX_EXP) {
    mantissa /= 10n;
    exp++;
  }
  const bytes = bigintToBytes(mantissa);
  if (bytes.length < ESCAPE) {
    w.u8((bytes.length << 5) | exp).bytes(bytes);
  } else {
    w.u8((ESCAPE << 5) | exp).u8(bytes.length).bytes(bytes);
  }
}

/** Reads one encoded amount; throws DecodeError when malformed or ≥ 2^256. */
export function readAmount(r: ByteReader, what: string): bigint {
  const head = r.u8(what);
  let len = head >> 5;
  const exp = head & MAX_EXP;
  if (len === ESCAPE) {
    len = r.u8(`${what} length`);
    if (len < 1 || len > 32) r.fail(`${what} mantissa of ${len} bytes`);
  }
  const value = bytesToBigint(r.take(len, what)) * 10n ** BigInt(exp);
  if (value > MAX_UINT256) r.fail(`${what} overflows uint256`);
  return value;
}

/** Encoded size of `value` in bytes. */
export function amountSize(value: bigint): number {
  const w = new ByteWriter();
  writeAmount(w, value);
  return w.length;
}
