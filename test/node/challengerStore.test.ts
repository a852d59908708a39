import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { startTestNode, testChallengerOptions, testNodeConfig } from "../helpers/nodeFixture";
import { Challenger } from "../../src/node/challenger/challenger";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { until } from "../helpers/until";
import { faultyMode } from "../../src/node/sequencer/faults";

describe("node/challenger: a restart resumes from its store, and still proves what came since", function () {
  this.timeout(120_000);

  it("checks batches, stops, comes back without replaying them, and proves a fraudulent batch posted while it was down", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-challenger-"));
    const t = await startTestNode(2, { blockTimeMs: 50, maxBatchAgeMs: 100 });
    const signers = await ethers.getSigners();
    const options = { ...testChallengerOptions(t, signers[6]), dataDir };
    let faulty: SequencerNode | null = null;
    let second: Challenger | null = null;
    try {
      const first = new Challenger(options);
      first.start();
      for (let n = 0; n < 3; n++) {
        const raw = await t.wallets[0].signTransaction({ type: 2, chainId: 51730n, to: Wallet.createRandom().address, value: parseEther("0.1"), nonce: n, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
        await t.node.sendRawTransaction(raw);
        await t.node.flush();
      }
      const posted = Number(await t.rollup.batchCount());
      await until("the challenger to check every batch", () => first.batchCount === posted);
      await first.stop();
      await t.stop();

      // While the challenger is down, the sequencer (restarted faulty) posts a fraudulent batch.
      faulty = new SequencerNode(testNodeConfig(t, t.deployer, { wrapBatchPort: faultyMode("post-state"), blockTimeMs: 50, maxBatchAgeMs: 100 }));
      await faulty.start();
      const raw = await t.wallets[1].signTransaction({ type: 2, chainId: 51730n, to: t.wallets[0].address, value: 1n, nonce: 0, gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      await faulty.sendRawTransaction(raw);
      await until("the fraudulent batch", async () => Number(await t.rollup.batchCount()) > posted);

      second = new Challenger(options);
      second.start();
      await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n && second!.stats.fraudsProven === 1);
      expect(second.restoredBatches, "resumed from the store").to.equal(posted);
      expect(second.stats.fraudsProven).to.equal(1);
      expect(second.stats.batchesChecked, "no batch before the restart was replayed").to.be.lessThan(posted);
    } finally {
      await second?.stop();
      await faulty?.stop();
    }
  });
});
