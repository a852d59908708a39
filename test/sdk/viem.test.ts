import { expect } from "chai";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, http, parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Wallet } from "ethers";
import { hardhat } from "viem/chains";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { cairnL1Actions, cairnL2Actions } from "../../src/sdk";
import { DEVNET_PARAMS } from "../../deploy/params";

describe("sdk: viem actions", function () {
  this.timeout(120_000);

  it("deposit on L1, a forced withdrawal, its proof from L2, finalization — all through viem clients", async () => {
    const t = await startTestNode(1);
    try {
      const account = privateKeyToAccount(Wallet.createRandom().privateKey as Hex);
      await (await t.funder.sendTransaction({ to: account.address, value: parseEther("5") })).wait();
      const l1 = createWalletClient({ account, chain: hardhat, transport: custom(hre.network.provider) }).extend(cairnL1Actions(t.addresses));
      const l1Public = createPublicClient({ chain: hardhat, transport: custom(hre.network.provider) });
      const l2 = createPublicClient({ transport: http(t.url) }).extend(cairnL2Actions());

      await l1Public.waitForTransactionReceipt({ hash: await l1.depositETH({ amount: parseEther("2") }) });
      await l1Public.waitForTransactionReceipt({ hash: await l1.forceWithdrawal({ amount: parseEther("1.5") }) });
      await t.node.pollL1();
      await t.node.flush();
      const status = await l2.getRollupStatus();
      expect(status.queueConsumed).to.be.greaterThan(0);

      const id = t.node.chain.blocks.flatMap((b) => b.withdrawals).find((w) => w.l1Recipient === account.address.toLowerCase())!.id;
      const proof = await l2.getWithdrawalProof({ id });
      expect(proof.batchIndex).to.be.a("bigint");
      expect(await l1.isBatchFinal({ index: proof.batchIndex! })).to.equal(false);
      await time.increase(DEVNET_PARAMS.challengeWindow);
      const before = await l1Public.getBalance({ address: account.address });
      const receipt = await l1Public.waitForTransactionReceipt({ hash: await l1.finalizeWithdrawal({ proof }) });
      expect(await l1Public.getBalance({ address: account.address })).to.equal(before + parseEther("1.5") - receipt.gasUsed * receipt.effectiveGasPrice);
    } finally {
      await t.stop();
    }
  });
});
