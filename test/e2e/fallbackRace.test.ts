import { expect } from "chai";
import { ethers, network } from "hardhat";
import { parseEther, Wallet } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { type SequencerNodeConfig } from "../../src/node/config";
import { FallbackProposer } from "../../src/node/challenger/fallbackProposer";
import { SEQUENCER_DEFAULTS } from "../../src/node/config";
import { silentLogger } from "../../src/shared/logger";

/**
 * Found by the chaos run: once the sequencer has been silent for the timeout, a fallback proposer
 * may post until the sequencer's next batch lands. A sequencer that comes back and applies a new
 * deposit in its own block can be beaten to L1 by a fallback batch consuming the same deposit;
 * its unposted blocks then build on a tip L1 no longer has.
 */
describe("e2e: a sequencer beaten to L1 by a fallback proposer", function () {
  this.timeout(120_000);

  it("lines its chain up with L1 again, re-applies the transactions it acknowledged, and posts them, without a restart", async () => {
    const signers = await ethers.getSigners();
    const [deployer, user] = signers;
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    // Timers off: every step below is one explicit call.
    const config: SequencerNodeConfig = {
      ...SEQUENCER_DEFAULTS,
      l1Provider: ethers.provider,
      l1Signer: deployer,
      addresses: d.addresses,
      startBlock: d.deployBlock,
      chainId: DEVNET_PARAMS.l2ChainId,
      feeRecipient: deployer.address,
      blockTimeMs: 3_600_000,
      l1PollMs: 3_600_000,
      maxBatchAgeMs: 3_600_000,
      serve: undefined,
      logger: silentLogger,
    };
    const alice = Wallet.createRandom();
    const deposit = async (to = Wallet.createRandom().address) => (await d.bridge.connect(user).depositETH(to, { value: parseEther("0.1") })).wait();
    const fallback = new FallbackProposer({ l1Provider: ethers.provider, l1Signer: signers[19], addresses: d.addresses, startBlock: d.deployBlock, confirmations: 0, chainId: DEVNET_PARAMS.l2ChainId, pollMs: 3_600_000, logger: silentLogger, autoBond: true });
    let node = new SequencerNode(config);
    try {
      // The sequencer posts a batch, then is silent past the timeout; the fallback posts a deposit.
      await node.start();
      await deposit(alice.address);
      await node.pollL1();
      await node.flush();
      await node.stop();
      await network.provider.send("evm_increaseTime", [DEVNET_PARAMS.sequencerTimeout + 1]);
      await deposit();
      await fallback.tick();
      expect(fallback.batchesPosted).to.equal(1);

      // The sequencer comes back; it applies a user's transfer and a new deposit in one block,
      // and the fallback posts the deposit first.
      node = new SequencerNode(config);
      await node.start();
      const transfer = await alice.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, nonce: 0, to: Wallet.createRandom().address, value: 1n, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      const acknowledged = await node.sendRawTransaction(transfer);
      await deposit();
      await node.pollL1();
      node.sequencer.sealBlock();
      await fallback.tick();
      expect(fallback.batchesPosted).to.equal(2);

      // The sequencer's next tick finds L1's batch is not its own, rebuilds, re-applies, posts.
      await node.submitter.tick(true);
      await node.flush();
      expect(node.chain.unbatched()).to.deep.equal([]);
      expect(node.chain.tx(acknowledged)?.block.batchIndex).to.not.equal(null);
      expect(node.chain.latest.stateRoot).to.equal(await d.rollup.tipStateRoot());
      expect(node.state.queueIndex).to.equal(await d.bridge.queueLength());
    } finally {
      await fallback.stop();
      await node.stop();
    }
  });
});
