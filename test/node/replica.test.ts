import { expect } from "chai";
import { ethers } from "hardhat";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import { startTestNode, testChallengerOptions } from "../helpers/nodeFixture";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { Challenger } from "../../src/node/challenger/challenger";
import { silentLogger } from "../../src/shared/logger";
import { until } from "../helpers/until";
import { jsonRpc } from "../../src/app/jsonRpc";
import { faultyMode } from "../../src/node/sequencer/faults";

type TestNode = Awaited<ReturnType<typeof startTestNode>>;

async function sendTransfers(t: TestNode, count: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = t.wallets[i % t.wallets.length];
    const nonce = Number(t.node.nonce(w.address, "pending"));
    const raw = await w.signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: parseEther("0.01"), nonce, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
    hashes.push(await t.node.sendRawTransaction(raw));
  }
  return hashes;
}

function startReplica(t: TestNode, onProgress?: (p: { batch: number }) => void) {
  return new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, serve: jsonRpc({ host: "127.0.0.1", port: 0, logger: silentLogger }), logger: silentLogger, onProgress });
}

describe("node/replica: rebuilds the L2 from L1 alone and follows it", function () {
  this.timeout(120_000);

  it("matches the sequencer's state root at every batch, serves reads, refuses sends, and follows new batches", async () => {
    const t = await startTestNode(3, { blockTimeMs: 60_000, maxBatchBytes: 2_000 });
    const progress: number[] = [];
    const replica = startReplica(t, (p) => progress.push(p.batch));
    try {
      const hashes = await sendTransfers(t, 40);
      await t.node.flush();
      await replica.start();
      expect(progress, "progress reported per batch").to.deep.equal(t.node.chain.batches.map((_, i) => i + 1));
      expect(replica.chain.batches.length).to.equal(t.node.chain.batches.length);
      for (const b of t.node.chain.batches) {
        expect(replica.chain.block(b.lastBlock)!.stateRoot, `batch ${b.index}`).to.equal(t.node.chain.block(b.lastBlock)!.stateRoot);
        expect(replica.chain.block(b.lastBlock)!.hash).to.equal(t.node.chain.block(b.lastBlock)!.hash);
      }
      const rpc = new JsonRpcProvider(replica.rpcUrl!, undefined, { staticNetwork: true, cacheTimeout: -1 });
      try {
        expect(await rpc.getBalance(t.wallets[0].address)).to.equal(t.node.state.accountOf(t.wallets[0].address.toLowerCase())!.balance);
        const receipt = await rpc.getTransactionReceipt(hashes[7]);
        expect(receipt?.status).to.equal(1);
        const raw = await t.wallets[0].signTransaction({ type: 2, chainId: 51730n, to: t.wallets[1].address, value: 1n, nonce: 99, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        await rpc.send("eth_sendRawTransaction", [raw]).then(
          () => expect.fail("a replica must refuse transactions"),
          (e: Error) => expect(e.message).to.match(/read-only replica/),
        );

        // It follows: new deposits and batches arrive without a restart.
        await t.bridge.connect(t.funder).depositETH(t.wallets[2].address, { value: 777n });
        await t.node.pollL1();
        await sendTransfers(t, 10);
        await t.node.flush();
        await until("the replica to follow", () => replica.chain.batches.length === t.node.chain.batches.length);
        expect(replica.chain.latest.stateRoot).to.equal(t.node.chain.latest.stateRoot);
        expect((await rpc.send("rollup_status", [])).queueConsumed).to.equal(Number(t.node.state.queueIndex));
      } finally {
        rpc.destroy();
      }
    } finally {
      await replica.stop();
      await t.stop();
    }
  });

  it("does not apply a fraudulent batch, and after the fraud proof ends on the sequencer's honest chain", async () => {
    const t = await startTestNode(2, { wrapBatchPort: faultyMode("post-state"), maxBatchAgeMs: 200, blockTimeMs: 50 });
    const [, , , , , , , challengerSigner] = await ethers.getSigners();
    const challenger = new Challenger(testChallengerOptions(t, challengerSigner));
    const replica = startReplica(t);
    try {
      await replica.start();
      await sendTransfers(t, 3);
      await until("the faulty batch to be posted", async () => (await t.rollup.batchCount()) > 0n);
      await replica.sync();
      expect(replica.stuckAt, "the replica waits at the fraudulent batch").to.not.equal(null);
      challenger.start();
      await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n);
      await sendTransfers(t, 2);
      await t.node.flush();
      await until("the replica to catch up", async () => {
        await replica.sync();
        return replica.stuckAt === null && replica.chain.batches.length === Number(await t.rollup.batchCount());
      });
      expect(replica.chain.latest.stateRoot).to.equal(t.node.chain.block(t.node.chain.batches.at(-1)!.lastBlock)!.stateRoot);
    } finally {
      await challenger.stop();
      await replica.stop();
      await t.stop();
    }
  });
});
