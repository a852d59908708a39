import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode, rpc, testNodeConfig, testChallengerOptions } from "../helpers/nodeFixture";
import { FALLBACK_QUEUE_PER_BATCH, FallbackProposer } from "../../src/node/challenger/fallbackProposer";
import type { QueueFlooder } from "../../typechain-types";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { DEVNET_PARAMS } from "../../deploy/params";
import { expectEscrowMatches } from "../helpers/invariants";

describe("e2e: liveness without the sequencer", function () {
  this.timeout(120_000);

  it("the sequencer stops; a fallback proposer posts the pending deposit and forced withdrawal; the user finalizes; the sequencer resumes from L1", async () => {
    const t = await startTestNode(1);
    const signers = await ethers.getSigners();
    const user = signers[12];
    let fallback: FallbackProposer | null = null;
    let resumed: SequencerNode | null = null;
    try {
      // Before: the user has funds on L2, posted by the sequencer.
      await t.bridge.connect(user).depositETH(user.address, { value: parseEther("3") });
      await t.node.pollL1();
      await t.node.flush();
      await t.stop();

      // The sequencer is gone. The user deposits more and forces a withdrawal, on L1 only.
      const friend = Wallet.createRandom().address;
      await t.bridge.connect(user).depositETH(friend, { value: parseEther("1") });
      await t.bridge.connect(user).forceWithdrawal(ethers.ZeroAddress, parseEther("2"));

      fallback = new FallbackProposer({ ...testChallengerOptions(t, signers[13]), autoBond: true });
      await fallback.tick();
      expect(fallback.batchesPosted, "not before the sequencer timeout").to.equal(0);
      await time.increase(DEVNET_PARAMS.sequencerTimeout);
      await fallback.tick();
      expect(fallback.batchesPosted).to.equal(1);
      expect(await t.bridge.queueLength()).to.equal(fallback.challenger.state.queueIndex);
      const last = await t.rollup.getBatch((await t.rollup.batchCount()) - 1n);
      expect(last.proposer).to.equal(signers[13].address);

      // The batch becomes final; the designated sequencer comes back, synced from L1 alone.
      await time.increase(DEVNET_PARAMS.challengeWindow);
      resumed = new SequencerNode(testNodeConfig(t, t.deployer));
      await resumed.start();
      expect(resumed.chain.latest.stateRoot).to.equal(await t.rollup.tipStateRoot());
      expect(resumed.state.accountOf(friend.toLowerCase())!.balance).to.equal(parseEther("1"));
      const w = resumed.chain.blocks.flatMap((b) => b.withdrawals).find((x) => x.l1Recipient === user.address.toLowerCase())!;
      const proof = (await rpc(resumed.rpcUrl!, "rollup_getWithdrawalProof", [{ id: "0x" + w.id.toString(16) }])).result as {
        withdrawal: { id: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string };
        batchIndex: string;
        proof: string[];
      };
      const args = { ...proof.withdrawal, id: BigInt(proof.withdrawal.id), amount: BigInt(proof.withdrawal.amount) };
      await expect(t.bridge.finalizeWithdrawal(args, BigInt(proof.batchIndex), proof.proof)).to.changeEtherBalance(user, parseEther("2"));

      // And it carries on: a new L2 transfer is posted on top of the fallback's batch.
      const alice = t.wallets[0];
      const raw = await alice.signTransaction({ type: 2, chainId: DEVNET_PARAMS.l2ChainId, to: friend, value: 5n, nonce: Number(resumed.nonce(alice.address, "pending")), gasLimit: 30_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      await resumed.sendRawTransaction(raw);
      await resumed.flush();
      expect(await t.rollup.tipStateRoot()).to.equal(resumed.chain.latest.stateRoot);
      await fallback.tick();
      expect(fallback.challenger.state.root().toString("hex")).to.equal(resumed.chain.latest.stateRoot.slice(2));
      await expectEscrowMatches(resumed, t.bridge, ethers.provider);
    } finally {
      await fallback?.stop();
      await resumed?.stop();
    }
  });

  it("a queue flood during a sequencer silence: the fallback proposer works through it in batches within the gas cap, and the forced withdrawal behind it is included", async () => {
    const t = await startTestNode(1);
    const signers = await ethers.getSigners();
    const user = signers[12];
    let fallback: FallbackProposer | null = null;
    try {
      await t.bridge.connect(user).depositETH(user.address, { value: parseEther("3") });
      await t.node.pollL1();
      await t.node.flush();
      await t.stop();

      // The attacker floods the queue while the sequencer is silent; the user's exit comes last.
      const flooder = (await ethers.deployContract("QueueFlooder", [t.addresses.bridge])) as unknown as QueueFlooder;
      const flood = Number(FALLBACK_QUEUE_PER_BATCH) + 1000;
      for (let left = flood; left > 0; left -= 400) await (await flooder.floodForcedWithdrawals(Math.min(400, left), { gasLimit: 16_000_000 })).wait();
      await t.bridge.connect(user).forceWithdrawal(ethers.ZeroAddress, parseEther("2"));
      const queued = await t.bridge.queueLength();
      // Long enough that every entry is overdue when the fallback may post.
      await time.increase(DEVNET_PARAMS.sequencerTimeout + DEVNET_PARAMS.inclusionWindow);

      fallback = new FallbackProposer({ ...testChallengerOptions(t, signers[13]), autoBond: true });
      const gas: bigint[] = [];
      for (let i = 0; i < 5 && fallback.challenger.state.queueIndex < queued; i++) {
        await fallback.tick();
        const header = await t.rollup.getBatch((await t.rollup.batchCount()) - 1n);
        expect(header.proposer).to.equal(signers[13].address);
        const events = await t.rollup.queryFilter(t.rollup.filters.BatchSubmitted(), "latest");
        const receipt = await events[0].getTransactionReceipt();
        gas.push(receipt.gasUsed);
      }
      expect(fallback.challenger.state.queueIndex).to.equal(queued);
      expect(gas.length).to.equal(2);
      for (const g of gas) expect(g).to.be.lessThan(16_777_216n);
      const w = fallback.challenger.state.accountOf(user.address.toLowerCase())!;
      expect(w.balance, "the forced withdrawal took 2 ETH").to.be.lessThan(parseEther("1.01"));
    } finally {
      await fallback?.stop();
    }
  });
});
