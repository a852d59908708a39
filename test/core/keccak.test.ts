import { expect } from "chai";
import fc from "fast-check";
import { keccak_256 } from "@noble/hashes/sha3";
import { keccak256js } from "../../src/core/keccak";
import { keccak256 } from "../../src/core/hash";

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
});
