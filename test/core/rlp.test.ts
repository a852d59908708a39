import { expect } from "chai";
import fc from "fast-check";
import { encodeRlp, toBeArray } from "ethers";
import { RlpWriter, rlpDecode } from "../../src/core/rlp";

const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");

describe("core/rlp: the writer agrees with ethers' encodeRlp and reads back with the strict decoder", () => {
  it("integers (around the 48-bit fast path and up to 2^256), byte strings of every length class, and list headers", () => {
    const int = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 56n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.constantFrom(0n, 0x7fn, 0x80n, 0xffn, 0x100n, 2n ** 48n - 1n, 2n ** 48n));
    const str = fc.uint8Array({ maxLength: 300 });
    fc.assert(
      fc.property(fc.array(fc.oneof(int, str), { maxLength: 12 }), (items) => {
        const w = new RlpWriter();
        const payload = new RlpWriter();
        for (const it of items) {
          if (typeof it === "bigint") payload.int(it);
          else payload.string(it);
        }
        const expected = encodeRlp(items.map((it) => (typeof it === "bigint" ? (it === 0n ? "0x" : hex(toBeArray(it))) : hex(it))));
        const out = w.listHeader(payload.length).raw(payload.view()).bytes();
        expect(hex(out)).to.equal(expected);
        expect((rlpDecode(out) as Buffer[]).length).to.equal(items.length);
      }),
      { numRuns: 500 },
    );
  });

  it("an address is a 20-byte string", () => {
    const a = "0x" + "00ff".repeat(10);
    expect(hex(new RlpWriter().address(a).bytes())).to.equal(encodeRlp(a));
  });
});
