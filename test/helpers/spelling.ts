import { bitLength, ByteWriter } from "../../src/core/bytes";
import { writeAmount } from "../../src/core/amount";
import { feeWidth, type Commitment } from "../../src/core/commitment";
import { opIndices, writeFeeEntry, writeOp } from "../../src/core/ops";

/**
 * `c` written with token width class `tokenClass` (0–3 in the flags byte), whatever its
 * operations need: how tests spell a commitment the encoder would not write. Class 3 (refused
 * at submission) writes 24-bit ids.
 */
export function withTokenClass(c: Commitment, tokenClass: number): Buffer {
  const indexBits = bitLength(Math.max(0, ...c.ops.flatMap(opIndices)));
  const w = new ByteWriter();
  w.bytes(c.postStateRoot).u8((tokenClass << 6) | (indexBits << 1) | (c.withdrawalRoot ? 1 : 0));
  if (c.withdrawalRoot) w.bytes(c.withdrawalRoot);
  w.uint(c.timestamp, 5);
  writeAmount(w, c.baseFee);
  w.varint(c.feeRecipient).u8(c.fees.length);
  for (const f of c.fees) writeFeeEntry(w, f);
  w.u8(c.ops.length);
  for (const op of c.ops) writeOp(w, op, { indexBits, feeBits: feeWidth(c.fees.length), tokenBits: 8 * (Math.min(tokenClass, 2) + 1) });
  return w.toBuffer();
}
