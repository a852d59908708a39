/**
 * RLP decoding, strict: only the canonical encoding of each value is accepted (no long form for
 * short lengths, no leading zeros in lengths), and the input must be exactly one item. The
 * intake re-encodes what it decoded and compares bytes anyway; strictness here just fails early.
 */
export type RlpValue = Buffer | RlpValue[];

export class RlpError extends Error {
  override readonly name = "RlpError";
}

/** Decodes `input[offset…]` as exactly one RLP item. */
export function rlpDecode(input: Buffer, offset = 0): RlpValue {
  const [value, end] = item(input, offset);
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
