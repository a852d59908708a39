import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic, parseEther } from "ethers";
import { startTestNode, testChallengerOptions } from "../helpers/nodeFixture";
import { Challenger } from "../../src/node/challenger/challenger";
import { FAULT_KINDS, faultyMode, type FaultKind } from "../../src/node/sequencer/faults";
import { DEVNET_PARAMS } from "../../deploy/params";
import { until } from "../helpers/until";
import { EXPECTED_VERDICT } from "../helpers/faultVerdicts";
import { silentLogger } from "../../src/shared/logger";
import { BlobArchive, archiveBlobsSentTo, startBeaconServer, type BeaconServer } from "../../src/app/devnetBeacon";

/** Every kind (~45 s in all, the KZG setup once); CAIRN_BLOB_FAULTS=quick runs two. */
const KINDS: readonly FaultKind[] = process.env.CAIRN_BLOB_FAULTS === "quick" ? ["bad-signature", "post-state"] : FAULT_KINDS;

const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

describe("e2e: a faulty sequencer posting in blobs is caught by the challenger reading the beacon API, with proveBlobCommitmentFraud over the blob's bodies", function () {
  this.timeout(180_000);
  let beacon: BeaconServer;
  let undo: () => void;
  before(async () => {
    const archive = new BlobArchive(ethers.provider);
    undo = archiveBlobsSentTo(hre.network.provider, archive);
    beacon = await startBeaconServer(archive, { host: "127.0.0.1", port: 0, logger: silentLogger });
  });
  after(async () => {
    await beacon.close();
    undo();
  });

  for (const kind of KINDS) {
    it(`${kind}: the blob gives the claim, and the commitment is proven wrong as in calldata mode`, async () => {
      const t = await startTestNode(2, { wrapBatchPort: faultyMode(kind), maxBatchAgeMs: 200, l1Signer: sequencerKey(), batchData: "blobs", l1Beacon: beacon.url });
      const challenger = new Challenger({ ...testChallengerOptions(t, (await ethers.getSigners())[7]), l1Beacon: beacon.url });
      challenger.start();
      try {
        const w = t.wallets[0];
        const raw = await w.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, to: t.wallets[1].address, value: parseEther("1"), nonce: Number(t.node.nonce(w.address, "pending")), gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        await t.node.sendRawTransaction(raw);
        await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n, 90_000);
        const [event] = await t.rollup.queryFilter(t.rollup.filters.FraudProven());
        expect([Number(event.args.kind), Number(event.args.reason)], "verifier verdict").to.deep.equal(EXPECTED_VERDICT[kind]);
        const tx = (await ethers.provider.send("eth_getTransactionByHash", [(await t.rollup.queryFilter(t.rollup.filters.BlobBatchPosted()))[0].transactionHash])) as { type: string };
        expect(tx.type, "the fraudulent batch was a blob batch").to.equal("0x3");
        // Not BlobBatchFraudProven: the blob was the batch claimed, the fraud inside it.
        expect(await t.rollup.queryFilter(t.rollup.filters.BlobBatchFraudProven())).to.have.length(0);
      } finally {
        await challenger.stop();
        await t.stop();
      }
    });
  }

  it("post-state, in the second blob of a two-blob batch: the challenger reads both blobs and proves the commitment by its path to its blob's root (proveBlobCommitmentFraud)", async () => {
    const t = await startTestNode(2, { wrapBatchPort: faultyMode("post-state"), blockTimeMs: 60_000, maxBatchAgeMs: 3_600_000, l1Signer: sequencerKey(), batchData: "blobs", l1Beacon: beacon.url });
    const challenger = new Challenger({ ...testChallengerOptions(t, (await ethers.getSigners())[7]), l1Beacon: beacon.url });
    challenger.start();
    try {
      // The injector's deposit must be on L2 before the batch: the corrupted commitment is the batch's last.
      await t.node.pollL1();
      const w = t.wallets[0];
      // 260 one-transaction blocks: more commitments than one blob holds.
      for (let i = 0; i < 260; i++) {
        const raw = await w.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, to: t.wallets[1].address, value: 1n, nonce: Number(t.node.nonce(w.address, "pending")), gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        await t.node.sendRawTransaction(raw);
        t.node.sequencer.sealBlock();
      }
      await t.node.flush();
      await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n, 120_000);
      const [posted] = await t.rollup.queryFilter(t.rollup.filters.BlobBatchPosted());
      expect(posted.args.versionedHashes, "a batch over two blobs").to.have.length(2);
      const [event] = await t.rollup.queryFilter(t.rollup.filters.FraudProven());
      expect([Number(event.args.kind), Number(event.args.reason)], "verifier verdict").to.deep.equal(EXPECTED_VERDICT["post-state"]);
      expect(Number(event.args.commitmentIndex), "a commitment of the second blob").to.be.at.least(Number(posted.args.claims[0].count));
      expect(await t.rollup.queryFilter(t.rollup.filters.BlobBatchFraudProven())).to.have.length(0);
    } finally {
      await challenger.stop();
      await t.stop();
    }
  });
});
