import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic, parseEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { rpc, startTestNode, testChallengerOptions } from "../helpers/nodeFixture";
import { withdrawEth } from "../helpers/fraudFixture";
import { DEVNET_PARAMS } from "../../deploy/params";
import { Challenger } from "../../src/node/challenger/challenger";
import { until } from "../helpers/until";
import { randomAddress } from "../helpers/randomWallet";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { silentLogger } from "../../src/shared/logger";
import { jsonRpc } from "../../src/app/jsonRpc";
import { BlobArchive, archiveBlobsSentTo, startBeaconServer, type BeaconServer } from "../../src/app/devnetBeacon";
import { L1Contracts, blobSourceFor } from "../../src/node/l1/contracts";
import { readBatch, batchClaims } from "../../src/node/l1/batchReader";
import { BlobBatchFraudError, NoBlobSourceError, blobClaimIn } from "../../src/node/l1/blobBatchReader";
import { hashBlobBatch } from "../../src/core/blobBatch";
import { L1TxManager } from "../../src/node/l1/txManager";
import { encodeBlob } from "../../src/core/blobLayout";
import { encodeBatch } from "../../src/core/commitment";
import { BLOB_BATCH_GAS_LIMIT } from "../../src/node/sequencer/batchData";
import { layOutBlobBatch, submitBlobBatchCalldata } from "../../src/node/sequencer/blobBatchPort";

type TestNode = Awaited<ReturnType<typeof startTestNode>>;

/** Hardhat's account 0 as a key: its own signer sends eth_sendTransaction, which carries no blobs. */
const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

async function sendTransfers(t: TestNode, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const w = t.wallets[i % t.wallets.length];
    const nonce = Number(t.node.nonce(w.address, "pending"));
    const raw = await w.signTransaction({ type: 2, chainId: 51730n, to: randomAddress(), value: parseEther("0.01"), nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
    await t.node.sendRawTransaction(raw);
  }
}

describe("node/blob batches: posted in blobs, fetched from a beacon API and checked against the Rollup's versioned hashes", function () {
  this.timeout(120_000);
  let archive: BlobArchive;
  let beacon: BeaconServer;
  let undo: () => void;

  before(async () => {
    archive = new BlobArchive(ethers.provider);
    undo = archiveBlobsSentTo(hre.network.provider, archive);
    beacon = await startBeaconServer(archive, { host: "127.0.0.1", port: 0, logger: silentLogger });
  });
  after(async () => {
    await beacon.close();
    undo();
  });

  it("posts every batch as a type-3 transaction whose versioned hash the Rollup stores, and a replica rebuilds the same roots from the beacon API alone", async () => {
    const t = await startTestNode(2, { blockTimeMs: 60_000, maxBatchBytes: 1_000, l1Signer: sequencerKey(), batchData: "blobs", l1Beacon: beacon.url });
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, l1Beacon: beacon.url, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger });
    try {
      await sendTransfers(t, 20);
      await t.node.flush();
      expect(t.node.chain.batches.length, "batches posted").to.be.greaterThan(1);
      for (const b of t.node.chain.batches) {
        const tx = (await ethers.provider.send("eth_getTransactionByHash", [b.l1TxHash])) as { type: string; blobVersionedHashes: string[] };
        expect(tx.type, `batch ${b.index} in a blob transaction`).to.equal("0x3");
        const receipt = (await ethers.provider.getTransactionReceipt(b.l1TxHash))!;
        const posting = blobClaimIn(new L1Contracts(ethers.provider, t.addresses), receipt, b.index)!;
        expect(posting.versionedHashes).to.deep.equal(tx.blobVersionedHashes);
        expect(await t.rollup.blobBatchHash(b.index)).to.equal(hashBlobBatch(tx.blobVersionedHashes, posting.claims));
      }
      await replica.start();
      expect(replica.chain.batches.length).to.equal(t.node.chain.batches.length);
      for (const b of t.node.chain.batches) {
        expect(replica.chain.block(b.lastBlock)!.stateRoot, `batch ${b.index}`).to.equal(t.node.chain.block(b.lastBlock)!.stateRoot);
      }

      // Without a beacon API a follower stops at the first blob batch rather than skip it.
      const blind = new L1Contracts(ethers.provider, t.addresses);
      const [claim] = await batchClaims(blind, t.deployBlock, await ethers.provider.getBlockNumber());
      await readBatch(blind, claim).then(
        () => expect.fail("a blob batch read without blobs"),
        (e: unknown) => expect(e).to.be.instanceOf(NoBlobSourceError),
      );
    } finally {
      await replica.stop();
      await t.stop();
    }
  });

  it("posts a backlog of 300 one-transaction blocks as one batch over two blobs (256 commitments a blob at most); a replica rebuilds it from the beacon API, and withdrawals in both blobs are paid on L1 with proofs through the blobs' tree", async () => {
    const t = await startTestNode(2, { blockTimeMs: 60_000, l1Signer: sequencerKey(), batchData: "blobs", l1Beacon: beacon.url, maxBatchAgeMs: 3_600_000 });
    const replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, l1Beacon: beacon.url, logger: silentLogger });
    try {
      const [w0, w1] = t.wallets;
      const recipient = randomAddress();
      for (let i = 0; i < 300; i++) {
        const w = i % 2 === 0 ? w0 : w1;
        const call = i === 0 || i === 299 ? withdrawEth(recipient, parseEther("0.5")) : { to: randomAddress(), data: "0x" };
        const value = i === 0 || i === 299 ? 0n : 1n;
        const raw = await w.signTransaction({ type: 2, chainId: 51730n, ...call, value, nonce: Number(t.node.nonce(w.address, "pending")), gasLimit: 100_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        await t.node.sendRawTransaction(raw);
        t.node.sequencer.sealBlock();
      }
      await t.node.flush();
      expect(t.node.chain.batches, "one batch").to.have.length(1);
      const [batch] = t.node.chain.batches;
      expect(batch.blobBlocks, "over two blobs").to.have.length(2);
      expect(batch.blobBlocks![0] + batch.blobBlocks![1]).to.equal(batch.lastBlock - batch.firstBlock + 1);
      const tx = (await ethers.provider.send("eth_getTransactionByHash", [batch.l1TxHash])) as { blobVersionedHashes: string[] };
      expect(tx.blobVersionedHashes).to.have.length(2);

      await replica.start();
      expect(replica.chain.batches[0].blobBlocks).to.deep.equal(batch.blobBlocks);
      expect(replica.chain.block(batch.lastBlock)!.stateRoot).to.equal(t.node.chain.block(batch.lastBlock)!.stateRoot);

      await time.increase(DEVNET_PARAMS.challengeWindow);
      const withdrawals = t.node.chain.blocks.flatMap((b) => b.withdrawals);
      expect(withdrawals).to.have.length(2);
      for (const withdrawal of withdrawals) {
        const answer = (await rpc(t.url, "rollup_getWithdrawalProof", [{ id: "0x" + withdrawal.id.toString(16) }])).result as {
          withdrawal: { id: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string };
          batchIndex: string;
          proof: string[];
        };
        const w = { ...answer.withdrawal, id: BigInt(answer.withdrawal.id), amount: BigInt(answer.withdrawal.amount) };
        await expect(t.bridge.finalizeWithdrawal(w, BigInt(answer.batchIndex), answer.proof)).to.changeEtherBalance(recipient, parseEther("0.5"));
      }
    } finally {
      await replica.stop();
      await t.stop();
    }
  });

  it("calls a blob batch whose blob does not give the claimed summary fraudulent, after checking the blob is the one the Rollup named; the challenger proves it in one transaction", async () => {
    const t = await startTestNode(1, { blockTimeMs: 60_000, l1Signer: sequencerKey(), batchData: "blobs", l1Beacon: beacon.url, maxBatchAgeMs: 3_600_000 });
    try {
      await sendTransfers(t, 2);
      t.node.sequencer.sealBlock();
      const blocks = t.node.chain.unbatched();
      const block = blocks[blocks.length - 1];
      const preStateRoot = t.node.chain.block(blocks[0].number - 1)!.stateRoot;
      const l1 = new L1Contracts(ethers.provider, t.addresses);
      l1.blobs = blobSourceFor(beacon.url);
      const bodies = blocks.map((b) => b.body);
      const envelope = encodeBatch(bodies);
      const batch = { index: 0, preStateRoot, bodies, queueCount: block.queueIndex, blocks };
      // The claim says the batch ends at another state root than its blob's last commitment.
      const honest = submitBlobBatchCalldata(l1, batch, layOutBlobBatch(batch));
      const lying = honest.replace(block.stateRoot.slice(2), "11".repeat(32));
      expect(lying).to.not.equal(honest);
      const txs = new L1TxManager(sequencerKey(), { logger: silentLogger });
      await txs.send({ to: t.addresses.rollup, data: lying, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [encodeBlob(envelope)] }, "lying blob batch");
      const [claim] = await batchClaims(l1, t.deployBlock, await ethers.provider.getBlockNumber());
      await readBatch(l1, claim).then(
        () => expect.fail("a blob batch with a false claim was read"),
        (e: unknown) => {
          expect(e).to.be.instanceOf(BlobBatchFraudError);
          expect((e as BlobBatchFraudError).fault).to.equal("claim");
          expect((e as Error).message).to.match(/postStateRoot/);
        },
      );
      const [, , , , , , , challengerSigner] = await ethers.getSigners();
      const challenger = new Challenger({ ...testChallengerOptions(t, challengerSigner), l1Beacon: beacon.url });
      challenger.start();
      try {
        await until("the challenger to prove the blob batch fraudulent", async () => challenger.stats.fraudsProven === 1, 60_000);
        expect(await t.rollup.batchCount()).to.equal(0n);
        expect(await t.rollup.revertedBatchCount()).to.equal(1n);
      } finally {
        await challenger.stop();
      }
    } finally {
      await t.stop();
    }
  });
});
