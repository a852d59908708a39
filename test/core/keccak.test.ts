import { expect } from "chai";
import fc from "fast-check";
import { keccak_256 } from "@noble/hashes/sha3";
import { keccak256js, keccak64Into } from "../../src/core/keccak";
import { hashPairInto, keccak256, keccakReady, wasmKeccakLoaded } from "../../src/core/hash";

describe("core/keccak: the JavaScript keccak256 agrees with @noble/hashes", () => {
  it("for every length around the 136-byte rate and random contents", () => {
    for (let len = 0; len <= 3 * 136 + 1; len++) {
      const data = Buffer.alloc(len).map((_, i) => (i * 131 + len * 7) & 255);
      expect(keccak256js(data).toString("hex"), `length ${len}`).to.equal(Buffer.from(keccak_256(data)).toString("hex"));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), (data) => {
        expect(keccak256js(data).equals(Buffer.from(keccak_256(data)))).to.equal(true);
        expect(keccak256(data).equals(Buffer.from(keccak_256(data)))).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it("keccak64Into hashes 64 bytes in place, at any offsets, and writes nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 200 }), fc.nat(), fc.nat(40), (src, offset, dstAt) => {
        const at = offset % (src.length - 63);
        const dst = Buffer.alloc(dstAt + 40, 0xee);
        keccak64Into(src, at, dst, dstAt);
        expect(dst.subarray(dstAt, dstAt + 32).equals(Buffer.from(keccak_256(src.subarray(at, at + 64))))).to.equal(true);
        expect(dst.subarray(0, dstAt).every((b) => b === 0xee) && dst.subarray(dstAt + 32).every((b) => b === 0xee)).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });

  it("the WebAssembly keccak takes over and agrees, whole inputs and pairs hashed in place", async () => {
    await keccakReady;
    expect(wasmKeccakLoaded()).to.equal(true);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), (data) => {
        expect(keccak256(data).equals(Buffer.from(keccak_256(data)))).to.equal(true);
      }),
      { numRuns: 300 },
    );
    const src = Buffer.alloc(100).map((_, i) => i * 7);
    const dst = Buffer.alloc(70, 0xee);
    hashPairInto(src, 5, dst, 30);
    expect(dst.subarray(30, 62).equals(Buffer.from(keccak_256(src.subarray(5, 69))))).to.equal(true);
    expect(dst.subarray(0, 30).every((b) => b === 0xee) && dst.subarray(62).every((b) => b === 0xee)).to.equal(true);
  });
});
