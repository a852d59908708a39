import { expect } from "chai";
import fc from "fast-check";
import { Rollup__factory } from "../../typechain-types";
import { submitBatchCalldata } from "../../src/node/l1/contracts";

describe("node/l1Contracts: the hand-written submitBatch calldata is what the ABI coder writes", () => {
  it("for batches of every length modulo 32, roots and queue counts", () => {
    const abi = Rollup__factory.createInterface();
    fc.assert(
      fc.property(fc.nat(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.uint8Array({ minLength: 1, maxLength: 200 }), (index, root, queueCount, data) => {
        const pre = "0x" + Buffer.from(root).toString("hex");
        const bytes = Buffer.from(data);
        expect(submitBatchCalldata(index, pre, queueCount, bytes)).to.equal(abi.encodeFunctionData("submitBatch", [index, pre, queueCount, bytes]));
      }),
      { numRuns: 300 },
    );
  });
});
