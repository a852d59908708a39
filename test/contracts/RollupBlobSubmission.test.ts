import { expect } from "chai";
import { ethers } from "hardhat";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { summarizeEnvelope, type EnvelopeSummary } from "../../src/core/batchEnvelope";
import { checkBlobClaims, combineBlobClaims, hashBlobBatch } from "../../src/core/blobBatch";
import { blobClaimIn } from "../../src/node/l1/blobBatchReader";
import { ProposerProxy__factory } from "../../typechain-types";
import { MULTI_BLOB_GAS_LIMIT, blobRollup, chainedClaims, l1Now, sequencerKey } from "../helpers/blobFixture";

const ZERO = "0x" + "00".repeat(32);

describe("contracts/Rollup: submitBlobBatch over one to six blobs — its guards, what it records, and a calldata batch taking a reverted blob batch's place", function () {
  this.timeout(180_000);

  it("refuses claims out of bounds naming the blob (extreme counts and times, a chain whose times go back, too many blocks in all) and a claim count of 0 or 7, each as core's checkBlobClaims does", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const run = (blocks: number) => summarizeEnvelope(encodeBatch([encodeEmptyRun({ blocks, timestamp: Number(now) })]), t.genesis, 0n, now);
    const claim = run(2);
    const cases: Array<[string, EnvelopeSummary[]]> = [
      ["no claim", []],
      ["seven claims", Array.from({ length: 7 }, () => claim)],
      ["count 0", [{ ...claim, count: 0 }]],
      ["count 257", [claim, { ...claim, count: 257, blocks: 300 }]],
      ["count over blocks", [{ ...claim, count: 3, blocks: 2 }]],
      ["blocks 4,097", [{ ...claim, blocks: 4097 }]],
      ["uint16 and uint32 maxima", [claim, claim, { ...claim, count: 65_535, blocks: 2 ** 32 - 1 }]],
      ["uint64 time", [{ ...claim, lastTimestamp: 2n ** 64n - 1n }]],
      ["time after L1", [claim, { ...claim, lastTimestamp: now + 1000n }]],
      ["blob 1 before blob 0", [{ ...claim, lastTimestamp: now }, { ...claim, lastTimestamp: now - 1n }]],
      ["8,192 blocks in all", [run(4096), run(4096)]],
      ["valid, but no blob", [claim, claim]],
    ];
    for (const [name, claims] of cases) {
      const call = t.rollup.submitBlobBatch(0, t.genesis, 0, claims);
      // The L1 block that runs it is a second later than the latest at most: its time is what the Rollup compares.
      const refusal = checkBlobClaims(claims, 0, 0n, now + 1n)!;
      expect(refusal, name).to.not.equal(null);
      if (refusal.error === "RollupBadBlobClaimTimestamp") await expect(call, name).to.be.revertedWithCustomError(t.rollup, refusal.error);
      else await expect(call, name).to.be.revertedWithCustomError(t.rollup, refusal.error).withArgs(...refusal.args);
    }
    await expect(t.rollup.submitBlobBatch(1, t.genesis, 0, [claim])).to.be.revertedWithCustomError(t.rollup, "RollupUnexpectedBatchIndex");
  });

  it("takes exactly as many blobs as claims: refuses 2 claims with 1 blob, 1 claim with 2 blobs, and 6 claims with 7 blobs (or L1 refuses that transaction)", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const bodies = [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })];
    const blob = t.encodeBlob(bodies);
    const [claim] = chainedClaims([bodies], t.genesis, 0n, now);
    const tries: Array<[number, number]> = [
      [2, 1],
      [1, 2],
      [6, 7],
    ];
    for (const [claims, blobs] of tries) {
      const data = t.rollup.interface.encodeFunctionData("submitBlobBatch", [0, t.genesis, 0, Array.from({ length: claims }, () => claim)]);
      await t.txs.send({ to: t.addresses.rollup, data, gasLimit: MULTI_BLOB_GAS_LIMIT, blobs: Array.from({ length: blobs }, () => blob) }, `${claims} claims, ${blobs} blobs`).then(
        () => expect.fail(`${claims} claims with ${blobs} blobs were accepted`),
        (e: unknown) => expect((e as Error).message, `${claims} claims, ${blobs} blobs`).to.match(blobs === 7 ? /RollupBadBlobCount|blob/i : /RollupBadBlobCount/),
      );
    }
    expect(await t.rollup.batchCount()).to.equal(0n);
  });

  it("records one hash over the versioned hashes and claims (core's hashBlobBatch) and a header that is the claims combined (core's combineBlobClaims); one to six blobs", async () => {
    const t = await blobRollup();
    let pre = t.genesis;
    let previous = 0n;
    for (const n of [1, 6, 3]) {
      const index = Number(await t.rollup.batchCount());
      const now = await l1Now();
      // Distinct blobs, each a commitment that moves the state root (so the chain and the roots are not trivial).
      const groups = Array.from({ length: n }, (_, k) => [encodeEmptyRun({ blocks: 1 + k, timestamp: Number(now) }), Buffer.concat([Buffer.alloc(32, 16 * index + k + 1), Buffer.from([1]), Buffer.alloc(32, k + 9), Buffer.from(now.toString(16).padStart(10, "0"), "hex")])]);
      const claims = chainedClaims(groups, pre, previous, now);
      const { receipt, posting } = await t.post(index, groups.map((g) => t.encodeBlob(g)), claims, pre);
      console.log(`      submitBlobBatch with ${n} blob(s): ${receipt.gasUsed} gas`);
      const tx = (await ethers.provider.send("eth_getTransactionByHash", [receipt.hash])) as { blobVersionedHashes: string[] };
      expect(posting.versionedHashes).to.deep.equal(tx.blobVersionedHashes);
      expect(posting.claims).to.deep.equal(claims);
      expect(await t.rollup.blobBatchHash(index)).to.equal(hashBlobBatch(tx.blobVersionedHashes, claims));
      const header = await t.rollup.getBatch(index);
      const combined = combineBlobClaims(claims);
      expect([header.commitmentsRoot, header.postStateRoot, header.withdrawalRoot, Number(header.commitmentCount), Number(header.blockCount), header.l2Timestamp]).to.deep.equal([
        combined.commitmentsRoot,
        combined.postStateRoot,
        combined.withdrawalRoot,
        combined.count,
        combined.blocks,
        combined.lastTimestamp,
      ]);
      if (n === 1) expect(header.commitmentsRoot, "one blob: its own root").to.equal(claims[0].commitmentsRoot);
      pre = combined.postStateRoot;
      previous = combined.lastTimestamp;
    }
  });

  it("takes a blob batch from a contract caller (no origin rule: BLOBHASH names the bytes), and its follower finds the claims in the receipt", async () => {
    const t = await blobRollup();
    const key = sequencerKey();
    const proxy = await new ProposerProxy__factory(key).deploy();
    await proxy.waitForDeployment();
    const proxyAddress = await proxy.getAddress();
    await (await proxy.forward(t.addresses.rollup, t.rollup.interface.encodeFunctionData("postBond"), { value: DEVNET_PARAMS.bondSize })).wait();
    // Not the sequencer: it may post once the sequencer has been silent for the timeout.
    await ethers.provider.send("evm_increaseTime", [DEVNET_PARAMS.sequencerTimeout + 1]);
    await ethers.provider.send("evm_mine", []);
    const now = await l1Now();
    const groups = [[encodeEmptyRun({ blocks: 1, timestamp: Number(now) })], [encodeEmptyRun({ blocks: 2, timestamp: Number(now) })]];
    const claims = chainedClaims(groups, t.genesis, 0n, now);
    const inner = t.rollup.interface.encodeFunctionData("submitBlobBatch", [0, t.genesis, 0, claims]);
    const data = proxy.interface.encodeFunctionData("forward", [t.addresses.rollup, inner]);
    const receipt = await t.txs.send({ to: proxyAddress, data, gasLimit: MULTI_BLOB_GAS_LIMIT, blobs: groups.map((g) => t.encodeBlob(g)) }, "via a contract");
    expect((await t.rollup.getBatch(0)).proposer).to.equal(proxyAddress);
    expect(blobClaimIn(t.l1, receipt, 0)?.claims).to.deep.equal(claims);
  });

  it("sends blob batches to the blob proofs: proveFraud refuses one (RollupIsBlobBatch); the blob proofs refuse a calldata batch, a posting other than the batch's, an unknown blob; a calldata batch at a reverted blob batch's index has no hash", async () => {
    const t = await blobRollup();
    const now = await l1Now();
    const groups = [[encodeEmptyRun({ blocks: 1, timestamp: Number(now) })], [encodeEmptyRun({ blocks: 1, timestamp: Number(now) })]];
    const claims = chainedClaims(groups, t.genesis, 0n, now);
    const blobs = groups.map((g) => t.encodeBlob(g));
    // The second claim lies about its post-state root (an empty run keeps it).
    const lying = [claims[0], { ...claims[1], postStateRoot: "0x" + "11".repeat(32) }];
    const { posting } = await t.post(0, blobs, lying);
    const c = t.rollup.connect(t.challenger);
    await expect(c.proveFraud(0, 0, t.genesis, groups[0][0], [], "0x")).to.be.revertedWithCustomError(t.rollup, "RollupIsBlobBatch").withArgs(0);
    const other = { versionedHashes: posting.versionedHashes, claims };
    await expect(c.proveBlobFraud(0, other, 1, "0x", "0x", "0x")).to.be.revertedWithCustomError(t.rollup, "RollupBadBlobBatch").withArgs(0);
    await expect(c.proveBlobFraud(0, posting, 2, "0x", "0x", "0x")).to.be.revertedWithCustomError(t.rollup, "RollupUnknownBlob").withArgs(0, 2, 2);
    const commitment = { blobIndex: 0, commitmentIndex: 0, preStateRoot: t.genesis, body: groups[0][0], path: [] };
    await expect(c.proveBlobCommitmentFraud(0, other, commitment, "0x")).to.be.revertedWithCustomError(t.rollup, "RollupBadBlobBatch").withArgs(0);
    await expect(c.proveBlobCommitmentFraud(0, posting, { ...commitment, blobIndex: 2 }, "0x")).to.be.revertedWithCustomError(t.rollup, "RollupUnknownBlob").withArgs(0, 2, 2);
    await expect(c.proveBlobFraud(1, posting, 0, "0x", "0x", "0x")).to.be.revertedWithCustomError(t.rollup, "RollupUnknownBatch");

    const proof = await (await t.proveBlob(0, posting, 1, blobs[1])).wait();
    expect(t.faultOf(proof)).to.deep.equal({ blob: 1, fault: 3 });
    expect(await t.rollup.batchCount()).to.equal(0n);
    await t.rebond();
    await (await t.rollup.submitBatch(0, t.genesis, 0, encodeBatch(groups[0]))).wait();
    expect(await t.rollup.blobBatchHash(0)).to.equal(ZERO);
    await expect(c.proveBlobFraud(0, posting, 0, "0x", "0x", "0x")).to.be.revertedWithCustomError(t.rollup, "RollupNotBlobBatch").withArgs(0);
  });
});
