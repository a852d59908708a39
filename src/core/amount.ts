/**
 * The compact, lossless encoding of amounts, fees and gas limits: mantissa × 10^exponent.
 *
 * Head (8 bits): `len << 5 | exp` with exp in 0..31. For len 0..6 the mantissa follows in len
 * bytes; len 7 is an escape: a length byte L (1..32) and L mantissa bytes follow. Round values
 * — what wallets send and what the node quotes — take two or three bytes. Fee fields write the
 * head as a byte; an operation packs it into its bit head (ops.ts) and writes the rest after.
 */
import { ByteReader, ByteWriter, bigintToBytes, bytesToBigint, MAX_UINT256 } from "./bytes";
import { OutOfRangeError } from "./errors";

const MAX_EXP = 31;
const ESCAPE = 7;

/** An amount split as it is written: the 8-bit head, then `rest` (escape length and mantissa). */
export interface AmountParts {
  head: number;
  rest: Buffer;
}

export function amountParts(value: bigint): AmountParts {
  if (value < 0n || value > MAX_UINT256) throw new OutOfRangeError(`amount ${value} outside uint256`);
  let mantissa = value;
  let exp = 0;
  while (mantissa !== 0n && mantissa % 10n === 0n && exp < MAX_EXP) {
    mantissa /= 10n;
    exp++;
  }
  const bytes = bigintToBytes(mantissa);
  if (bytes.length < ESCAPE) return { head: (bytes.length << 5) | exp, rest: bytes };
  return { head: (ESCAPE << 5) | exp, rest: Buffer.concat([Buffer.of(bytes.length), bytes]) };
}

/** Appends the encoding of `value` (0 ≤ value < 2^256). */
export function writeAmount(w: ByteWriter, value: bigint): void {
  const { head, rest } = amountParts(value);
  w.u8(head).bytes(rest);
}

/** Reads one encoded amount; throws DecodeError when malformed, non-canonical or ≥ 2^256. */
export function readAmount(r: ByteReader, what: string): bigint {
  return readAmountRest(r, r.u8(what), what).value;
}

/**
 * Reads what follows an amount's `head`. `size` is the encoded size, head byte included: what
 * an operation's gas charges for it. Only the encoding {@link amountParts} writes is accepted, so
 * every value has one spelling (the verifier's `_amountRest` states the same rule field by
 * field: no leading zero byte, no trailing decimal zero below exponent 31, zero as head 0, the
 * escape only for mantissas of 7 bytes or more).
 */
export function readAmountRest(r: ByteReader, head: number, what: string): { value: bigint; size: number } {
  let len = head >> 5;
  const exp = head & MAX_EXP;
  let size = 1 + len;
  if (len === ESCAPE) {
    len = r.u8(`${what} length`);
    if (len < 1 || len > 32) r.fail(`${what} mantissa of ${len} bytes`);
    size = 2 + len;
  }
  const value = bytesToBigint(r.take(len, what)) * 10n ** BigInt(exp);
  if (value > MAX_UINT256) r.fail(`${what} overflows uint256`);
  const canonical = amountParts(value);
  if (canonical.head !== head || canonical.rest.length + 1 !== size) r.fail(`${what} is not in canonical form`);
  return { value, size };
}

/** Encoded size of `value` in bytes. */
export function amountSize(value: bigint): number {
  return 1 + amountParts(value).rest.length;
}
