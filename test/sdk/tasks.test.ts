import { expect } from "chai";
import hre from "hardhat";
import { Wallet, parseEther } from "ethers";
import { CairnClient } from "../../src/sdk";
import { startTestNode } from "../helpers/nodeFixture";

describe("hardhat tasks: cairn:deposit, cairn:transfer, cairn:withdraw, cairn:status, cairn:finalize", function () {
  this.timeout(120_000);

  it("deposits through the task and reads the status the node reports", async () => {
    const t = await startTestNode(1, { l1PollMs: 50, maxBatchAgeMs: 200 });
    const quiet = console.log;
    console.log = () => {};
    try {
      const [signer] = await hre.ethers.getSigners();
      const args = { bridge: t.addresses.bridge, rollup: t.addresses.rollup, l2: t.url, devnet: ".cairn/none.json" };
      // Start the node's own loop-free poll while the task waits for its credit.
      const polling = setInterval(() => void t.node.pollL1(), 50);
      try {
        await hre.run("cairn:deposit", { ...args, amount: "1.25", nowait: false });
      } finally {
        clearInterval(polling);
      }
      expect(t.node.state.accountOf(signer.address.toLowerCase())!.balance).to.equal(parseEther("1.25"));
      const status = (await hre.run("cairn:status", args)) as { queueConsumed: number };
      expect(status.queueConsumed).to.be.greaterThan(0);
      await expectReject(hre.run("cairn:finalize", { ...args, id: "7" }), /does not know withdrawal 7/);

      // The same account on L2: a transfer, then a withdrawal paid out once its batch is final.
      const friend = Wallet.createRandom().address;
      await hre.run("cairn:transfer", { ...args, to: friend, amount: "0.5" });
      expect(t.node.state.accountOf(friend.toLowerCase())!.balance).to.equal(parseEther("0.5"));
      const id = (await hre.run("cairn:withdraw", { ...args, amount: "0.25", to: friend })) as bigint;
      const l2 = new hre.ethers.JsonRpcProvider(t.url);
      const cairn = new CairnClient({ l1: hre.ethers.provider, l2, addresses: t.addresses, pollMs: 50 });
      await cairn.waitForWithdrawal(id, "posted").finally(() => l2.destroy());
      await expectReject(hre.run("cairn:finalize", { ...args, id: id.toString() }), new RegExp(`withdrawal ${id} is posted until`));
      await hre.network.provider.send("evm_increaseTime", [61]);
      await hre.network.provider.send("evm_mine", []);
      await hre.run("cairn:finalize", { ...args, id: id.toString() });
      expect(await hre.ethers.provider.getBalance(friend)).to.equal(parseEther("0.25"));
      await expectReject(hre.run("cairn:deposit", { l2: t.url, devnet: "/nonexistent.json", amount: "1", nowait: true }), /no contract addresses/);
    } finally {
      console.log = quiet;
      await t.stop();
    }
  });
});

async function expectReject(p: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail("expected the task to fail");
}
