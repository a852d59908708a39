import { expect } from "chai";
import { BLOB_ENVELOPE_CAPACITY } from "../../src/core/blobLayout";
import { batchDataCosts, calldataBatchGas, chooseBatchData } from "../../src/node/sequencer/batchData";

const envelope = (n: number) => Buffer.alloc(n, 0x5a);

describe("node/batchData: calldata or a blob, by what each costs at L1's prices", () => {
  it("pays calldata at EIP-7623's floor once the bytes outweigh the execution", () => {
    expect(calldataBatchGas(envelope(10_000))).to.equal(21_000n + 400_000n);
    expect(calldataBatchGas(Buffer.alloc(10_000))).to.equal(81_000n + 40_000n);
  });

  it("takes a blob when blob gas is cheap, calldata when it is dear, and calldata for a batch no blob holds", () => {
    const cheapBlobs = () => ({ baseFee: 10_000_000_000n, blobBaseFee: 1n });
    const dearBlobs = () => ({ baseFee: 1_000_000_000n, blobBaseFee: 1_000_000_000_000n });
    // A blob batch's execution (~230k) outweighs ~5 kB at the floor: past that, free blob gas wins.
    expect(chooseBatchData("auto", envelope(20_000), cheapBlobs)).to.equal("blobs");
    expect(chooseBatchData("auto", envelope(4_000), cheapBlobs)).to.equal("calldata");
    expect(chooseBatchData("auto", envelope(5_000), dearBlobs)).to.equal("calldata");
    expect(chooseBatchData("auto", envelope(BLOB_ENVELOPE_CAPACITY + 1), cheapBlobs)).to.equal("calldata");
    expect(chooseBatchData("blobs", envelope(5_000), dearBlobs)).to.equal("blobs");
    expect(chooseBatchData("calldata", envelope(5_000), cheapBlobs)).to.equal("calldata");
    // A tiny batch at equal prices: one blob's 131,072 blob gas outweighs a few hundred bytes.
    const even = { baseFee: 1_000_000_000n, blobBaseFee: 1_000_000_000n };
    const tiny = batchDataCosts(envelope(100), even);
    expect(tiny.calldata < tiny.blobs).to.equal(true);
    expect(chooseBatchData("auto", envelope(100), () => even)).to.equal("calldata");
  });
});
