import { expect } from "chai";
import { ethers } from "hardhat";
import { JsonRpcProvider, Wallet } from "ethers";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { until } from "../helpers/until";
import { ReplicaNode } from "../../src/node/replica/replicaNode";
import { silentLogger } from "../../src/shared/logger";
import { emptyRunOf, splitBatch } from "../../src/core/commitment";
import { Rollup__factory } from "../../typechain-types";

describe("empty blocks: an idle chain moves, and its empty blocks cost one 9-byte run per L2 timestamp on L1", function () {
  this.timeout(120_000);

  it("seals empty blocks on an idle chain, which a block listener sees, posts them as runs, and a replica rebuilds the same hashes", async () => {
    const t = await startTestNode(1, { blockTimeMs: 50, emptyBlockMs: 100, maxBatchAgeMs: 300, maxIdleBatchAgeMs: 600 });
    const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 100 });
    let replica: ReplicaNode | null = null;
    try {
      const wallet = new Wallet(t.wallets[0].privateKey, provider);
      const last = (await (await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n })).wait())!.blockNumber;
      // A listener that starts after the last transaction still sees blocks come.
      const seen = new Set<number>();
      await provider.on("block", (n: number) => void (n > last && seen.add(n)));
      await until("three blocks announced on an idle chain", () => seen.size >= 3, 10_000);
      const idleBlocks = [...seen].map((n) => t.node.chain.block(n)!);
      expect(idleBlocks.every((b) => b.transactions.length === 0 && emptyRunOf(b.body)?.blocks === 1)).to.equal(true);
      // Empty blocks keep their parent's root, base fee and fee recipient; each has a hash of its own.
      for (const b of idleBlocks) {
        const parent = t.node.chain.block(b.number - 1)!;
        expect([b.stateRoot, b.baseFee, b.feeRecipient, b.parentHash]).to.deep.equal([parent.stateRoot, parent.baseFee, parent.feeRecipient, parent.hash]);
      }
      expect(new Set(t.node.chain.blocks.map((b) => b.hash)).size).to.equal(t.node.chain.blocks.length);
      // State reads at an empty block are its parent's (the history holds every block).
      const balance = await provider.getBalance(wallet.address, last);
      for (const b of idleBlocks) expect(await provider.getBalance(wallet.address, b.number)).to.equal(balance);

      // L1 moves on (the L2 stamps blocks with L1's time), so the empty blocks fall into several runs.
      await mine(1, { interval: 5 });
      await t.node.pollL1();
      await until("more empty blocks at the new L1 time", () => t.node.chain.latest.timestamp > idleBlocks[0].timestamp, 10_000);
      const sealedBefore = t.node.chain.latest.number;
      await until("every block sealed so far posted", () => t.node.chain.batches.some((b) => b.lastBlock >= sealedBefore), 20_000);

      // What L1 holds: empty blocks as runs of many, nine bytes each with their length.
      const rollup = Rollup__factory.connect(t.addresses.rollup, ethers.provider);
      const runs: number[] = [];
      let emptyBlocks = 0;
      for (const record of t.node.chain.batches) {
        const tx = (await ethers.provider.getTransaction(record.l1TxHash))!;
        const [, , , commitments] = rollup.interface.decodeFunctionData("submitBatch", tx.data);
        for (const body of splitBatch(Buffer.from(commitments.slice(2), "hex"))) {
          const run = emptyRunOf(body);
          if (run) runs.push(run.blocks);
        }
        for (let n = record.firstBlock; n <= record.lastBlock; n++) if (t.node.chain.block(n)!.transactions.length === 0 && emptyRunOf(t.node.chain.block(n)!.body)) emptyBlocks++;
      }
      expect(runs.reduce((a, b) => a + b, 0)).to.equal(emptyBlocks);
      expect(Math.max(...runs)).to.be.greaterThan(1);
      expect(runs.length).to.be.lessThan(emptyBlocks);
      console.log(`      ${emptyBlocks} empty blocks posted as ${runs.length} runs of 9 bytes each (${(9 * runs.length / emptyBlocks).toFixed(2)} bytes a block)`);

      // A replica from L1 alone: the same blocks, hash for hash.
      replica = new ReplicaNode({ l1Provider: ethers.provider, addresses: t.addresses, startBlock: t.deployBlock, confirmations: 0, chainId: 51730n, pollMs: 100, logger: silentLogger });
      await replica.start();
      const posted = t.node.chain.batches[t.node.chain.batches.length - 1].lastBlock;
      await until("the replica at the last posted block", () => replica!.chain.latest.number >= posted, 20_000);
      for (let n = 0; n <= posted; n++) expect(replica.chain.block(n)!.hash, `block ${n}`).to.equal(t.node.chain.block(n)!.hash);
    } finally {
      provider.destroy();
      await replica?.stop();
      await t.stop();
    }
  });
});
