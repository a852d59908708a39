/**
 * Adversarial review of blob batches over one to six blobs (4cef3f2..f60b125): a malicious
 * proposer, a malicious challenger, a user. Each test is named for the behaviour it checks.
 */
import { expect } from "chai";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY } from "../../src/core/blobLayout";
import { combineBlobClaims, hashBlobBatch, checkBlobClaims } from "../../src/core/blobBatch";
import { blobBatchArgument } from "../../src/node/challenger/blobFraudProver";
import { blobRollup, chainedClaims, l1Now, rawBody } from "../helpers/blobFixture";

const word = (b: number) => "0x" + b.toString(16).padStart(2, "0").repeat(32);

describe("adversarial/multiBlobReview: blob batches over several blobs under attack", function () {
  this.timeout(180_000);

  it("the same blob posted twice (duplicate versioned hashes) with honest chained claims cannot be proven fraudulent at either position, and stores the one hash TS computes", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const bodies = [encodeEmptyRun({ blocks: 2, timestamp: Number(now) })];
    const blob = t.encodeBlob(bodies);
    const claims = chainedClaims([bodies, bodies], t.genesis, 0n, now);
    const { posting } = await t.post(0, [blob, blob], claims);
    expect(posting.versionedHashes[0]).to.equal(posting.versionedHashes[1]);
    expect(await t.rollup.blobBatchHash(0)).to.equal(hashBlobBatch(posting.versionedHashes, claims));
    await expect(t.proveBlob(0, posting, 1, blob)).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent");
    // The claims swapped with the hashes (or any claims array that is not the posted one) are refused.
    const forged = { versionedHashes: posting.versionedHashes, claims: [claims[1], { ...claims[0], postStateRoot: word(0x99) }] };
    const data = t.rollup.interface.encodeFunctionData("proveBlobFraud", [0, forged, 1, "0x", "0x", "0x" + "00".repeat(256)]);
    await expect(t.challenger.sendTransaction({ to: await t.rollup.getAddress(), data, gasLimit: 5_000_000 })).to.be.revertedWithCustomError(t.rollup, "RollupBadBlobBatch");
  });

  it("TS combineBlobClaims equals the header the Rollup records for lying claims with zero withdrawal roots interleaved, duplicate withdrawal roots and three blobs (the reader's blobClaimIn would throw otherwise)", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const bodies = [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })];
    const blob = t.encodeBlob(bodies);
    const base = { commitmentsRoot: word(0x01), postStateRoot: word(0x02), withdrawalRoot: word(0x03), count: 1, blocks: 1, lastTimestamp: now };
    const claims = [
      { ...base, withdrawalRoot: word(0xee) },
      { ...base, commitmentsRoot: word(0x05), withdrawalRoot: "0x" + "00".repeat(32), count: 256, blocks: 4000 },
      { ...base, commitmentsRoot: word(0x06), withdrawalRoot: word(0xee), blocks: 95 },
    ];
    expect(checkBlobClaims(claims, 3, 0n, now + 100n)).to.equal(null);
    const { receipt, posting } = await t.post(0, [blob, blob, blob], claims);
    expect(posting, "blobClaimIn agreed with BatchSubmitted").to.not.equal(null);
    const header = await t.rollup.getBatch(0);
    const combined = combineBlobClaims(claims);
    expect(header.commitmentsRoot).to.equal(combined.commitmentsRoot);
    expect(header.withdrawalRoot).to.equal(combined.withdrawalRoot);
    expect(Number(header.commitmentCount)).to.equal(combined.count);
    expect(Number(header.blockCount)).to.equal(combined.blocks);
    expect(receipt.status).to.equal(1);
    // One more block anywhere is refused in TS and on L1 alike.
    const over = [claims[0], { ...claims[1], blocks: 4001 }, claims[2]];
    expect(checkBlobClaims(over, 3, 0n, now + 100n)?.error).to.equal("RollupBlobBatchTooManyBlocks");
  });

  it("proveBlobCommitmentFraud refuses a commitment of blob 0 named as blob 1's (a path to another blob's root), an out-of-range blobIndex and a commitmentIndex past the blob's count, on an honest two-blob batch", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const groups = [[encodeEmptyRun({ blocks: 1, timestamp: Number(now) }), encodeEmptyRun({ blocks: 1, timestamp: Number(now) })], [encodeEmptyRun({ blocks: 3, timestamp: Number(now) })]];
    const claims = chainedClaims(groups, t.genesis, 0n, now);
    const { posting } = await t.post(0, groups.map((g) => t.encodeBlob(g)), claims);
    const { keccak256, concat } = await import("ethers");
    const leaf1 = keccak256(concat([t.genesis, groups[0][1]]));
    const send = (c: { blobIndex: number; commitmentIndex: number; body: Buffer; path: string[] }) =>
      t.challenger.sendTransaction({
        to: posting && t.l1.addresses.rollup,
        data: t.rollup.interface.encodeFunctionData("proveBlobCommitmentFraud", [0, blobBatchArgument(posting), { ...c, preStateRoot: t.genesis, body: "0x" + c.body.toString("hex") }, "0x"]),
        gasLimit: 5_000_000,
      });
    await expect(send({ blobIndex: 1, commitmentIndex: 0, body: groups[0][0], path: [leaf1] })).to.be.revertedWithCustomError(t.rollup, "RollupBadCommitmentProof");
    await expect(send({ blobIndex: 1, commitmentIndex: 0, body: groups[0][0], path: [] })).to.be.revertedWithCustomError(t.rollup, "RollupBadCommitmentProof");
    await expect(send({ blobIndex: 2, commitmentIndex: 0, body: groups[1][0], path: [] })).to.be.revertedWithCustomError(t.rollup, "RollupUnknownBlob");
    await expect(send({ blobIndex: 1, commitmentIndex: 1, body: groups[1][0], path: [] })).to.be.revertedWithCustomError(t.rollup, "RollupBadCommitmentProof");
    // The real commitment of blob 1 (an empty run) replays clean: not fraud.
    await expect(send({ blobIndex: 1, commitmentIndex: 0, body: groups[1][0], path: [] })).to.be.reverted;
    expect(await t.rollup.batchCount()).to.equal(1n);
  });

  it("the worst blob proof a proposer can force as the last of six — 255 all-nonzero bodies each carrying a withdrawal root (sorted-pair tree of 255), then a run past L1 time — stays under 5,000,000 gas and is proven", async () => {
    const t = await blobRollup();
    const stamp = Number(await l1Now());
    const tiny = [encodeEmptyRun({ blocks: 1, timestamp: stamp })];
    // [root 32][flags 1 = withdrawals][withdrawal root 32][timestamp 5][filler]
    const bodies: Buffer[] = [];
    const size = Math.floor((BLOB_ENVELOPE_CAPACITY - 9) / 255) - 2;
    for (let i = 0; i < 255; i++) {
      const head = Buffer.concat([Buffer.alloc(32, 7), Buffer.from([1]), Buffer.alloc(32, (i % 250) + 3), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex")]);
      bodies.push(Buffer.concat([head, Buffer.alloc(size - head.length, 0xab)]));
    }
    bodies.push(encodeEmptyRun({ blocks: 1, timestamp: stamp + 1_000_000 }));
    expect(encodeBatch(bodies).length).to.be.at.most(BLOB_ENVELOPE_CAPACITY);
    const now = await l1Now();
    const claims = chainedClaims(Array.from({ length: 6 }, () => tiny), t.genesis, 0n, now);
    const worstBlob = t.encodeBlob(bodies);
    const blobs = [...Array.from({ length: 5 }, () => t.encodeBlob(tiny)), worstBlob];
    const { posting } = await t.post(0, blobs, claims);
    const receipt = await (await t.proveBlob(0, posting, 5, worstBlob)).wait();
    console.log(`      worst adversarial last-of-six blob proof: ${receipt!.gasUsed} gas`);
    expect(t.faultOf(receipt)).to.deep.equal({ blob: 5, fault: 2 });
    expect(receipt!.gasUsed).to.be.lessThan(5_000_000n);
  });

  it("a blob-1 claim summarized from a pre-state other than blob 0's claimed end is proven at blob 1 (fault 3) while blob 0 answers RollupNotFraudulent", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const groups = [[rawBody(word(0xa1), now, Buffer.alloc(8, 1))], [rawBody(word(0xb2), now, Buffer.alloc(8, 2))]];
    const claims = chainedClaims(groups, t.genesis, 0n, now);
    // Blob 1's claim is summarized from a*different* pre-state than blob 0 claims to end at: fault 3 on blob 1.
    const lying = [claims[0], chainedClaims([groups[1]], word(0xcc), claims[0].lastTimestamp, now)[0]];
    const blobs = groups.map((g) => t.encodeBlob(g));
    const { posting } = await t.post(0, blobs, lying);
    await expect(t.proveBlob(0, posting, 0, blobs[0])).to.be.revertedWithCustomError(t.rollup, "RollupNotFraudulent");
    const receipt = await (await t.proveBlob(0, posting, 1, blobs[1])).wait();
    expect(t.faultOf(receipt)).to.deep.equal({ blob: 1, fault: 3 });
  });
});
