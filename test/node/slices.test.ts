import { expect } from "chai";
import { MAX_LOG_RANGE, inSlices } from "../../src/shared/slices";

describe("node/l1Contracts: log queries go in slices public L1 nodes accept", () => {
  it("covers [from, to] exactly once, in order, no slice wider than the cap", async () => {
    for (const [from, to] of [[0, 0], [0, MAX_LOG_RANGE - 1], [7, 3 * MAX_LOG_RANGE + 11], [10, 9]]) {
      const slices: Array<[number, number]> = [];
      const out = await inSlices(from, to, async (a, b) => {
        slices.push([a, b]);
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
      });
      expect(out).to.deep.equal(Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i));
      for (const [a, b] of slices) expect(b - a + 1).to.be.at.most(MAX_LOG_RANGE);
    }
  });
});
