import { expect } from "chai";
import fc from "fast-check";
import { ByteReader, ByteWriter, MAX_UINT256 } from "../../src/core/bytes";
import { readAmount, writeAmount, amountSize } from "../../src/core/amount";
import { DecodeError } from "../../src/core/errors";

const roundTrip = (v: bigint) => {
  const w = new ByteWriter();
  writeAmount(w, v);
  const r = new ByteReader(w.toBuffer());
  const out = readAmount(r, "amount");
  expect(r.remaining).to.equal(0);
  return out;
};

describe("core/amount", () => {
  it("round-trips every uint256 losslessly", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), (v) => roundTrip(v) === v), { numRuns: 2000 });
  });

  it("round-trips the edges: zero, 10^31 multiples and the largest uint256", () => {
    for (const v of [0n, 1n, 10n ** 31n, 10n ** 40n, 7n * 10n ** 70n, MAX_UINT256]) expect(roundTrip(v)).to.equal(v);
  });

  it("packs round wallet amounts in two bytes", () => {
    expect(amountSize(10n ** 16n)).to.equal(2); // 0.01 ETH
    expect(amountSize(37n * 10n ** 16n)).to.equal(2); // 0.37 ETH
    expect(amountSize(21_000n)).to.equal(2);
  });

  it("rejects a mantissa that overflows uint256", () => {
    const bytes = Buffer.concat([Buffer.of((7 << 5) | 31, 32), Buffer.alloc(32, 0xff)]);
    expect(() => readAmount(new ByteReader(bytes), "amount")).to.throw(DecodeError, /overflows/);
  });

  it("rejects truncated amounts and escape lengths outside 1..32", () => {
    expect(() => readAmount(new ByteReader(Buffer.of(3 << 5, 1)), "amount")).to.throw(DecodeError, /truncated/);
    expect(() => readAmount(new ByteReader(Buffer.of(7 << 5, 33)), "amount")).to.throw(DecodeError, /33 bytes/);
    expect(() => readAmount(new ByteReader(Buffer.of(7 << 5, 0)), "amount")).to.throw(DecodeError, /0 bytes/);
  });
});
