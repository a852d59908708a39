import { expect } from "chai";
import { ethers } from "hardhat";
import { Contract, JsonRpcProvider, Wallet, parseEther } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { CairnClient, CairnClientError, SignerRequiredError, UnknownWithdrawalError } from "../../src/sdk";
import { DEVNET_PARAMS } from "../../deploy/params";

async function expectRejects(p: Promise<unknown>, type: new (...args: never[]) => CairnClientError, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(type).and.instanceOf(CairnClientError);
    expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail("expected a rejection");
}

describe("sdk: CairnClient moves funds between L1 and L2", function () {
  this.timeout(120_000);

  it("deposits ETH and tokens and waits for the credit; withdraws, follows the status, finalizes", async () => {
    const t = await startTestNode(1);
    const l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    try {
      const user = Wallet.createRandom().connect(ethers.provider);
      await (await t.funder.sendTransaction({ to: user.address, value: parseEther("5") })).wait();
      await (await t.token.connect(t.funder).transfer(user.address, parseEther("100"))).wait();
      const client = new CairnClient({ l1: user, l2, addresses: t.addresses, pollMs: 50 });

      const eth = await client.depositETH(parseEther("1"));
      await t.node.pollL1();
      await eth.credited;
      expect(await l2.getBalance(user.address)).to.equal(parseEther("1"));

      const tokenAddress = await t.token.getAddress();
      const tok = await client.depositERC20(tokenAddress, parseEther("40"));
      await t.node.pollL1();
      await tok.credited;
      const l2Token = new Contract(client.l2TokenAddress(tokenAddress), ["function balanceOf(address) view returns (uint256)"], l2);
      expect(await l2Token.balanceOf(user.address)).to.equal(parseEther("40"));

      const l2User = new Wallet(user.privateKey, l2);
      const { l2Tx, withdrawalId } = await client.withdraw(l2User, { amount: parseEther("0.5") });
      expect((await client.getWithdrawalStatus(withdrawalId)).state).to.equal("on-l2");
      await t.node.flush();
      expect(await client.waitForBatch(l2Tx)).to.be.a("bigint");
      const posted = await client.getWithdrawalStatus(withdrawalId);
      expect(posted.state).to.equal("posted");
      expect(posted.challengeableUntil).to.be.greaterThan(await time.latest());
      await time.increase(DEVNET_PARAMS.challengeWindow);
      expect((await client.waitForWithdrawal(withdrawalId, "ready")).state).to.equal("ready");
      const before = await ethers.provider.getBalance(user.address);
      const receipt = await client.finalizeWithdrawal(withdrawalId);
      expect(await ethers.provider.getBalance(user.address)).to.equal(before + parseEther("0.5") - receipt.gasUsed * receipt.gasPrice);
      expect((await client.getWithdrawalStatus(withdrawalId)).state).to.equal("finalized");

      // A token withdrawal to another L1 address.
      const other = Wallet.createRandom().address;
      const tw = await client.withdraw(l2User, { amount: parseEther("10"), l1Token: tokenAddress, l1Recipient: other });
      await t.node.flush();
      await time.increase(DEVNET_PARAMS.challengeWindow);
      await client.waitForWithdrawal(tw.withdrawalId, "ready");
      await client.finalizeWithdrawal(tw.withdrawalId);
      expect(await t.token.balanceOf(other)).to.equal(parseEther("10"));
    } finally {
      l2.destroy();
      await t.stop();
    }
  });

  it("says clearly, in typed errors, when a withdrawal is unknown or the L1 side is a provider where a signer is needed", async () => {
    const t = await startTestNode(1);
    const l2 = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const reader = new CairnClient({ l1: ethers.provider, l2, addresses: t.addresses });
      const signer = new CairnClient({ l1: t.funder, l2, addresses: t.addresses });
      await expectRejects(reader.getWithdrawalStatus(99n), UnknownWithdrawalError, /does not know withdrawal 99/);
      await expectRejects(signer.finalizeWithdrawal(99n), UnknownWithdrawalError, /does not know withdrawal 99/);
      // Refused before anything is sent or asked of a node.
      await expectRejects(reader.depositETH(1n), SignerRequiredError, /depositETH needs an L1 signer/);
      await expectRejects(reader.finalizeWithdrawal(0n), SignerRequiredError, /finalizeWithdrawal needs an L1 signer/);
    } finally {
      l2.destroy();
      await t.stop();
    }
  });
});
