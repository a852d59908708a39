import { expect } from "chai";
import fc from "fast-check";
import { BitReader, BitWriter, ByteReader, bigintToBytes, bytesToBigint } from "../../src/core/bytes";
import { DecodeError } from "../../src/core/errors";
import { OutOfRangeError } from "../../src/core/errors";

describe("core/bytes", () => {
  it("bytesToBigint reads any big-endian bytes, on either side of its small-number path, and inverts bigintToBytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(bytesToBigint(b)).to.equal(b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b).toString("hex")));
        expect(bytesToBigint(new Uint8Array(b).subarray(0))).to.equal(bytesToBigint(Buffer.from(b)));
      }),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (v) => bytesToBigint(bigintToBytes(v)) === v), { numRuns: 500 });
  });

  it("a bit head round-trips and must end in zero padding inside the input", () => {
    const head = new BitWriter().bits(5, 3).bits(1234, 14).bits(0, 0).bits(200, 8).toBuffer();
    expect(head.length).to.equal(4); // 25 bits
    const r = new ByteReader(Buffer.concat([head, Buffer.of(0xab)]));
    const bits = new BitReader(r);
    expect([bits.bits(3, "a"), bits.bits(14, "b"), bits.bits(0, "c"), bits.bits(8, "d")]).to.deep.equal([5, 1234, 0, 200]);
    bits.end("head");
    expect(r.offset).to.equal(4);

    const dirty = Buffer.from(head);
    dirty[3] |= 0x01; // a padding bit
    const d = new BitReader(new ByteReader(dirty));
    d.bits(25, "fields");
    expect(() => d.end("head")).to.throw(DecodeError, /padding/);
    expect(() => new BitReader(new ByteReader(head.subarray(0, 2))).bits(25, "fields")).to.throw(DecodeError, /truncated/);
    expect(() => new BitWriter().bits(8, 3)).to.throw(OutOfRangeError);
  });
});
