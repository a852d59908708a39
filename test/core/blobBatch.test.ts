import { expect } from "chai";
import { encodeEmptyRun } from "../../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY, MAX_BLOB_COMMITMENTS } from "../../src/core/blobLayout";
import { MAX_BLOCKS_PER_BATCH } from "../../src/core/constants";
import { MAX_BLOBS_PER_BATCH, combineBlobClaims, packBlobs, splitByCounts } from "../../src/core/blobBatch";

/** A body of `length` bytes that is not an empty run (one L2 block). */
const body = (length: number) => Buffer.alloc(length, 1);

describe("core/blobBatch: packing a batch's bodies into blobs, and the batch a chain of blob claims makes", () => {
  it("fills each blob to its capacity in bytes, 256 commitments and 4,096 blocks, in order", () => {
    // Two bodies fill a blob's envelope exactly (each with its 2-byte length prefix).
    const half = body(BLOB_ENVELOPE_CAPACITY / 2 - 2);
    expect(packBlobs([half, half, half])).to.deep.equal([2, 1]);
    expect(packBlobs([half, body(BLOB_ENVELOPE_CAPACITY / 2 - 1)])).to.deep.equal([1, 1]);
    expect(packBlobs(Array.from({ length: MAX_BLOB_COMMITMENTS + 1 }, () => body(40)))).to.deep.equal([MAX_BLOB_COMMITMENTS, 1]);
    const run = encodeEmptyRun({ blocks: MAX_BLOCKS_PER_BATCH / 2, timestamp: 1 });
    expect(packBlobs([run, run, run])).to.deep.equal([2, 1]);
    expect(packBlobs([])).to.deep.equal([]);
  });

  it("refuses a batch that needs more than six blobs, or a body no blob holds", () => {
    const full = body(BLOB_ENVELOPE_CAPACITY - 2);
    expect(packBlobs(Array.from({ length: MAX_BLOBS_PER_BATCH }, () => full))).to.have.length(MAX_BLOBS_PER_BATCH);
    expect(packBlobs(Array.from({ length: MAX_BLOBS_PER_BATCH + 1 }, () => full))).to.equal(null);
    expect(packBlobs([full, full], 1)).to.equal(null);
    expect(packBlobs([body(BLOB_ENVELOPE_CAPACITY - 1)])).to.equal(null);
    expect(splitByCounts([1, 2, 3, 4], [1, 3])).to.deep.equal([[1], [2, 3, 4]]);
  });

  it("combines one claim into itself, and several into the positional root of their roots with their counts summed", () => {
    const claim = { commitmentsRoot: "0x" + "aa".repeat(32), postStateRoot: "0x" + "bb".repeat(32), withdrawalRoot: "0x" + "cc".repeat(32), count: 3, blocks: 7, lastTimestamp: 9n };
    expect(combineBlobClaims([claim])).to.deep.equal(claim);
    const none = { ...claim, withdrawalRoot: "0x" + "00".repeat(32), postStateRoot: "0x" + "dd".repeat(32), lastTimestamp: 11n };
    const both = combineBlobClaims([claim, none]);
    expect(both).to.include({ postStateRoot: none.postStateRoot, withdrawalRoot: claim.withdrawalRoot, count: 6, blocks: 14, lastTimestamp: 11n });
    expect(both.commitmentsRoot).to.not.equal(claim.commitmentsRoot);
  });
});
