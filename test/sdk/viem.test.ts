import { expect } from "chai";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, http, parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Wallet } from "ethers";
import { hardhat } from "viem/chains";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { startTestNode } from "../helpers/nodeFixture";
import { CairnClientError, cairnL1Actions, cairnL2Actions } from "../../src/sdk";
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

  it("refuses to finalize a withdrawal not yet posted with the SDK's typed error", () => {
    const account = privateKeyToAccount(Wallet.createRandom().privateKey as Hex);
    const l1 = createWalletClient({ account, chain: hardhat, transport: custom(hre.network.provider) }).extend(cairnL1Actions({ bridge: Wallet.createRandom().address, rollup: Wallet.createRandom().address }));
    const zero = "0x0000000000000000000000000000000000000000";
    const proof = { withdrawal: { id: 7n, l2Sender: zero, l1Recipient: zero, l1Token: zero, amount: 1n }, batchIndex: null, proof: null } as const;
    expect(() => l1.finalizeWithdrawal({ proof })).to.throw(CairnClientError, /withdrawal 7 is not in a posted batch yet/);
  });
});
