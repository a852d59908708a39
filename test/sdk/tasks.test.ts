import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { HardhatPluginError } from "hardhat/plugins";
import { JsonRpcProvider, Wallet, parseEther } from "ethers";
import { CairnClient } from "../../src/sdk";
import { startTestNode } from "../helpers/nodeFixture";
import { startDevnet } from "../../src/app/devnet";
import { silentLogger } from "../../src/shared/logger";

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

describe("hardhat tasks next to a running devnet: no flags", function () {
  this.timeout(120_000);

  it("find the devnet's L1, L2, contracts and funded test key from .cairn/devnet.json, take --account N, and fail in one line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-tasks-"));
    const devnetFile = path.join(dir, "devnet.json");
    const devnet = await startDevnet({ host: "127.0.0.1", l1Port: 0, l2Port: 0, accounts: 2, configPath: devnetFile, blockTimeMs: 50, logger: silentLogger, dataDir: path.join(dir, "data") });
    const quiet = console.log;
    console.log = () => {};
    const l2 = new JsonRpcProvider(devnet.info.l2.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const [first, second] = devnet.info.accounts.map((a) => a.address);
      const args = { devnet: devnetFile };
      const before = await l2.getBalance(first);
      await hre.run("cairn:deposit", { ...args, amount: "1.5", nowait: false });
      expect(await l2.getBalance(first), "the devnet's test key 0 by default").to.equal(before + parseEther("1.5"));

      const friend = Wallet.createRandom().address;
      await hre.run("cairn:transfer", { ...args, account: 1, to: friend, amount: "2", token: "CTT" });
      const token = new hre.ethers.Contract(devnet.info.testToken.l2, ["function balanceOf(address) view returns (uint256)"], l2);
      expect(await token.balanceOf(friend)).to.equal(parseEther("2"));
      expect(await l2.getTransactionCount(second), "--account 1 signed it").to.equal(1);

      const status = (await hre.run("cairn:status", args)) as { l1: { rollup: string } };
      expect(status.l1.rollup).to.equal(devnet.info.contracts.rollup);

      const failures: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ amount: "abc" }, "cairn:deposit", /--amount must be a positive decimal number such as 1\.5, not "abc"/],
        [{ amount: "1", account: 9 }, "cairn:deposit", /the devnet has 2 test keys; --account 9/],
        [{ amount: "1", token: "XYZ" }, "cairn:withdraw", /--token must be ETH, an L1 token address or CTT/],
        [{ id: "7" }, "cairn:finalize", /does not know withdrawal 7/],
        [{ to: friend, amount: "1000000" }, "cairn:transfer", /insufficient funds|not enough ETH|the node refused it/],
      ];
      for (const [extra, name, message] of failures) {
        const error = await hre.run(name, { ...args, ...extra }).then(
          () => expect.fail(`${name} ${JSON.stringify(extra)} should fail`),
          (e: unknown) => e,
        );
        expect(error, name).to.be.instanceOf(HardhatPluginError);
        expect((error as Error).message, name).to.match(message);
        expect((error as Error).message, `${name}: one line`).to.not.include("\n");
      }
    } finally {
      console.log = quiet;
      l2.destroy();
      await devnet.stop();
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
