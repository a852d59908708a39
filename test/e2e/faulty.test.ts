import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther } from "ethers";
import { startTestNode, testChallengerOptions } from "../helpers/nodeFixture";
import { Challenger } from "../../src/node/challenger/challenger";
import { FAULT_KINDS, faultyMode } from "../../src/node/sequencer/faults";
import { DEVNET_PARAMS } from "../../deploy/params";
import { until } from "../helpers/until";
import { EXPECTED_VERDICT } from "../helpers/faultVerdicts";

describe("e2e: a faulty sequencer is caught by the challenger, for every kind of fraud", function () {
  this.timeout(120_000);

  for (const kind of FAULT_KINDS) {
    it(`${kind}: proven, reverted, slashed; the sequencer re-posts honestly and carries on`, async () => {
      const t = await startTestNode(2, { wrapBatchPort: faultyMode(kind), maxBatchAgeMs: 200 });
      const signers = await ethers.getSigners();
      const challengerSigner = signers[7];
      const challenger = new Challenger(testChallengerOptions(t, challengerSigner));
      challenger.start();
      try {
        const send = async (value: bigint) => {
          const w = t.wallets[0];
          const raw = await w.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, to: t.wallets[1].address, value, nonce: Number(t.node.nonce(w.address, "pending")), gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
          return t.node.sendRawTransaction(raw);
        };
        await send(parseEther("1"));
        await until("the fraud proof", async () => (await t.rollup.revertedBatchCount()) > 0n);
        const [event] = await t.rollup.queryFilter(t.rollup.filters.FraudProven());
        expect([Number(event.args.kind), Number(event.args.reason)], "verifier verdict").to.deep.equal(EXPECTED_VERDICT[kind]);
        expect(event.args.challenger).to.equal(challengerSigner.address);
        expect(event.args.proposer).to.equal(t.deployer.address);
        expect(event.args.reward).to.equal(DEVNET_PARAMS.bondSize / 2n);
        await until("the challenger's receipt", () => challenger.stats.fraudsProven === 1);

        // The sequencer notices, re-bonds, and posts its (honest) blocks again; a new transfer follows.
        const hash = await send(parseEther("0.5"));
        t.node.sequencer.sealBlock();
        await until("honest batches on L1", async () => {
          const batched = t.node.chain.tx(hash)?.block.batchIndex;
          return batched !== null && batched !== undefined && (await t.rollup.tipStateRoot()) === t.node.chain.latest.stateRoot;
        });
        await until("the challenger to check them", async () => {
          await challenger.poll();
          return challenger.batchCount === Number(await t.rollup.batchCount());
        });
        expect("0x" + challenger.state.root().toString("hex")).to.equal(t.node.chain.latest.stateRoot);
        expect(await t.rollup.bonds(t.deployer.address)).to.equal(DEVNET_PARAMS.bondSize);
        await t.node.pollL1();
        expect(t.node.status().batches.reverted).to.equal(1);

        // A challenger started now (after a restart, say) rebuilds the same state from L1 alone,
        // meets the reverted batch in history and does not try to prove it again.
        const restarted = new Challenger(testChallengerOptions(t, signers[8]));
        await restarted.poll();
        expect(restarted.stats.fraudsProven).to.equal(0);
        expect(restarted.batchCount).to.equal(Number(await t.rollup.batchCount()));
        expect(restarted.state.root().equals(challenger.state.root())).to.equal(true);
      } finally {
        await challenger.stop();
        await t.stop();
      }
    });
  }
});
