import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode, rpc } from "../helpers/nodeFixture";
import { expectEscrowMatches } from "../helpers/invariants";
import { DEVNET_PARAMS } from "../../deploy/params";

describe("e2e: a forced withdrawal gets an L1 account's L2 funds out without the sequencer's consent", function () {
  this.timeout(120_000);

  it("queued on L1, applied by the sequencer, finalized on L1; a second one beyond the balance does nothing", async () => {
    const t = await startTestNode(1);
    try {
      const user = (await ethers.getSigners())[11];
      await t.bridge.connect(user).depositETH(user.address, { value: parseEther("2") });
      await t.node.pollL1();
      // The user asks L1 to take 1.5 ETH out, then 5 ETH (more than is left: consumed, no effect).
      await t.bridge.connect(user).forceWithdrawal(ethers.ZeroAddress, parseEther("1.5"));
      await t.bridge.connect(user).forceWithdrawal(ethers.ZeroAddress, parseEther("5"));
      await t.node.pollL1();
      await t.node.flush();
      expect(t.node.state.accountOf(user.address.toLowerCase())!.balance).to.equal(parseEther("0.5"));
      const withdrawals = t.node.chain.blocks.flatMap((b) => b.withdrawals);
      expect(withdrawals).to.have.length(1);

      await time.increase(DEVNET_PARAMS.challengeWindow);
      const proof = (await rpc(t.url, "rollup_getWithdrawalProof", [{ id: "0x" + withdrawals[0].id.toString(16) }])).result as {
        withdrawal: { id: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string };
        batchIndex: string;
        proof: string[];
      };
      const w = { ...proof.withdrawal, id: BigInt(proof.withdrawal.id), amount: BigInt(proof.withdrawal.amount) };
      await expect(t.bridge.finalizeWithdrawal(w, BigInt(proof.batchIndex), proof.proof)).to.changeEtherBalance(user, parseEther("1.5"));
      await expectEscrowMatches(t.node, t.bridge, ethers.provider);
    } finally {
      await t.stop();
    }
  });
});
