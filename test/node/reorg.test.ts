import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { startTestNode } from "../helpers/nodeFixture";

const mine = (blocks: number) => network.provider.send("hardhat_mine", ["0x" + blocks.toString(16)]);

describe("node: L1 reorganisations", function () {
  this.timeout(120_000);

  it("a deposit that vanishes in a reorg shallower than the confirmation depth is never credited", async () => {
    const t = await startTestNode(1, { confirmations: 3, blockTimeMs: 60_000 });
    try {
      await mine(5); // the fixture's funding deposits are past the depth
      await t.node.pollL1();
      const queued = t.node.state.queueIndex;
      expect(queued).to.equal(await t.bridge.queueLength());
      const ghost = Wallet.createRandom().address;
      const snapshot = await network.provider.send("evm_snapshot", []);
      await t.bridge.connect(t.funder).depositETH(ghost, { value: parseEther("5") });
      await mine(2); // buried under 2 blocks: not yet 3
      await t.node.pollL1();
      expect(t.node.state.queueIndex, "not credited before the confirmation depth").to.equal(queued);

      // The reorg: the deposit's block is gone; the chain grows past the depth without it.
      await network.provider.send("evm_revert", [snapshot]);
      const real = Wallet.createRandom().address;
      await t.bridge.connect(t.funder).depositETH(real, { value: parseEther("1") });
      await mine(5);
      await t.node.pollL1();
      expect(t.node.state.queueIndex).to.equal(queued + 1n);
      expect(t.node.state.accountOf(ghost.toLowerCase()), "the vanished deposit").to.equal(undefined);
      expect(t.node.state.accountOf(real.toLowerCase())!.balance).to.equal(parseEther("1"));
      // What the node credited is what L1 holds: its batch lands.
      await t.node.flush();
      expect(await t.rollup.batchCount()).to.be.greaterThan(0n);
    } finally {
      await t.stop();
    }
  });

  it("a batch dropped from L1 by a reorg is posted again", async () => {
    const t = await startTestNode(2, { blockTimeMs: 60_000, maxBatchAgeMs: 60_000 });
    try {
      await t.node.flush(); // the funding deposits' batch
      const before = await t.rollup.batchCount();
      const w = t.wallets[0];
      const raw = await w.signTransaction({ type: 2, chainId: 51730n, to: t.wallets[1].address, value: parseEther("1"), nonce: 0, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      const hash = await t.node.sendRawTransaction(raw);
      const snapshot = await network.provider.send("evm_snapshot", []);
      await t.node.flush();
      expect(await t.rollup.batchCount()).to.equal(before + 1n);
      const posted = t.node.chain.batches.at(-1)!;

      await network.provider.send("evm_revert", [snapshot]);
      expect(await t.rollup.batchCount(), "the reorg took the batch").to.equal(before);
      await t.node.submitter.tick(true);
      await t.node.submitter.idle();
      expect(await t.rollup.batchCount(), "posted again").to.equal(before + 1n);
      const header = await t.rollup.getBatch(before);
      expect(header.postStateRoot).to.equal(t.node.chain.block(posted.lastBlock)!.stateRoot);
      expect(t.node.chain.tx(hash)).to.not.equal(undefined);
    } finally {
      await t.stop();
    }
  });
});
