import { expect } from "chai";
import { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { encodeBlob } from "../../src/core/blobLayout";
import { summarizeEnvelope } from "../../src/core/batchEnvelope";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L1TxManager } from "../../src/node/l1/txManager";
import { blobFraudCalldata } from "../../src/node/challenger/blobFraudProver";
import { BLOB_BATCH_GAS_LIMIT } from "../../src/node/sequencer/batchData";
import { silentLogger } from "../../src/shared/logger";

const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

describe("contracts/Rollup: submitBlobBatch's guards, and a calldata batch taking a reverted blob batch's place", function () {
  this.timeout(120_000);

  it("refuses a claim out of bounds or without exactly one blob; records the versioned hash; a later calldata batch at the index has none", async () => {
    const [deployer, , challenger] = await ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    const rollup = d.rollup;
    await (await rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    const genesis = await rollup.genesisStateRoot();
    const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const envelope = encodeBatch([encodeEmptyRun({ blocks: 2, timestamp: Number(now) })]);
    const claim = summarizeEnvelope(envelope, genesis, 0n, now);

    await expect(rollup.submitBlobBatch(0, genesis, 0, { ...claim, count: 0 })).to.be.revertedWithCustomError(rollup, "RollupBadBlobClaimCounts").withArgs(0, 2);
    await expect(rollup.submitBlobBatch(0, genesis, 0, { ...claim, count: 257, blocks: 300 })).to.be.revertedWithCustomError(rollup, "RollupBadBlobClaimCounts").withArgs(257, 300);
    await expect(rollup.submitBlobBatch(0, genesis, 0, { ...claim, count: 3, blocks: 2 })).to.be.revertedWithCustomError(rollup, "RollupBadBlobClaimCounts").withArgs(3, 2);
    await expect(rollup.submitBlobBatch(0, genesis, 0, { ...claim, blocks: 4097 })).to.be.revertedWithCustomError(rollup, "RollupBadBlobClaimCounts").withArgs(1, 4097);
    await expect(rollup.submitBlobBatch(0, genesis, 0, { ...claim, lastTimestamp: now + 1000n })).to.be.revertedWithCustomError(rollup, "RollupBadBlobClaimTimestamp");
    await expect(rollup.submitBlobBatch(0, genesis, 0, claim)).to.be.revertedWithCustomError(rollup, "RollupNotOneBlob");
    await expect(rollup.submitBlobBatch(1, genesis, 0, claim)).to.be.revertedWithCustomError(rollup, "RollupUnexpectedBatchIndex");

    const txs = new L1TxManager(sequencerKey(), { logger: silentLogger });
    const blob = encodeBlob(envelope);
    const lying = rollup.interface.encodeFunctionData("submitBlobBatch", [0, genesis, 0, { ...claim, withdrawalRoot: "0x" + "22".repeat(32) }]);
    const twoBlobs = txs.send({ to: d.addresses.rollup, data: lying, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [blob, blob] }, "two blobs");
    // The automining L1 runs it as it is sent, and answers with the revert.
    await twoBlobs.then(
      () => expect.fail("a batch with two blobs was accepted"),
      (e: unknown) => expect((e as Error).message).to.match(/RollupNotOneBlob/),
    );
    const receipt = await txs.send({ to: d.addresses.rollup, data: lying, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [blob] }, "one blob");
    console.log(`      submitBlobBatch: ${receipt.gasUsed} gas`);
    const posted = receipt.logs.map((l) => rollup.interface.parseLog(l)).find((p) => p?.name === "BatchBlobPosted");
    const hash = await rollup.batchBlobHash(0);
    expect(posted?.args.versionedHash).to.equal(hash);
    expect(hash).to.match(/^0x01/);

    const l1 = new L1Contracts(ethers.provider, d.addresses);
    await expect(rollup.connect(challenger).proveBlobFraud(1, "0x", "0x", "0x")).to.be.revertedWithCustomError(rollup, "RollupUnknownBatch");
    await (await challenger.sendTransaction({ to: d.addresses.rollup, data: blobFraudCalldata(l1, 0, blob, hash) })).wait();
    expect(await rollup.batchCount()).to.equal(0n);

    // The calldata batch now at index 0 carries no blob, whatever stood there before.
    await (await rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
    await (await rollup.submitBatch(0, genesis, 0, envelope)).wait();
    expect(await rollup.batchBlobHash(0)).to.equal("0x" + "00".repeat(32));
    await expect(rollup.connect(challenger).proveBlobFraud(0, "0x", "0x", "0x")).to.be.revertedWithCustomError(rollup, "RollupNotBlobBatch").withArgs(0);
  });
});
